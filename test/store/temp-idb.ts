/**
 * Temporary IndexedDB databases for browser tests, as temp-dirs.ts makes temp directories under
 * Node. Names are unique to this file's run; every database named during a test is deleted
 * after it, and after the file none of them may be left.
 *
 * A delete waits for the database's open handles, so a test closes every handle it opened (its
 * own afterEach runs before this one).
 */
import { afterAll, afterEach, expect } from 'vitest'

/** Deletes the database `name`; resolves once it is gone (at once when it never existed). */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error ?? new Error(`cannot delete ${name}`))
    // a handle is still open: the delete completes once it is closed
    req.onblocked = () => undefined
  })
}

/**
 * Names fresh IndexedDB databases for the tests of this file: `<prefix><label>-<run>-<n>`.
 * Each is deleted after the test that named it.
 */
export function tempDatabases(prefix: string): (label?: string) => string {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  let counter = 0
  const named: string[] = []

  afterEach(async () => {
    for (const name of named.splice(0)) await deleteDatabase(name)
  })

  afterAll(async () => {
    const left = (await indexedDB.databases()).filter((db) => db.name?.includes(run))
    expect(left, 'temporary databases left behind').toEqual([])
  })

  return (label = 'db') => {
    const name = `${prefix}${label}-${run}-${counter++}`
    named.push(name)
    return name
  }
}
