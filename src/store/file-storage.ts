/**
 * StorageAdapter on the filesystem: `<dir>/<namespace>/<encoded key>.json` holding
 * `{"key", "value"}`. Keys too long for a file name (255 bytes) are stored under `#<sha256>`.
 * Writes go to a temporary file that is fsynced and renamed over the target, then the
 * directory is fsynced, so a crash leaves either the old or the new value.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { toString } from 'uint8arrays'
import type { StorageAdapter } from './storage.js'
import { checkKey, checkNamespace } from './storage.js'

export class FileStorage implements StorageAdapter {
  readonly kind = 'file'

  /** namespace directories known to exist */
  private readonly made = new Set<string>()

  constructor(readonly location: string) {}

  async get(namespace: string, key: string): Promise<unknown> {
    let text: string
    try {
      text = await readFile(this.path(namespace, key), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    return (JSON.parse(text) as StoredEntry).value
  }

  async put(namespace: string, key: string, value: unknown): Promise<void> {
    await this.putJson(namespace, key, JSON.stringify(value))
  }

  /** put() of a value already serialized to JSON (`json` is not checked) */
  async putJson(namespace: string, key: string, json: string): Promise<void> {
    const path = this.path(namespace, key)
    const text = `{"key":${JSON.stringify(key)},"value":${json}}`
    const dir = this.dir(namespace)
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      this.made.add(dir)
    }
    try {
      await writeFileAtomic(path, text)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      // the directory was removed behind our back
      await mkdir(dir, { recursive: true, mode: 0o700 })
      await writeFileAtomic(path, text)
    }
  }

  async delete(namespace: string, key: string): Promise<void> {
    await rm(this.path(namespace, key), { force: true })
  }

  async keys(namespace: string): Promise<string[]> {
    let names: string[]
    try {
      names = await readdir(this.dir(namespace))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const keys: string[] = []
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      if (!name.startsWith(HASHED)) {
        keys.push(decodeURIComponent(name.slice(0, -5)))
        continue
      }
      try {
        keys.push(
          (JSON.parse(await readFile(join(this.dir(namespace), name), 'utf8')) as StoredEntry).key,
        )
      } catch {
        // removed meanwhile
      }
    }
    return keys
  }

  async flush(): Promise<void> {
    // every put is durable when it resolves
  }

  async close(): Promise<void> {}

  private dir(namespace: string): string {
    checkNamespace(namespace)
    return join(this.location, namespace)
  }

  private path(namespace: string, key: string): string {
    checkKey(key)
    const encoded = encodeURIComponent(key)
    const name =
      encoded.length <= MAX_NAME_BYTES
        ? encoded
        : `${HASHED}${toString(sha256(new TextEncoder().encode(key)), 'base16')}`
    return join(this.dir(namespace), `${name}.json`)
  }
}

interface StoredEntry {
  key: string
  value: unknown
}

/** leaves room for ".json" and the temporary ".<pid>.<random>.tmp" within 255 bytes */
const MAX_NAME_BYTES = 200
/** prefix of hashed names: encodeURIComponent always escapes "#", so no plain name starts with it */
const HASHED = '#'

/** Atomic replace: write + fsync a temp file, rename it over the target, fsync the directory. */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const handle = await open(tmp, 'w', mode)
  try {
    await handle.writeFile(data, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  const dir = await open(join(path, '..'), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
