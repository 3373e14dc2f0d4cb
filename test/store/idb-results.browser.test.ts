/**
 * IdbResultsStore in a real Chromium: the shared ResultsStore acceptance suite (reopen = close,
 * then open the same database: a page reload), plus the database layout.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { IdbResultsStore } from '../../src/store/idb-results.js'
import { runResultsStoreTests } from './results-suite.js'
import { deleteDatabase, tempDatabases } from './temp-idb.js'

const freshName = tempDatabases('p2p-test-results-')

runResultsStoreTests('IdbResultsStore', () => IdbResultsStore.open(freshName('suite')), {
  reopen: async (store) => {
    await store.close()
    return IdbResultsStore.open((store as IdbResultsStore).name)
  },
})

describe('IdbResultsStore in Chromium', () => {
  const open: IdbResultsStore[] = []

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close()
  })

  it('opens its own database, version 1, with one keyed store and three indexes', async () => {
    const name = freshName('layout')
    const store = await IdbResultsStore.open(name)
    open.push(store)
    expect(store.kind).toBe('indexeddb')
    expect(store.location).toBe(`indexeddb:${name}`)
    expect(await indexedDB.databases()).toContainEqual({ name, version: 1 })
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error ?? new Error('open failed'))
    })
    try {
      expect([...raw.objectStoreNames]).toEqual(['results'])
      const results = raw.transaction('results').objectStore('results')
      expect(results.keyPath).toBe('task_id')
      expect([...results.indexNames].sort()).toEqual(['by_expires', 'by_node', 'by_submitted'])
      expect(results.index('by_node').keyPath).toEqual(['node_id', 'submitted_ms', 'task_id'])
      expect(results.index('by_submitted').keyPath).toEqual(['submitted_ms', 'task_id'])
      expect(results.index('by_expires').keyPath).toBe('expires_ms')
    } finally {
      raw.close()
    }
  })

  it('gives way to a deleteDatabase from elsewhere instead of blocking it', async () => {
    const name = freshName('blocking')
    const store = await IdbResultsStore.open(name)
    open.push(store)
    await store.put({
      task_id: 't',
      node_id: 'n',
      task_type: 'classification',
      status: 'COMPLETED',
      model: 'm',
      input_preview: '',
      timeout_seconds: 30,
      submitted_at: new Date().toISOString(),
    })
    await deleteDatabase(name)
    const again = await IdbResultsStore.open(name)
    open.push(again)
    expect(await again.count()).toBe(0)
  })
})
