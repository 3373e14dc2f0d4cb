/**
 * The demo's task bookkeeping and its one-line summary, shared by both forms. Every task the demo
 * submits is entered here; it is done (COMPLETED) or failed (FAILED, TIMEOUT) once a poll sees
 * it so, and lost if it is still neither when the demo closes the book at quit.
 */

/** Where a task stands in the book. */
export const TaskOutcome = {
  /** submitted, no final state seen yet */
  PENDING: 'pending',
  /** COMPLETED */
  DONE: 'done',
  /** FAILED or TIMEOUT: a final state, with a reason */
  FAILED: 'failed',
  /** never reached a final state before the book was closed */
  LOST: 'lost',
} as const
export type TaskOutcome = (typeof TaskOutcome)[keyof typeof TaskOutcome]

export interface BookEntry {
  key: string
  /** the member that submitted it (its number) */
  member: number
  submittedAt: number
  outcome: TaskOutcome
  /** submit → final, ms */
  latencyMs?: number
  /** a failed task's error reason */
  reason?: string
}

export interface BookCounts {
  submitted: number
  done: number
  failed: number
  pending: number
  lost: number
}

const FINAL: Record<string, TaskOutcome | undefined> = {
  COMPLETED: TaskOutcome.DONE,
  FAILED: TaskOutcome.FAILED,
  TIMEOUT: TaskOutcome.FAILED,
}

export class TaskBook {
  private readonly entries = new Map<string, BookEntry>()
  private closed = false

  /** `now` is the clock for submission times and for latencies a poll cannot give. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Enters a task just submitted by `member`; a key is entered once. */
  submit(key: string, member: number): void {
    if (this.closed) throw new Error('the task book is closed: no more tasks')
    if (this.entries.has(key)) throw new Error(`task ${key} is already in the book`)
    this.entries.set(key, { key, member, submittedAt: this.now(), outcome: TaskOutcome.PENDING })
  }

  /**
   * What a poll saw of a task: its status, and its latency from the task's own record when it
   * has one (else the time since it was entered). A final outcome never changes again, and
   * nothing changes once the book is closed.
   */
  observe(key: string, status: string, seen: { latencyMs?: number; reason?: string } = {}): void {
    const entry = this.entries.get(key)
    if (entry == null || this.closed || entry.outcome !== TaskOutcome.PENDING) return
    const outcome = FINAL[status]
    if (outcome == null) return
    entry.outcome = outcome
    entry.latencyMs = Math.max(0, seen.latencyMs ?? this.now() - entry.submittedAt)
    if (outcome === TaskOutcome.FAILED) entry.reason = seen.reason ?? status
  }

  /** The keys still pending, all or those of one member. */
  pending(member?: number): string[] {
    return [...this.entries.values()]
      .filter((e) => e.outcome === TaskOutcome.PENDING && (member == null || e.member === member))
      .map((e) => e.key)
  }

  /** True when none of `keys` (every task when absent) is pending. */
  settled(keys?: Iterable<string>): boolean {
    if (keys == null) return this.pending().length === 0
    for (const k of keys) if (this.entries.get(k)?.outcome === TaskOutcome.PENDING) return false
    return true
  }

  /** Closes the book: every task still pending is lost. Returns how many were. */
  close(): number {
    if (!this.closed) {
      for (const e of this.entries.values())
        if (e.outcome === TaskOutcome.PENDING) e.outcome = TaskOutcome.LOST
      this.closed = true
    }
    return this.counts().lost
  }

  get isClosed(): boolean {
    return this.closed
  }

  counts(): BookCounts {
    const c: BookCounts = { submitted: 0, done: 0, failed: 0, pending: 0, lost: 0 }
    for (const e of this.entries.values()) {
      c.submitted++
      c[e.outcome === TaskOutcome.DONE ? 'done' : e.outcome]++
    }
    return c
  }

  /** The median latency of the tasks done, ms; undefined before the first. */
  p50(): number | undefined {
    return percentile(
      [...this.entries.values()]
        .filter((e) => e.outcome === TaskOutcome.DONE)
        .map((e) => e.latencyMs ?? 0),
      50,
    )
  }

  /** Failure reasons with their counts, most frequent first. */
  failureReasons(): Array<[string, number]> {
    const by = new Map<string, number>()
    for (const e of this.entries.values())
      if (e.outcome === TaskOutcome.FAILED)
        by.set(e.reason ?? '?', (by.get(e.reason ?? '?') ?? 0) + 1)
    return [...by].sort((a, b) => b[1] - a[1])
  }
}

/** The nearest-rank percentile `p` (0-100] of `values`; undefined when there are none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

/** What the summary line says about the mesh. */
export interface MeshView {
  /** members running now, and all members (running or killed) */
  alive: number
  total: number
  tabs: number
  headless: number
  /** distinct direct links between running members */
  links: number
}

/** The one-line summary: nodes, links, tasks done / failed / lost, p50 latency. */
export function formatSummary(mesh: MeshView, counts: BookCounts, p50: number | undefined): string {
  const kinds = [
    mesh.tabs > 0 ? `${mesh.tabs} tab${mesh.tabs === 1 ? '' : 's'}` : undefined,
    `${mesh.headless} headless`,
  ]
    .filter((k) => k != null)
    .join(', ')
  return [
    `nodes ${mesh.alive}/${mesh.total} (${kinds}) + relay`,
    `links ${mesh.links}`,
    `tasks ${counts.submitted}: done ${counts.done} / failed ${counts.failed} / lost ${counts.lost}` +
      (counts.pending > 0 ? ` (${counts.pending} running)` : ''),
    `p50 ${p50 == null ? '-' : `${Math.round(p50)} ms`}`,
  ].join(' | ')
}

/** The number of distinct undirected links among `pairs` of peer ids. */
export function countLinks(pairs: Iterable<readonly [string, string]>): number {
  const seen = new Set<string>()
  for (const [a, b] of pairs) if (a !== b) seen.add(a < b ? `${a} ${b}` : `${b} ${a}`)
  return seen.size
}

/**
 * Resolves true once `done()` holds, checking every `intervalMs`, or false after `timeoutMs` or
 * when `signal` aborts. Timers only (no wall clock), so fake timers drive it in tests.
 */
export async function waitUntil(
  done: () => boolean,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  const interval = opts.intervalMs ?? 250
  let waited = 0
  while (!done()) {
    if (waited >= opts.timeoutMs || opts.signal?.aborted === true) return false
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, opts.timeoutMs - waited)))
    waited += interval
  }
  return true
}
