/**
 * One task, one trace, across the nodes it touched: a task of node S placed on node A over the
 * task protocol (real libp2p on the in-memory transport) has its spans on both nodes in one
 * trace, the executor's as children of the submitter's transfer span, all collected at S.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import type { ComputePeer, ComputePeers } from '../../src/compute/compute-peers.js'
import { TaskDispatcher } from '../../src/compute/dispatcher.js'
import type { SpanRecord } from '../../src/core/spans.js'
import { TaskStatus } from '../../src/core/tasks.js'
import { traceIdOf } from '../../src/core/trace.js'
import { formatTimeline } from '../../src/core/trace-tree.js'
import { silentLogger } from '../../src/obs/logger.js'
import type { TaskNode } from './harness.js'
import { afterTest, taskNode } from './harness.js'

/** A traced node whose tasks mesh compute places, with `executors` as its neighbours. */
async function tracedSubmitter(executors: TaskNode[]): Promise<TaskNode> {
  const peers: ComputePeer[] = []
  let dispatcher: TaskDispatcher | undefined
  const node = await taskNode({
    traced: {},
    beforeStart: (tasks, nodeId) => {
      const view: ComputePeers = { list: () => peers, onGone: () => {} }
      dispatcher = new TaskDispatcher({
        local: {
          nodeId,
          capabilities: () => tasks.capabilities(),
          load: () => tasks.load(),
          modelHash: (type) => tasks.modelFor(type).hash ?? '',
          runReplica: async (spec, input, timeoutMs) => tasks.runReplica(spec, input, timeoutMs),
        },
        peers: view,
        maxInflightPerPeer: 16,
        log: silentLogger,
      })
      tasks.usePlacer(dispatcher)
    },
  })
  for (const e of executors)
    peers.push({
      peerId: e.libp2p.peerId.toString(),
      nodeId: e.nodeId,
      rttMs: 1,
      embeddingsPerSec: 250,
      taskTypes: ['text_embedding', 'classification'],
      serving: true,
      connection: await node.libp2p.dial(multiaddr(e.libp2p.addr)),
    })
  const started = dispatcher as TaskDispatcher
  started.start()
  afterTest(async () => {
    started.stop()
  })
  return node
}

async function settledTrace(node: TaskNode, taskId: string, names: number): Promise<SpanRecord[]> {
  await expect
    .poll(async () => (await node.tasks.result(taskId))?.status)
    .toBe(TaskStatus.COMPLETED)
  let spans: SpanRecord[] = []
  await expect.poll(async () => (spans = (await node.tasks.trace(taskId)) ?? []).length).toBe(names)
  return spans
}

function one(spans: SpanRecord[], name: string, nodeId: string): SpanRecord {
  const found = spans.filter((s) => s.name === name && s.node_id === nodeId)
  expect(found, `${name} on ${nodeId}`).toHaveLength(1)
  return found[0] as SpanRecord
}

describe('task traces across nodes', () => {
  it('gives a task run on another node one trace, the executor spans under the transfer span', async () => {
    const a = await taskNode({ traced: {} })
    const s = await tracedSubmitter([a])
    const record = s.tasks.submit({ task_type: 'embedding', input: 'hello', placement: a.nodeId })
    const spans = await settledTrace(s, record.task_id, 8)

    const traceId = traceIdOf(record.traceparent ?? '')
    expect(new Set(spans.map((x) => x.trace_id))).toEqual(new Set([traceId]))
    expect(spans.every((x) => x.task_id === record.task_id)).toBe(true)
    const submit = one(spans, 'submit', s.nodeId)
    expect(submit.parent_span_id).toBeUndefined()
    // the record's traceparent is the root span's context
    expect(record.traceparent).toBe(`00-${traceId}-${submit.span_id}-01`)
    const transfer = one(spans, 'transfer', s.nodeId)
    for (const name of ['schedule', 'transfer', 'result', 'store'])
      expect(one(spans, name, s.nodeId).parent_span_id, name).toBe(submit.span_id)
    for (const name of ['queue', 'inference', 'result'])
      expect(one(spans, name, a.nodeId).parent_span_id, `${name} on A`).toBe(transfer.span_id)
    // in order: the executor worked within the transfer; the result and store came after (to
    // the few ms two OpenTelemetry spans' clocks may differ by: each anchors on Date.now())
    const ms = 5
    const queue = one(spans, 'queue', a.nodeId)
    const inference = one(spans, 'inference', a.nodeId)
    expect(queue.start_ms).toBeGreaterThanOrEqual(transfer.start_ms - ms)
    expect(inference.start_ms).toBeGreaterThanOrEqual(queue.end_ms - ms)
    expect(inference.end_ms).toBeLessThanOrEqual(transfer.end_ms + ms)
    expect(one(spans, 'store', s.nodeId).start_ms).toBeGreaterThanOrEqual(transfer.end_ms - ms)
    expect(submit.end_ms).toBeGreaterThanOrEqual(one(spans, 'store', s.nodeId).end_ms - ms)
    // the executor keeps none of them: they went back with the result
    expect(await a.tracer?.spans(record.task_id)).toEqual([])

    const text = formatTimeline(spans)
    expect(text).toContain(`Trace ${traceId}`)
    expect(text).toMatch(new RegExp(`\\n {4}inference +${a.nodeId} `))
  })

  it('traces a task run here: submit, queue, inference and store, one trace on one node', async () => {
    const s = await tracedSubmitter([])
    const record = s.tasks.submit({ task_type: 'embedding', input: 'hello', placement: 'local' })
    const spans = await settledTrace(s, record.task_id, 4)
    const submit = one(spans, 'submit', s.nodeId)
    for (const name of ['queue', 'inference', 'store'])
      expect(one(spans, name, s.nodeId).parent_span_id).toBe(submit.span_id)
  })

  it('answers undefined for a task it does not know, and [] for one it ran without a tracer', async () => {
    const s = await tracedSubmitter([])
    expect(await s.tasks.trace('7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b')).toBeUndefined()
    const plain = await taskNode()
    const record = plain.tasks.submit({ task_type: 'embedding', input: 'x' })
    await expect
      .poll(async () => (await plain.tasks.result(record.task_id))?.status)
      .toBe(TaskStatus.COMPLETED)
    expect(await plain.tasks.trace(record.task_id)).toEqual([])
  })
})
