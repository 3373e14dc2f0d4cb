/**
 * ResultsStore on a Node host: each record is one file written through FileStorage
 * (`<dir>/results/<encoded task_id>.json`, atomic, mode 0600), and an in-memory index
 * (task_id → node_id, submitted_ms, expires_ms) answers list, count, deleteExpired and trim
 * without reading the records. The index is rebuilt at open by reading every record file; a
 * file that cannot be read or parsed, or does not hold a record, is skipped and reported to
 * `warn`.
 *
 * Operations on one task_id run one after another (a put of the same task twice keeps the
 * last, a deletion never removes a record written after it was decided), operations on
 * different tasks run concurrently. The index follows the files: it changes only once a write
 * or deletion is done. One store per directory: a second process or store on the same
 * directory would not see this one's index.
 */
import type { Dirent } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TaskRecord } from '../core/tasks.js'
import { FileStorage } from './file-storage.js'
import type { ResultKeys, ResultsStore } from './results-store.js'
import {
  checkNow,
  isTaskId,
  newestFirst,
  resultKeys,
  resultsPage,
  wholeNumber,
} from './results-store.js'
import type { ResultsQuery } from '../core/tasks.js'

/** the FileStorage namespace of the records */
export const RESULTS_NAMESPACE = 'results'
/** files read at once while loading the index */
const LOAD_CONCURRENCY = 32

export interface FileResultsOptions {
  /** told about each record file skipped at open; silent when absent */
  warn?: (message: string, error?: unknown) => void
}

export class FileResultsStore implements ResultsStore {
  readonly kind = 'file'

  private readonly storage: FileStorage
  private readonly index = new Map<string, ResultKeys>()
  /** the index in list order (newest first), kept sorted as it changes */
  private readonly ordered: ResultKeys[] = []
  /** per task_id, the tail of its queue of operations (never rejects) */
  private readonly queues = new Map<string, Promise<void>>()
  private closed = false

  private constructor(readonly location: string) {
    this.storage = new FileStorage(location)
  }

  static async open(dir: string, options: FileResultsOptions = {}): Promise<FileResultsStore> {
    const store = new FileResultsStore(dir)
    await store.load(options.warn ?? (() => undefined))
    return store
  }

  async put(record: TaskRecord): Promise<void> {
    await this.putMany([record])
  }

  async putMany(records: readonly TaskRecord[]): Promise<void> {
    this.checkOpen()
    // every record checked before any is written; serialized now: what the caller passed, not
    // what the objects hold once the queues get to them
    const entries = records.map((record) => ({
      keys: resultKeys(record),
      json: JSON.stringify(record),
    }))
    await Promise.all(
      entries.map(async ({ keys, json }) =>
        this.serial(keys.task_id, async () => {
          await this.storage.putJson(RESULTS_NAMESPACE, keys.task_id, json)
          this.setEntry(keys)
        }),
      ),
    )
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    this.checkOpen()
    if (!isTaskId(taskId) || !this.index.has(taskId)) return undefined
    return (await this.storage.get(RESULTS_NAMESPACE, taskId)) as TaskRecord | undefined
  }

  async list(query?: ResultsQuery): Promise<TaskRecord[]> {
    this.checkOpen()
    const { nodeId, limit, offset } = resultsPage(query)
    if (limit === 0) return []
    const matching =
      nodeId === undefined ? this.ordered : this.ordered.filter((e) => e.node_id === nodeId)
    const page = matching.slice(offset, offset + limit)
    const records = await Promise.all(
      page.map((e) => this.storage.get(RESULTS_NAMESPACE, e.task_id)),
    )
    // a record deleted while the page was read is left out
    return records.filter((r): r is TaskRecord => r !== undefined)
  }

  async count(): Promise<number> {
    this.checkOpen()
    return this.index.size
  }

  async deleteExpired(now: number): Promise<number> {
    this.checkOpen()
    checkNow(now)
    const expired = (e: ResultKeys | undefined): e is ResultKeys =>
      e?.expires_ms !== undefined && e.expires_ms <= now
    const victims = [...this.index.values()].filter(expired)
    // decided on the index as it is now, checked again when its turn comes
    return this.deleteWhere(victims, (current) => expired(current))
  }

  async trim(max: number): Promise<number> {
    this.checkOpen()
    wholeNumber('max', max)
    const excess = this.ordered.length - max
    if (excess <= 0) return 0
    const victims = this.ordered.slice(this.ordered.length - excess)
    // a record replaced meanwhile is no longer the one found to be among the oldest
    return this.deleteWhere(victims, (current, victim) => current === victim)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.queues.values())
  }

  private async deleteWhere(
    victims: ResultKeys[],
    stillDue: (current: ResultKeys | undefined, victim: ResultKeys) => boolean,
  ): Promise<number> {
    const done = await Promise.all(
      victims.map((victim) =>
        this.serial(victim.task_id, async () => {
          const current = this.index.get(victim.task_id)
          if (current === undefined || !stillDue(current, victim)) return false
          await this.storage.delete(RESULTS_NAMESPACE, victim.task_id)
          this.removeEntry(current)
          return true
        }),
      ),
    )
    return done.filter(Boolean).length
  }

  /** runs `fn` after every earlier operation on `taskId` has settled */
  private serial<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(taskId) ?? Promise.resolve()).then(fn)
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.queues.set(taskId, tail)
    void tail.then(() => {
      if (this.queues.get(taskId) === tail) this.queues.delete(taskId)
    })
    return run
  }

  private setEntry(keys: ResultKeys): void {
    const previous = this.index.get(keys.task_id)
    if (previous !== undefined) this.removeEntry(previous)
    this.index.set(keys.task_id, keys)
    this.ordered.splice(this.position(keys), 0, keys)
  }

  private removeEntry(keys: ResultKeys): void {
    this.index.delete(keys.task_id)
    const at = this.position(keys)
    if (this.ordered[at] === keys) this.ordered.splice(at, 1)
  }

  /** where `keys` is, or would go, in `ordered` (entries are unique, the order total) */
  private position(keys: ResultKeys): number {
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (newestFirst(this.ordered[mid]!, keys) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`results store ${this.location} is closed`)
  }

  private async load(warn: NonNullable<FileResultsOptions['warn']>): Promise<void> {
    const dir = join(this.location, RESULTS_NAMESPACE)
    let entries: Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    // temporary files of interrupted writes end in .tmp and are not records
    const names = entries.filter((e) => e.name.endsWith('.json')).map((e) => e.name)
    const loaded: ResultKeys[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const name = names[next++]!
        const keys = await readRecordKeys(join(dir, name), warn)
        if (keys !== undefined) loaded.push(keys)
      }
    }
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker))
    loaded.sort(newestFirst)
    for (const keys of loaded) this.index.set(keys.task_id, keys)
    this.ordered.push(...loaded)
  }
}

/** the index entry of the record in `path`, or undefined (and a warning) when there is none */
async function readRecordKeys(
  path: string,
  warn: NonNullable<FileResultsOptions['warn']>,
): Promise<ResultKeys | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    // removed meanwhile: nothing to report
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      warn(`skipped unreadable result file ${path}`, err)
    return undefined
  }
  try {
    const entry = JSON.parse(text) as { key?: unknown; value?: unknown } | null
    const record = entry?.value as TaskRecord | undefined
    if (typeof record !== 'object' || record === null || Array.isArray(record))
      throw new TypeError('no record in it')
    const keys = resultKeys(record)
    if (keys.task_id !== entry?.key)
      throw new TypeError(`it holds task ${keys.task_id} under the key ${String(entry?.key)}`)
    return keys
  } catch (err) {
    warn(`skipped corrupt result file ${path}: ${(err as Error).message}`, err)
    return undefined
  }
}
