import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { TaskRecord } from '../../src/core/tasks.js'
import { TaskStatus, TaskType } from '../../src/core/tasks.js'
import { FileResultsStore } from '../../src/store/file-results.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import type { ResultsStore } from '../../src/store/results-store.js'
import { runResultsStoreTests } from './results-suite.js'

/** temp directories of the current test, removed after it */
const dirs: string[] = []

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-sqlite-results-'))
  dirs.push(dir)
  return dir
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

runResultsStoreTests(
  'SqliteResultsStore',
  async () => SqliteResultsStore.open(join(await freshDir(), 'data')),
  async (store: ResultsStore) => {
    await store.close()
    return SqliteResultsStore.open((store as SqliteResultsStore).location)
  },
)

function record(task_id: string, seconds: number): TaskRecord {
  return {
    task_id,
    node_id: 'node-a',
    task_type: TaskType.TEXT_EMBEDDING,
    status: TaskStatus.COMPLETED,
    model: 'm',
    input_preview: task_id,
    timeout_seconds: 30,
    submitted_at: new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString(),
  }
}

describe('SqliteResultsStore on disk', () => {
  it('imports the result files of earlier versions once, then removes their folder', async () => {
    const dir = await freshDir()
    const files = await FileResultsStore.open(dir)
    const old = Array.from({ length: 1500 }, (_, i) =>
      record(`old-${String(i).padStart(4, '0')}`, i),
    )
    await files.putMany(old)
    await files.close()

    const store = await SqliteResultsStore.open(dir)
    expect(await store.count()).toBe(1500)
    expect(await store.get('old-0042')).toStrictEqual(old[42])
    expect((await store.list({ limit: 2 })).map((r) => r.task_id)).toEqual(['old-1499', 'old-1498'])
    expect(await readdir(dir)).not.toContain('results')
    await store.put(record('new', 5000))
    await store.close()

    const again = await SqliteResultsStore.open(dir)
    expect(await again.count()).toBe(1501)
    await again.close()
  })

  it('refuses a database of a newer schema, and leaves it as it is', async () => {
    const dir = await freshDir()
    const { DatabaseSync } = await import('node:sqlite')
    const db = new DatabaseSync(join(dir, 'results.db'))
    db.exec('PRAGMA user_version = 99')
    db.close()
    await expect(SqliteResultsStore.open(dir)).rejects.toThrow(/schema version 99/)
  })
})
