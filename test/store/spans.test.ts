import { join } from 'node:path'
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
