/**
 * ResultsStore on IndexedDB (via idb), in its own database (one per node: tabs of a profile
 * share an origin, see src/platform/browser/browser-host.ts). One object store `results` keyed
 * by task_id holds `{task_id, node_id, submitted_ms, expires_ms?, record}`: the record as given
 * plus its timestamps in ms, so the indexes sort chronologically whatever ISO form the
 * timestamps take.
 *
 * Indexes (every one ends in task_id, so ties on submitted_at come out in task_id order):
 * - `by_submitted` [submitted_ms, task_id]: list all (walked backwards) and trim (forwards)
 * - `by_node` [node_id, submitted_ms, task_id]: list one node, a key range over its prefix
 * - `by_expires` expires_ms: deleteExpired, a key range up to `now`; records without
 *   expires_at have no key there, so they never expire
 *
 * An embedding is kept as a Float32Array when that loses nothing (its values have the 6 decimals
 * the engine emits; checked value by value): Chromium's IndexedDB spends CPU in proportion to the
 * bytes it writes, and compacting them again later (measured: 40 % less than for a number[]).
 *
 * Lists and deletions walk cursors over key ranges and never load more than a page; deletions
 * use key cursors and do not read the records at all. Each put or putMany is one readwrite
 * transaction with durability 'strict', so it is on disk once it resolves (a flush costs
 * milliseconds: the task engine writes its records in batches).
 */
import type { DBSchema, IDBPDatabase } from 'idb'
import { openDB } from 'idb'
import type { EmbeddingOutput, TaskOutput, TaskRecord } from '../core/tasks.js'
import { roundEmbeddingValue } from '../core/tasks.js'
import type { ResultKeys, ResultsStore } from './results-store.js'
import { checkNow, isTaskId, resultKeys, resultsPage, wholeNumber } from './results-store.js'
import type { ResultsQuery } from '../core/tasks.js'

const VERSION = 1
const STORE = 'results'
/** the default database name (a tab's node in identity slot 0) */
export const RESULTS_DATABASE = 'p2p-ai-agents-results'

/** An embedding as stored: the same values, packed. */
type PackedEmbedding = Omit<EmbeddingOutput, 'embedding'> & { embedding: Float32Array }
type StoredRecord = Omit<TaskRecord, 'output_data'> & { output_data?: TaskOutput | PackedEmbedding }
type StoredResult = ResultKeys & { record: StoredRecord }

interface ResultsDB extends DBSchema {
  results: {
    key: string
    value: StoredResult
    indexes: {
      by_submitted: [number, string]
      by_node: [string, number, string]
      by_expires: number
    }
  }
}

export class IdbResultsStore implements ResultsStore {
  readonly kind = 'indexeddb'

  private constructor(
    /** the database name */
    readonly name: string,
    private readonly db: IDBPDatabase<ResultsDB>,
  ) {}

  get location(): string {
    return `indexeddb:${this.name}`
  }

  static async open(name = RESULTS_DATABASE): Promise<IdbResultsStore> {
    const db = await openDB<ResultsDB>(name, VERSION, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: 'task_id' })
        store.createIndex('by_submitted', ['submitted_ms', 'task_id'])
        store.createIndex('by_node', ['node_id', 'submitted_ms', 'task_id'])
        store.createIndex('by_expires', 'expires_ms')
      },
      // another tab wants to upgrade or delete the database: let it rather than block it
      blocking() {
        db.close()
      },
    })
    return new IdbResultsStore(name, db)
  }

  async put(record: TaskRecord): Promise<void> {
    await this.putMany([record])
  }

  async putMany(records: readonly TaskRecord[]): Promise<void> {
    const values: StoredResult[] = records.map((record) => ({
      ...resultKeys(record),
      record: pack(record),
    }))
    if (values.length === 0) return
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' })
    await Promise.all([...values.map(async (v) => tx.store.put(v)), tx.done])
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    if (!isTaskId(taskId)) return undefined
    const stored = await this.db.get(STORE, taskId)
    return stored == null ? undefined : unpack(stored.record)
  }

  async list(query?: ResultsQuery): Promise<TaskRecord[]> {
    const { nodeId, limit, offset } = resultsPage(query)
    const tx = this.db.transaction(STORE, 'readonly')
    // [node] sorts before every [node, ms, id] and [node, []] after them (arrays sort last)
    let cursor =
      nodeId === undefined
        ? await tx.store.index('by_submitted').openCursor(null, 'prev')
        : await tx.store
            .index('by_node')
            .openCursor(IDBKeyRange.bound([nodeId], [nodeId, []]), 'prev')
    if (cursor !== null && offset > 0 && limit > 0) cursor = await cursor.advance(offset)
    const page: TaskRecord[] = []
    while (cursor !== null && page.length < limit) {
      page.push(unpack(cursor.value.record))
      cursor = await cursor.continue()
    }
    await tx.done
    return page
  }

  async count(): Promise<number> {
    return this.db.count(STORE)
  }

  async deleteExpired(now: number): Promise<number> {
    checkNow(now)
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' })
    const deletes: Array<Promise<void>> = []
    let cursor = await tx.store.index('by_expires').openKeyCursor(IDBKeyRange.upperBound(now))
    while (cursor !== null) {
      deletes.push(tx.store.delete(cursor.primaryKey))
      cursor = await cursor.continue()
    }
    await Promise.all([...deletes, tx.done])
    return deletes.length
  }

  async trim(max: number): Promise<number> {
    wholeNumber('max', max)
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' })
    const excess = (await tx.store.count()) - max
    const deletes: Array<Promise<void>> = []
    // oldest first: the exact reverse of the list order
    let cursor = excess > 0 ? await tx.store.index('by_submitted').openKeyCursor() : null
    while (cursor !== null) {
      deletes.push(tx.store.delete(cursor.primaryKey))
      cursor = deletes.length < excess ? await cursor.continue() : null
    }
    await Promise.all([...deletes, tx.done])
    return deletes.length
  }

  async close(): Promise<void> {
    // pending transactions still complete; new ones throw InvalidStateError
    this.db.close()
  }
}

function pack(record: TaskRecord): StoredRecord {
  const output = record.output_data
  if (output == null || !('embedding' in output)) return record
  const packed = Float32Array.from(output.embedding)
  if (!packed.every((v, i) => roundEmbeddingValue(v) === output.embedding[i])) return record
  return { ...record, output_data: { ...output, embedding: packed } }
}

function unpack(stored: StoredRecord): TaskRecord {
  const output = stored.output_data
  if (output == null || !('embedding' in output) || Array.isArray(output.embedding))
    return stored as TaskRecord
  return {
    ...stored,
    output_data: { ...output, embedding: Array.from(output.embedding, roundEmbeddingValue) },
  }
}
