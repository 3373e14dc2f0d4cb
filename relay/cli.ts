/**
 * The `p2p-ai-agents` command line (FR18.1, FR18.2): run a relay or a headless node, and
 * control running nodes. Human output on stdout, JSON-line logs on stderr.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ConfigError, IdentityCorruptError, PortInUseError } from '../src/core/errors.js'
import type {
  EngineCapabilities,
  ModelInfo,
  TaskRecord,
  TaskStatusReport,
} from '../src/core/tasks.js'
import type { NodeRole, PeerInfo } from '../src/core/types.js'
import { VERSION } from '../src/core/version.js'
import type { P2PNode } from '../src/node/create-node.js'
import { loadNodeConfig } from '../src/platform/node/load-config.js'
import { defaultModelsDir } from '../src/platform/node/models-dir.js'
import { defaultHome } from '../src/platform/node/node-host.js'
import {
  getJson,
  postJson,
  recordStop,
  removeRunRecord,
  takeStopRecord,
  runningNodes,
  stopProcess,
  writeRunRecord,
} from './control.js'
import { exitOnSignal, launch } from './launch.js'
import type { NodeStatus } from './node-routes.js'
import { nodeRoutes } from './node-routes.js'
import type { NodeConfig } from '../src/core/config.js'
import { sampleConfig } from '../src/node/config-fields.js'

const USAGE = `p2p-ai-agents ${VERSION}: a browser-first peer-to-peer mesh of AI nodes

usage:
  p2p-ai-agents relay start [--port N] [--config FILE] [--home DIR] [--app-dir DIR] [--models-dir DIR] [--startup-diagnostics]
  p2p-ai-agents node start  [--port N] [--config FILE] [--home DIR] [--relay URL|MULTIADDR]... [--startup-diagnostics]
  p2p-ai-agents node stop   [--port N | --all] [--home DIR]
  p2p-ai-agents node status [--port N] [--json] [--home DIR]
  p2p-ai-agents node peers  [--port N] [--json] [--home DIR]
  p2p-ai-agents node send <peer-id> <text> [--port N] [--home DIR]
  p2p-ai-agents node messages [--port N] [--json] [--home DIR]
  p2p-ai-agents node models [--port N] [--json] [--home DIR]
  p2p-ai-agents task submit --input TEXT --type embedding|classification [--timeout SECONDS] [--port N]
  p2p-ai-agents task status <task-id> [--json] [--port N]
  p2p-ai-agents task result <task-id> [--format json] [--port N]
  p2p-ai-agents task list [--limit N] [--offset N] [--json] [--port N]
  p2p-ai-agents --version

Configuration: defaults < config file < P2P_AI_* environment variables < flags.
The home directory (identity, config, data) is --home, else $P2P_AI_HOME, else ~/.p2p-ai-agents.`

class UsageError extends Error {
  override name = 'UsageError'
}

const OPTIONS = {
  port: { type: 'string' },
  config: { type: 'string' },
  home: { type: 'string' },
  relay: { type: 'string', multiple: true },
  'app-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  'startup-diagnostics': { type: 'boolean' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  input: { type: 'string' },
  type: { type: 'string' },
  timeout: { type: 'string' },
  format: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values']

export async function main(argv: string[]): Promise<number> {
  let values: Values
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }))
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.version === true) {
    console.log(VERSION)
    return 0
  }
  const [group, command, ...rest] = positionals
  if (values.help === true || group == null || group === 'help') {
    console.log(USAGE)
    return 0
  }
  try {
    switch (`${group} ${command ?? ''}`.trim()) {
      case 'relay start':
        return await startProcessNode('relay', values)
      case 'node start':
        return await startProcessNode('peer', values)
      case 'node stop':
        return await stopNodes(values)
      case 'node status':
        return await status(values)
      case 'node peers':
        return await peers(values)
      case 'node send':
        return await send(values, rest)
      case 'node messages':
        return await messages(values)
      case 'node models':
        return await models(values)
      case 'task submit':
        return await taskSubmit(values)
      case 'task status':
        return await taskStatus(values, rest)
      case 'task result':
        return await taskResult(values, rest)
      case 'task list':
        return await taskList(values)
      default:
        throw new UsageError(`unknown command "${positionals.join(' ')}"`)
    }
  } catch (err) {
    // the sample names this home's real data directory: a literal "~" is not expanded
    return report(err, join(homeOf(values, group === 'relay' ? 'relay' : 'peer'), 'data'))
  }
}

function report(err: unknown, sampleStoragePath: string): number {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message}\n\n${USAGE}`)
    return 2
  }
  if (err instanceof ConfigError) {
    console.error('error: invalid configuration')
    for (const p of err.problems) console.error(`  ${p.field}: ${p.message} [${p.code}]`)
    console.error(
      `\nA valid configuration file looks like this:\n${sampleConfig(sampleStoragePath)}`,
    )
    return 1
  }
  if (err instanceof PortInUseError || err instanceof IdentityCorruptError) {
    console.error(`error: ${err.message}`)
    return 1
  }
  console.error(`error: ${(err as Error).message}`)
  return 1
}

function homeOf(values: Values, role: NodeRole): string {
  return values.home ?? defaultHome(role)
}

function defaultAppDir(): string {
  return fileURLToPath(new URL('../../app/', import.meta.url))
}

async function startProcessNode(role: NodeRole, values: Values): Promise<number> {
  const home = homeOf(values, role)
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
  const node: P2PNode = await launch({
    role,
    home,
    config,
    appDir: role === 'relay' && existsSync(appDir) ? appDir : undefined,
    modelsDir: role === 'relay' ? (values['models-dir'] ?? defaultModelsDir()) : undefined,
    routes: role === 'peer' ? nodeRoutes : undefined,
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
  if (role === 'relay') console.log(`Open http://localhost:${port}/ in a browser to join the mesh.`)
  if (values['startup-diagnostics'] === true) {
    console.log(JSON.stringify({ startup_diagnostics: node.startupDiagnostics }, null, 2))
  }
  return new Promise<number>(() => {
    // runs until a signal; exitOnSignal exits the process
  })
}

/** The node a command is about: --port, else the only running node of this home. */
async function targetPort(values: Values): Promise<number> {
  if (values.port != null) {
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 1024 || port > 65535)
      throw new UsageError('Invalid port number (must be 1024-65535)')
    return port
  }
  const nodes = await runningNodes(homeOf(values, 'peer'))
  if (nodes.length === 0)
    throw new Error('no running node found; start one with "p2p-ai-agents node start"')
  if (nodes.length > 1) {
    throw new UsageError(
      `${nodes.length} nodes are running (ports ${nodes.map((n) => n.port).join(', ')}); choose one with --port`,
    )
  }
  return (nodes[0] as { port: number }).port
}

async function stopNodes(values: Values): Promise<number> {
  const home = homeOf(values, 'peer')
  const nodes = await runningNodes(home)
  let targets = nodes
  if (values.all !== true) {
    const port = await targetPort(values)
    targets = nodes.filter((n) => n.port === port)
    if (targets.length === 0) throw new Error(`no running node on port ${port}`)
  }
  let stopped = 0
  for (const n of targets) {
    if (await stopProcess(n.pid, 8000)) {
      stopped++
      await removeRunRecord(home, n.port)
      const how = await takeStopRecord(home, n.port)
      if (values.all === true) continue
      // a node killed outright leaves no record: it did not stop gracefully either
      console.log(
        how?.clean === true
          ? 'Node stopped gracefully'
          : how == null
            ? 'Node stopped without reporting how (killed?)'
            : 'Node stopped, but in-flight operations were cut off after the 5 s grace period (exit 130)',
      )
    } else {
      console.error(`error: node ${n.node_id} (pid ${n.pid}) did not stop within 8 s`)
    }
  }
  if (values.all === true) console.log(`Stopped ${stopped} node${stopped === 1 ? '' : 's'}`)
  return stopped === targets.length ? 0 : 1
}

async function status(values: Values): Promise<number> {
  const s = await getJson<NodeStatus>(await targetPort(values), '/status')
  if (values.json === true) {
    console.log(JSON.stringify(s, null, 2))
    return 0
  }
  const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MB`
  console.log(
    [
      `Node ID:        ${s.node_id}`,
      `Peer ID:        ${s.peer_id}`,
      `State:          ${s.state}`,
      `Uptime:         ${formatDuration(s.uptime_seconds ?? 0)}`,
      `Peers:          ${s.connected_peers}`,
      `Relays:         ${s.relays_connected}`,
      `Memory:         ${mb(s.memory_bytes)} / ${s.max_memory_mb} MB`,
      `CPU:            ${s.cpu_percent} %`,
      `Tasks:          ${s.tasks_completed} completed`,
      `Last health:    ${s.last_health_check == null ? 'none yet' : `${s.last_health_check.status} at ${s.last_health_check.timestamp}`}`,
      `Version:        ${s.version}`,
    ].join('\n'),
  )
  return 0
}

async function peers(values: Values): Promise<number> {
  const list = await getJson<PeerInfo[]>(await targetPort(values), '/peers')
  if (values.json === true) {
    console.log(JSON.stringify(list, null, 2))
    return 0
  }
  if (list.length === 0) {
    console.log('No connected peers')
    return 0
  }
  const rows = list.map((p) => {
    // a WebRTC peer's own address is in its ICE candidates, which libp2p does not expose; its
    // remote address names the relay the connection was set up through
    const { ip, port } = p.transport === 'webrtc' ? { ip: '-', port: '-' } : addressOf(p.remoteAddr)
    return [
      p.peerId,
      ip,
      port,
      p.transport,
      p.health,
      formatDuration(Math.floor((Date.now() - p.connectedAt) / 1000)),
      `${p.messagesSent}/${p.messagesReceived}`,
      p.lastHeartbeat == null ? '-' : `${Math.round((Date.now() - p.lastHeartbeat) / 1000)}s ago`,
    ]
  })
  printTable(
    ['PEER ID', 'IP', 'PORT', 'TRANSPORT', 'HEALTH', 'CONNECTED', 'SENT/RECV', 'LAST HEARTBEAT'],
    rows,
  )
  return 0
}

async function send(values: Values, args: string[]): Promise<number> {
  const [to, ...words] = args
  if (to == null || words.length === 0)
    throw new UsageError('usage: p2p-ai-agents node send <peer-id> <text>')
  const d = await postJson<{ id: string; hops: number; rttMs: number }>(
    await targetPort(values),
    '/send',
    { to, text: words.join(' ') },
  )
  console.log(`Delivered ${d.id} in ${d.rttMs} ms over ${d.hops} hop${d.hops === 1 ? '' : 's'}`)
  return 0
}

async function messages(values: Values): Promise<number> {
  const list = await getJson<
    Array<{ from: string; text: string; hops: number; receivedAt: number }>
  >(await targetPort(values), '/messages')
  if (values.json === true) {
    console.log(JSON.stringify(list, null, 2))
    return 0
  }
  if (list.length === 0) console.log('No messages received')
  for (const m of list)
    console.log(
      `${new Date(m.receivedAt).toISOString()} ${m.from} (${m.hops} hop${m.hops === 1 ? '' : 's'}): ${printable(m.text)}`,
    )
  return 0
}

async function models(values: Values): Promise<number> {
  const answer = await getJson<{ models: ModelInfo[]; capabilities?: EngineCapabilities }>(
    await targetPort(values),
    '/models',
  )
  if (values.json === true) {
    console.log(JSON.stringify(answer, null, 2))
    return 0
  }
  const rows = answer.models.map((m) => [
    m.model_name,
    m.model_type,
    m.dtype,
    `${m.model_size_mb}`,
    m.is_ready ? 'yes' : m.error != null ? 'failed' : 'no',
    m.loaded_at ?? '-',
  ])
  printTable(['MODEL', 'TYPE', 'DTYPE', 'SIZE MB', 'READY', 'LOADED AT'], rows)
  const c = answer.capabilities
  if (c != null)
    console.log(
      `\nBackend: ${c.backend}, ${c.threads} thread${c.threads === 1 ? '' : 's'}, ${c.embeddings_per_sec} embeddings/s`,
    )
  return 0
}

async function taskSubmit(values: Values): Promise<number> {
  if (values.input == null || values.type == null)
    throw new UsageError('task submit needs --input TEXT and --type embedding|classification')
  const timeout = values.timeout == null ? undefined : Number(values.timeout)
  const record = await postJson<TaskRecord>(await targetPort(values), '/tasks', {
    task_type: values.type,
    input: values.input,
    timeout_seconds: timeout,
  })
  console.log(`Task submitted (id: ${record.task_id})`)
  if (record.status === 'FAILED')
    console.log(`Status: FAILED (${record.error_reason}: ${record.error_details})`)
  return 0
}

async function taskStatus(values: Values, args: string[]): Promise<number> {
  const id = args[0]
  if (id == null) throw new UsageError('usage: p2p-ai-agents task status <task-id>')
  const s = await getTask<TaskStatusReport>(values, `/tasks/${encodeURIComponent(id)}`, id)
  if (s == null) return 1
  if (values.json === true) {
    console.log(JSON.stringify(s, null, 2))
    return 0
  }
  const lines = [
    `Task ID:        ${s.task_id}`,
    `Type:           ${s.task_type}`,
    `Status:         ${s.status}`,
  ]
  if (s.status === 'RUNNING') lines.push(`Progress:       ${s.progress_percent} %`)
  if (s.execution_time_ms != null) lines.push(`Execution time: ${s.execution_time_ms} ms`)
  if (s.error_reason != null)
    lines.push(
      `Error:          ${s.error_reason}${s.error_details == null ? '' : ` (${s.error_details})`}`,
    )
  console.log(lines.join('\n'))
  return 0
}

async function taskResult(values: Values, args: string[]): Promise<number> {
  const id = args[0]
  if (id == null) throw new UsageError('usage: p2p-ai-agents task result <task-id> [--format json]')
  const r = await getTask<TaskRecord>(values, `/tasks/${encodeURIComponent(id)}/result`, id)
  if (r == null) return 1
  if (values.format === 'json') {
    console.log(JSON.stringify(r, null, 2))
    return 0
  }
  if (r.status !== 'COMPLETED' || r.output_data == null) {
    console.error(
      `error: task ${r.task_id} is ${r.status}${r.error_reason == null ? '' : ` (${r.error_reason})`}: no result`,
    )
    return 1
  }
  const out = r.output_data
  console.log(
    'embedding' in out
      ? JSON.stringify(out.embedding)
      : `${out.label} (confidence ${out.score.toFixed(4)})`,
  )
  return 0
}

async function taskList(values: Values): Promise<number> {
  const limit = values.limit ?? '20'
  const offset = values.offset ?? '0'
  const list = await getJson<TaskRecord[]>(
    await targetPort(values),
    `/tasks?limit=${encodeURIComponent(limit)}&offset=${encodeURIComponent(offset)}`,
  )
  if (values.json === true) {
    console.log(JSON.stringify(list, null, 2))
    return 0
  }
  if (list.length === 0) {
    console.log('No tasks')
    return 0
  }
  printTable(
    ['TASK ID', 'STATUS', 'SUBMITTED', 'TYPE'],
    list.map((t) => [t.task_id, t.status, t.submitted_at, t.task_type]),
  )
  return 0
}

/** A task by id; prints FR18.3's "Task not found" and gives undefined for an unknown one. */
async function getTask<T>(values: Values, path: string, id: string): Promise<T | undefined> {
  const port = await targetPort(values)
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(3000),
  }).catch((err: unknown) => {
    throw new Error(`no running node on port ${port}; start one with "p2p-ai-agents node start"`, {
      cause: err,
    })
  })
  if (res.status === 404) {
    console.error(`Task not found (id: ${id})`)
    return undefined
  }
  if (!res.ok)
    throw new Error(
      ((await res.json()) as { error?: string }).error ?? `node answered ${res.status}`,
    )
  return (await res.json()) as T
}

function addressOf(ma: string): { ip: string; port: string } {
  const parts = ma.split('/')
  const ipAt = parts.findIndex((p) => p === 'ip4' || p === 'ip6' || p === 'dns4')
  const portAt = parts.findIndex((p) => p === 'tcp' || p === 'udp')
  return {
    ip: ipAt >= 0 ? (parts[ipAt + 1] ?? '-') : '-',
    port: portAt >= 0 ? (parts[portAt + 1] ?? '-') : '-',
  }
}

/** Peer-supplied text without control characters (no terminal escapes, one line per message). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  console.log(line(head))
  for (const r of rows) console.log(line(r))
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`)
    process.exitCode = 1
  },
)
