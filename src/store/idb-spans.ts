/**
 * SpanStore on IndexedDB (via idb), one database per node like the results (see
 * src/platform/browser/browser-host.ts). Object store `spans` keyed by [task_id, span_id]; index
 * `by_end` (end_ms) for the purge, which walks a key cursor up to the cut-off.
 */
import type { DBSchema, IDBPDatabase } from 'idb'
import { openDB } from 'idb'
import type { SpanRecord, SpanStore } from '../core/spans.js'
import { byStart, checkSpans } from '../core/spans.js'

const VERSION = 1
/** the default database name (a tab's node in identity slot 0) */
export const SPANS_DATABASE = 'p2p-ai-agents-spans'

interface SpansDB extends DBSchema {
  spans: {
    key: [string, string]
    value: SpanRecord
    indexes: { by_end: number }
  }
}

export class IdbSpanStore implements SpanStore {
  readonly kind = 'indexeddb'

  private constructor(
    readonly name: string,
    private readonly db: IDBPDatabase<SpansDB>,
  ) {}

  static async open(name = SPANS_DATABASE): Promise<IdbSpanStore> {
    const db = await openDB<SpansDB>(name, VERSION, {
      upgrade(database) {
        const store = database.createObjectStore('spans', { keyPath: ['task_id', 'span_id'] })
        store.createIndex('by_end', 'end_ms')
      },
      blocking() {
        db.close()
      },
    })
    return new IdbSpanStore(name, db)
  }

  async put(spans: readonly SpanRecord[]): Promise<void> {
    checkSpans(spans)
    if (spans.length === 0) return
    const tx = this.db.transaction('spans', 'readwrite', { durability: 'relaxed' })
    await Promise.all([...spans.map(async (s) => tx.store.put({ ...s })), tx.done])
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    const range = IDBKeyRange.bound([taskId, ''], [taskId, '\uffff'])
    return (await this.db.getAll('spans', range)).sort(byStart)
  }

  async purge(before: number): Promise<number> {
    const tx = this.db.transaction('spans', 'readwrite')
    let n = 0
    let cursor = await tx.store.index('by_end').openKeyCursor(IDBKeyRange.upperBound(before, true))
    while (cursor != null) {
      await tx.store.delete(cursor.primaryKey)
      n++
      cursor = await cursor.continue()
    }
    await tx.done
    return n
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
