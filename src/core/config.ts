/**
 * The node's configuration as every layer sees it: the fields, their sources and the problems
 * validation reports. Defaults, parsing and validation live in src/node/config.ts.
 */
import type { LogLevel } from './log.js'
import type { TaskType } from './tasks.js'

export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

export interface NodeConfig {
  /** TCP port of a Node host: libp2p WebSockets and HTTP (/healthz, /readyz, the app). @default 9000 */
  network_port: number
  /** most mesh peers (direct links) kept at once. @default 32 */
  max_peers: number
  /** where a Node host keeps its data. @default ~/.p2p-ai-agents/data (the host fills it in) */
  storage_path: string
  /** seconds between periodic health checks. @default 30 */
  health_check_interval_secs: number
  /** memory budget; the health check fails above 85 % of it. @default 512 */
  max_memory_mb: number
  /** the least severe level logged: TRACE, DEBUG, INFO, WARN, ERROR or FATAL. @default INFO */
  log_level: LogLevel
  /** a Node host's log file (`<home>/logs/`) rolls over at this size, bytes. @default 104857600 (100 MiB) */
  log_file_max_bytes: number
  /** a Node host deletes log files older than this, days (a new file starts every day). @default 7 */
  log_file_max_age_days: number
  /** most log files a Node host keeps, the one being written included. @default 10 */
  log_file_max_count: number
  /** bootstrap relays: multiaddrs, or http(s) URLs of a relay serving /bootstrap.json. @default [] (host default) */
  relays: string[]
  /** STUN/TURN servers for WebRTC; none needed on one machine or LAN. @default [] */
  ice_servers: IceServer[]
  /** seconds between heartbeats to each peer (FR10.4). @default 10 */
  heartbeat_interval_secs: number
  /** seconds between a node's periodic announcements (it also announces on every change). @default 30 */
  announce_interval_secs: number
  /** peer ids this node never connects to, in either direction. @default [] */
  deny_peers: string[]
  /** allow dialling ws:// and private/loopback addresses (a LAN or one machine). @default true */
  dial_private_addresses: boolean
  /** largest routed message payload this node accepts or sends, bytes (at most 4 MiB). @default 1048576 */
  max_message_bytes: number
  /** mesh frames one peer may send a second, on average (twice that at once); over it they are dropped, and a peer over it for 5 s on end is disconnected and banned. 0: no limit. @default 5000 */
  peer_rate_limit: number
  /** how long a peer banned for flooding is refused, seconds. @default 60 */
  peer_ban_secs: number
  /** relay only: circuit relay reservations held at once. @default 512 */
  relay_max_reservations: number
  /** relay only: connections open at once from one IP address (a Sybil's many peer ids); more are refused. @default 128 */
  relay_max_connections_per_ip: number
  /** relay only: connections open at once from one peer; more are refused. @default 4 */
  relay_max_connections_per_peer: number
  /** inference calls in flight at once, each a batch of tasks of one model. @default 4 */
  max_concurrent_tasks: number
  /** most tasks of one model run in one inference call. @default 32 */
  max_batch_size: number
  /** results kept before the oldest are purged. @default 10000 */
  max_stored_results: number
  /** a result is deleted this long after it completed. @default 24 */
  result_expiry_hours: number
  /** where models come from: "auto" (the local models folder if there is one, else the hub), "hub", or a URL path / directory. @default auto */
  model_source: string
  /** task type → model and dtype (the text_embedding model is warmed up, see model_warmup) */
  models: ModelRegistry
  /**
   * when the embedding model is loaded and its speed measured: "after_join" (once the node has
   * joined the mesh, so AI start-up does not slow mesh formation), "at_start", or "on_demand"
   * (with the first task; the speed is then not measured). @default after_join
   */
  model_warmup: ModelWarmup
  /** run other nodes' tasks (mesh compute); off, this node still sends its own out. @default true */
  serve_tasks: boolean
  /** most tasks of one peer waiting here at once; beyond, it is told BUSY. @default 256 */
  max_remote_queued_per_peer: number
  /** most of this node's tasks out on one other node at once (mesh compute) */
  max_inflight_per_peer: number
  /** threads of one inference call (a Node host's onnxruntime); 0: all cores. @default 0 */
  inference_threads: number
  /** seconds between a tab's pushes of its metrics to its relays (FR21.2); 0: never. Node hosts serve /metrics instead and do not push. @default 10 */
  metrics_push_interval_secs: number
  /** relay only: most nodes whose pushed metrics it keeps; beyond, the least recently heard from is dropped. @default 1000 */
  metrics_max_nodes: number
  /** seconds between evaluations of the alert rules (FR22.1). @default 5 */
  alert_check_interval_secs: number
  /** an alert clears once its condition has been past the clear level this long, seconds. @default 30 */
  alert_clear_secs: number
  /** peers_low and relay_unreachable wait this long after the node became ACTIVE, seconds. @default 60 */
  alert_grace_secs: number
  /** peers_low fires below this many direct mesh peers; 0 turns it off. @default 2 */
  alert_min_peers: number
  /** task_failure_rate fires above this % of tasks failed or timed out in the window; clears at half. @default 10 */
  alert_task_failure_percent: number
  /** the task failure rate's window, seconds. @default 300 */
  alert_task_window_secs: number
  /** fewest tasks ended in the window for a failure rate to count (one failed task is not 100 %). @default 10 */
  alert_task_min_count: number
  /** memory_high fires above this % of max_memory_mb; clears 5 points below. @default 85 */
  alert_memory_percent: number
  /** queue_wait_high fires above this recent p95 of task queue wait, ms; clears below 80 % of it. @default 30000 */
  alert_queue_wait_p95_ms: number
  /** relay_unreachable fires when relays are configured and none was connected this long, seconds. @default 60 */
  alert_relay_unreachable_secs: number
  /**
   * an OTLP/HTTP collector (Jaeger, an OpenTelemetry collector) this node also exports its task
   * spans to as JSON: its base URL (`/v1/traces` is added) or its traces URL; "" for none.
   * @default ""
   */
  otlp_endpoint: string
  /**
   * a shared secret that closes the mesh: only nodes that prove they know it become neighbours,
   * run each other's tasks or appear in the topology (src/mesh/membership.ts). At least 16
   * characters; "" for an open mesh. Relays need none. @default ""
   */
  mesh_key: string
}

export const MODEL_WARMUPS = ['after_join', 'at_start', 'on_demand'] as const
export type ModelWarmup = (typeof MODEL_WARMUPS)[number]

export type ModelRegistry = Record<TaskType, { model: string; dtype: string }>

export type ConfigSource = 'default' | 'file' | 'env' | 'flag' | 'query' | 'stored'

export interface ResolvedConfig {
  config: NodeConfig
  /** where each value came from, for the startup log */
  sources: Record<keyof NodeConfig, ConfigSource>
  /** non-fatal notes: unknown fields, ignored variables */
  warnings: string[]
}

/** Codes of configuration problems: per field, or about the config file as a whole. */
export type ConfigProblemCode =
  | `${keyof NodeConfig}_missing`
  | `invalid_${keyof NodeConfig}`
  | `${keyof NodeConfig}_below_minimum`
  | `${keyof NodeConfig}_exceeds_limit`
  | 'config_too_large'
  | 'config_unreadable'
  | 'storage_path_not_writable'

export interface ConfigProblem {
  /** the config field (or environment variable / query parameter / file) at fault */
  field: string
  code: ConfigProblemCode
  message: string
}
