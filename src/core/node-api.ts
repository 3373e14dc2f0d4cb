/**
 * The node as its hosts and its page see it: lifecycle, health, the mesh and the task engine.
 * `createNode()` (src/node) implements it; the page, the relay and the CLI use only this.
 */
import type { TypedEventTarget } from 'main-event'
import type { Alert } from './alerts.js'
import type { NodeConfig } from './config.js'
import type { NodeEvents } from './events.js'
import type { Logger } from './log.js'
import type { MetricFamily } from './metrics.js'
import type { SpanRecord } from './spans.js'
import type { AbortOptions } from './startable.js'
import type {
  EngineCapabilities,
  ModelInfo,
  ResultsQuery,
  TaskRecord,
  TaskRequest,
  TaskStats,
  TaskStatusReport,
} from './tasks.js'
import type {
  Delivery,
  HealthReport,
  MeshView,
  NodeMetadata,
  NodeRole,
  NodeState,
  PeerInfo,
  StartupDiagnostics,
} from './types.js'

export interface StopOptions extends AbortOptions {
  /** how long in-flight operations may take before they are cut off, ms. @default 5000 */
  graceMs?: number
}

export interface StopResult {
  /** false when operations had to be cut off after the grace period */
  clean: boolean
  durationMs: number
}

export interface Readiness {
  ready: boolean
  status: 'node_ready' | 'node_not_ready'
  state: NodeState | null
  timestamp: string
}

export interface SendOptions extends AbortOptions {
  /** overall deadline for the delivery confirmation, ms. @default 15000 */
  timeoutMs?: number
  /** hop budget, 1-16. @default 10 */
  ttl?: number
  /** the W3C trace context the message belongs to: it travels in the envelope */
  traceparent?: string
}

/** The AI task engine (FR14.1-FR14.4). */
export interface TaskApi {
  /** queues a task and returns its record at once: QUEUED, or FAILED for an input no model can take */
  submit(request: TaskRequest): TaskRecord
  /** the task's status with progress while it lives; undefined when unknown */
  status(taskId: string): Promise<TaskStatusReport | undefined>
  /** the stored record (with output_data once COMPLETED) */
  result(taskId: string): Promise<TaskRecord | undefined>
  /** this node's tasks, newest first */
  list(query?: ResultsQuery): Promise<TaskRecord[]>
  /** configured models, loaded or not */
  models(): Promise<ModelInfo[]>
  capabilities(): EngineCapabilities | undefined
  /** counters since the engine started */
  stats(): TaskStats
  /**
   * The task's spans on every node it touched, collected here (kept 48 h); undefined when this
   * node knows neither the task nor any span of it.
   */
  trace(taskId: string): Promise<SpanRecord[] | undefined>
}

export interface RelayStatus {
  /** peer ids of the relays this node is connected to */
  connected: string[]
}

export interface NodeApi extends TypedEventTarget<NodeEvents> {
  readonly role: NodeRole
  readonly state: NodeState | null
  readonly nodeId: string | undefined
  readonly peerId: string | undefined
  readonly config: NodeConfig
  readonly log: Logger
  readonly startupDiagnostics: StartupDiagnostics | undefined
  readonly lastHealthReport: HealthReport | undefined
  /** the task engine, where this node runs tasks (peers whose host runs inference) */
  readonly tasks: TaskApi | undefined

  start(options?: AbortOptions): Promise<StartupDiagnostics>
  /** graceful stop (FR1.5); resolves `clean: false` when operations had to be cut off */
  stop(options?: StopOptions): Promise<StopResult>
  /** a synchronous goodbye to peers, for a tab's `pagehide` */
  goodbye(): void

  /** runs the health checks now (FR1.3) */
  health(): Promise<HealthReport>
  /** FR1.7: complete once ACTIVE; version, state and timestamp only before that */
  metadata(): NodeMetadata
  /** FR1.8: ready exactly when ACTIVE */
  readiness(): Readiness
  /** when the node last became ACTIVE, ms since the epoch */
  activeSince(): number | undefined

  /** FR22.1: firing alerts (in the order they fired), then those cleared in the last hour */
  alerts(): Alert[]

  /** direct mesh peers */
  peers(): PeerInfo[]
  /** peer ids of every node this one knows of (neighbours and beyond) */
  knownNodes(): string[]
  /** the whole mesh as this node knows it (the dashboard's graph) */
  topology(): MeshView
  relayStatus(): RelayStatus
  /** the libp2p addresses this node listens on */
  listenAddresses(): string[]
  /** this node's metrics (FR21.2); a relay's also hold the metrics its tabs pushed */
  metrics(): Promise<MetricFamily[]>
  /** sends a routed message to any node of the mesh (FR10.3) */
  send(to: string, topic: string, payload: Uint8Array, options?: SendOptions): Promise<Delivery>
}
