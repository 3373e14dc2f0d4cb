/**
 * SpanStore on a Node host: `spans.db` (node:sqlite, WAL, synchronous=NORMAL: a span lost to a
 * power cut costs nothing but a line of a timeline) next to the results database. One row per
 * task and put (its spans as JSON), in write order (`seq`), indexed by task and by the time the
 * last of them ended, for the purge. Version 1 kept a row per span; opening it converts it.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { SpanRecord, SpanStore } from '../core/spans.js'
import { checkSpans, groupByTask, spansOfGroups } from '../core/spans.js'
import { immediateTransaction, loadSqlite } from './sqlite-results.js'

const FILE = 'spans.db'
const VERSION = 2

const CREATE_GROUPS = `
  CREATE TABLE span_groups (
    seq INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL,
    end_ms REAL NOT NULL,
    count INTEGER NOT NULL,
    spans TEXT NOT NULL
  );
  CREATE INDEX groups_by_task ON span_groups (task_id);
  CREATE INDEX groups_by_end ON span_groups (end_ms);`

export class SqliteSpanStore implements SpanStore {
  readonly kind = 'sqlite'
  private readonly statements: Record<'put' | 'byTask' | 'counted' | 'purge', StatementSync>
  private closed = false

  private constructor(
    readonly location: string,
    private readonly db: DatabaseSync,
  ) {
    this.statements = {
      put: db.prepare(
        'INSERT INTO span_groups (task_id, end_ms, count, spans) VALUES (?, ?, ?, ?)',
      ),
      byTask: db.prepare('SELECT spans FROM span_groups WHERE task_id = ? ORDER BY seq'),
      counted: db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM span_groups WHERE end_ms < ?'),
      purge: db.prepare('DELETE FROM span_groups WHERE end_ms < ?'),
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
        db.exec(`BEGIN; ${CREATE_GROUPS} PRAGMA user_version = ${VERSION}; COMMIT;`)
      else if (version === 1)
        // a row per span becomes a group of one
        db.exec(`BEGIN; ${CREATE_GROUPS}
          INSERT INTO span_groups (task_id, end_ms, count, spans)
            SELECT task_id, end_ms, 1, '[' || span || ']' FROM spans;
          DROP TABLE spans;
          PRAGMA user_version = ${VERSION};
          COMMIT;`)
      else if (version !== VERSION)
        throw new Error(
          `${join(dir, FILE)} has schema version ${version}; this version reads ${VERSION}`,
        )
    } catch (err) {
      try {
        db.exec('ROLLBACK')
      } catch {
        // no transaction was open
      }
      db.close()
      throw err
    }
    return new SqliteSpanStore(dir, db)
  }

  async put(spans: readonly SpanRecord[]): Promise<void> {
    this.checkOpen()
    checkSpans(spans)
    if (spans.length === 0) return
    const rows = groupByTask(spans).map(
      (g) => [g.task_id, g.end_ms, g.spans.length, JSON.stringify(g.spans)] as const,
    )
    this.transaction(() => {
      for (const row of rows) this.statements.put.run(...row)
    })
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    this.checkOpen()
    const rows = this.statements.byTask.all(taskId) as Array<{ spans: string }>
    return spansOfGroups(rows.map((r) => JSON.parse(r.spans) as SpanRecord[]))
  }

  async purge(before: number): Promise<number> {
    this.checkOpen()
    return this.transaction(() => {
      const { n } = this.statements.counted.get(before) as { n: number }
      this.statements.purge.run(before)
      return Number(n)
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
    if (this.closed) throw new Error(`span store ${this.location} is closed`)
  }
}
