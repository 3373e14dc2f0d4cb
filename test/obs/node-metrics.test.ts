import { describe, expect, it } from 'vitest'
import type { MetricFamily } from '../../src/core/metrics.js'
import type { TaskRecord, TaskStats } from '../../src/core/tasks.js'
import { TaskStatus } from '../../src/core/tasks.js'
import type { PeerInfo } from '../../src/core/types.js'
import type { MetricsSource } from '../../src/obs/node-metrics.js'
import { NodeMetrics } from '../../src/obs/node-metrics.js'
import { familiesText } from '../../relay/metrics.js'

const SELF = 'a'.repeat(32)
const OTHER = 'b'.repeat(32)

function source(over: Partial<MetricsSource> = {}): MetricsSource {
  return {
    nodeId: () => SELF,
    role: 'peer',
    version: '1.2.3',
    uptimeSeconds: () => 42,
    peers: () => [
      { transport: 'webrtc', health: 'ALIVE' } as PeerInfo,
      { transport: 'webrtc', health: 'DEAD' } as PeerInfo,
      { transport: 'relay', health: 'ALIVE' } as PeerInfo,
    ],
    relaysConnected: () => 1,
    memoryBytes: () => 1000,
    memoryLimitBytes: 4000,
    taskStats: (): TaskStats => ({
      completed: 5,
      failed: 1,
      timed_out: 0,
      inference_calls: 3,
      inference_inputs: 6,
      inference_ms: 1500,
      queued: 7,
      running: 2,
    }),
    routerEvents: () => ({ sent: 4, rejected: 1 }),
    meshDrops: () => ({ rate_limited: 9, stalled: undefined }),
    ...over,
  }
}

function record(over: Partial<TaskRecord>): TaskRecord {
  return {
    task_id: 't1',
    node_id: SELF,
    task_type: 'text_embedding',
    status: TaskStatus.COMPLETED,
    model: 'm',
    input_preview: 'x',
    timeout_seconds: 30,
    submitted_at: '2026-11-30T00:00:00.000Z',
    started_at: '2026-11-30T00:00:00.250Z',
    timestamp_completed: '2026-11-30T00:00:01.000Z',
    execution_time_ms: 750,
    executed_by: [SELF],
    ...over,
  }
}

function value(
  families: MetricFamily[],
  series: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families)
    for (const s of f.samples)
      if (s.name === series && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        return s.value
  return undefined
}

describe('NodeMetrics', () => {
  it('labels every series with the node id and reads the gauges from the node', async () => {
    const m = new NodeMetrics(source())
    const families = await m.families()
    expect(families.every((f) => f.name.startsWith('p2p_ai_'))).toBe(true)
    expect(families.flatMap((f) => f.samples).every((s) => s.labels.node_id === SELF)).toBe(true)
    expect(value(families, 'p2p_ai_peers', { transport: 'webrtc', health: 'ALIVE' })).toBe(1)
    expect(value(families, 'p2p_ai_peers', { transport: 'webrtc', health: 'DEAD' })).toBe(1)
    expect(value(families, 'p2p_ai_peers', { transport: 'relay' })).toBe(1)
    expect(value(families, 'p2p_ai_memory_bytes')).toBe(1000)
    expect(value(families, 'p2p_ai_memory_limit_bytes')).toBe(4000)
    expect(value(families, 'p2p_ai_task_queue_depth')).toBe(7)
    expect(value(families, 'p2p_ai_inference_seconds_total')).toBe(1.5)
    expect(value(families, 'p2p_ai_router_events_total', { event: 'rejected' })).toBe(1)
    expect(value(families, 'p2p_ai_mesh_frames_dropped_total', { reason: 'rate_limited' })).toBe(9)
    expect(value(families, 'p2p_ai_node_info', { role: 'peer', version: '1.2.3' })).toBe(1)
  })

  it('counts finished tasks by status and placement, with their queue wait, execution and end to end', async () => {
    const m = new NodeMetrics(source())
    m.recordTask(record({}))
    m.recordTask(record({ task_id: 't2', executed_by: [OTHER], status: TaskStatus.FAILED }))
    m.recordTask(record({ task_id: 't3', served_for: '12D3Koo', executed_by: undefined }))
    m.recordTask(record({ task_id: 't4', status: TaskStatus.RUNNING }))
    const f = await m.families()
    expect(value(f, 'p2p_ai_tasks_total', { status: 'completed', placement: 'local' })).toBe(1)
    expect(value(f, 'p2p_ai_tasks_total', { status: 'failed', placement: 'remote' })).toBe(1)
    expect(value(f, 'p2p_ai_tasks_total', { status: 'completed', placement: 'served' })).toBe(1)
    // run here: the local one and the served one; the remote one ran elsewhere
    expect(value(f, 'p2p_ai_task_queue_wait_seconds_count')).toBe(2)
    expect(value(f, 'p2p_ai_task_queue_wait_seconds_sum')).toBeCloseTo(0.5)
    expect(value(f, 'p2p_ai_task_queue_wait_seconds_bucket', { le: '0.25' })).toBe(2)
    expect(value(f, 'p2p_ai_task_queue_wait_seconds_bucket', { le: '0.1' })).toBe(0)
    expect(value(f, 'p2p_ai_task_execution_seconds_sum')).toBeCloseTo(1.5)
    // end to end: this node's own tasks only, by where they ran
    expect(value(f, 'p2p_ai_task_end_to_end_seconds_count', { placement: 'local' })).toBe(1)
    expect(value(f, 'p2p_ai_task_end_to_end_seconds_count', { placement: 'remote' })).toBe(1)
    expect(
      value(f, 'p2p_ai_task_end_to_end_seconds_count', { placement: 'served' }),
    ).toBeUndefined()
  })

  it('records messages by outcome and the round trip of the delivered ones', async () => {
    const m = new NodeMetrics(source())
    m.recordMessage('delivered', 2)
    m.recordMessage('delivered', 30)
    m.recordMessage('no_route')
    const f = await m.families()
    expect(value(f, 'p2p_ai_messages_total', { outcome: 'delivered' })).toBe(2)
    expect(value(f, 'p2p_ai_messages_total', { outcome: 'no_route' })).toBe(1)
    expect(value(f, 'p2p_ai_message_rtt_seconds_count')).toBe(2)
    expect(value(f, 'p2p_ai_message_rtt_seconds_bucket', { le: '0.0025' })).toBe(1)
  })

  it('records inference calls as batch size and duration', async () => {
    const m = new NodeMetrics(source())
    m.recordInferenceCall(8, 120)
    const f = await m.families()
    expect(value(f, 'p2p_ai_inference_batch_size_bucket', { le: '8' })).toBe(1)
    expect(value(f, 'p2p_ai_inference_batch_size_bucket', { le: '4' })).toBe(0)
    expect(value(f, 'p2p_ai_inference_batch_seconds_sum')).toBeCloseTo(0.12)
  })

  it('counts stream bytes by protocol and direction', async () => {
    const m = new NodeMetrics(source())
    m.countBytes('mesh', 'out', 100)
    m.countBytes('mesh', 'out', 50)
    m.countBytes('task', 'in', 7)
    const f = await m.families()
    expect(value(f, 'p2p_ai_stream_bytes_total', { protocol: 'mesh', direction: 'out' })).toBe(150)
    expect(value(f, 'p2p_ai_stream_bytes_total', { protocol: 'task', direction: 'in' })).toBe(7)
  })

  it('counts peer removals by reason', async () => {
    const m = new NodeMetrics(source())
    m.recordPeerRemoval('dead')
    m.recordPeerRemoval('goodbye')
    m.recordPeerRemoval('dead')
    const f = await m.families()
    expect(value(f, 'p2p_ai_peer_removals_total', { reason: 'dead' })).toBe(2)
    expect(value(f, 'p2p_ai_peer_removals_total', { reason: 'goodbye' })).toBe(1)
  })

  it('keeps two nodes of one process apart', async () => {
    const a = new NodeMetrics(source())
    const b = new NodeMetrics(source({ nodeId: () => OTHER }))
    a.recordMessage('delivered', 1)
    expect(value(await a.families(), 'p2p_ai_messages_total')).toBe(1)
    expect(value(await b.families(), 'p2p_ai_messages_total')).toBeUndefined()
  })

  it('renders as Prometheus text with HELP, TYPE and the node id', async () => {
    const m = new NodeMetrics(source())
    m.recordTask(record({}))
    const text = await familiesText(await m.families())
    expect(text).toContain('# TYPE p2p_ai_task_queue_wait_seconds histogram')
    expect(text).toContain(`p2p_ai_task_queue_wait_seconds_bucket{le="+Inf",node_id="${SELF}"} 1`)
    expect(text).toContain(
      `p2p_ai_tasks_total{status="completed",placement="local",node_id="${SELF}"} 1`,
    )
  })
})
