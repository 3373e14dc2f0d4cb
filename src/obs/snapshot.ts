/**
 * The debug snapshot (FR23.1): everything a node can tell about itself in one JSON object,
 * secrets redacted. The same code runs in a tab (the debug panel's download) and on a Node host
 * (`p2p-ai-agents debug snapshot`), which adds its own parts (metrics, process) as `host`.
 */
import type { DebugSnapshot, SnapshotTask } from '../core/debug.js'
import { SNAPSHOT_VERSION } from '../core/debug.js'
import type { LogEntry } from '../core/log.js'
import type { NodeApi } from '../core/node-api.js'
import type { TaskRecord } from '../core/tasks.js'
import type { Platform } from '../core/types.js'
import { redact } from './redact.js'

/** What a snapshot reads of the node. */
export type SnapshotSource = Pick<
  NodeApi,
  | 'role'
  | 'nodeId'
  | 'peerId'
  | 'config'
  | 'startupDiagnostics'
  | 'tasks'
  | 'health'
  | 'metadata'
  | 'readiness'
  | 'peers'
  | 'topology'
  | 'relayStatus'
  | 'listenAddresses'
  | 'alerts'
  | 'metrics'
>

export interface SnapshotInit {
  platform: Platform
  /** the recent log entries, oldest first */
  logs?: () => readonly LogEntry[]
  /** most log entries kept. @default 1000 */
  maxLogs?: number
  /** tasks listed. @default 50 */
  maxTasks?: number
  memory?: () => Record<string, number> | undefined
  /** the host's own parts (metrics text, process…) */
  host?: () => Promise<Record<string, unknown>> | Record<string, unknown>
  /** exact secret strings to remove wherever they appear (the identity key's encodings) */
  secrets?: () => Promise<readonly string[]> | readonly string[]
}

export async function buildSnapshot(
  node: SnapshotSource,
  init: SnapshotInit,
): Promise<DebugSnapshot> {
  let health: DebugSnapshot['health']
  let healthError: string | undefined
  try {
    health = await node.health()
  } catch (err) {
    healthError = (err as Error).message
  }
  const logs = init.logs?.() ?? []
  const snapshot: DebugSnapshot = {
    snapshot_version: SNAPSHOT_VERSION,
    taken_at: new Date().toISOString(),
    platform: init.platform,
    role: node.role,
    node_id: node.nodeId,
    peer_id: node.peerId,
    metadata: node.metadata(),
    readiness: node.readiness(),
    startup_diagnostics: node.startupDiagnostics,
    health,
    health_error: healthError,
    config: node.config,
    peers: node.peers(),
    topology: node.topology(),
    relays: node.relayStatus(),
    listen_addresses: node.listenAddresses(),
    tasks: await taskPart(node, init.maxTasks ?? 50),
    memory: init.memory?.(),
    logs: logs.slice(-(init.maxLogs ?? 1000)),
    alerts: node.alerts(),
    metrics: await node.metrics(),
    host: await init.host?.(),
  }
  // the mesh_key, wherever it was copied (a tab's address holds it as ?mesh_key=)
  const secrets = [...((await init.secrets?.()) ?? []), node.config.mesh_key]
  return redact(snapshot, { secrets })
}

async function taskPart(
  node: SnapshotSource,
  limit: number,
): Promise<DebugSnapshot['tasks'] | undefined> {
  if (node.tasks == null) return undefined
  let records: TaskRecord[] = []
  try {
    records = await node.tasks.list({ limit })
  } catch {
    // a snapshot is taken when things go wrong: the rest of it still matters
  }
  const recent = records.map((r): SnapshotTask => ({
    task_id: r.task_id,
    task_type: r.task_type,
    status: r.status,
    submitted_at: r.submitted_at,
    timestamp_completed: r.timestamp_completed,
    execution_time_ms: r.execution_time_ms,
    error_reason: r.error_reason,
    placement: r.placement,
    executed_by: r.executed_by,
  }))
  return { stats: node.tasks.stats(), recent }
}
