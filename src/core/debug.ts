/**
 * Contracts of the debug tools (FR23.1): the snapshot, the network test and the stress test.
 * The same implementation (src/obs) serves the CLI (through a Node host's HTTP routes) and the
 * page's debug panel. Dependency-free.
 */
import type { Alert } from './alerts.js'
import type { MetricFamily } from './metrics.js'
import type { NodeConfig } from './config.js'
import type { LogEntry } from './log.js'
import type { Readiness, RelayStatus } from './node-api.js'
import type { TaskStats, TaskStatus } from './tasks.js'
import type {
  HealthReport,
  MeshView,
  NodeMetadata,
  NodeRole,
  PeerInfo,
  Platform,
  StartupDiagnostics,
} from './types.js'

/** The topic of a network test's pings (the dashboard's ping too): applications ignore it. */
export const PING_TOPIC = 'ping'
/** The topic of a network test's payloads: applications ignore it. */
export const LOAD_TOPIC = 'debug:load'

/** What replaces a secret in a snapshot. */
export const REDACTED = '[REDACTED]'

/** Version of the snapshot file's shape; a breaking change is a new number. */
export const SNAPSHOT_VERSION = 1

/** A brief task, without its input or output (a snapshot is for diagnosing, not for data). */
export interface SnapshotTask {
  task_id: string
  task_type: string
  status: TaskStatus
  submitted_at: string
  timestamp_completed?: string
  execution_time_ms?: number
  error_reason?: string
  placement?: string
  executed_by?: string[]
}

/**
 * One JSON file that tells what a node was doing: its state, peers, mesh, configuration
 * (secrets redacted), tasks, recent logs, health and, on a Node host, its metrics.
 */
export interface DebugSnapshot {
  snapshot_version: typeof SNAPSHOT_VERSION
  taken_at: string
  platform: Platform
  role: NodeRole
  node_id?: string
  peer_id?: string
  metadata: NodeMetadata
  readiness: Readiness
  startup_diagnostics?: StartupDiagnostics
  health?: HealthReport
  /** why the health checks could not run, when they could not */
  health_error?: string
  config: NodeConfig
  peers: PeerInfo[]
  topology: MeshView
  relays: RelayStatus
  listen_addresses: string[]
  tasks?: { stats: TaskStats; recent: SnapshotTask[] }
  /** memory of the process (Node) or the page's JS heap (Chromium), bytes */
  memory?: Record<string, number>
  /** the most recent log entries, oldest first */
  logs: LogEntry[]
  /** alerts firing, and those cleared recently (FR22.1) */
  alerts: Alert[]
  /** the node's own metric families (FR21.2) */
  metrics: MetricFamily[]
  /** what the host adds: the /metrics text on a Node host, its process, its alerts… */
  host?: Record<string, unknown>
}

/** Round-trip times or task latencies, ms; the figures are null without a sample. */
export interface LatencySummary {
  samples: number
  min_ms: number | null
  p50_ms: number | null
  p99_ms: number | null
  max_ms: number | null
  mean_ms: number | null
}

export interface NetworkTestOptions {
  /** pings, then payloads of `bytes`, each this many. @default 20 */
  count?: number
  /** size of each throughput payload, bytes (at most the node's max_message_bytes). @default 65536 */
  bytes?: number
  /** deadline of each ping or payload's delivery confirmation, ms. @default 5000 */
  timeoutMs?: number
  signal?: AbortSignal
}

/** RTT and throughput to one node of the mesh, over routed messages with delivery confirmation. */
export interface NetworkTestReport {
  target: { peer_id: string; node_id?: string }
  /** links the pings crossed (the last confirmed one) */
  hops: number | null
  rtt: LatencySummary & { sent: number; lost: number; loss_rate: number }
  throughput: {
    bytes_per_message: number
    messages: number
    /** payloads confirmed */
    delivered: number
    lost: number
    /** messages in flight at once */
    window: number
    duration_ms: number
    bytes_per_sec: number
  }
  started_at: string
  duration_ms: number
}

export interface StressOptions {
  /** tasks to submit (1-10000) */
  tasks: number
  /** most tasks in flight at once (1-256) */
  concurrency: number
  /** @default text_embedding */
  taskType?: string
  /** where they run (mesh compute). @default auto */
  placement?: string
  /** each task's own timeout, seconds. @default 60 */
  taskTimeoutSeconds?: number
  signal?: AbortSignal
}

/** How a stress run went: completion, latency (submit → final status) and throughput. */
export interface StressReport {
  tasks: number
  concurrency: number
  task_type: string
  completed: number
  failed: number
  timed_out: number
  /** tasks that did not finish before the run was stopped */
  unfinished: number
  /** failed and timed-out tasks by reason */
  failures: Record<string, number>
  latency: LatencySummary
  duration_ms: number
  /** completed tasks per second of the run */
  tasks_per_sec: number
  started_at: string
}

/** The debug tools as the page and the Node host's routes use them. */
export interface DebugTools {
  snapshot(): Promise<DebugSnapshot>
  /** `target`: a node id (32 hex) or a peer id of a node of the mesh */
  networkTest(target: string, options?: NetworkTestOptions): Promise<NetworkTestReport>
  stress(options: StressOptions): Promise<StressReport>
}

/** The file name a snapshot is saved under: `debug_snapshot_<timestamp>.json`. */
export function snapshotFileName(takenAt: string): string {
  return `debug_snapshot_${takenAt.replace(/[:.]/g, '-')}.json`
}
