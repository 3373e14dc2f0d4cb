import type { StorageAdapter } from '../store/storage.js'
import { Namespaces } from '../store/storage.js'
import type { IdentityRecord, IdentityStore } from './identity.js'

/** Identity kept in the node's StorageAdapter under one key (a tab's identity slot). */
export class StorageIdentityStore implements IdentityStore {
  readonly location: string

  constructor(
    private readonly storage: StorageAdapter,
    private readonly key: string,
  ) {
    this.location = `${storage.location}/${Namespaces.identity}/${key}`
  }

  async load(): Promise<unknown> {
    return this.storage.get(Namespaces.identity, this.key)
  }

  async save(record: IdentityRecord): Promise<void> {
    await this.storage.put(Namespaces.identity, this.key, record)
  }
}
