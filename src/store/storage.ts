/**
 * The storage contract every host implements: namespaced key → JSON-safe value, each write
 * atomic (a reader sees the old value or the new one, never half of one). IndexedDB in a tab,
 * files on a Node host; both pass the same acceptance suite.
 */
export interface StorageAdapter {
  /** "indexeddb" or "file" */
  readonly kind: string
  /** where the data lives, for messages: a database name or a directory */
  readonly location: string
  get(namespace: string, key: string): Promise<unknown>
  put(namespace: string, key: string, value: unknown): Promise<void>
  delete(namespace: string, key: string): Promise<void>
  keys(namespace: string): Promise<string[]>
  /** resolves once every completed write is durable */
  flush(): Promise<void>
  close(): Promise<void>
}

/** Namespaces in use, so two parts of the node never collide. */
export const Namespaces = {
  /** the node's effective configuration (a tab has no config file) */
  config: 'config',
  /** health-check probe values */
  health: 'health',
  /** tab identities by slot */
  identity: 'identity',
} as const

const NAMESPACE = /^[a-z][a-z0-9_-]{0,63}$/

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace))
    throw new TypeError(`invalid storage namespace ${JSON.stringify(namespace)}`)
}

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > 512) throw new TypeError('storage keys are 1-512 characters')
}
