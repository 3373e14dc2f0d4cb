/**
 * Mesh compute's submitting side over real libp2p nodes (in-memory transport): a submitter's task
 * engine places its tasks through a TaskDispatcher on itself and on executor nodes (real task
 * engines over the fake inference engine), or on raw executors a test scripts frame by frame to
 * misbehave. The mesh view (who is a neighbour, how fast, how loaded) is given by the test.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { nodeIdFromPeerId } from '../../src/core/node-id.js'
import { TASK_PROTOCOL } from '../../src/core/protocol.js'
import type { Assignment } from '../../src/core/proto/task.js'
import { Answer, Result } from '../../src/core/proto/task.js'
import type { TaskRecord } from '../../src/core/tasks.js'
import { TaskStatus } from '../../src/core/tasks.js'
import type { ComputePeer, ComputePeers } from '../../src/compute/compute-peers.js'
import type { LocalEngine } from '../../src/compute/dispatcher.js'
import { TaskDispatcher } from '../../src/compute/dispatcher.js'
import { signResult } from '../../src/compute/result-signature.js'
import type { TaskFrame } from '../../src/compute/task-wire.js'
import { outputToWire, taskCodec } from '../../src/compute/task-wire.js'
import { FramedStream } from '../../src/mesh/framed-stream.js'
import { silentLogger } from '../../src/obs/logger.js'
import { fakeOutput } from '../tasks/fake-engine.js'
import type { TaskNode, TestLibp2p } from './harness.js'
import { afterTest, EMBEDDING, libp2pNode, taskNode } from './harness.js'

type Frame = Omit<TaskFrame, 'version'>
type RawStream = FramedStream<Frame>

/** An executor the test scripts: it answers assignments however `onAssignment` says. */
interface RawExecutor {
  libp2p: TestLibp2p
  key: PrivateKey
  nodeId: string
  streams: RawStream[]
  /** every frame it received */
  received: TaskFrame[]
  onAssignment(a: Assignment, s: RawStream): void | Promise<void>
}

async function rawExecutor(onAssignment: RawExecutor['onAssignment']): Promise<RawExecutor> {
  const key = await generateKeyPair('Ed25519')
  const libp2p = await libp2pNode(key)
  const raw: RawExecutor = {
    libp2p,
    key,
    nodeId: nodeIdFromPeerId(libp2p.peerId),
    streams: [],
    received: [],
    onAssignment,
  }
  await libp2p.handle(TASK_PROTOCOL, (stream, connection) => {
    const s: RawStream = new FramedStream(stream, connection, taskCodec, {
      onFrame: (frame) => {
        raw.received.push(frame as TaskFrame)
        const a = (frame as TaskFrame).assignment
        if (a != null) void raw.onAssignment(a, s)
      },
      onDrop: () => {},
      onClose: () => {},
    })
    raw.streams.push(s)
  })
  return raw
}

function accept(a: Assignment, s: RawStream): void {
  s.send({
    answer: {
      batchId: a.batchId,
      status: Answer.Status.ACCEPTED,
      reason: '',
      retryAfterMs: 0,
      modelHash: '',
    },
  })
}

/** A correct result for task `taskId` of `a`, signed by `key`. */
async function signedResult(
  key: PrivateKey,
  taskId: string,
  input: string,
): Promise<NonNullable<Frame['result']>> {
  const fields = {
    taskId,
    status: Result.Status.COMPLETED,
    output: outputToWire(fakeOutput(EMBEDDING, input)),
    errorReason: '',
    errorDetails: '',
    modelHash: '',
    executionMs: 1,
  }
  return { ...fields, signature: await signResult(key, fields), spans: [] }
}

interface Neighbour {
  node: TaskNode | RawExecutor
  /** announced embeddings per second */
  speed?: number
  /** announced as serving */
  serving?: boolean
}

interface Submitter {
  node: TaskNode
  dispatcher: TaskDispatcher
  /** the mesh says a neighbour went */
  gone(peerId: string, reason: 'dead' | 'gone'): void
  /** submits `n` embedding tasks; resolves with their ids */
  submit(
    n: number,
    over?: { placement?: string; timeout_seconds?: number; replicas?: number },
  ): string[]
  /** resolves once every task is final; their records */
  settled(ids: string[]): Promise<TaskRecord[]>
}

async function submitter(
  neighbours: Neighbour[],
  over: {
    localSpeed?: number
    maxInflightPerPeer?: number
    attemptSlackMs?: number
    silentMs?: number
    restartOf?: TaskNode
  } = {},
): Promise<Submitter> {
  const peers: Array<ComputePeer & { node: Neighbour }> = []
  const goneListeners: Array<(peerId: string, reason: 'dead' | 'gone') => void> = []
  const view: ComputePeers = {
    list: () => peers.filter((p) => p.connection.status === 'open'),
    onGone: (listener) => goneListeners.push(listener),
  }
  let dispatcher: TaskDispatcher | undefined
  const node = await taskNode({
    restartOf: over.restartOf,
    // the placer comes first: tasks a previous run left out are resumed through it
    beforeStart: (tasks, nodeId) => {
      const local: LocalEngine = {
        nodeId,
        capabilities: () => {
          const caps = tasks.capabilities()
          return caps == null || over.localSpeed == null
            ? caps
            : { ...caps, embeddings_per_sec: over.localSpeed, measuring: false }
        },
        load: () => tasks.load(),
        modelHash: (type) => tasks.modelFor(type).hash ?? '',
        runReplica: async (spec, input, timeoutMs) => tasks.runReplica(spec, input, timeoutMs),
      }
      dispatcher = new TaskDispatcher({
        local,
        peers: view,
        maxInflightPerPeer: over.maxInflightPerPeer ?? 128,
        log: silentLogger,
        attemptSlackMs: over.attemptSlackMs,
        silentMs: over.silentMs,
      })
      tasks.usePlacer(dispatcher)
    },
  })
  for (const n of neighbours) {
    const connection: Connection = await node.libp2p.dial(multiaddr(n.node.libp2p.addr))
    peers.push({
      peerId: n.node.libp2p.peerId.toString(),
      nodeId: n.node.nodeId,
      rttMs: 1,
      embeddingsPerSec: n.speed ?? 250,
      taskTypes: ['text_embedding', 'classification'],
      serving: n.serving ?? true,
      connection,
      node: n,
    })
  }
  if (dispatcher == null) throw new Error('no dispatcher')
  const started = dispatcher
  started.start()
  afterTest(async () => {
    started.stop()
  })
  return {
    node,
    dispatcher: started,
    gone: (peerId, reason) => {
      for (const l of goneListeners) l(peerId, reason)
    },
    submit: (n, o = {}) =>
      Array.from(
        { length: n },
        (_, i) => node.tasks.submit({ task_type: 'embedding', input: `text ${i}`, ...o }).task_id,
      ),
    settled: async (ids) => {
      await expect
        .poll(async () => {
          const records = await Promise.all(ids.map(async (id) => node.tasks.result(id)))
          return records.filter(
            (r) => r != null && ['COMPLETED', 'FAILED', 'TIMEOUT'].includes(r.status),
          ).length
        })
        .toBe(ids.length)
      return (await Promise.all(ids.map(async (id) => node.tasks.result(id)))) as TaskRecord[]
    },
  }
}

function ranOn(records: TaskRecord[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of records) {
    const by = r.executed_by?.join(',') ?? 'none'
    counts.set(by, (counts.get(by) ?? 0) + 1)
  }
  return counts
}

describe('task dispatcher', () => {
  it('spreads a burst over this node and its neighbours, with results verified and attempts recorded', async () => {
    const a = await taskNode()
    const b = await taskNode()
    const s = await submitter([{ node: a }, { node: b }], { localSpeed: 250 })
    const ids = s.submit(60)
    const records = await s.settled(ids)
    expect(records.every((r) => r.status === TaskStatus.COMPLETED)).toBe(true)
    records.forEach((r, i) => {
      expect(r.output_data).toEqual(fakeOutput(EMBEDDING, `text ${i}`))
    })
    const counts = ranOn(records)
    expect([...counts.keys()].sort()).toEqual([s.node.nodeId, a.nodeId, b.nodeId].sort())
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(10)
    const remote = records.find((r) => r.executed_by?.[0] === a.nodeId) as TaskRecord
    expect(remote.placement).toBe('auto')
    expect(remote.attempts).toEqual([
      expect.objectContaining({ node_id: a.nodeId, outcome: 'completed' }),
    ])
    expect(remote.attempts?.[0]?.ended_at).toBeDefined()
    // the executor keeps it apart, with the submitter's trace context
    const served = await a.tasks.result(remote.task_id)
    expect(served?.served_for).toBe(s.node.libp2p.peerId.toString())
    expect(served?.traceparent).toBe(remote.traceparent)
    expect(remote.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    const local = records.find((r) => r.executed_by?.[0] === s.node.nodeId) as TaskRecord
    expect(local.attempts).toEqual([
      expect.objectContaining({ node_id: s.node.nodeId, outcome: 'completed' }),
    ])
    expect(s.dispatcher.stats.results).toBe(counts.get(a.nodeId)! + counts.get(b.nodeId)!)
  })

  it('sends more to a faster node, in proportion to its speed', async () => {
    const fast = await taskNode()
    const slow = await taskNode()
    const s = await submitter(
      [
        { node: fast, speed: 300 },
        { node: slow, speed: 100 },
      ],
      { localSpeed: 1 },
    )
    const counts = ranOn(await s.settled(s.submit(80)))
    expect(counts.get(fast.nodeId)).toBe(60)
    expect(counts.get(slow.nodeId)).toBe(20)
  })

  it('runs a task on the node it names, keeps a local one here, and fails one for an unknown node', async () => {
    const a = await taskNode()
    const b = await taskNode()
    const s = await submitter([{ node: a }, { node: b }], { localSpeed: 1 })
    const [onB] = s.submit(1, { placement: b.nodeId })
    const [here] = s.submit(1, { placement: 'local' })
    const [nowhere] = s.submit(1, { placement: 'f'.repeat(32) })
    const [byId] = await s.settled([onB as string])
    expect(byId?.executed_by).toEqual([b.nodeId])
    expect(byId?.placement).toBe(b.nodeId)
    const [local] = await s.settled([here as string])
    expect(local?.executed_by).toEqual([s.node.nodeId])
    const failed = await s.node.tasks.result(nowhere as string)
    expect(failed).toMatchObject({ status: 'FAILED', error_reason: 'no_capable_node' })
    expect(() =>
      s.node.tasks.submit({ task_type: 'embedding', input: 'x', placement: 'B' }),
    ).toThrow(expect.objectContaining({ code: 'invalid_placement' }))
  })

  it('runs remote tasks on the other nodes only, however fast this one is; here when there are none', async () => {
    const slow = await taskNode()
    const s = await submitter([{ node: slow, speed: 10 }], { localSpeed: 10_000 })
    const records = await s.settled(s.submit(12, { placement: 'remote' }))
    expect(ranOn(records)).toEqual(new Map([[slow.nodeId, 12]]))
    const alone = await submitter([], { localSpeed: 10 })
    const [r] = await alone.settled(alone.submit(1, { placement: 'remote' }))
    expect(r?.executed_by).toEqual([alone.node.nodeId])
  })

  it('keeps at most max_inflight_per_peer tasks out on a node; the rest wait for room there', async () => {
    const b = await taskNode()
    b.engine.behaviour = () => 'gate'
    const s = await submitter([{ node: b }], { localSpeed: 1000, maxInflightPerPeer: 4 })
    const ids = s.submit(10, { placement: b.nodeId })
    await expect.poll(() => b.engine.calls.length).toBe(1)
    expect(b.engine.calls[0]?.inputs).toHaveLength(4)
    // as results come back, room frees and the waiting tasks follow, never more than 4 out
    await expect
      .poll(() => {
        b.engine.releaseAll()
        return b.engine.calls.reduce((n, c) => n + c.inputs.length, 0)
      })
      .toBe(10)
    for (const c of b.engine.calls) expect(c.inputs.length).toBeLessThanOrEqual(4)
    expect(b.engine.calls.length).toBeGreaterThanOrEqual(3)
    const records = await s.settled(ids)
    for (const r of records) expect(r.executed_by).toEqual([b.nodeId])
  })

  it('sends the tasks a node refuses, or has no room for, elsewhere', async () => {
    const refusing = await taskNode({ serve: false })
    const full = await taskNode({ maxQueuedPerPeer: 2 })
    const good = await taskNode()
    const s = await submitter(
      [
        { node: refusing, speed: 1000 },
        { node: full, speed: 1000 },
        { node: good, speed: 10 },
      ],
      { localSpeed: 1 },
    )
    const records = await s.settled(s.submit(20))
    expect(records.every((r) => r.status === TaskStatus.COMPLETED)).toBe(true)
    const outcomes = records.flatMap((r) => r.attempts?.map((x) => x.outcome) ?? [])
    expect(outcomes).toContain('rejected')
    expect(outcomes).toContain('busy')
    expect(ranOn(records).get(refusing.nodeId)).toBeUndefined()
    expect(s.dispatcher.skippedUntil(refusing.libp2p.peerId.toString())).toBeGreaterThan(Date.now())
  })

  it('reassigns every task of an executor whose connection closes mid-run', async () => {
    const dying = await taskNode()
    dying.engine.behaviour = () => 'hang'
    const good = await taskNode()
    const s = await submitter(
      [
        { node: dying, speed: 1000 },
        { node: good, speed: 10 },
      ],
      { localSpeed: 1 },
    )
    const ids = s.submit(8)
    await expect.poll(() => dying.engine.calls.length).toBeGreaterThan(0)
    await expect
      .poll(async () => (await s.node.tasks.status(ids[0] as string))?.status)
      .toBe('RUNNING')
    await dying.libp2p.stop()
    const records = await s.settled(ids)
    for (const r of records) {
      expect(r.status).toBe(TaskStatus.COMPLETED)
      expect(r.attempts?.map((x) => [x.node_id, x.outcome])).toEqual([
        [dying.nodeId, 'disconnected'],
        [good.nodeId, 'completed'],
      ])
    }
    // skipped for 15 s after a failure
    const until = s.dispatcher.skippedUntil(dying.libp2p.peerId.toString()) ?? 0
    expect(until - Date.now()).toBeGreaterThan(10_000)
    expect(until - Date.now()).toBeLessThanOrEqual(15_000)
  })

  it('reassigns the tasks of a node the mesh declares DEAD', async () => {
    const silent = await rawExecutor(accept)
    const s = await submitter([{ node: silent, speed: 1000 }], { localSpeed: 1 })
    const ids = s.submit(3)
    await expect.poll(() => silent.streams.length).toBe(1)
    await expect.poll(() => s.dispatcher.busy).toBe(true)
    s.gone(silent.libp2p.peerId.toString(), 'dead')
    const records = await s.settled(ids)
    for (const r of records) {
      expect(r.status).toBe(TaskStatus.COMPLETED)
      expect(r.attempts?.map((x) => x.outcome)).toEqual(['dead', 'completed'])
      expect(r.executed_by).toEqual([s.node.nodeId])
    }
  })

  it('takes the tasks back from an executor that goes silent while holding them', async () => {
    // a frozen node: it accepts, then says nothing (no keepalive, no result)
    const frozen = await rawExecutor(accept)
    const s = await submitter([{ node: frozen, speed: 1000 }], { localSpeed: 1, silentMs: 300 })
    const records = await s.settled(s.submit(3))
    for (const r of records)
      expect(r.attempts?.map((x) => [x.node_id, x.outcome])).toEqual([
        [frozen.nodeId, 'dead'],
        [s.node.nodeId, 'completed'],
      ])
  })

  it('keeps tasks on a busy executor that says it still holds them', async () => {
    const slow = await taskNode()
    slow.engine.behaviour = () => 'gate'
    const s = await submitter([{ node: slow, speed: 1000 }], { localSpeed: 1, silentMs: 1500 })
    const ids = s.submit(2)
    await expect.poll(() => slow.engine.calls.length).toBe(1)
    // well past the silence limit: its keepalives (every second) keep the tasks there
    await new Promise((resolve) => setTimeout(resolve, 3500))
    slow.engine.releaseAll()
    for (const r of await s.settled(ids)) expect(r.executed_by).toEqual([slow.nodeId])
  })

  it('takes back a task whose attempt passes its deadline, and runs it elsewhere', async () => {
    const silent = await rawExecutor(accept)
    const s = await submitter([{ node: silent, speed: 1000 }], {
      localSpeed: 1,
      attemptSlackMs: 200,
    })
    const [id] = s.submit(1, { timeout_seconds: 0.1 })
    const [r] = await s.settled([id as string])
    expect(r?.status).toBe(TaskStatus.COMPLETED)
    expect(r?.attempts?.map((x) => [x.node_id, x.outcome])).toEqual([
      [silent.nodeId, 'deadline'],
      [s.node.nodeId, 'completed'],
    ])
    // the executor was told to drop it
    await expect.poll(() => silent.received.flatMap((f) => f.cancel?.taskIds ?? [])).toEqual([id])
  })

  it('refuses and counts a badly signed result, and runs the task elsewhere', async () => {
    const forger = await rawExecutor(async (a, s) => {
      accept(a, s)
      const otherKey = await generateKeyPair('Ed25519')
      for (const t of a.tasks) s.send({ result: await signedResult(otherKey, t.taskId, t.input) })
    })
    const s = await submitter([{ node: forger, speed: 1000 }], { localSpeed: 1 })
    const [r] = await s.settled(s.submit(1))
    expect(r?.status).toBe(TaskStatus.COMPLETED)
    expect(r?.attempts?.map((x) => x.outcome)).toEqual(['bad_result', 'completed'])
    expect(r?.executed_by).toEqual([s.node.nodeId])
    expect(s.dispatcher.stats.dropped.bad_signature).toBe(1)
  })

  it('drops and counts a result for a task never assigned, and a replayed one', async () => {
    const replayer = await rawExecutor(async (a, s) => {
      accept(a, s)
      const stranger = '7d0b6c5e-2f7e-4a8e-9a52-000000000001'
      s.send({ result: await signedResult(replayer.key, stranger, 'x') })
      for (const t of a.tasks) {
        const result = await signedResult(replayer.key, t.taskId, t.input)
        s.send({ result })
        s.send({ result })
      }
    })
    const s = await submitter([{ node: replayer, speed: 1000 }], { localSpeed: 1 })
    const [r] = await s.settled(s.submit(1))
    expect(r).toMatchObject({ status: 'COMPLETED', executed_by: [replayer.nodeId] })
    expect(r?.output_data).toEqual(fakeOutput(EMBEDDING, 'text 0'))
    await expect.poll(() => s.dispatcher.stats.dropped.unexpected_result).toBe(2)
  })

  it('fails a task after 3 failed attempts (attempts_exhausted)', async () => {
    const forge = async (a: Assignment, s: RawStream): Promise<void> => {
      accept(a, s)
      const otherKey = await generateKeyPair('Ed25519')
      for (const t of a.tasks) s.send({ result: await signedResult(otherKey, t.taskId, t.input) })
    }
    const forgers = [await rawExecutor(forge), await rawExecutor(forge), await rawExecutor(forge)]
    const s = await submitter(
      forgers.map((node) => ({ node, speed: 1000 })),
      { localSpeed: 0.001 },
    )
    const [r] = await s.settled(s.submit(1))
    expect(r).toMatchObject({ status: 'FAILED', error_reason: 'attempts_exhausted' })
    expect(r?.attempts?.map((x) => x.outcome)).toEqual(['bad_result', 'bad_result', 'bad_result'])
    expect(new Set(r?.attempts?.map((x) => x.node_id)).size).toBe(3)
  })

  it('resumes the tasks that were out when the node stopped, and runs each to its end once', async () => {
    const hanging = await taskNode()
    hanging.engine.behaviour = () => 'hang'
    const first = await submitter([{ node: hanging, speed: 1000 }], { localSpeed: 1 })
    const ids = first.submit(5)
    const [kept] = first.submit(1, { placement: 'local' })
    await expect.poll(() => hanging.engine.calls.length).toBeGreaterThan(0)
    await first.node.executor.stop()
    await first.node.tasks.stop()
    first.dispatcher.stop()

    const good = await taskNode()
    const again = await submitter([{ node: good, speed: 1000 }], {
      localSpeed: 1,
      restartOf: first.node,
    })
    const records = await again.settled(ids)
    for (const r of records) {
      expect(r.status).toBe(TaskStatus.COMPLETED)
      expect(r.attempts?.map((a) => [a.node_id, a.outcome])).toEqual([
        [hanging.nodeId, 'interrupted'],
        [good.nodeId, 'completed'],
      ])
      expect(r).not.toHaveProperty('pending_input')
    }
    expect(good.engine.calls.flatMap((c) => c.inputs).sort()).toEqual(
      ['text 0', 'text 1', 'text 2', 'text 3', 'text 4'].sort(),
    )
    // the task kept local ran here before the stop, and is not run again
    expect(await again.node.tasks.result(kept as string)).toMatchObject({
      status: 'COMPLETED',
      executed_by: [first.node.nodeId],
    })
    expect(again.node.engine.calls.flatMap((c) => c.inputs)).toEqual([])
  })
})

/** An executor that answers every task with a well-signed result of its own making. */
async function liar(output: (input: string) => string): Promise<RawExecutor> {
  const raw = await rawExecutor(async (a, s) => {
    accept(a, s)
    for (const t of a.tasks)
      s.send({ result: await signedResult(raw.key, t.taskId, output(t.input)) })
  })
  return raw
}

describe('verification by agreement (replicas)', () => {
  it('runs a task on k distinct nodes; a node the majority outvotes loses reputation, then work', async () => {
    const a = await taskNode()
    const b = await taskNode()
    const bad = await liar((input) => `not ${input}`)
    const s = await submitter(
      [
        { node: a, speed: 100 },
        { node: b, speed: 100 },
        { node: bad, speed: 1000 },
      ],
      { localSpeed: 1 },
    )
    const [first] = s.submit(1, { replicas: 3 })
    const [r] = await s.settled([first as string])
    expect(r).toMatchObject({ status: 'COMPLETED', replicas: 3 })
    expect(r?.output_data).toEqual(fakeOutput(EMBEDDING, 'text 0'))
    expect([...(r?.executed_by ?? [])].sort()).toEqual([a.nodeId, b.nodeId].sort())
    expect(r?.attempts?.map((x) => [x.node_id, x.outcome]).sort()).toEqual(
      [
        [a.nodeId, 'completed'],
        [b.nodeId, 'completed'],
        [bad.nodeId, 'disagreed'],
      ].sort(),
    )
    expect(s.dispatcher.reputation.score(bad.nodeId)).toBe(0.65)
    expect(s.dispatcher.reputation.trusted(bad.nodeId)).toBe(true)

    const [second] = s.submit(1, { replicas: 3 })
    await s.settled([second as string])
    expect(s.dispatcher.reputation.trusted(bad.nodeId)).toBe(false)
    // the fastest node, but no longer trusted: auto sends it nothing
    const records = await s.settled(s.submit(20))
    expect(ranOn(records).get(bad.nodeId)).toBeUndefined()
    for (const x of records) expect(x.output_data).toEqual(fakeOutput(EMBEDDING, x.input_preview))
  })

  it('adds replicas up to k + 2 without a majority, then fails the task (no_agreement)', async () => {
    let n = 0
    const liars = [] as RawExecutor[]
    for (let i = 0; i < 5; i++) liars.push(await liar((input) => `${input} #${n++}`))
    const s = await submitter(
      liars.map((node) => ({ node, speed: 1000 })),
      { localSpeed: 0.001 },
    )
    const [r] = await s.settled(s.submit(1, { replicas: 3 }))
    expect(r).toMatchObject({ status: 'FAILED', error_reason: 'no_agreement' })
    expect(r?.attempts).toHaveLength(5)
    expect(new Set(r?.attempts?.map((x) => x.node_id)).size).toBe(5)
    expect(r?.attempts?.every((x) => x.outcome === 'disagreed')).toBe(true)
  })

  it('counts this node as one replica, and fails when there are fewer nodes than replicas', async () => {
    const a = await taskNode()
    const s = await submitter([{ node: a }], { localSpeed: 250 })
    const [two] = await s.settled(s.submit(1, { replicas: 2 }))
    expect([...(two?.executed_by ?? [])].sort()).toEqual([a.nodeId, s.node.nodeId].sort())
    const [three] = await s.settled(s.submit(1, { replicas: 3 }))
    expect(three).toMatchObject({ status: 'FAILED', error_reason: 'no_capable_node' })
    expect(() => s.node.tasks.submit({ task_type: 'embedding', input: 'x', replicas: 6 })).toThrow(
      expect.objectContaining({ code: 'invalid_replicas' }),
    )
  })
})
