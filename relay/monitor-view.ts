/**
 * What `node monitor` shows (FR18.2): one frame of a running node's state, peers, tasks and
 * alerts, as text. Pure: everything it shows comes in the frame, the time included.
 */
import type { TaskRecord } from '../src/core/tasks.js'
import type { PeerInfo } from '../src/core/types.js'
import { formatDuration, printable } from './cli-format.js'
import type { NodeStatus } from './node-routes.js'

/** An alert as the node's GET /alerts lists it; only `name` is required. */
export interface MonitorAlert {
  name: string
  severity?: string
  message?: string
  since?: string
}

export interface MonitorFrame {
  /** when the frame was read, ms since the epoch */
  at: number
  port: number
  status?: NodeStatus
  peers?: PeerInfo[]
  /** the most recent tasks, newest first */
  tasks?: TaskRecord[]
  /** undefined: the node has no alerts to tell (the section is left out) */
  alerts?: MonitorAlert[]
  /** why the node could not be read, when it could not */
  error?: string
}

/** Peers and tasks shown at most. */
const MAX_ROWS = 10

/** The alerts in a GET /alerts answer: an array, or `{alerts}` / `{active}`; undefined for anything else. */
export function alertsOf(body: unknown): MonitorAlert[] | undefined {
  const list = Array.isArray(body)
    ? body
    : Array.isArray((body as { alerts?: unknown } | null)?.alerts)
      ? (body as { alerts: unknown[] }).alerts
      : Array.isArray((body as { active?: unknown } | null)?.active)
        ? (body as { active: unknown[] }).active
        : undefined
  if (list == null) return undefined
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  return (
    list
      .filter((a): a is Record<string, unknown> => a != null && typeof a === 'object')
      // GET /alerts also lists the alerts cleared in the last hour: the monitor shows what fires
      .filter((a) => a.state !== 'cleared')
      .map((a) => ({
        name: text(a.name) ?? text(a.rule) ?? text(a.id) ?? 'alert',
        severity: text(a.severity) ?? text(a.level),
        message: text(a.message) ?? text(a.summary),
        since: text(a.since) ?? text(a.fired_at) ?? text(a.firedAt),
      }))
  )
}

/** Narrowest frame drawn, columns: a narrower terminal wraps rather than losing every line. */
const MIN_WIDTH = 40

export function renderMonitor(frame: MonitorFrame, width = 100): string {
  const lines: string[] = []
  const s = frame.status
  const at = new Date(frame.at).toISOString().replace(/\.\d+Z$/, 'Z')
  lines.push(`p2p-ai-agents node monitor: ${s?.node_id ?? '?'} on port ${frame.port}  ${at}`)
  if (frame.error != null) lines.push(`!! node unreachable: ${printable(frame.error)}`)
  if (s != null) {
    const health =
      s.last_health_check == null
        ? 'none yet'
        : `${s.last_health_check.status}${s.last_health_check.failing == null ? '' : ` (${s.last_health_check.failing})`} ${ago(frame.at, Date.parse(s.last_health_check.timestamp))}`
    lines.push(
      `State ${s.state}   Uptime ${formatDuration(s.uptime_seconds ?? 0)}   Peers ${s.connected_peers}   Relays ${s.relays_connected}`,
    )
    lines.push(
      `Health ${health}   Memory ${Math.round(s.memory_bytes / 1048576)} / ${s.max_memory_mb} MB   CPU ${s.cpu_percent} %`,
    )
    const t = s.task_stats
    lines.push(
      t == null
        ? `Tasks  ${s.tasks_completed} completed`
        : `Tasks  ${t.completed} completed, ${t.failed} failed, ${t.timed_out} timed out, ${t.inference_calls} inference calls`,
    )
  }
  if (frame.peers != null) {
    lines.push('', `Peers (${frame.peers.length})`)
    if (frame.peers.length === 0) lines.push('  No connected peers')
    const rows = frame.peers
      .slice(0, MAX_ROWS)
      .map((p) => [
        p.nodeId,
        p.transport,
        p.health,
        p.rttMs == null ? '-' : `${p.rttMs.toFixed(1)} ms`,
        `${p.messagesSent}/${p.messagesReceived}`,
        p.lastHeartbeat == null ? '-' : ago(frame.at, p.lastHeartbeat),
      ])
    if (rows.length > 0)
      lines.push(
        ...table(['NODE ID', 'TRANSPORT', 'HEALTH', 'RTT', 'SENT/RECV', 'HEARTBEAT'], rows),
      )
    if (frame.peers.length > MAX_ROWS) lines.push(`  … and ${frame.peers.length - MAX_ROWS} more`)
  }
  if (frame.tasks != null && frame.tasks.length > 0) {
    lines.push('', 'Recent tasks')
    lines.push(
      ...table(
        ['TASK ID', 'TYPE', 'STATUS', 'TIME'],
        frame.tasks
          .slice(0, MAX_ROWS)
          .map((t) => [
            t.task_id,
            t.task_type,
            t.status + (t.error_reason == null ? '' : ` (${t.error_reason})`),
            t.execution_time_ms == null ? '-' : `${t.execution_time_ms} ms`,
          ]),
      ),
    )
  }
  if (frame.alerts != null) {
    lines.push('', `Alerts (${frame.alerts.length})`)
    if (frame.alerts.length === 0) lines.push('  none firing')
    for (const a of frame.alerts)
      lines.push(
        `  [${(a.severity ?? 'ALERT').toUpperCase()}] ${a.name}${a.message == null ? '' : `: ${a.message}`}${a.since == null ? '' : ` (since ${a.since})`}`,
      )
  }
  lines.push('', 'Ctrl-C to quit')
  return lines.map((l) => clip(printable(l), Math.max(width, MIN_WIDTH))).join('\n')
}

function ago(now: number, then: number): string {
  if (!Number.isFinite(then)) return '-'
  return `${Math.max(0, Math.round((now - then) / 1000))}s ago`
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    `  ${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}`
  return [line(head), ...rows.map(line)]
}

function clip(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(width - 1, 0))}…`
}
