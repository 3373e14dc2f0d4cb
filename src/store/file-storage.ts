/**
 * StorageAdapter on the filesystem: `<dir>/<namespace>/<encoded key>.json`. Writes go to a
 * temporary file that is fsynced and renamed over the target, then the directory is fsynced,
 * so a crash leaves either the old or the new value.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { StorageAdapter } from './storage.js'
import { checkKey, checkNamespace } from './storage.js'

export class FileStorage implements StorageAdapter {
  readonly kind = 'file'

  constructor(readonly location: string) {}

  async get(namespace: string, key: string): Promise<unknown> {
    let text: string
    try {
      text = await readFile(this.path(namespace, key), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    return JSON.parse(text) as unknown
  }

  async put(namespace: string, key: string, value: unknown): Promise<void> {
    const dir = this.dir(namespace)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.path(namespace, key), JSON.stringify(value))
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
    return names.filter((n) => n.endsWith('.json')).map((n) => decodeURIComponent(n.slice(0, -5)))
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
    return join(this.dir(namespace), `${encodeURIComponent(key)}.json`)
  }
}

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
