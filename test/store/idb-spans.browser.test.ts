import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { IdbSpanStore } from '../../src/store/idb-spans.js'
import { runSpanStoreTests, span } from './spans-suite.js'

let n = 0
runSpanStoreTests('IdbSpanStore', async () => IdbSpanStore.open(`spans-test-${Date.now()}-${n++}`))

describe('IdbSpanStore, a version 1 database (a record per span)', () => {
  it('is converted on open: its spans read back, and new ones join them', async () => {
    const name = `spans-v1-${Date.now()}`
    const old = await openDB(name, 1, {
      upgrade(database) {
        const store = database.createObjectStore('spans', { keyPath: ['task_id', 'span_id'] })
        store.createIndex('by_end', 'end_ms')
      },
    })
    await old.put('spans', span('t1', 'a', 10))
    await old.put('spans', span('t1', 'b', 20))
    old.close()
    const store = await IdbSpanStore.open(name)
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
