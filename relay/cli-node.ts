/** `node stop|status|peers|send|messages|models`: controlling a running headless node. */
import { join } from 'node:path'
import type { EngineCapabilities, ModelInfo } from '../src/core/tasks.js'
import type { PeerInfo } from '../src/core/types.js'
import type { Values } from './cli-args.js'
import { homeOf } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { addressOf, formatDuration, plural, printable, printTable } from './cli-format.js'
import { report } from './cli-report.js'
import { targetPort } from './cli-target.js'
import {
  getJson,
  postJson,
  removeRunRecord,
  runningNodes,
  stopProcess,
  takeStopRecord,
} from './control.js'
import type { NodeStatus } from './node-routes.js'

/** How long `node stop` waits for a node to exit, ms. */
const STOP_WAIT_MS = 8000

export async function stopNodes(values: Values): Promise<number> {
  const home = homeOf(values, 'peer')
  const nodes = await runningNodes(home)
  let targets = nodes
  if (values.all !== true) {
    const port = await targetPort(values)
    targets = nodes.filter((n) => n.port === port)
    if (targets.length === 0)
      throw new CliError('node_not_running', `no running node on port ${port}`)
  }
  let stopped = 0
  for (const n of targets) {
    if (await stopProcess(n.pid, STOP_WAIT_MS)) {
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
      // reported, and the others still stopped
      const timeout = new CliError(
        'node_stop_timeout',
        `node ${n.node_id} (pid ${n.pid}) did not stop within ${STOP_WAIT_MS / 1000} s`,
      )
      report(timeout, join(home, 'data'))
    }
  }
  if (values.all === true) console.log(`Stopped ${plural(stopped, 'node')}`)
  return stopped === targets.length ? 0 : 1
}

export async function status(values: Values): Promise<number> {
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

export async function peers(values: Values): Promise<number> {
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

export async function send(values: Values, args: string[]): Promise<number> {
  const [to, ...words] = args
  if (to == null || words.length === 0)
    throw new CliError('usage', 'usage: p2p-ai-agents node send <peer-id> <text>')
  const d = await postJson<{ id: string; hops: number; rttMs: number }>(
    await targetPort(values),
    '/send',
    { to, text: words.join(' ') },
  )
  console.log(`Delivered ${d.id} in ${d.rttMs} ms over ${plural(d.hops, 'hop')}`)
  return 0
}

export async function messages(values: Values): Promise<number> {
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
      `${new Date(m.receivedAt).toISOString()} ${m.from} (${plural(m.hops, 'hop')}): ${printable(m.text)}`,
    )
  return 0
}

export async function models(values: Values): Promise<number> {
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
      `\nBackend: ${c.backend}, ${plural(c.threads, 'thread')}, ${c.embeddings_per_sec} embeddings/s`,
    )
  return 0
}
