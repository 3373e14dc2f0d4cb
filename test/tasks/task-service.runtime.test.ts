/**
 * The task engine end to end over the real runtime (transformers.js in this thread, the offline
 * models of ../shared/models): what only real models and a real tokenizer can show. Everything
 * else about the engine is in task-service.test.ts, over a fake engine and fake timers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalEngine } from '../../src/ai/local-engine.js'
import { createRuntime } from '../../src/ai/runtime.js'
import { nodePlatform } from '../../src/ai/runtime-node.js'
import type {
  ClassificationOutput,
  EmbeddingOutput,
  TaskRequest,
  TaskStatusReport,
} from '../../src/core/tasks.js'
import { FINAL_STATUSES } from '../../src/core/tasks.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import { silentLogger } from '../../src/obs/logger.js'
import { defaultModelsDir } from '../../src/platform/node/models-dir.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import { TaskService } from '../../src/tasks/task-service.js'
import { tempDirs } from '../store/temp-dirs.js'

const tempDir = tempDirs('p2p-ai-tasks-runtime-')
let tasks: TaskService

beforeAll(async () => {
  const modelsDir = defaultModelsDir()
  if (modelsDir == null)
    throw new Error('the offline models (../shared/models) are needed for these tests')
  const dir = await tempDir()
  tasks = new TaskService({
    nodeId: 'f'.repeat(32),
    engine: new LocalEngine(() => createRuntime(nodePlatform())),
    runtime: { source: { localPath: modelsDir, allowRemote: false }, preferWebGpu: false },
    openStore: async () => SqliteResultsStore.open(dir),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: 4,
    maxBatch: 32,
    maxStoredResults: 10_000,
    resultExpiryHours: 24,
    log: silentLogger,
  })
  await tasks.start()
})

afterAll(async () => {
  await tasks.stop()
})

/** Submits the requests together and resolves with their final reports. */
async function run(...requests: TaskRequest[]): Promise<TaskStatusReport[]> {
  const pending = new Map<string, (r: TaskStatusReport) => void>()
  const done: Array<Promise<TaskStatusReport>> = []
  const onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
    if (FINAL_STATUSES.includes(evt.detail.status)) pending.get(evt.detail.task_id)?.(evt.detail)
  }
  tasks.addEventListener('task:update', onUpdate)
  try {
    for (const request of requests) {
      const record = tasks.submit(request)
      if (FINAL_STATUSES.includes(record.status)) {
        done.push(Promise.resolve({ ...record, progress_percent: 0 }))
      } else {
        done.push(new Promise((resolve) => pending.set(record.task_id, resolve)))
      }
    }
    return await Promise.all(done)
  } finally {
    tasks.removeEventListener('task:update', onUpdate)
  }
}

describe('task engine over the real runtime', () => {
  it('computes a 512-value unit-length embedding, and stores it', async () => {
    const [done] = await run({ task_type: 'embedding', input: 'A man is eating food.' })
    expect(done).toMatchObject({ status: 'COMPLETED', task_type: 'text_embedding' })
    const output = done?.output_data as EmbeddingOutput
    expect(output.dimensions).toBe(512)
    expect(output.embedding).toHaveLength(512)
    expect(Math.hypot(...output.embedding)).toBeCloseTo(1, 3)
    expect(done?.execution_time_ms).toBeGreaterThan(0)
    expect((await tasks.list({ limit: 1 }))[0]).toMatchObject({
      task_id: done?.task_id,
      status: 'COMPLETED',
      output_data: output,
    })
  })

  it('classifies sentiment with a label and its scores', async () => {
    const [good, bad] = await run(
      { task_type: 'classification', input: 'I love this, it is wonderful and works great.' },
      { task_type: 'classification', input: 'This is awful, I hate it and it is broken.' },
    )
    for (const report of [good, bad]) {
      const output = report?.output_data as ClassificationOutput
      expect(report?.status).toBe('COMPLETED')
      expect(output.scores.map((s) => s.label).sort()).toEqual(['NEGATIVE', 'POSITIVE'])
      expect(output.score).toBe(output.scores[0]?.score)
    }
    expect((good?.output_data as ClassificationOutput).label).toBe('POSITIVE')
    expect((bad?.output_data as ClassificationOutput).label).toBe('NEGATIVE')
  })

  it('refuses an input longer than the tokenizer takes, and runs the rest of its batch', async () => {
    const [tooLong, fine] = await run(
      { task_type: 'text_embedding', input: 'word '.repeat(400) },
      { task_type: 'text_embedding', input: 'a short sentence' },
    )
    expect(tooLong).toMatchObject({ status: 'FAILED', error_reason: 'input_exceeds_max_length' })
    expect(tooLong?.output_data).toBeUndefined()
    expect(fine?.status).toBe('COMPLETED')
  })
})
