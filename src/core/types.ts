/** Shared value types of the node: states, peers, health, metadata. Dependency-free. */

/** Node lifecycle states (FR1.2). */
export const NodeState = {
  /** loading identity, config and storage */
  INITIALIZING: 'INITIALIZING',
  /** networking up, running self-verification */
  REGISTERING: 'REGISTERING',
  /** verified and part of the mesh */
  ACTIVE: 'ACTIVE',
  /** refusing new work, saying goodbye, draining */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** everything released */
  STOPPED: 'STOPPED',
} as const
export type NodeState = (typeof NodeState)[keyof typeof NodeState]

/** Liveness of a direct peer as seen through heartbeats (FR10.4). */
export const PeerHealth = {
  /** heartbeats acknowledged in time */
  ALIVE: 'ALIVE',
  /** a heartbeat went unacknowledged for 3 s; probing every second */
  SLOW: 'SLOW',
  /** no answer 10 s after turning SLOW, or said goodbye; being removed */
  DEAD: 'DEAD',
} as const
export type PeerHealth = (typeof PeerHealth)[keyof typeof PeerHealth]

/** How a peer is reached: a direct WebRTC connection, through a circuit relay, or a direct WebSocket. */
export type PeerTransport = 'webrtc' | 'relay' | 'websocket' | 'other'

export type Platform = 'browser' | 'node'
export type NodeRole = 'peer' | 'relay'

/** One row of the peer table. Times are ms since the epoch. */
export interface PeerInfo {
  peerId: string
  nodeId: string
  transport: PeerTransport
  health: PeerHealth
  remoteAddr: string
  connectedAt: number
  lastHeartbeat?: number
  rttMs?: number
  messagesSent: number
  messagesReceived: number
  version?: string
  /** the AI work it announced it can take, when it did (mesh compute) */
  compute?: PeerCompute
}

/** A neighbour as a place to run tasks (mesh compute). */
export interface PeerCompute {
  backend: string
  task_types: string[]
  /** measured speed; 0 while measuring */
  embeddings_per_sec: number
  /** takes other nodes' tasks */
  serving: boolean
  /** its queue and the wait a new task would have there, ms, from a recent announcement */
  queue_depth?: number
  est_wait_ms?: number
  /** tasks it ran for other nodes */
  tasks_served?: number
  /** this node sends it no tasks until then (ms since the epoch), after it failed some */
  skipped_until?: number
  /** what this node thinks of its replicas' results: 0-1, below 0.5 it gets no work */
  reputation?: number
}

/** What a node of the mesh is: a browser tab, a headless Node node, or a relay. */
export type NodeKind = 'tab' | 'node' | 'relay'

/** One node of the mesh as this node sees it (the dashboard's graph). */
export interface MeshViewNode {
  peerId: string
  /** its node id, when it announced one */
  nodeId?: string
  kind: NodeKind
  /** this node itself */
  self: boolean
  /** a direct neighbour's health; a node known through the mesh is ALIVE while others list it */
  state: PeerHealth
  version?: string
  /** when it started, ms since the epoch (uptime) */
  startedAt?: number
  backend?: string
  /** measured speed; 0 while measuring */
  embeddingsPerSec?: number
  queueDepth?: number
  /** direct neighbours only */
  rttMs?: number
}

/** A link between two nodes, undirected; `a < b`. */
export interface MeshViewEdge {
  a: string
  b: string
  transport: PeerTransport
}

/** The whole mesh as this node knows it: itself, its neighbours and everything gossiped. */
export interface MeshView {
  nodes: MeshViewNode[]
  edges: MeshViewEdge[]
}

/** A routed message as delivered to the application. */
export interface MeshMessage {
  id: string
  from: string
  to: string
  topic: string
  payload: Uint8Array
  /** links traversed: 1 for a direct neighbour */
  hops: number
  sentAt: number
  receivedAt: number
  /** the W3C trace context its sender gave it, when it did */
  traceparent?: string
}

/** The outcome of a successful send. */
export interface Delivery {
  id: string
  /** links the message traversed, as reported by the recipient's receipt or ack */
  hops: number
  /** send → delivery confirmation, ms */
  rttMs: number
}

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL'

export interface HealthCheckResult {
  name: 'config' | 'storage' | 'crypto' | 'memory'
  status: CheckStatus
  /** machine-readable reason for WARN/FAIL, e.g. "storage_timeout" */
  reason?: string
  detail?: string
  durationMs: number
}

export interface HealthReport {
  status: 'PASS' | 'FAIL'
  checks: HealthCheckResult[]
  /** the first failing check, if any */
  failing?: HealthCheckResult['name']
  durationMs: number
  timestamp: string
}

/** FR1.7: the full form once ACTIVE; only version/state/timestamp before. */
export interface NodeMetadata {
  version: string
  state: NodeState
  timestamp: string
  node_id?: string
  peer_id?: string
  uptime_seconds?: number
  platform?: Platform
  role?: NodeRole
}

export interface StateTransition {
  from: NodeState | null
  to: NodeState
  at: number
}

/** FR1.8: phase timings of a start, in ms since the start call. */
export interface StartupDiagnostics {
  time_to_initializing: number
  time_to_registering: number
  time_to_active: number
  components_initialized: string[]
  any_errors_during_startup: string[]
}
