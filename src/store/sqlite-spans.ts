/**
 * SpanStore on a Node host: `spans.db` (node:sqlite, WAL, synchronous=NORMAL: a span lost to a
 * power cut costs nothing but a line of a timeline) next to the results database, one row per
 * span keyed by (task_id, span_id), indexed by end time for the purge.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { SpanRecord, SpanStore } from '../core/spans.js'
import { byStart, checkSpans } from '../core/spans.js'
import { loadSqlite } from './sqlite-results.js'

const FILE = 'spans.db'
const VERSION = 1

export class SqliteSpanStore implements SpanStore {
  readonly kind = 'sqlite'
  private readonly statements: Record<'put' | 'byTask' | 'purge', StatementSync>
  private closed = false

  private constructor(
    readonly location: string,
    private readonly db: DatabaseSync,
  ) {
    this.statements = {
      put: db.prepare(
        'INSERT OR REPLACE INTO spans (task_id, span_id, end_ms, span) VALUES (?, ?, ?, ?)',
      ),
      byTask: db.prepare('SELECT span FROM spans WHERE task_id = ?'),
      purge: db.prepare('DELETE FROM spans WHERE end_ms < ?'),
    }
  }

  static async open(dir: string): Promise<SqliteSpanStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const { DatabaseSync } = await loadSqlite()
    const db = new DatabaseSync(join(dir, FILE))
    try {
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000')
      const { user_version: version } = db.prepare('PRAGMA user_version').get() as {
        user_version: number
      }
      if (version === 0)
        db.exec(`BEGIN;
          CREATE TABLE spans (
            task_id TEXT NOT NULL,
            span_id TEXT NOT NULL,
            end_ms REAL NOT NULL,
            span TEXT NOT NULL,
            PRIMARY KEY (task_id, span_id)
          ) WITHOUT ROWID;
          CREATE INDEX by_end ON spans (end_ms);
          PRAGMA user_version = ${VERSION};
          COMMIT;`)
      else if (version !== VERSION)
        throw new Error(
          `${join(dir, FILE)} has schema version ${version}; this version reads ${VERSION}`,
        )
    } catch (err) {
      db.close()
      throw err
    }
    return new SqliteSpanStore(dir, db)
  }

  async put(spans: readonly SpanRecord[]): Promise<void> {
    this.checkOpen()
    checkSpans(spans)
    if (spans.length === 0) return
    const rows = spans.map((s) => [s.task_id, s.span_id, s.end_ms, JSON.stringify(s)] as const)
    this.db.exec('BEGIN IMMEDIATE')
    try {
      for (const row of rows) this.statements.put.run(...row)
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    this.checkOpen()
    const rows = this.statements.byTask.all(taskId) as Array<{ span: string }>
    return rows.map((r) => JSON.parse(r.span) as SpanRecord).sort(byStart)
  }

  async purge(before: number): Promise<number> {
    this.checkOpen()
    return Number(this.statements.purge.run(before).changes)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`span store ${this.location} is closed`)
  }
}
