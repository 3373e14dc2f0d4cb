import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { InferenceEngine, ItemResult, ModelSpec } from '../../src/ai/engine.js'
import { LocalEngine } from '../../src/ai/local-engine.js'
import { createRuntime } from '../../src/ai/runtime.js'
import { nodePlatform } from '../../src/ai/runtime-node.js'
import type { EmbeddingOutput, TaskStatusReport } from '../../src/core/tasks.js'
import { silentLogger } from '../../src/obs/logger.js'
import { defaultModelsDir } from '../../src/platform/node/models-dir.js'
import { FileResultsStore } from '../../src/store/file-results.js'
import type { TaskServiceOptions } from '../../src/tasks/task-service.js'
import { TaskService } from '../../src/tasks/task-service.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'

const NODE = 'f'.repeat(32)
let modelsDir: string
let dirs: string[] = []
let services: TaskService[] = []

beforeAll(() => {
  const dir = defaultModelsDir()
  if (dir == null)
    throw new Error('the offline models (../shared/models) are needed for these tests')
  modelsDir = dir
})

afterEach(async () => {
  await Promise.all(services.map(async (s) => s.stop()))
  await Promise.all(dirs.map(async (d) => rm(d, { recursive: true, force: true })))
  services = []
  dirs = []
})

/** A real engine, watched: every inference call's batch, and how many ran at once. */
class WatchedEngine extends LocalEngine {
  readonly batches: string[][] = []
  concurrent = 0
  maxConcurrent = 0
  restarts = 0
  /** inputs equal to this never return (until a restart) */
  hangOn?: string
  private hung: Array<(err: Error) => void> = []

  constructor() {
    super(() => createRuntime(nodePlatform()))
  }

  override async run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> {
    this.batches.push(inputs)
    this.concurrent++
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent)
    try {
      if (this.hangOn != null && inputs.includes(this.hangOn)) {
        return await new Promise<ItemResult[]>((_resolve, reject) => this.hung.push(reject))
      }
      return await super.run(spec, inputs)
    } finally {
      this.concurrent--
    }
  }

  override async restart(): Promise<void> {
    this.restarts++
    for (const fail of this.hung.splice(0)) fail(new Error('restarted'))
    await super.restart()
  }
}

async function service(
  over: Partial<TaskServiceOptions> & { engine?: InferenceEngine; dir?: string } = {},
): Promise<{ tasks: TaskService; engine: WatchedEngine; dir: string }> {
  const dir = over.dir ?? (await mkdtemp(join(tmpdir(), 'p2p-ai-tasks-')))
  if (over.dir == null) dirs.push(dir)
  const engine = (over.engine as WatchedEngine | undefined) ?? new WatchedEngine()
  const tasks = new TaskService({
    nodeId: NODE,
    engine,
    runtime: { source: { localPath: modelsDir, allowRemote: false }, preferWebGpu: false },
    openStore: async () => FileResultsStore.open(dir),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: 4,
    maxBatch: 32,
    maxStoredResults: 10_000,
    resultExpiryHours: 24,
    log: silentLogger,
    ...over,
  })
  await tasks.start()
  services.push(tasks)
  return { tasks, engine, dir }
}

async function finished(
  tasks: TaskService,
  id: string,
  timeout = 20_000,
): Promise<TaskStatusReport> {
  await expect
    .poll(async () => (await tasks.status(id))?.status, { timeout })
    .toMatch(/COMPLETED|FAILED|TIMEOUT/)
  return (await tasks.status(id)) as TaskStatusReport
}

describe('task engine', () => {
  it('queues at once, then runs: QUEUED → RUNNING → COMPLETED, stored with its output', async () => {
    const { tasks } = await service()
    const seen: string[] = []
    tasks.addEventListener('task:update', (evt) => seen.push(evt.detail.status))
    const queued = tasks.submit({ task_type: 'embedding', input: 'A man is eating food.' })
    expect(queued.status).toBe('QUEUED')
    expect(queued.task_id).toMatch(/^[0-9a-f-]{36}$/)
    const done = await finished(tasks, queued.task_id)
    expect(done.status).toBe('COMPLETED')
    expect((done.output_data as EmbeddingOutput).dimensions).toBe(512)
    expect(done.execution_time_ms).toBeGreaterThan(0)
    expect(done.result_preview?.length).toBeLessThanOrEqual(100)
    expect(Date.parse(done.expires_at ?? '') - Date.parse(done.timestamp_completed ?? '')).toBe(
      24 * 3600_000,
    )
    expect(seen).toEqual(['QUEUED', 'RUNNING', 'COMPLETED'])
    expect(await tasks.result(queued.task_id)).toMatchObject({
      status: 'COMPLETED',
      node_id: NODE,
      task_type: 'text_embedding',
    })
  })

  it('batches tasks of one model submitted together into one inference call', async () => {
    const { tasks, engine } = await service()
    const ids = Array.from(
      { length: 10 },
      (_, i) => tasks.submit({ task_type: 'text_embedding', input: `sentence ${i}` }).task_id,
    )
    for (const id of ids) expect((await finished(tasks, id)).status).toBe('COMPLETED')
    expect(engine.batches.filter((b) => b.some((x) => x.startsWith('sentence')))).toHaveLength(1)
    expect(tasks.stats()).toEqual({
      completed: 10,
      failed: 0,
      timed_out: 0,
      inference_calls: engine.batches.length,
      inference_inputs: engine.batches.flat().length,
      inference_ms: expect.any(Number),
    })
  })

  it('caps calls at max_batch_size tasks and max_concurrent_tasks calls in flight', async () => {
    const { tasks, engine } = await service({ maxBatch: 8, maxConcurrent: 2 })
    const ids = Array.from(
      { length: 40 },
      (_, i) => tasks.submit({ task_type: 'text_embedding', input: `item ${i}` }).task_id,
    )
    for (const id of ids) expect((await finished(tasks, id)).status).toBe('COMPLETED')
    const mine = engine.batches.filter((b) => b.some((x) => x.startsWith('item')))
    expect(mine.every((b) => b.length <= 8)).toBe(true)
    expect(mine.flat().sort()).toEqual(ids.map((_, i) => `item ${i}`).sort())
    expect(engine.maxConcurrent).toBeLessThanOrEqual(2)
  })

  it('fails inputs the model cannot take, with the reason, and runs nothing for them', async () => {
    const { tasks, engine } = await service()
    const empty = tasks.submit({ task_type: 'text_embedding', input: '   ' })
    expect(empty).toMatchObject({ status: 'FAILED', error_reason: 'input_empty' })
    const notText = tasks.submit({ task_type: 'classification', input: 42 })
    expect(notText).toMatchObject({ status: 'FAILED', error_reason: 'invalid_input_type' })
    const tooLong = tasks.submit({ task_type: 'text_embedding', input: 'word '.repeat(400) })
    expect(await finished(tasks, tooLong.task_id)).toMatchObject({
      status: 'FAILED',
      error_reason: 'input_exceeds_max_length',
    })
    expect(engine.batches.flat()).not.toContain('   ')
    expect(await tasks.result(empty.task_id)).toMatchObject({
      status: 'FAILED',
      error_reason: 'input_empty',
    })
    expect(tasks.stats()).toMatchObject({ completed: 0, failed: 3, timed_out: 0 })
  })

  it('refuses requests that cannot be tasks at all', async () => {
    const { tasks } = await service()
    expect(() => tasks.submit({ task_type: 'translation', input: 'x' })).toThrow(
      expect.objectContaining({ name: 'TaskRequestError', code: 'unknown_task_type' }),
    )
    expect(() => tasks.submit({ task_type: 'embedding', input: 'x', timeout_seconds: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_timeout' }),
    )
    expect(() => tasks.submit({ task_type: 'embedding', input: 'x', task_id: 'nope' })).toThrow(
      expect.objectContaining({ code: 'invalid_task_id' }),
    )
    const id = '11111111-2222-4333-8444-555555555555'
    tasks.submit({ task_type: 'embedding', input: 'x', task_id: id })
    expect(() => tasks.submit({ task_type: 'embedding', input: 'y', task_id: id })).toThrow(
      expect.objectContaining({ code: 'duplicate_task_id' }),
    )
  })

  it('times out a task with no partial result, and later tasks still complete', async () => {
    const { tasks } = await service()
    const slow = tasks.submit({
      task_type: 'text_embedding',
      input: 'in a hurry',
      timeout_seconds: 0.001,
    })
    const report = await finished(tasks, slow.task_id)
    expect(report).toMatchObject({ status: 'TIMEOUT', error_reason: 'timeout' })
    expect(report.output_data).toBeUndefined()
    const later = tasks.submit({ task_type: 'text_embedding', input: 'after the timeout' })
    expect((await finished(tasks, later.task_id)).status).toBe('COMPLETED')
  })

  it('restarts a worker stuck on a call, and the other tasks of that call run again', async () => {
    const engine = new WatchedEngine()
    engine.hangOn = 'stuck forever'
    const { tasks } = await service({ engine, stuckGraceMs: 100 })
    const warm = tasks.submit({ task_type: 'text_embedding', input: 'warm up' })
    await finished(tasks, warm.task_id)
    const stuck = tasks.submit({
      task_type: 'text_embedding',
      input: 'stuck forever',
      timeout_seconds: 0.3,
    })
    const fellow = tasks.submit({
      task_type: 'text_embedding',
      input: 'innocent bystander',
      timeout_seconds: 20,
    })
    expect((await finished(tasks, stuck.task_id)).status).toBe('TIMEOUT')
    engine.hangOn = undefined // the fresh worker is fine
    expect((await finished(tasks, fellow.task_id)).status).toBe('COMPLETED')
    expect(engine.restarts).toBe(1)
  })

  it('marks tasks left unfinished by a previous run as interrupted', async () => {
    const first = await service()
    // a task recorded as queued, then the node went away before it ran
    await first.tasks.stop()
    services = []
    const store = await FileResultsStore.open(first.dir)
    await store.put({
      task_id: '33333333-2222-4333-8444-555555555555',
      node_id: NODE,
      task_type: 'text_embedding',
      status: 'RUNNING',
      model: 'm',
      input_preview: 'x',
      timeout_seconds: 30,
      submitted_at: new Date().toISOString(),
    })
    await store.close()
    const second = await service({ dir: first.dir })
    expect(await second.tasks.status('33333333-2222-4333-8444-555555555555')).toMatchObject({
      status: 'FAILED',
      error_reason: 'interrupted',
    })
  })

  it('reports progress while running and an estimate while queued', async () => {
    const engine = new WatchedEngine()
    engine.hangOn = 'hold'
    const { tasks } = await service({ engine, maxConcurrent: 1, stuckGraceMs: 60_000 })
    const running = tasks.submit({
      task_type: 'text_embedding',
      input: 'hold',
      timeout_seconds: 60,
    })
    await expect.poll(async () => (await tasks.status(running.task_id))?.status).toBe('RUNNING')
    const waiting = tasks.submit({ task_type: 'classification', input: 'later' })
    const r = await tasks.status(running.task_id)
    expect(r?.execution_time_so_far_ms).toBeGreaterThanOrEqual(0)
    expect(r?.progress_percent).toBeGreaterThanOrEqual(0)
    expect(r?.progress_percent).toBeLessThanOrEqual(95)
    const q = await tasks.status(waiting.task_id)
    expect(q).toMatchObject({ status: 'QUEUED', progress_percent: 0 })
    expect(q?.estimated_completion_secs).toBeGreaterThan(0)
    await engine.restart()
  })

  it('lists the node tasks newest first with pagination', async () => {
    const { tasks } = await service()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push(tasks.submit({ task_type: 'classification', input: `text ${i}` }).task_id)
      await new Promise((r) => setTimeout(r, 5))
    }
    for (const id of ids) await finished(tasks, id)
    expect((await tasks.list({ limit: 2, offset: 1 })).map((t) => t.task_id)).toEqual([
      ids[3],
      ids[2],
    ])
  })

  it('writes records in groups while tasks keep coming, and at once when the engine goes idle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-ai-tasks-'))
    dirs.push(dir)
    const store = await FileResultsStore.open(dir)
    const writes: number[] = []
    const putMany = store.putMany.bind(store)
    store.putMany = async (records) => {
      writes.push(records.length)
      await putMany(records)
    }
    // an interval no test waits out: every write seen here is a group or an idle flush
    const { tasks } = await service({ openStore: async () => store, dir, writeIntervalMs: 60_000 })
    const stored = async (id: string): Promise<string | undefined> => (await store.get(id))?.status

    const lone = tasks.submit({ task_type: 'embedding', input: 'A lone task.' }).task_id
    await expect.poll(async () => stored(lone), { timeout: 20_000 }).toBe('COMPLETED')
    const refused = tasks.submit({ task_type: 'embedding', input: '   ' }).task_id
    await expect.poll(async () => stored(refused), { timeout: 5000 }).toBe('FAILED')

    writes.length = 0
    const burst = Array.from(
      { length: 64 },
      (_, i) => tasks.submit({ task_type: 'embedding', input: `burst ${i}` }).task_id,
    )
    for (const id of burst)
      await expect.poll(async () => stored(id), { timeout: 20_000 }).toBe('COMPLETED')
    // the QUEUED states at most once, then every final state in one write
    expect(writes.length).toBeLessThanOrEqual(2)
    expect(writes.at(-1)).toBe(64)
  })
})
