/**
 * StorageAdapter on IndexedDB (via idb): one object store per namespace, each put its own
 * transaction, so a write is all or nothing and durable once it resolves.
 */
import type { IDBPDatabase } from 'idb'
import { openDB } from 'idb'
import type { StorageAdapter } from './storage.js'
import { checkKey, checkNamespace, Namespaces } from './storage.js'

/** Object stores created up front; a namespace outside this list is a programming error. */
export const STORES: readonly string[] = [Namespaces.config, Namespaces.health, Namespaces.identity]
const VERSION = 1

export class IdbStorage implements StorageAdapter {
  readonly kind = 'indexeddb'

  private constructor(
    readonly location: string,
    private readonly db: IDBPDatabase,
  ) {}

  static async open(name = 'p2p-ai-agents'): Promise<IdbStorage> {
    const db = await openDB(name, VERSION, {
      upgrade(database) {
        for (const store of STORES) {
          if (!database.objectStoreNames.contains(store)) database.createObjectStore(store)
        }
      },
    })
    return new IdbStorage(`indexeddb:${name}`, db)
  }

  async get(namespace: string, key: string): Promise<unknown> {
    return this.db.get(this.store(namespace), checked(key))
  }

  async put(namespace: string, key: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(this.store(namespace), 'readwrite', { durability: 'strict' })
    await Promise.all([tx.store.put(value, checked(key)), tx.done])
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.db.delete(this.store(namespace), checked(key))
  }

  async keys(namespace: string): Promise<string[]> {
    return (await this.db.getAllKeys(this.store(namespace))).map(String)
  }

  async flush(): Promise<void> {
    // transactions are committed when their promises resolve
  }

  async close(): Promise<void> {
    this.db.close()
  }

  private store(namespace: string): string {
    checkNamespace(namespace)
    if (!STORES.includes(namespace))
      throw new TypeError(`no IndexedDB store for namespace ${namespace}`)
    return namespace
  }
}

function checked(key: string): string {
  checkKey(key)
  return key
}
