/**
 * IdbStorage in a real Chromium: the shared StorageAdapter acceptance suite (openSame = open the
 * same database again: a page reload or a second tab), plus what only IndexedDB has (databases
 * by name, a fixed set of object stores).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { IdbStorage, STORES } from '../../src/store/idb-storage.js'
import { Namespaces } from '../../src/store/storage.js'
import { runStorageAdapterTests } from './storage-suite.js'
import { tempDatabases } from './temp-idb.js'

const freshName = tempDatabases('p2p-test-storage-')

runStorageAdapterTests('IdbStorage', async () => IdbStorage.open(freshName('suite')), {
  // a reloaded page, or a second tab: open the same database again
  openSame: async (store) => IdbStorage.open(store.location.replace(/^indexeddb:/, '')),
})

describe('IdbStorage in Chromium', () => {
  const open: IdbStorage[] = []

  async function openTracked(name: string): Promise<IdbStorage> {
    const s = await IdbStorage.open(name)
    open.push(s)
    return s
  }

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close()
  })

  it('reports kind "indexeddb" and its database as location', async () => {
    const name = freshName('describe')
    const s = await openTracked(name)
    expect(s.kind).toBe('indexeddb')
    expect(s.location).toBe(`indexeddb:${name}`)
  })

  it('creates one object store per built-in namespace', async () => {
    const name = freshName('stores')
    await openTracked(name)
    expect([...STORES].sort()).toEqual(Object.values(Namespaces).sort())
    const dbs = await indexedDB.databases()
    expect(dbs).toContainEqual({ name, version: 1 })
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error ?? new Error('open failed'))
    })
    try {
      expect([...raw.objectStoreNames].sort()).toEqual([...STORES].sort())
    } finally {
      raw.close()
    }
  })

  it('does not share data between databases of different names', async () => {
    const a = await openTracked(freshName('iso-a'))
    const b = await openTracked(freshName('iso-b'))
    await a.put('config', 'k', 'a')
    expect(await b.get('config', 'k')).toBeUndefined()
    expect(await b.keys('config')).toEqual([])
  })

  it.each(['peers', 'other', 'x_y-1', `a${'b'.repeat(63)}`])(
    'rejects the valid but unknown namespace %j with TypeError and creates no store',
    async (ns) => {
      const name = freshName('unknown-ns')
      const s = await openTracked(name)
      await expect(s.get(ns, 'k')).rejects.toThrow(TypeError)
      await expect(s.put(ns, 'k', 1)).rejects.toThrow(TypeError)
      await expect(s.delete(ns, 'k')).rejects.toThrow(TypeError)
      await expect(s.keys(ns)).rejects.toThrow(TypeError)
      await expect(s.put(ns, 'k', 1)).rejects.toThrow(/no IndexedDB store for namespace/)
      for (const valid of STORES) expect(await s.keys(valid)).toEqual([])
      await s.close()
      open.splice(open.indexOf(s), 1)
      const reopened = await openTracked(name)
      for (const valid of STORES) expect(await reopened.keys(valid)).toEqual([])
    },
  )
})
