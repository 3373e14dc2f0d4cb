/**
 * SpanStore on IndexedDB (via idb), one database per node like the results (see
 * src/platform/browser/browser-host.ts). Object store `groups`: one record per task and put (its
 * spans), keyed in write order; index `by_task` for a task's timeline, `by_end` (when the last
 * span ended) for the purge, which walks a cursor up to the cut-off. Version 1 kept a record per
 * span; the upgrade converts them.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb'
import { openDB } from 'idb'
import type { SpanGroup, SpanRecord, SpanStore } from '../core/spans.js'
import { checkSpans, groupByTask, spansOfGroups } from '../core/spans.js'

const VERSION = 2
/** the default database name (a tab's node in identity slot 0) */
export const SPANS_DATABASE = 'p2p-ai-agents-spans'

interface SpansDB extends DBSchema {
  groups: {
    key: number
    value: SpanGroup
    indexes: { by_task: string; by_end: number }
  }
  /** version 1: a record per span */
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
      upgrade(database, oldVersion, _newVersion, tx) {
        const groups = database.createObjectStore('groups', { autoIncrement: true })
        groups.createIndex('by_task', 'task_id')
        groups.createIndex('by_end', 'end_ms')
        if (oldVersion === 1) void fromVersion1(database, tx)
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
    const tx = this.db.transaction('groups', 'readwrite', { durability: 'relaxed' })
    await Promise.all([...groupByTask(spans).map(async (g) => tx.store.add(g)), tx.done])
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    // records of one task come in key (write) order
    const groups = await this.db.getAllFromIndex('groups', 'by_task', taskId)
    return spansOfGroups(groups.map((g) => g.spans))
  }

  async purge(before: number): Promise<number> {
    const tx = this.db.transaction('groups', 'readwrite')
    let n = 0
    let cursor = await tx.store.index('by_end').openCursor(IDBKeyRange.upperBound(before, true))
    while (cursor != null) {
      n += cursor.value.spans.length
      await cursor.delete()
      cursor = await cursor.continue()
    }
    await tx.done
    return n
  }

  async close(): Promise<void> {
    this.db.close()
  }
}

/** Version 1's records, a group of one each, within the upgrade's transaction. */
async function fromVersion1(
  database: IDBPDatabase<SpansDB>,
  tx: IDBPTransaction<SpansDB, Array<StoreNames<SpansDB>>, 'versionchange'>,
): Promise<void> {
  const old = await tx.objectStore('spans').getAll()
  const groups = tx.objectStore('groups')
  await Promise.all(
    old.map(async (s) => groups.add({ task_id: s.task_id, end_ms: s.end_ms, spans: [s] })),
  )
  database.deleteObjectStore('spans')
}
