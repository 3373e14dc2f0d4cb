/** The load a node announces follows its task engine: queue, calls in flight, models, served. */
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineLoad } from '../../src/core/tasks.js'
import { LoadAnnouncer } from '../../src/compute/load-announcer.js'
import type { TaskExecutor } from '../../src/compute/executor.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import { silentLogger } from '../../src/obs/logger.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import { TaskService } from '../../src/tasks/task-service.js'
import { tempDirs } from '../store/temp-dirs.js'
import { FakeEngine } from '../tasks/fake-engine.js'

const tempDir = tempDirs('p2p-ai-load-')
const stops: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

describe('load announcer', () => {
  it('announces queue depth, calls in flight, ready models with hashes, and only on change', async () => {
    const engine = new FakeEngine()
    engine.modelHash = 'ab'.repeat(32)
    const dir = await tempDir()
    const tasks = new TaskService({
      nodeId: 'e'.repeat(32),
      engine,
      runtime: { source: { allowRemote: false }, preferWebGpu: false },
      openStore: async () => SqliteResultsStore.open(dir),
      models: DEFAULT_CONFIG.models,
      maxConcurrent: 1,
      maxBatch: 4,
      maxStoredResults: 1000,
      resultExpiryHours: 24,
      log: silentLogger,
    })
    await tasks.start()
    stops.push(async () => tasks.stop())
    const announced: EngineLoad[] = []
    // the executor's served count is all the announcer reads of it
    const executor = { stats: { served: 3 } } as unknown as TaskExecutor
    const announcer = new LoadAnnouncer({
      tasks,
      executor,
      serving: true,
      announce: (load) => announced.push(load),
    })
    await announcer.start()
    stops.push(() => {
      announcer.stop()
    })
    await expect.poll(() => JSON.stringify(announced.at(-1))).toContain('hash')
    expect(announced.at(-1)).toEqual({
      models: [
        { model: DEFAULT_CONFIG.models.text_embedding.model, dtype: 'q8', hash: 'ab'.repeat(32) },
      ],
      queue_depth: 0,
      calls_in_flight: 0,
      est_wait_ms: 0,
      tasks_served: 3,
      serving: true,
    })
    engine.behaviour = () => 'gate'
    for (let i = 0; i < 6; i++) tasks.submit({ task_type: 'embedding', input: `t${i}` })
    await expect.poll(() => announced.at(-1)?.calls_in_flight).toBe(1)
    expect(announced.at(-1)?.queue_depth).toBe(2) // 6 submitted, a call of 4 running
    const count = announced.length
    // nothing changed: nothing announced
    announcer['onChange']()
    expect(announced.length).toBe(count)
    engine.releaseAll()
    await expect.poll(() => announced.at(-1)?.queue_depth, { timeout: 3000 }).toBe(0)
    engine.releaseAll()
    // the end of the last call changes no task: the next read (every second) tells
    await expect.poll(() => announced.at(-1)?.calls_in_flight, { timeout: 3000 }).toBe(0)
  })
})
