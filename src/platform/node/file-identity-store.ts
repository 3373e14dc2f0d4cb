/**
 * Identity on a Node host: `<home>/config/node_identity.json`, mode 0600 in a 0700 directory,
 * written atomically. An unreadable file is reported as corrupt, never replaced or changed.
 */
import { chmod, mkdir, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { IdentityCorruptError } from '../../core/errors.js'
import type { IdentityRecord, IdentityStore } from '../../node/identity.js'
import { writeFileAtomic } from '../../store/file-storage.js'

export class FileIdentityStore implements IdentityStore {
  constructor(
    readonly location: string,
    private readonly warn: (msg: string, fields?: Record<string, unknown>) => void = () => {},
  ) {}

  async load(): Promise<unknown> {
    let text: string
    try {
      text = await readFile(this.location, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new IdentityCorruptError(this.location, `cannot read it (${(err as Error).message})`)
    }
    try {
      return JSON.parse(text) as unknown
    } catch (err) {
      throw new IdentityCorruptError(this.location, `not valid JSON (${(err as Error).message})`)
    }
  }

  /** Restricts a verified identity file to 0600; a corrupt one is never touched. */
  async secure(): Promise<void> {
    const mode = (await stat(this.location)).mode & 0o777
    if ((mode & 0o077) === 0) return
    this.warn('node identity file was readable by others; restricting it to 0600', {
      path: this.location,
      mode: mode.toString(8),
    })
    await chmod(this.location, 0o600)
  }

  async save(record: IdentityRecord): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.location, `${JSON.stringify(record, null, 2)}\n`, 0o600)
  }
}
