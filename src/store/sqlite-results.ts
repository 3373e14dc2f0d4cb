/**
 * ResultsStore on a Node host: one SQLite database (Node's built-in `node:sqlite`) in WAL mode
 * with synchronous=FULL, so each put or putMany is one transaction, durable when it resolves and
 * all-or-nothing after a crash. Rows hold the record as JSON plus what the lists sort and expire
 * by (ms since the epoch), with an index for each way of reading them.
 *
 * Why not a file per record: each fsynced file cost about 2.5 ms of CPU (mostly the kernel's),
 * more than the inference of a task; 500 records in one transaction cost about 40 ms in all.
 *
 * Results written by earlier versions as files (`<dir>/results/*.json`) are imported at open and
 * their folder removed once the import is committed.
 */
import { mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type * as NodeSqlite from 'node:sqlite'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { TaskRecord } from '../core/tasks.js'
import { FileResultsStore, RESULTS_NAMESPACE } from './file-results.js'
import type { ResultsStore } from './results-store.js'
import { checkNow, isTaskId, resultKeys, resultsPage, wholeNumber } from './results-store.js'
import type { ResultsQuery } from '../core/tasks.js'

const FILE = 'results.db'
const VERSION = 1
/** records read at a time from the files of earlier versions */
const IMPORT_PAGE = 1000

export interface SqliteResultsOptions {
  /** told about legacy record files skipped during the import; silent when absent */
  warn?: (message: string, error?: unknown) => void
}

export class SqliteResultsStore implements ResultsStore {
  readonly kind = 'sqlite'
  private readonly statements: Record<
    'put' | 'get' | 'listAll' | 'listNode' | 'count' | 'expire' | 'trim',
    StatementSync
  >
  private closed = false

  private constructor(
    /** the directory holding the database */
    readonly location: string,
    private readonly db: DatabaseSync,
  ) {
    const order = 'ORDER BY submitted_ms DESC, task_id DESC LIMIT ? OFFSET ?'
    this.statements = {
      put: db.prepare(
        'INSERT OR REPLACE INTO results (task_id, node_id, submitted_ms, expires_ms, record) VALUES (?, ?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT record FROM results WHERE task_id = ?'),
      listAll: db.prepare(`SELECT record FROM results ${order}`),
      listNode: db.prepare(`SELECT record FROM results WHERE node_id = ? ${order}`),
      count: db.prepare('SELECT count(*) AS n FROM results'),
      expire: db.prepare('DELETE FROM results WHERE expires_ms <= ?'),
      trim: db.prepare(
        'DELETE FROM results WHERE task_id IN (SELECT task_id FROM results ORDER BY submitted_ms ASC, task_id ASC LIMIT ?)',
      ),
    }
  }

  static async open(dir: string, options: SqliteResultsOptions = {}): Promise<SqliteResultsStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const { DatabaseSync } = await loadSqlite()
    const db = new DatabaseSync(join(dir, FILE))
    try {
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000')
      const { user_version: version } = db.prepare('PRAGMA user_version').get() as {
        user_version: number
      }
      if (version === 0) {
        db.exec(`BEGIN;
          CREATE TABLE results (
            task_id TEXT PRIMARY KEY NOT NULL,
            node_id TEXT NOT NULL,
            submitted_ms INTEGER NOT NULL,
            expires_ms INTEGER,
            record TEXT NOT NULL
          ) WITHOUT ROWID;
          CREATE INDEX by_submitted ON results (submitted_ms, task_id);
          CREATE INDEX by_node ON results (node_id, submitted_ms, task_id);
          CREATE INDEX by_expires ON results (expires_ms) WHERE expires_ms IS NOT NULL;
          PRAGMA user_version = ${VERSION};
          COMMIT;`)
      } else if (version !== VERSION) {
        throw new Error(
          `${join(dir, FILE)} has schema version ${version}; this version reads ${VERSION}`,
        )
      }
    } catch (err) {
      db.close()
      throw err
    }
    const store = new SqliteResultsStore(dir, db)
    await store.importFiles(options.warn)
    return store
  }

  async put(record: TaskRecord): Promise<void> {
    await this.putMany([record])
  }

  async putMany(records: readonly TaskRecord[]): Promise<void> {
    this.checkOpen()
    // every record checked and serialized before anything is written
    const rows = records.map((record) => ({
      keys: resultKeys(record),
      json: JSON.stringify(record),
    }))
    if (rows.length === 0) return
    this.transaction(() => {
      for (const { keys, json } of rows)
        this.statements.put.run(
          keys.task_id,
          keys.node_id,
          keys.submitted_ms,
          keys.expires_ms ?? null,
          json,
        )
    })
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    this.checkOpen()
    if (!isTaskId(taskId)) return undefined
    const row = this.statements.get.get(taskId) as { record: string } | undefined
    return row == null ? undefined : (JSON.parse(row.record) as TaskRecord)
  }

  async list(query?: ResultsQuery): Promise<TaskRecord[]> {
    this.checkOpen()
    const { nodeId, limit, offset } = resultsPage(query)
    const rows = (
      nodeId === undefined
        ? this.statements.listAll.all(limit, offset)
        : this.statements.listNode.all(nodeId, limit, offset)
    ) as Array<{ record: string }>
    return rows.map((row) => JSON.parse(row.record) as TaskRecord)
  }

  async count(): Promise<number> {
    this.checkOpen()
    return Number((this.statements.count.get() as { n: number }).n)
  }

  async deleteExpired(now: number): Promise<number> {
    this.checkOpen()
    checkNow(now)
    return Number(this.statements.expire.run(now).changes)
  }

  async trim(max: number): Promise<number> {
    this.checkOpen()
    wholeNumber('max', max)
    return this.transaction(() => {
      const excess = Number((this.statements.count.get() as { n: number }).n) - max
      return excess > 0 ? Number(this.statements.trim.run(excess).changes) : 0
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  private transaction<T>(fn: () => T): T {
    return immediateTransaction(this.db, fn)
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`results store ${this.location} is closed`)
  }

  /** moves the record files of earlier versions in, then removes their folder */
  private async importFiles(warn: SqliteResultsOptions['warn']): Promise<void> {
    const legacy = join(this.location, RESULTS_NAMESPACE)
    if (!(await stat(legacy).catch(() => undefined))?.isDirectory()) return
    const files = await FileResultsStore.open(this.location, { warn })
    try {
      for (let offset = 0; ; offset += IMPORT_PAGE) {
        const page = await files.list({ limit: IMPORT_PAGE, offset })
        await this.putMany(page)
        if (page.length < IMPORT_PAGE) break
      }
    } finally {
      await files.close()
    }
    await rm(legacy, { recursive: true, force: true })
  }
}

/**
 * node:sqlite, without the one-time "SQLite is an experimental feature" warning Node 22 prints
 * when it is first loaded: operators would read it as a fault of this node.
 */
/** Runs `fn` in a BEGIN IMMEDIATE transaction: committed when it returns, rolled back if it throws. */
export function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = fn()
    db.exec('COMMIT')
    return result
  } catch (err) {
    db.exec('ROLLBACK')
    throw err
  }
}

export async function loadSqlite(): Promise<typeof NodeSqlite> {
  const emit = process.emitWarning
  process.emitWarning = function (this: NodeJS.Process, warning, ...rest: unknown[]) {
    if (String(warning).includes('SQLite')) return
    ;(emit as (...args: unknown[]) => void).call(this, warning, ...rest)
  } as typeof process.emitWarning
  try {
    return await import('node:sqlite')
  } finally {
    process.emitWarning = emit
  }
}
