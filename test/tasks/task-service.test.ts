/**
 * The task engine (TaskService) over a fake inference engine (./fake-engine.ts) and a real
 * SQLite results store in a temp dir. Timers and Date are fake: time moves only when a test
 * advances it, so timeouts, the stuck-worker grace, group commit, progress estimates and the
 * clean-up interval are exact. The store is synchronous underneath (node:sqlite), so what a
 * timer sets off has happened once the clock has been advanced past it: no test polls.
 *
 * A setTimeout(0) made while fake timers run waits 1 ms (fake-timers' guard against endless
 * loops), so each hop through the queue (a call ends, the next goes out or the engine is found
 * idle) takes 1 ms of fake time; settle() allows a few.
 *
 * The real runtime (models, tokenizer) is tested in task-service.runtime.test.ts.
 */
import { setTimeout as realDelay } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ModelSpec } from '../../src/ai/engine.js'
import { ModelError } from '../../src/core/errors.js'
import type { TaskRecord, TaskRequest, TaskStatus } from '../../src/core/tasks.js'
import { TaskType } from '../../src/core/tasks.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import { silentLogger } from '../../src/obs/logger.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import type { TaskServiceOptions } from '../../src/tasks/task-service.js'
import { TaskService } from '../../src/tasks/task-service.js'
import { tempDirs } from '../store/temp-dirs.js'
import { FakeEngine, fakeOutput } from './fake-engine.js'

const NODE = 'f'.repeat(32)
const EMBEDDING: ModelSpec = {
  task_type: TaskType.TEXT_EMBEDDING,
  ...DEFAULT_CONFIG.models.text_embedding,
}
const CLASSIFICATION: ModelSpec = {
  task_type: TaskType.CLASSIFICATION,
  ...DEFAULT_CONFIG.models.classification,
}
/** how long stop() waits for a call that outlived the engine's stop (SETTLE_MS) */
const SETTLE_MS = 1000

const tempDir = tempDirs('p2p-ai-tasks-')
const services: TaskService[] = []

/** fake time settle() gives the queue: a few hops */
const SETTLE_HOPS_MS = 5

/** Lets the queue settle: the dispatch after a submit, calls that end at once, the next calls, the writes. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(SETTLE_HOPS_MS)
}

/** A timeline for one test: at(ms) moves the fake clock to `ms` after the call of timeline(). */
function timeline(): (ms: number) => Promise<void> {
  const origin = Date.now()
  return async (ms) => {
    expect(Date.now()).toBeLessThanOrEqual(origin + ms)
    await vi.advanceTimersByTimeAsync(origin + ms - Date.now())
  }
}

/** `promise`, or a failure if it has not settled within `ms` of real time (a hang fails fast). */
async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  const cancel = new AbortController()
  const timeout = realDelay(ms, undefined, { signal: cancel.signal, ref: false }).then(() => {
    throw new Error(`${what}: still pending after ${ms} ms`)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    cancel.abort()
  }
}

interface Started {
  tasks: TaskService
  engine: FakeEngine
  store: SqliteResultsStore
  dir: string
}

type Overrides = Partial<Omit<TaskServiceOptions, 'engine'>> & { engine?: FakeEngine; dir?: string }

/** A task engine, not started (stopped after the test). */
async function create(
  over: Overrides = {},
): Promise<Omit<Started, 'store'> & { store(): SqliteResultsStore }> {
  const dir = over.dir ?? (await tempDir())
  const engine = over.engine ?? new FakeEngine()
  let store: SqliteResultsStore | undefined
  const tasks = new TaskService({
    nodeId: NODE,
    runtime: { source: { allowRemote: false }, preferWebGpu: false },
    openStore: async () => (store = await SqliteResultsStore.open(dir)),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: 4,
    maxBatch: 32,
    maxStoredResults: 10_000,
    resultExpiryHours: 24,
    log: silentLogger,
    ...over,
    engine,
  })
  services.push(tasks)
  return { tasks, engine, dir, store: () => store as SqliteResultsStore }
}

/** A task engine, started, its primary model loaded. */
async function service(over: Overrides = {}): Promise<Started> {
  const { tasks, engine, dir, store } = await create(over)
  await tasks.start()
  await settle() // the primary model loads
  return { tasks, engine, store: store(), dir }
}

function submitAll(tasks: TaskService, requests: TaskRequest[]): string[] {
  return requests.map((r) => tasks.submit(r).task_id)
}

async function statusOf(tasks: TaskService, id: string): Promise<TaskStatus | undefined> {
  return (await tasks.status(id))?.status
}

describe('task engine', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    })
  })

  afterEach(async () => {
    // a call that never ends holds a stop for SETTLE_MS of (fake) time
    const stopping = Promise.all(services.splice(0).map(async (s) => s.stop()))
    await vi.advanceTimersByTimeAsync(SETTLE_MS)
    await within(stopping, 'stopping the task engines')
    vi.useRealTimers()
  })

  it('queues at once, then runs: QUEUED → RUNNING → COMPLETED, stored with its output', async () => {
    const { tasks, engine, store } = await service()
    engine.behaviour = () => 'gate'
    const seen: string[] = []
    tasks.addEventListener('task:update', (evt) => seen.push(evt.detail.status))

    const input = 'A man is eating food.'
    const submittedAt = Date.now()
    const at = timeline()
    const queued = tasks.submit({ task_type: 'embedding', input })
    expect(queued.status).toBe('QUEUED')
    expect(queued.task_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(engine.calls).toHaveLength(0) // the call goes out after this turn

    await settle()
    expect(engine.batches).toEqual([[input]])
    expect(await tasks.status(queued.task_id)).toMatchObject({
      status: 'RUNNING',
      started_at: new Date(submittedAt).toISOString(),
    })
    await at(250)
    engine.releaseAll()
    await settle()

    const done = await tasks.status(queued.task_id)
    expect(done).toMatchObject({
      status: 'COMPLETED',
      progress_percent: 100,
      output_data: fakeOutput(EMBEDDING, input),
      execution_time_ms: 250,
    })
    expect(done?.result_preview).toBe(JSON.stringify(fakeOutput(EMBEDDING, input)).slice(0, 100))
    expect(Date.parse(done?.expires_at ?? '') - Date.parse(done?.timestamp_completed ?? '')).toBe(
      24 * 3600_000,
    )
    expect(seen).toEqual(['QUEUED', 'RUNNING', 'COMPLETED'])
    // an idle engine writes at once
    expect(await store.get(queued.task_id)).toMatchObject({
      status: 'COMPLETED',
      node_id: NODE,
      task_type: 'text_embedding',
      model: EMBEDDING.model,
      output_data: fakeOutput(EMBEDDING, input),
    })
  })

  it('batches tasks of one model submitted together into one inference call', async () => {
    const { tasks, engine } = await service()
    const sentences = Array.from({ length: 10 }, (_, i) => `sentence ${i}`)
    const ids = submitAll(tasks, [
      ...sentences.slice(0, 5).map((input) => ({ task_type: 'text_embedding', input })),
      { task_type: 'classification', input: 'a good day' },
      ...sentences.slice(5).map((input) => ({ task_type: 'text_embedding', input })),
      { task_type: 'classification', input: 'a bad day' },
    ])
    await settle()
    for (const id of ids) expect(await statusOf(tasks, id)).toBe('COMPLETED')
    // one call per model: every embedding together, then the classifications
    expect(engine.batches).toEqual([sentences, ['a good day', 'a bad day']])
    expect(engine.calls.map((c) => c.spec)).toEqual([EMBEDDING, CLASSIFICATION])
    expect((await tasks.result(ids[5] as string))?.output_data).toMatchObject({ label: 'POSITIVE' })
    expect(tasks.stats()).toEqual({
      completed: 12,
      failed: 0,
      timed_out: 0,
      inference_calls: 2,
      inference_inputs: 12,
      inference_ms: 0, // the clock did not move
      queued: 0,
      running: 0,
      queue_wait_p95_ms: expect.any(Number) as number, // RecentQueueWaits has its own tests
    })
  })

  it('caps calls at max_batch_size tasks and max_concurrent_tasks calls in flight', async () => {
    const { tasks, engine } = await service({ maxBatch: 8, maxConcurrent: 2 })
    engine.behaviour = () => 'gate'
    const inputs = Array.from({ length: 40 }, (_, i) => `item ${i}`)
    const ids = submitAll(
      tasks,
      inputs.map((input) => ({ task_type: 'text_embedding', input })),
    )
    await settle()
    const rounds: number[][] = []
    while (engine.pending.length > 0 && rounds.length < 10) {
      rounds.push(engine.pending.map((c) => c.inputs.length))
      engine.releaseAll()
      await settle()
    }
    expect(rounds).toEqual([[8, 8], [8, 8], [8]])
    for (const id of ids) expect(await statusOf(tasks, id)).toBe('COMPLETED')
    expect(engine.batches.map((b) => b.length)).toEqual([8, 8, 8, 8, 8])
    expect(engine.batches.flat()).toEqual(inputs)
    expect(engine.maxInflight).toBe(2)
  })

  it('fails inputs the model cannot take, with the reason, and runs nothing for them', async () => {
    const { tasks, engine, store } = await service()
    engine.refuse = (input) =>
      input.length > 500
        ? {
            ok: false,
            reason: 'input_exceeds_max_length',
            details: `${input.length} tokens; at most 500`,
          }
        : undefined

    const empty = tasks.submit({ task_type: 'text_embedding', input: '   ' })
    expect(empty).toMatchObject({ status: 'FAILED', error_reason: 'input_empty' })
    const notText = tasks.submit({ task_type: 'classification', input: 42 })
    expect(notText).toMatchObject({
      status: 'FAILED',
      error_reason: 'invalid_input_type',
      error_details: 'the input must be text, not number',
    })
    const huge = tasks.submit({ task_type: 'text_embedding', input: 'x'.repeat(100_001) })
    expect(huge).toMatchObject({ status: 'FAILED', error_reason: 'input_exceeds_max_length' })
    // refused by the engine: fails alone, the rest of its call goes on
    const tooLong = tasks.submit({ task_type: 'text_embedding', input: 'word '.repeat(120) })
    const fine = tasks.submit({ task_type: 'text_embedding', input: 'just right' })
    expect(tooLong.status).toBe('QUEUED')
    await settle()

    expect(await tasks.status(tooLong.task_id)).toMatchObject({
      status: 'FAILED',
      error_reason: 'input_exceeds_max_length',
      error_details: '600 tokens; at most 500',
    })
    expect(await statusOf(tasks, fine.task_id)).toBe('COMPLETED')
    expect(engine.batches).toEqual([['word '.repeat(120), 'just right']])
    for (const [task, reason] of [
      [empty, 'input_empty'],
      [notText, 'invalid_input_type'],
      [huge, 'input_exceeds_max_length'],
    ] as const)
      expect(await store.get(task.task_id)).toMatchObject({
        status: 'FAILED',
        error_reason: reason,
      })
    expect(tasks.stats()).toMatchObject({ completed: 1, failed: 4, timed_out: 0 })
  })

  it('refuses requests that cannot be tasks at all', async () => {
    const { tasks, engine } = await service()
    const refused = (request: unknown, code: string): void => {
      expect(() => tasks.submit(request as TaskRequest)).toThrow(
        expect.objectContaining({ name: 'TaskRequestError', code }),
      )
    }
    refused({ task_type: 'translation', input: 'x' }, 'unknown_task_type')
    refused({ task_type: 'embedding', input: 'x', timeout_seconds: 0 }, 'invalid_timeout')
    refused({ task_type: 'embedding', input: 'x', timeout_seconds: 3601 }, 'invalid_timeout')
    refused({ task_type: 'embedding', input: 'x', task_id: 'nope' }, 'invalid_task_id')
    refused(null, 'invalid_task_request')
    refused([{ task_type: 'embedding', input: 'x' }], 'invalid_task_request')
    expect(tasks.busy).toBe(false)

    const id = '11111111-2222-4333-8444-555555555555'
    engine.behaviour = () => 'gate'
    tasks.submit({ task_type: 'embedding', input: 'x', task_id: id })
    refused({ task_type: 'embedding', input: 'y', task_id: id }, 'duplicate_task_id')
    await settle()
    refused({ task_type: 'embedding', input: 'y', task_id: id }, 'duplicate_task_id')
    expect(engine.batches).toEqual([['x']])
  })

  it('times out a task with no partial result, and later tasks still complete', async () => {
    const { tasks, engine, store } = await service()
    engine.behaviour = () => 'gate'
    const at = timeline()
    const slow = tasks.submit({
      task_type: 'text_embedding',
      input: 'in a hurry',
      timeout_seconds: 1,
    })
    await settle()
    await at(999)
    expect(await statusOf(tasks, slow.task_id)).toBe('RUNNING')
    await at(1000)
    const report = await tasks.status(slow.task_id)
    expect(report).toMatchObject({
      status: 'TIMEOUT',
      error_reason: 'timeout',
      error_details: 'execution exceeded 1 s',
      execution_time_ms: 1000,
    })
    expect(report?.output_data).toBeUndefined()

    // the call ends after all: its result is not taken, and the worker was not stuck
    engine.releaseAll()
    await settle()
    expect(await store.get(slow.task_id)).toMatchObject({
      status: 'TIMEOUT',
      error_reason: 'timeout',
    })
    expect((await store.get(slow.task_id))?.output_data).toBeUndefined()
    expect(engine.restarts).toBe(0)

    engine.behaviour = () => 'now'
    const later = tasks.submit({ task_type: 'text_embedding', input: 'after the timeout' })
    await settle()
    expect(await statusOf(tasks, later.task_id)).toBe('COMPLETED')
    expect(tasks.stats()).toMatchObject({ completed: 1, failed: 0, timed_out: 1 })
  })

  it('restarts a worker stuck on a call after the grace, and the other tasks of that call run again', async () => {
    const { tasks, engine } = await service({ stuckGraceMs: 2000 })
    engine.behaviour = (inputs) => (inputs.includes('stuck forever') ? 'hang' : 'now')
    const fellowStates: string[] = []
    const at = timeline()
    const [stuck, fellow] = submitAll(tasks, [
      { task_type: 'text_embedding', input: 'stuck forever', timeout_seconds: 1 },
      { task_type: 'text_embedding', input: 'innocent bystander', timeout_seconds: 30 },
    ]) as [string, string]
    tasks.addEventListener('task:update', (evt) => {
      if (evt.detail.task_id === fellow) fellowStates.push(evt.detail.status)
    })
    await settle()
    await at(1000)
    expect(await statusOf(tasks, stuck)).toBe('TIMEOUT')
    expect(await statusOf(tasks, fellow)).toBe('RUNNING')

    // 2 s of grace after the timeout
    await at(2999)
    expect(engine.restarts).toBe(0)
    expect(engine.pending).toHaveLength(1)
    await at(3000)
    expect(engine.restarts).toBe(1)
    await settle()

    expect(await statusOf(tasks, fellow)).toBe('COMPLETED')
    expect(await statusOf(tasks, stuck)).toBe('TIMEOUT')
    expect(engine.batches).toEqual([
      ['stuck forever', 'innocent bystander'],
      ['innocent bystander'],
    ])
    expect(fellowStates).toEqual(['RUNNING', 'QUEUED', 'RUNNING', 'COMPLETED'])
  })

  it('runs the tasks of a failed call once more, not twice', async () => {
    const { tasks, engine } = await service()
    engine.behaviour = () => 'hang'
    const id = tasks.submit({ task_type: 'text_embedding', input: 'unlucky' }).task_id
    await settle()
    await engine.restart() // the worker died under the call: the task goes round again
    await settle()
    expect(await statusOf(tasks, id)).toBe('RUNNING')
    await engine.restart() // and again: that was its last chance
    await settle()
    expect(await tasks.status(id)).toMatchObject({
      status: 'FAILED',
      error_reason: 'engine_failed',
      error_details: 'the inference worker was restarted',
    })
    expect(engine.batches).toEqual([['unlucky'], ['unlucky']])
  })

  it('fails the tasks of a model that cannot load with the model error, without a retry', async () => {
    const engine = new FakeEngine()
    const error = new ModelError(
      'model_manifest_invalid',
      'manifest.json has no entry for onnx/model.onnx',
    )
    engine.loadErrors.set(CLASSIFICATION.model, error)
    const { tasks } = await service({ engine })

    const id = tasks.submit({ task_type: 'classification', input: 'a good day' }).task_id
    await settle()
    expect(await tasks.status(id)).toMatchObject({
      status: 'FAILED',
      error_reason: 'model_manifest_invalid',
      error_details: error.message,
    })
    expect(engine.loads.filter((s) => s.model === CLASSIFICATION.model)).toHaveLength(1)
    expect(engine.calls).toHaveLength(0)
    expect(await tasks.models()).toContainEqual(
      expect.objectContaining({
        model_name: CLASSIFICATION.model,
        is_ready: false,
        error: error.message,
      }),
    )
    // the other model is fine
    const other = tasks.submit({ task_type: 'embedding', input: 'fine' }).task_id
    await settle()
    expect(await statusOf(tasks, other)).toBe('COMPLETED')
  })

  it('marks tasks left unfinished by a previous run as interrupted', async () => {
    const dir = await tempDir()
    const store = await SqliteResultsStore.open(dir)
    const record = (n: number, status: TaskStatus): TaskRecord => ({
      task_id: `3333333${n}-2222-4333-8444-555555555555`,
      node_id: NODE,
      task_type: 'text_embedding',
      status,
      model: 'm',
      input_preview: 'x',
      timeout_seconds: 30,
      submitted_at: new Date(Date.now() - 60_000).toISOString(),
    })
    const [running, queued, done] = [
      record(1, 'RUNNING'),
      record(2, 'QUEUED'),
      record(3, 'COMPLETED'),
    ]
    await store.putMany([running, queued, done])
    await store.close()

    const startedAt = Date.now()
    const { tasks } = await service({ dir })
    for (const r of [running, queued])
      expect(await tasks.status(r.task_id)).toMatchObject({
        status: 'FAILED',
        error_reason: 'interrupted',
        error_details: 'the node stopped before the task finished',
        timestamp_completed: new Date(startedAt).toISOString(),
        expires_at: new Date(startedAt + 24 * 3600_000).toISOString(),
      })
    expect(await tasks.result(done.task_id)).toEqual(done)
  })

  it('reports progress while running and an estimate while queued', async () => {
    const { tasks, engine } = await service({ maxConcurrent: 1 })
    engine.behaviour = () => 'gate'
    // no call of the model yet: one is taken to last a second
    let at = timeline()
    const first = tasks.submit({ task_type: 'text_embedding', input: 'first' }).task_id
    const unknown = tasks.submit({ task_type: 'classification', input: 'meanwhile' }).task_id
    await settle()
    expect(await tasks.status(unknown)).toMatchObject({
      status: 'QUEUED',
      progress_percent: 0,
      estimated_completion_secs: 2, // behind the call in flight
    })
    await at(400)
    engine.releaseAll() // a call of this model takes 400 ms
    await settle()
    engine.releaseAll()
    await settle()

    at = timeline()
    const running = tasks.submit({ task_type: 'text_embedding', input: 'hold' }).task_id
    await settle()
    await at(100)
    const waiting = tasks.submit({ task_type: 'text_embedding', input: 'later' }).task_id
    expect(await tasks.status(running)).toMatchObject({
      status: 'RUNNING',
      progress_percent: 25,
      execution_time_so_far_ms: 100,
      estimated_completion_secs: 0.3,
    })
    expect(await tasks.status(waiting)).toMatchObject({
      status: 'QUEUED',
      progress_percent: 0,
      estimated_completion_secs: 0.8,
    })
    await at(1000)
    expect(await tasks.status(running)).toMatchObject({
      progress_percent: 95, // overdue: never 100 before it ends
      execution_time_so_far_ms: 1000,
      estimated_completion_secs: 0,
    })
    engine.releaseAll()
    await settle()
    engine.releaseAll()
    await settle()
    for (const id of [first, running, waiting])
      expect(await tasks.status(id)).toMatchObject({ status: 'COMPLETED', progress_percent: 100 })
  })

  it('lists the node tasks newest first with pagination', async () => {
    const { tasks, store } = await service()
    await store.put({
      task_id: 'another-node',
      node_id: 'a'.repeat(32),
      task_type: 'text_embedding',
      status: 'COMPLETED',
      model: 'm',
      input_preview: 'x',
      timeout_seconds: 30,
      submitted_at: new Date(Date.now() + 60_000).toISOString(),
    })
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push(tasks.submit({ task_type: 'classification', input: `text ${i}` }).task_id)
      await vi.advanceTimersByTimeAsync(5)
    }
    expect((await tasks.list({ limit: 2, offset: 1 })).map((t) => t.task_id)).toEqual([
      ids[3],
      ids[2],
    ])
    expect((await tasks.list()).map((t) => t.task_id)).toEqual([...ids].reverse())
    expect((await tasks.list()).map((t) => t.status)).toEqual(Array(5).fill('COMPLETED'))
  })

  it('writes records in groups while tasks keep coming, and at once when the engine goes idle', async () => {
    const { tasks, engine, store } = await service({
      maxConcurrent: 2,
      maxBatch: 2,
      writeIntervalMs: 1000,
    })
    const writes: Array<{ at: number; records: number }> = []
    const putMany = store.putMany.bind(store)
    vi.spyOn(store, 'putMany').mockImplementation(async (records) => {
      writes.push({ at: Date.now(), records: records.length })
      await putMany(records)
    })

    // idle: a lone task, and a refused one, are stored without waiting for the interval
    const lone = tasks.submit({ task_type: 'embedding', input: 'A lone task.' }).task_id
    await settle()
    expect((await store.get(lone))?.status).toBe('COMPLETED')
    const refused = tasks.submit({ task_type: 'embedding', input: '   ' }).task_id
    await settle()
    expect((await store.get(refused))?.status).toBe('FAILED')
    const lastWrite = writes.at(-1)?.at ?? NaN

    // busy for 3 s (a long call in flight) while 2 tasks come and complete every 100 ms
    engine.behaviour = (inputs) => (inputs.includes('hold') ? 'gate' : 'now')
    writes.length = 0
    const hold = tasks.submit({ task_type: 'embedding', input: 'hold' }).task_id
    const burst: string[] = []
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(100)
      burst.push(
        ...submitAll(tasks, [
          { task_type: 'embedding', input: `burst ${i}a` },
          { task_type: 'embedding', input: `burst ${i}b` },
        ]),
      )
    }
    await settle()
    expect(engine.batches).toHaveLength(1 + 1 + 30)
    expect(await statusOf(tasks, burst.at(-1) as string)).toBe('COMPLETED')
    // 61 tasks, 2 or 3 states each: a write a second, each with the latest state of the tasks
    // that changed since the one before (the long one and 9 pairs, then 10 pairs a second)
    expect(writes.map((w) => w.at - lastWrite)).toEqual([1000, 2000, 3000])
    expect(writes.map((w) => w.records)).toEqual([1 + 18, 20, 20])

    // idle again: the rest is written at once
    writes.length = 0
    const released = Date.now()
    engine.releaseAll()
    await settle()
    expect(writes).toHaveLength(1)
    expect(writes[0]?.at).toBeLessThanOrEqual(released + SETTLE_HOPS_MS)
    expect(writes[0]?.records).toBe(1 + 2) // the long task and the last pair
    expect((await store.get(hold))?.status).toBe('COMPLETED')
    for (const id of burst) expect((await store.get(id))?.status).toBe('COMPLETED')
  })

  it('removes expired results every maintenanceMs', async () => {
    const at = timeline()
    // results kept 36 s, looked at every 10 s
    const { tasks, store } = await service({ resultExpiryHours: 0.01, maintenanceMs: 10_000 })
    const deleteExpired = vi.spyOn(store, 'deleteExpired')
    const old = tasks.submit({ task_type: 'embedding', input: 'old' }).task_id
    await settle()
    await at(25_000)
    const fresh = tasks.submit({ task_type: 'embedding', input: 'fresh' }).task_id
    await settle()
    expect(deleteExpired).toHaveBeenCalledTimes(2)

    await at(39_999)
    expect(deleteExpired).toHaveBeenCalledTimes(3)
    expect((await store.get(old))?.status).toBe('COMPLETED')
    await at(40_000)
    expect(deleteExpired).toHaveBeenCalledTimes(4)
    expect(await store.get(old)).toBeUndefined()
    expect(await tasks.result(old)).toBeUndefined()
    expect(await tasks.status(old)).toBeUndefined()
    expect((await store.get(fresh))?.status).toBe('COMPLETED')
  })

  describe('start and stop', () => {
    it('takes no tasks before start or after stop', async () => {
      const { tasks, engine } = await create()
      const notRunning = expect.objectContaining({
        name: 'TaskRequestError',
        code: 'tasks_not_running',
      })
      expect(() => tasks.submit({ task_type: 'embedding', input: 'early' })).toThrow(notRunning)
      await tasks.start()
      tasks.submit({ task_type: 'embedding', input: 'in time' })
      await settle()
      await tasks.stop()
      expect(() => tasks.submit({ task_type: 'embedding', input: 'late' })).toThrow(notRunning)
      await expect(tasks.list()).rejects.toThrow(notRunning)
      expect(engine.batches).toEqual([['in time']])
    })

    it('fails queued tasks as node_shutting_down, writes what is pending, then closes the store', async () => {
      const { tasks, engine, store, dir } = await service({
        maxConcurrent: 1,
        writeIntervalMs: 60_000,
      })
      engine.behaviour = () => 'hang'
      const busy = tasks.submit({ task_type: 'embedding', input: 'busy' }).task_id
      await settle()
      const queued = submitAll(tasks, [
        { task_type: 'embedding', input: 'waiting 1' },
        { task_type: 'classification', input: 'waiting 2' },
      ])
      await settle()
      expect(engine.batches).toEqual([['busy']])
      const putMany = vi.spyOn(store, 'putMany')
      const close = vi.spyOn(store, 'close')

      await within(tasks.stop(), 'stop()')
      // the last states went in one write, before the store closed
      expect(putMany).toHaveBeenCalledTimes(1)
      expect(close).toHaveBeenCalledTimes(1)
      expect(putMany.mock.invocationCallOrder[0]).toBeLessThan(
        close.mock.invocationCallOrder[0] as number,
      )

      const reopened = await SqliteResultsStore.open(dir)
      try {
        for (const id of queued)
          expect(await reopened.get(id)).toMatchObject({
            status: 'FAILED',
            error_reason: 'node_shutting_down',
          })
        // the call in flight was ended by the engine's stop
        expect((await reopened.get(busy))?.status).toBe('FAILED')
      } finally {
        await reopened.close()
      }
      expect(engine.batches).toEqual([['busy']])
    })

    it('waits about a second, no more, for a call that outlives the engine', async () => {
      const { tasks, engine, dir } = await service()
      engine.behaviour = () => 'never'
      const stuck = tasks.submit({ task_type: 'embedding', input: 'uninterruptible' }).task_id
      await settle()
      let stopped = false
      const at = timeline()
      const stopping = tasks.stop().then(() => {
        stopped = true
      })
      await at(SETTLE_MS - 1)
      expect(stopped).toBe(false)
      await at(SETTLE_MS)
      expect(stopped).toBe(true)
      await stopping
      expect(engine.pending).toHaveLength(1)

      // the task was abandoned RUNNING; the next run finds it interrupted
      const next = await service({ dir })
      expect(await next.tasks.status(stuck)).toMatchObject({
        status: 'FAILED',
        error_reason: 'interrupted',
      })
    })
  })

  describe('warm-up (loading the embedding model and measuring its speed)', () => {
    function capabilityEvents(tasks: TaskService): Array<{ eps: number; measuring?: boolean }> {
      const seen: Array<{ eps: number; measuring?: boolean }> = []
      tasks.addEventListener('capabilities', (evt) => {
        seen.push({ eps: evt.detail.embeddings_per_sec, measuring: evt.detail.measuring })
      })
      return seen
    }

    it('by default, warms up at start: the model loads and its speed is announced', async () => {
      const { tasks, engine } = await create()
      const seen = capabilityEvents(tasks)
      await tasks.start()
      await settle()
      expect(engine.loads.map((l) => l.model)).toEqual([EMBEDDING.model])
      expect(seen).toEqual([
        { eps: 0, measuring: true },
        { eps: 250, measuring: false },
      ])
      expect(tasks.capabilities()).toMatchObject({ embeddings_per_sec: 250, measuring: false })
    })

    it('waits for warmUp to say so: "measuring" meanwhile, nothing loaded', async () => {
      let go: (now: boolean) => void = () => {}
      const { tasks, engine } = await create({
        warmUp: async () => new Promise<boolean>((resolve) => (go = resolve)),
      })
      const seen = capabilityEvents(tasks)
      await tasks.start()
      await vi.advanceTimersByTimeAsync(60_000)
      expect(engine.loads).toEqual([])
      expect(tasks.capabilities()).toMatchObject({ embeddings_per_sec: 0, measuring: true })
      go(true)
      await settle()
      expect(engine.loads.map((l) => l.model)).toEqual([EMBEDDING.model])
      expect(seen.at(-1)).toEqual({ eps: 250, measuring: false })
    })

    it('on demand: no warm-up; the first task loads the model, and the speed stays unmeasured', async () => {
      const { tasks, engine } = await create({ warmUp: async () => false })
      await tasks.start()
      await settle()
      expect(engine.loads).toEqual([])
      expect(tasks.capabilities()).toMatchObject({ embeddings_per_sec: 0, measuring: false })
      const id = tasks.submit({ task_type: 'embedding', input: 'first' }).task_id
      await settle()
      expect(engine.loads.map((l) => l.model)).toEqual([EMBEDDING.model])
      expect(await statusOf(tasks, id)).toBe('COMPLETED')
    })

    it('a stop before the warm-up ends it: nothing is loaded after the stop', async () => {
      let signalSeen: AbortSignal | undefined
      const { tasks, engine } = await create({
        warmUp: async (signal) => {
          signalSeen = signal
          return new Promise<boolean>(() => {})
        },
      })
      await tasks.start()
      await within(tasks.stop(), 'stop')
      expect(signalSeen?.aborted).toBe(true)
      expect(engine.loads).toEqual([])
    })
  })
})
