/** `relay start` and `node start`: a node in this process, until a signal stops it. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { NodeConfig } from '../src/core/config.js'
import type { NodeRole } from '../src/core/types.js'
import type { NodeApi } from '../src/core/node-api.js'
import { loadNodeConfig } from '../src/platform/node/load-config.js'
import { defaultModelsDir } from '../src/platform/node/models-dir.js'
import type { Values } from './cli-args.js'
import { homeOf } from './cli-args.js'
import { recordStop, writeRunRecord } from './control.js'
import { exitOnSignal, launch } from './launch.js'
import { nodeRoutes, relayRoutes } from './node-routes.js'
import { hostNames, selfSignedCertificate } from './self-signed.js'
import type { TlsChoice, TlsMaterial } from './tls.js'
import { bindHostOf, DEFAULT_HOST, isWildcard, lanUrls, readTlsFiles, tlsChoiceOf } from './tls.js'

function defaultAppDir(): string {
  return fileURLToPath(new URL('../../app/', import.meta.url))
}

/** Starts a relay or a headless peer and runs until a signal (the process exits then). */
export async function startProcessNode(role: NodeRole, values: Values): Promise<number> {
  const home = homeOf(values, role)
  // the flags and certificate first: a wrong use or a bad file fails before anything starts
  const host = bindHostOf(values)
  const tlsChoice = tlsChoiceOf(values, role)
  const tls = tlsChoice == null ? undefined : await loadTls(tlsChoice, home)
  const flags: Partial<Record<keyof NodeConfig, string>> = {}
  if (values.port != null) flags.network_port = values.port
  if (values.relay != null) flags.relays = values.relay.join(',')
  const config = await loadNodeConfig({
    home,
    configPath: values.config,
    env: process.env,
    flags,
    defaults: role === 'peer' ? { relays: ['http://127.0.0.1:9000'] } : {},
  })
  const appDir = values['app-dir'] ?? process.env.P2P_AI_APP_DIR ?? defaultAppDir()
  if (role === 'relay' && !existsSync(appDir)) {
    console.error(
      `warning: no built app at ${appDir}; run "npm run build" to serve it (the relay works without it)`,
    )
  }
  if (role === 'peer' && !isWildcard(host) && host !== DEFAULT_HOST) {
    console.error(
      `warning: listening on ${host} only: this node's commands (node status, node stop…) reach it on 127.0.0.1; use --host 0.0.0.0 to keep them`,
    )
  }
  const node: NodeApi = await launch({
    role,
    home,
    host,
    tls,
    config,
    appDir: role === 'relay' && existsSync(appDir) ? appDir : undefined,
    modelsDir: role === 'relay' ? (values['models-dir'] ?? defaultModelsDir()) : undefined,
    routes: role === 'peer' ? nodeRoutes : relayRoutes,
  })
  const port = config.config.network_port
  if (role === 'peer') {
    await writeRunRecord(home, {
      pid: process.pid,
      port,
      node_id: node.nodeId as string,
      peer_id: node.peerId as string,
      started_at: new Date().toISOString(),
    })
  }
  exitOnSignal(node, async (clean) => {
    if (role === 'peer') await recordStop(home, port, clean)
    console.log(
      clean
        ? `${role === 'peer' ? 'Node' : 'Relay'} stopped gracefully`
        : 'Stopped after cutting off operations',
    )
  })
  const what = role === 'peer' ? 'Node' : 'Relay'
  console.log(`${what} started (id: ${node.nodeId}, port: ${port})`)
  console.log(`PID: ${process.pid}`)
  console.log(`Peer ID: ${node.peerId}`)
  if (role === 'relay') printJoinUrls(host, port, tls)
  if (values['startup-diagnostics'] === true) {
    console.log(JSON.stringify({ startup_diagnostics: node.startupDiagnostics }, null, 2))
  }
  return new Promise<number>(() => {
    // runs until a signal; exitOnSignal exits the process
  })
}

/** The certificate the flags ask for: the given files, or the self-signed one under `home`. */
async function loadTls(
  choice: TlsChoice,
  home: string,
): Promise<TlsMaterial & { reused?: boolean }> {
  if (choice.kind === 'files') return readTlsFiles(choice.certPath, choice.keyPath)
  return selfSignedCertificate(home, hostNames())
}

/** Where browsers join: this machine, and other devices when the port is open to the LAN. */
function printJoinUrls(
  host: string,
  port: number,
  tls: (TlsMaterial & { reused?: boolean }) | undefined,
): void {
  if (tls == null) {
    console.log(`Open http://localhost:${port}/ in a browser to join the mesh.`)
    const lan = lanUrls(host, port, 'http')
    if (lan.length > 0) {
      console.log(`Other devices: ${lan.join(' ')}`)
      console.log(
        '  (over plain HTTP their browsers have no secure context: add --tls self-signed to serve HTTPS)',
      )
    }
    return
  }
  const made = tls.reused == null ? 'given' : tls.reused ? 'kept' : 'new'
  console.log(`TLS certificate (${made}): ${tls.certPath}`)
  console.log(`SHA-256 fingerprint: ${tls.fingerprint256}`)
  console.log(`Open https://localhost:${port}/ in a browser to join the mesh.`)
  const lan = lanUrls(host, port, 'https')
  for (const url of lan) console.log(`From another device: ${url}`)
  if (lan.length === 0) {
    console.log(
      `Listening on ${host} only: start with --host 0.0.0.0 to let other devices on the LAN join.`,
    )
  }
}
