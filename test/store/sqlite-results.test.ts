import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileResultsStore } from '../../src/store/file-results.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import type { ResultsStore } from '../../src/store/results-store.js'
import { rec, runResultsStoreTests } from './results-suite.js'
import { tempDirs } from './temp-dirs.js'

const freshDir = tempDirs('p2p-sqlite-results-')

runResultsStoreTests(
  'SqliteResultsStore',
  async () => SqliteResultsStore.open(join(await freshDir(), 'data')),
  {
    reopen: async (store: ResultsStore) => {
      await store.close()
      return SqliteResultsStore.open((store as SqliteResultsStore).location)
    },
  },
)

describe('SqliteResultsStore on disk', () => {
  it('imports the result files of earlier versions once, then removes their folder', async () => {
    const dir = await freshDir()
    const files = await FileResultsStore.open(dir)
    const old = Array.from({ length: 1500 }, (_, i) => rec(`old-${String(i).padStart(4, '0')}`, i))
    await files.putMany(old)
    await files.close()

    const store = await SqliteResultsStore.open(dir)
    expect(await store.count()).toBe(1500)
    expect(await store.get('old-0042')).toStrictEqual(old[42])
    expect((await store.list({ limit: 2 })).map((r) => r.task_id)).toEqual(['old-1499', 'old-1498'])
    expect(await readdir(dir)).not.toContain('results')
    await store.put(rec('new', 5000))
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
