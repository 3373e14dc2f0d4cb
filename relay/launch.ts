/**
 * Starts a node in this Node.js process (a relay or a headless peer) with HTTP on its libp2p
 * WebSocket port, and turns signals into a graceful stop: SIGTERM/SIGINT → stop within 5 s →
 * exit 0, or 130 when operations had to be cut off or a second signal insists.
 */
import type { NodeRole } from '../src/core/types.js'
import type { NodeApi } from '../src/core/node-api.js'
import { createNode } from '../src/node/create-node.js'
import { httpOnWebSocketPort } from '../src/platform/node/http-service.js'
import type { LoadedConfig } from '../src/platform/node/load-config.js'
import { createNodeHost } from '../src/platform/node/node-host.js'
import type { Route } from './http-json.js'
import { createHttpHandler } from './http-routes.js'
import { createRegistry, metricsRoutes } from './metrics.js'
import { assertPortFree } from './port.js'
import { DEFAULT_HOST, listenAddress } from './tls.js'
import type { LogSink } from '../src/core/log.js'
import { MemorySink } from '../src/obs/logger.js'
import type { Registry } from 'prom-client'

/** What the host keeps beside the node, for its routes: its home, metrics and recent logs. */
export interface HostParts {
  home: string
  registry: Registry
  /** the most recent log entries (debug snapshots) */
  logs: MemorySink
}

/** Log entries a Node host keeps in memory. */
const RECENT_LOGS = 1000

export interface LaunchOptions {
  role: NodeRole
  home: string
  config: LoadedConfig
  appDir?: string
  /** a models folder to serve at /models/ (relay) */
  modelsDir?: string
  routes?: (node: NodeApi, parts: HostParts) => Record<string, Route>
  logSinks?: LogSink[]
  /** the address to listen on. @default '127.0.0.1' */
  host?: string
  /** serve HTTPS and WSS (instead of HTTP and WS) with this certificate and key */
  tls?: { cert: string; key: string }
}

export async function launch(opts: LaunchOptions): Promise<NodeApi> {
  const port = opts.config.config.network_port
  const bindHost = opts.host ?? DEFAULT_HOST
  await assertPortFree(port, bindHost)
  const ws = listenAddress(bindHost, port, opts.tls != null)
  // the handler needs the node, the node needs the host: fill it in once both exist
  const http: { handler?: ReturnType<typeof createHttpHandler> } = {}
  const registry = createRegistry()
  const logs = new MemorySink(RECENT_LOGS)
  const host = createNodeHost({
    home: opts.home,
    config: opts.config,
    listen: opts.role === 'relay' ? [ws] : [ws, '/p2p-circuit', '/webrtc'],
    logSinks: opts.logSinks,
    alsoLogTo: [logs.sink],
    inference: opts.role === 'peer',
    tls: opts.tls,
    metricsRegistry: registry,
  })
  host.services = {
    http: httpOnWebSocketPort((req, res) => {
      if (http.handler == null) {
        res.writeHead(503).end()
        return
      }
      http.handler(req, res)
    }) as (components: never) => unknown,
  }
  const node = createNode({ host, config: opts.config, role: opts.role })
  http.handler = createHttpHandler({
    node,
    appDir: opts.appDir,
    modelsDir: opts.modelsDir,
    routes: {
      ...metricsRoutes(registry, node),
      ...opts.routes?.(node, { home: opts.home, registry, logs }),
    },
  })
  await node.start()
  return node
}

/** Stops gracefully on SIGTERM/SIGINT and exits: 0 when clean, 130 otherwise. */
export function exitOnSignal(
  node: NodeApi,
  onStopped?: (clean: boolean) => void | Promise<void>,
): void {
  let stopping = false
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      node.log.warn('second signal: exiting now', { signal })
      process.exit(130)
    }
    stopping = true
    node.log.info('received signal; shutting down', { signal })
    // hard limit: the seed allows 8 s for the whole stop
    const hard = setTimeout(() => {
      node.log.error('shutdown took too long; exiting')
      process.exit(130)
    }, 8000)
    hard.unref()
    node
      .stop()
      .then(async ({ clean }) => {
        await onStopped?.(clean)
        process.exit(clean ? 0 : 130)
      })
      .catch((err: unknown) => {
        node.log.error('shutdown failed', { error: err as Error })
        process.exit(130)
      })
  }
  process.on('SIGTERM', handle)
  process.on('SIGINT', handle)
}
