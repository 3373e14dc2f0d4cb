import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { MemorySpanStore } from '../../src/obs/memory-spans.js'
import { SqliteSpanStore } from '../../src/store/sqlite-spans.js'
import { runSpanStoreTests, span } from './spans-suite.js'
import { tempDirs } from './temp-dirs.js'

const freshDir = tempDirs('p2p-spans-')

runSpanStoreTests('MemorySpanStore', async () => new MemorySpanStore())
runSpanStoreTests('SqliteSpanStore', async () =>
  SqliteSpanStore.open(join(await freshDir(), 'data')),
)

describe('SqliteSpanStore on disk', () => {
  it('keeps spans across a reopen', async () => {
    const dir = await freshDir()
    const first = await SqliteSpanStore.open(dir)
    await first.put([span('t1', 'a', 1)])
    await first.close()
    const again = await SqliteSpanStore.open(dir)
    expect(await again.byTask('t1')).toEqual([span('t1', 'a', 1)])
    await again.close()
  })
})

describe('SqliteSpanStore, a version 1 database (a row per span)', () => {
  it('is converted on open: its spans read back, and new ones join them', async () => {
    const dir = await freshDir()
    const old = new DatabaseSync(join(dir, 'spans.db'))
    old.exec(`CREATE TABLE spans (
        task_id TEXT NOT NULL, span_id TEXT NOT NULL, end_ms REAL NOT NULL, span TEXT NOT NULL,
        PRIMARY KEY (task_id, span_id)) WITHOUT ROWID;
      CREATE INDEX by_end ON spans (end_ms);
      PRAGMA user_version = 1;`)
    const insert = old.prepare('INSERT INTO spans VALUES (?, ?, ?, ?)')
    for (const s of [span('t1', 'a', 10), span('t1', 'b', 20)])
      insert.run(s.task_id, s.span_id, s.end_ms, JSON.stringify(s))
    old.close()
    const store = await SqliteSpanStore.open(dir)
    await store.put([span('t1', 'c', 30)])
    expect(await store.byTask('t1')).toEqual([
      span('t1', 'a', 10),
      span('t1', 'b', 20),
      span('t1', 'c', 30),
    ])
    expect(await store.purge(26)).toBe(2)
    await store.close()
  })
})
