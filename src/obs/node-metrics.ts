/**
 * A node's own metrics (FR21.2), the same in a tab and in a Node process: histograms and counters
 * the node records as things happen (tasks, inference calls, routed messages), and gauges read
 * from the node when the metrics are taken. One prom-client Registry per node, so several nodes in
 * one process (the tests, the demo) keep theirs apart. Every series carries `node_id`.
 */
import type { CountBytes, MessageOutcome, MetricFamily, MetricType } from '../core/metrics.js'
import type { TaskRecord, TaskStats } from '../core/tasks.js'
import { TaskStatus } from '../core/tasks.js'
import type { NodeRole, PeerInfo } from '../core/types.js'
import { Counter, Gauge, Histogram, Registry } from './prom.js'

/** What the node lends its gauges: read at each collection, never cached. */
export interface MetricsSource {
  nodeId(): string | undefined
  role: NodeRole
  version: string
  uptimeSeconds(): number
  peers(): PeerInfo[]
  relaysConnected(): number
  memoryBytes(): number | undefined
  memoryLimitBytes: number
  taskStats(): TaskStats | undefined
  /** the router's event counts since start (MeshService.stats.router) */
  routerEvents(): Record<string, number> | undefined
  /** inbound mesh frames dropped, by reason (MeshService.stats.dropped) */
  meshDrops(): Record<string, number | undefined> | undefined
}

/** Where a finished task ran, seen from this node. */
export type TaskPlacementLabel = 'local' | 'remote' | 'served'

const FAST_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]
const TASK_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128]

const FINAL_STATUS: Partial<Record<TaskStatus, string>> = {
  [TaskStatus.COMPLETED]: 'completed',
  [TaskStatus.FAILED]: 'failed',
  [TaskStatus.TIMEOUT]: 'timeout',
}

export class NodeMetrics {
  private readonly registry = new Registry()
  private readonly messageRtt: Histogram<string>
  private readonly messages: Counter<'outcome'>
  private readonly queueWait: Histogram<string>
  private readonly execution: Histogram<string>
  private readonly endToEnd: Histogram<'placement'>
  private readonly tasks: Counter<'status' | 'placement'>
  private readonly batchSize: Histogram<string>
  private readonly batchSeconds: Histogram<string>
  private readonly bytes: Counter<'protocol' | 'direction'>
  private readonly peerRemovals: Counter<'reason'>
  private readonly refusals: Counter<'reason'>

  constructor(private readonly source: MetricsSource) {
    const registers = [this.registry]
    this.messageRtt = new Histogram({
      name: 'p2p_ai_message_rtt_seconds',
      help: 'Routed messages this node sent: send to delivery confirmation, seconds',
      buckets: FAST_SECONDS,
      registers,
    })
    this.messages = new Counter({
      name: 'p2p_ai_messages_total',
      help: 'Routed messages this node sent, by outcome (delivered or the error code)',
      labelNames: ['outcome'],
      registers,
    })
    this.tasks = new Counter({
      name: 'p2p_ai_tasks_total',
      help: 'Tasks that ended on this node, by final status and where they ran (local, remote, served: run here for another node)',
      labelNames: ['status', 'placement'],
      registers,
    })
    this.queueWait = new Histogram({
      name: 'p2p_ai_task_queue_wait_seconds',
      help: 'Tasks run on this node: from queued here to started, seconds',
      buckets: TASK_SECONDS,
      registers,
    })
    this.execution = new Histogram({
      name: 'p2p_ai_task_execution_seconds',
      help: 'Tasks run on this node: from started to done, seconds',
      buckets: TASK_SECONDS,
      registers,
    })
    this.endToEnd = new Histogram({
      name: 'p2p_ai_task_end_to_end_seconds',
      help: "This node's own tasks: from submitted to a final status, seconds, by where they ran",
      labelNames: ['placement'],
      buckets: TASK_SECONDS,
      registers,
    })
    this.batchSize = new Histogram({
      name: 'p2p_ai_inference_batch_size',
      help: 'Inputs per inference call',
      buckets: BATCH_SIZES,
      registers,
    })
    this.batchSeconds = new Histogram({
      name: 'p2p_ai_inference_batch_seconds',
      help: 'Duration of one inference call, seconds',
      buckets: TASK_SECONDS,
      registers,
    })
    this.bytes = new Counter({
      name: 'p2p_ai_stream_bytes_total',
      help: 'Bytes of our protocols written to and read from streams, by protocol (mesh, task) and direction (in, out)',
      labelNames: ['protocol', 'direction'],
      registers,
    })
    this.peerRemovals = new Counter({
      name: 'p2p_ai_peer_removals_total',
      help: 'Direct peers this node lost, by reason (dead and unresponsive: declared DEAD)',
      labelNames: ['reason'],
      registers,
    })
    this.refusals = new Counter({
      name: 'p2p_ai_connections_refused_total',
      help: 'Connections the gater refused, by reason (denied, banned, max_peers_reached, too_many_connections_from_ip, ...)',
      labelNames: ['reason'],
      registers,
    })
    this.registerGauges()
  }

  /** The connection gater refused a connection. */
  recordRefusal(reason: string): void {
    this.refusals.inc({ reason })
  }

  /** A direct peer left the peer table (a DEAD peer leaves it at once: the gauge rarely sees it). */
  recordPeerRemoval(reason: string): void {
    this.peerRemovals.inc({ reason })
  }

  /** Bytes out or in on a mesh or task stream. */
  readonly countBytes: CountBytes = (protocol, direction, bytes) => {
    this.bytes.inc({ protocol, direction }, bytes)
  }

  /** A routed message we sent was confirmed (with its round trip) or failed. */
  recordMessage(outcome: MessageOutcome, rttMs?: number): void {
    this.messages.inc({ outcome })
    if (outcome === 'delivered' && rttMs != null) this.messageRtt.observe(rttMs / 1000)
  }

  /** One inference call: how many inputs it carried and how long it took. */
  recordInferenceCall(inputs: number, ms: number): void {
    this.batchSize.observe(inputs)
    this.batchSeconds.observe(ms / 1000)
  }

  /** A task's record reached a final status (each task once: src/tasks/task-service.ts finish()). */
  recordTask(record: TaskRecord): void {
    const status = FINAL_STATUS[record.status]
    if (status == null) return
    const self = this.source.nodeId()
    const ranHere =
      record.served_for != null || (record.executed_by ?? []).some((id) => id === self)
    const placement: TaskPlacementLabel =
      record.served_for != null
        ? 'served'
        : ranHere || record.executed_by == null
          ? 'local'
          : 'remote'
    this.tasks.inc({ status, placement })
    const submitted = Date.parse(record.submitted_at)
    const started = record.started_at == null ? NaN : Date.parse(record.started_at)
    const done = record.timestamp_completed == null ? NaN : Date.parse(record.timestamp_completed)
    if (ranHere && Number.isFinite(started)) {
      this.queueWait.observe(Math.max(0, started - submitted) / 1000)
      if (record.execution_time_ms != null) this.execution.observe(record.execution_time_ms / 1000)
    }
    if (record.served_for == null && Number.isFinite(done))
      this.endToEnd.observe({ placement }, Math.max(0, done - submitted) / 1000)
  }

  /** Every family, its series labelled with this node's id. */
  async families(): Promise<MetricFamily[]> {
    this.registry.setDefaultLabels({ node_id: this.source.nodeId() ?? '' })
    const json = await this.registry.getMetricsAsJSON()
    return json.map((m) => ({
      name: m.name,
      help: m.help,
      type: String(m.type) as MetricType,
      samples: m.values.map((v) => ({
        name: (v as { metricName?: string }).metricName ?? m.name,
        labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])),
        value: v.value,
      })),
    }))
  }

  private registerGauges(): void {
    const registers = [this.registry]
    const s = this.source
    new Gauge({
      name: 'p2p_ai_node_info',
      help: 'This node: its role and version (always 1)',
      labelNames: ['role', 'version'],
      registers,
      collect() {
        this.reset()
        this.set({ role: s.role, version: s.version }, 1)
      },
    })
    gauge(registers, 'p2p_ai_uptime_seconds', 'Seconds since the node started', () =>
      s.uptimeSeconds(),
    )
    new Gauge({
      name: 'p2p_ai_peers',
      help: 'Direct mesh peers, by transport and health',
      labelNames: ['transport', 'health'],
      registers,
      collect() {
        this.reset()
        for (const p of s.peers()) this.inc({ transport: p.transport, health: p.health })
      },
    })
    gauge(registers, 'p2p_ai_relays_connected', 'Relays this node is connected to', () =>
      s.relaysConnected(),
    )
    gauge(registers, 'p2p_ai_memory_bytes', 'Memory in use, bytes (a tab: its JS heap)', () =>
      s.memoryBytes(),
    )
    gauge(
      registers,
      'p2p_ai_memory_limit_bytes',
      'The memory budget (max_memory_mb), bytes',
      () => s.memoryLimitBytes,
    )
    gauge(
      registers,
      'p2p_ai_task_queue_depth',
      'Tasks waiting for an inference call here',
      () => s.taskStats()?.queued,
    )
    gauge(
      registers,
      'p2p_ai_inference_calls_running',
      'Inference calls running now',
      () => s.taskStats()?.running,
    )
    // the engine's own totals, set at each collection
    total(
      registers,
      'p2p_ai_inference_calls_total',
      'Inference calls made',
      () => s.taskStats()?.inference_calls,
    )
    total(
      registers,
      'p2p_ai_inference_inputs_total',
      'Inputs carried by inference calls',
      () => s.taskStats()?.inference_inputs,
    )
    total(
      registers,
      'p2p_ai_inference_seconds_total',
      'Time spent in inference calls, seconds',
      () => {
        const ms = s.taskStats()?.inference_ms
        return ms == null ? undefined : ms / 1000
      },
    )
    new Counter({
      name: 'p2p_ai_router_events_total',
      help: 'Routed-message events at this node (sent, delivered, forwarded, retried, rejected, ...)',
      labelNames: ['event'],
      registers,
      collect() {
        this.reset()
        for (const [event, n] of Object.entries(s.routerEvents() ?? {})) this.inc({ event }, n)
      },
    })
    new Counter({
      name: 'p2p_ai_mesh_frames_dropped_total',
      help: 'Inbound mesh frames dropped, by reason (malformed, stalled, rate_limited, ...)',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset()
        for (const [reason, n] of Object.entries(s.meshDrops() ?? {}))
          if (n != null) this.inc({ reason }, n)
      },
    })
  }
}

function gauge(
  registers: Registry[],
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      const v = read()
      if (v == null) this.reset()
      else this.set(v)
    },
  })
}

function total(
  registers: Registry[],
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset()
      const v = read()
      if (v != null && v > 0) this.inc(v)
    },
  })
}
