/**
 * IdbStorage in a real Chromium: the shared StorageAdapter acceptance suite, plus what only
 * IndexedDB has (a database that outlives the page's handle, several handles on one database,
 * a fixed set of object stores).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { IdbStorage, STORES } from '../../src/store/idb-storage.js'
import { Namespaces } from '../../src/store/storage.js'
import { runStorageAdapterTests } from './storage-suite.js'

const RUN = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
let counter = 0
const created: string[] = []

function freshName(label: string): string {
  const name = `p2p-test-${label}-${RUN}-${counter++}`
  created.push(name)
  return name
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error ?? new Error(`cannot delete ${name}`))
    // every handle is closed by then; a blocked delete still completes once they are
    req.onblocked = () => undefined
  })
}

afterAll(async () => {
  for (const name of created.splice(0)) await deleteDatabase(name)
})

runStorageAdapterTests('IdbStorage', () => IdbStorage.open(freshName('suite')))

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

  it('keeps data across a reload: close, then open the same database again', async () => {
    const name = freshName('reload')
    const first = await IdbStorage.open(name)
    await first.put('config', 'effective', { max_peers: 8, bootstrap: ['/dns4/relay/tcp/443/wss'] })
    await first.put('identity', 'slot-0', { version: 1, node_id: 'abc' })
    await first.put('health', 'gone', true)
    await first.put('config', '日本語/key with space', [1, 2, 3])
    await first.delete('health', 'gone')
    await first.flush()
    await first.close()

    const second = await openTracked(name)
    expect(await second.get('config', 'effective')).toStrictEqual({
      max_peers: 8,
      bootstrap: ['/dns4/relay/tcp/443/wss'],
    })
    expect(await second.get('identity', 'slot-0')).toStrictEqual({ version: 1, node_id: 'abc' })
    expect(await second.get('config', '日本語/key with space')).toStrictEqual([1, 2, 3])
    expect(await second.get('health', 'gone')).toBeUndefined()
    expect((await second.keys('config')).sort()).toEqual(['effective', '日本語/key with space'])
    expect(await second.keys('health')).toEqual([])
    expect(await second.keys('identity')).toEqual(['slot-0'])

    // and it keeps writing where the first left off
    await second.put('config', 'effective', { max_peers: 4 })
    await second.close()
    const third = await openTracked(name)
    expect(await third.get('config', 'effective')).toStrictEqual({ max_peers: 4 })
  })

  it('does not share data between databases of different names', async () => {
    const a = await openTracked(freshName('iso-a'))
    const b = await openTracked(freshName('iso-b'))
    await a.put('config', 'k', 'a')
    expect(await b.get('config', 'k')).toBeUndefined()
    expect(await b.keys('config')).toEqual([])
  })

  it("two adapters on the same database see each other's writes", async () => {
    const name = freshName('shared')
    const a = await openTracked(name)
    const b = await openTracked(name)
    await a.put('config', 'k', { from: 'a' })
    expect(await b.get('config', 'k')).toStrictEqual({ from: 'a' })
    await b.put('identity', 'slot-1', { from: 'b' })
    expect(await a.get('identity', 'slot-1')).toStrictEqual({ from: 'b' })
    expect(await a.keys('identity')).toEqual(['slot-1'])
    await b.delete('config', 'k')
    expect(await a.get('config', 'k')).toBeUndefined()
    expect(await a.keys('config')).toEqual([])

    // concurrent writers on both handles: every key lands, one whole value per key
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => a.put('health', `a${i}`, i)),
      ...Array.from({ length: 10 }, (_, i) => b.put('health', `b${i}`, i)),
      a.put('health', 'same', { by: 'a' }),
      b.put('health', 'same', { by: 'b' }),
    ])
    expect((await a.keys('health')).length).toBe(21)
    expect(await b.keys('health')).toEqual(await a.keys('health'))
    expect([{ by: 'a' }, { by: 'b' }]).toContainEqual(await b.get('health', 'same'))
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
