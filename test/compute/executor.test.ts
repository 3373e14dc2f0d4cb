/**
 * The executor's side of /p2p-ai/task/1.0.0 over real libp2p nodes (in-memory transport): a test
 * submitter opens the protocol's stream and speaks raw frames; the executor runs a real task
 * engine over a fake inference engine (test/tasks/fake-engine.ts) and a real results store.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { TASK_PROTOCOL } from '../../src/core/protocol.js'
import type { Assignment } from '../../src/core/proto/task.js'
import { Answer, Result } from '../../src/core/proto/task.js'
import { verifyResult } from '../../src/compute/result-signature.js'
import type { TaskFrame } from '../../src/compute/task-wire.js'
import { outputFromWire, taskCodec } from '../../src/compute/task-wire.js'
import { FramedStream } from '../../src/mesh/framed-stream.js'
import { fakeOutput } from '../tasks/fake-engine.js'
import type { TaskNode } from './harness.js'
import { EMBEDDING, libp2pNode, taskNode } from './harness.js'
import { PeerRateLimit } from '../../src/mesh/peer-rate-limit.js'

const HASH = 'ab'.repeat(32)

/** A submitter's raw view of the protocol: frames it sends, frames it receives. */
interface Submitter {
  /** the submitter's peer id */
  peerId: string
  send(frame: Omit<TaskFrame, 'version'>): void
  raw: FramedStream<Omit<TaskFrame, 'version'>>
  received: TaskFrame[]
  answers(): NonNullable<TaskFrame['answer']>[]
  results(): NonNullable<TaskFrame['result']>[]
}

async function submitter(to: TaskNode): Promise<Submitter> {
  const libp2p = await libp2pNode()
  const connection = await libp2p.dial(multiaddr(to.libp2p.addr))
  const stream = await connection.newStream(TASK_PROTOCOL)
  const received: TaskFrame[] = []
  const raw = new FramedStream(stream, connection, taskCodec, {
    onFrame: (frame) => received.push(frame as TaskFrame),
    onDrop: () => {},
    onClose: () => {},
  })
  return {
    peerId: libp2p.peerId.toString(),
    raw,
    received,
    send: (frame) => {
      expect(raw.send(frame)).toBe(true)
    },
    answers: () => received.flatMap((f) => (f.answer == null ? [] : [f.answer])),
    results: () => received.flatMap((f) => (f.result == null ? [] : [f.result])),
  }
}

function uuid(n: number): string {
  return `7d0b6c5e-2f7e-4a8e-9a52-${n.toString(16).padStart(12, '0')}`
}

function assignment(n: number, first = 0, over: Partial<Assignment> = {}): Assignment {
  return {
    batchId: uuid(100_000 + first),
    taskType: EMBEDDING.task_type,
    model: EMBEDDING.model,
    dtype: EMBEDDING.dtype,
    modelHash: '',
    timeoutMs: 30_000,
    traceparent: '',
    tasks: Array.from({ length: n }, (_, i) => ({
      taskId: uuid(first + i),
      input: `text ${first + i}`,
      traceparent: '',
    })),
    ...over,
  }
}

describe('task executor', () => {
  it('accepts an assignment, runs it and sends back one signed result per task', async () => {
    const e = await taskNode({ modelHash: HASH })
    const s = await submitter(e)
    s.send({ assignment: assignment(3, 0, { modelHash: HASH }) })
    await expect.poll(() => s.results().length).toBe(3)
    expect(s.answers()).toEqual([
      {
        batchId: uuid(100_000),
        status: Answer.Status.ACCEPTED,
        reason: '',
        retryAfterMs: 0,
        modelHash: HASH,
      },
    ])
    for (const r of s.results()) {
      expect(r.status).toBe(Result.Status.COMPLETED)
      expect(r.modelHash).toBe(HASH)
      const index = Number.parseInt(r.taskId.slice(-12), 16)
      expect(outputFromWire(r.output!, EMBEDDING.task_type)).toEqual(
        fakeOutput(EMBEDDING, `text ${index}`),
      )
      expect(await verifyResult(e.key.publicKey, r, r.signature)).toBe(true)
    }
    expect(e.executor.stats).toMatchObject({ accepted: 1, served: 3 })
    // kept apart from the executor's own tasks
    expect(await e.tasks.list()).toEqual([])
    expect((await e.tasks.result(uuid(0)))?.served_for).toBe(s.peerId)
  })

  it('refuses to serve when serve_tasks is off', async () => {
    const e = await taskNode({ serve: false })
    const s = await submitter(e)
    s.send({ assignment: assignment(1) })
    await expect.poll(() => s.answers().length).toBe(1)
    expect(s.answers()[0]).toMatchObject({ status: Answer.Status.REJECTED, reason: 'not_serving' })
    expect(e.engine.calls).toHaveLength(0)
  })

  it('in a closed mesh, serves members only: a stream from anyone else is reset unread', async () => {
    // the first peer to open a stream has not proved the key; the next has
    let outsiderId: string | undefined
    const e = await taskNode({
      admitted: async (peerId) => {
        outsiderId ??= peerId
        return peerId !== outsiderId
      },
    })
    const outsider = await submitter(e)
    expect(outsiderId).toBe(outsider.peerId)
    outsider.raw.send({ assignment: assignment(1) }) // the reset may be there first
    await expect.poll(() => outsider.raw.isOpen).toBe(false)
    expect(outsider.answers()).toEqual([])
    expect(e.executor.stats.accepted).toBe(0)
    const member = await submitter(e)
    member.send({ assignment: assignment(1, 1) })
    await expect.poll(() => member.results().length).toBe(1)
    expect(e.engine.calls).toHaveLength(1)
  })

  it('refuses another model, and other weights of the same model', async () => {
    const e = await taskNode({ modelHash: HASH })
    const s = await submitter(e)
    s.send({ assignment: assignment(1, 0, { model: 'someone/else' }) })
    s.send({ assignment: assignment(1, 10, { modelHash: 'cd'.repeat(32) }) })
    await expect.poll(() => s.answers().length).toBe(2)
    expect(s.answers().map((a) => [a.status, a.reason, a.modelHash])).toEqual([
      [Answer.Status.REJECTED, 'model_unavailable', ''],
      [Answer.Status.REJECTED, 'model_mismatch', HASH],
    ])
    expect(e.executor.stats.rejected).toBe(2)
  })

  it('answers BUSY past its cap of tasks queued for one peer', async () => {
    const e = await taskNode({ maxQueuedPerPeer: 4 })
    e.engine.behaviour = () => 'gate' // nothing finishes: everything stays queued or running
    const s = await submitter(e)
    s.send({ assignment: assignment(1, 0) }) // running
    await expect.poll(() => e.engine.calls.length).toBe(1)
    s.send({ assignment: assignment(4, 10) }) // queued: 4
    s.send({ assignment: assignment(1, 20) }) // 5 > 4
    await expect.poll(() => s.answers().length).toBe(3)
    expect(s.answers().map((a) => a.status)).toEqual([
      Answer.Status.ACCEPTED,
      Answer.Status.ACCEPTED,
      Answer.Status.BUSY,
    ])
    expect(s.answers()[2]).toMatchObject({ reason: 'queue_full' })
    e.engine.releaseAll()
  })

  it('cancels queued tasks on request and when the submitter goes away', async () => {
    const e = await taskNode()
    e.engine.behaviour = () => 'gate'
    const s = await submitter(e)
    s.send({ assignment: assignment(1, 0) }) // running, held
    await expect.poll(() => e.engine.calls.length).toBe(1)
    s.send({ assignment: assignment(3, 10) }) // queued
    await expect.poll(() => e.tasks.queuedFor(s.peerId)).toBe(3)
    s.send({ cancel: { taskIds: [uuid(10)] } })
    await expect.poll(() => e.tasks.queuedFor(s.peerId)).toBe(2)
    expect((await e.tasks.status(uuid(10)))?.error_reason).toBe('cancelled')
    s.raw.abort('the submitter is gone') // a reset, as when a tab closes
    await expect.poll(() => e.tasks.queuedFor(s.peerId)).toBe(0)
    expect((await e.tasks.status(uuid(11)))?.error_reason).toBe('cancelled')
    e.engine.releaseAll()
  })

  it('drops and counts malformed frames, and goes on serving the stream', async () => {
    const e = await taskNode()
    const s = await submitter(e)
    s.send({ assignment: assignment(1, 0, { batchId: 'not-a-uuid' }) })
    s.send({ assignment: assignment(1, 0, { tasks: [] }) })
    s.send({ cancel: { taskIds: ['nope'] } })
    s.send({ assignment: assignment(1, 5) })
    await expect.poll(() => s.results().length).toBe(1)
    expect(e.executor.stats.dropped).toEqual({ invalid_assignment: 2, invalid_cancel: 1 })
  })

  it('holds a submitter to its rate limit on task frames, dropping and counting the rest', async () => {
    const banned: string[] = []
    const limit = new PeerRateLimit({
      ratePerSec: 1,
      burst: 5,
      banMs: 60_000,
      onBan: (p) => banned.push(p),
    })
    const e = await taskNode({ admit: (peer) => limit.admit(peer) })
    const s = await submitter(e)
    for (let i = 0; i < 20; i++) s.send({ cancel: { taskIds: [uuid(100 + i)] } })
    await expect.poll(() => e.executor.stats.dropped.rate_limited ?? 0).toBeGreaterThanOrEqual(14)
    // the frames it let through were handled (cancels for tasks it does not hold: nothing to do)
    expect(e.executor.stats.dropped.invalid_cancel ?? 0).toBe(0)
    expect(banned).toEqual([])
  })

  it('ends only the stream whose length prefix is broken', async () => {
    const e = await taskNode()
    const bad = await submitter(e)
    const good = await submitter(e)
    bad.raw.stream.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7f]))
    await expect.poll(() => e.executor.stats.dropped.oversized ?? 0).toBe(1)
    good.send({ assignment: assignment(2, 0) })
    await expect.poll(() => good.results().length).toBe(2)
  })

  it('serves two submitters in turn: a flood does not hold the other back', async () => {
    const e = await taskNode()
    e.engine.behaviour = () => 'gate'
    const flood = await submitter(e)
    const other = await submitter(e)
    flood.send({ assignment: assignment(1, 0) }) // the first call, held
    await expect.poll(() => e.engine.calls.length).toBe(1)
    flood.send({ assignment: assignment(40, 100) })
    await expect.poll(() => e.tasks.queuedFor(flood.peerId)).toBe(40)
    other.send({ assignment: assignment(2, 1000) })
    await expect.poll(() => e.tasks.queuedFor(other.peerId)).toBe(2)
    e.engine.releaseAll()
    // the next call (batches of 8) carries the other submitter's tasks beside the flood's
    await expect.poll(() => e.engine.calls.length).toBeGreaterThan(1)
    const second = e.engine.calls[1]?.inputs ?? []
    expect(second).toHaveLength(8)
    expect(second.filter((i) => i === 'text 1000' || i === 'text 1001')).toHaveLength(2)
    for (;;) {
      e.engine.releaseAll()
      if (flood.results().length + other.results().length === 43) break
      await new Promise((r) => setTimeout(r, 10))
    }
  })
})
