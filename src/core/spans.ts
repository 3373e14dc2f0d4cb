/**
 * Traces of tasks (FR21.3): the contract. A finished span as this project keeps it, the span
 * store it is kept in for 48 h (IndexedDB in a tab, SQLite on a Node host), and the span names
 * of a task's life. Spans are made with OpenTelemetry (src/obs/tracing.ts); these records are
 * what is stored, returned by an executor with a result, and shown by `trace` and the page.
 */

/** How long a node keeps spans, ms (48 h). */
export const SPAN_RETENTION_MS = 48 * 3_600_000

/** The spans of one task's life, in the order they usually start. */
export const SPAN_NAMES = [
  // submitter: the task's root, from submission until its record is stored
  'submit',
  // submitter: choosing where it runs (mesh compute)
  'schedule',
  // submitter: one attempt on another node, from the assignment until its result arrives
  'transfer',
  // the node that runs it: waiting in its queue
  'queue',
  // the node that runs it: the inference call
  'inference',
  // executor: signing and sending the result; submitter: verifying and taking it
  'result',
  // submitter: writing the final record
  'store',
] as const
export type SpanName = (typeof SPAN_NAMES)[number]

/** One finished span. Times are ms since the epoch (fractional: µs survive). */
export interface SpanRecord {
  task_id: string
  /** 32 hex */
  trace_id: string
  /** 16 hex */
  span_id: string
  /** 16 hex; absent for the root */
  parent_span_id?: string
  name: string
  /** the node the span ran on */
  node_id: string
  start_ms: number
  end_ms: number
  /** why it ended in error, when it did */
  error?: string
  attributes?: Record<string, string | number | boolean>
}

/** A span as an executor returns it (the wire's Span, ids as hex). */
export interface ReturnedSpan {
  trace_id: string
  span_id: string
  parent_span_id?: string
  name: string
  start_ms: number
  end_ms: number
  error?: string
}

/**
 * Where a node keeps its spans; every implementation passes test/store/spans-suite.ts. A put
 * keeps each task's spans of the batch together, as one row or record (a task has 6-7 spans,
 * mostly written in one batch: one row instead of seven is most of what tracing costs a store).
 */
export interface SpanStore {
  /** adds spans (a span id seen again for its task replaces the earlier one), in one transaction */
  put(spans: readonly SpanRecord[]): Promise<void>
  /** a task's spans, by start time */
  byTask(taskId: string): Promise<SpanRecord[]>
  /**
   * deletes the spans put together for a task once the last of them ended before `before` (ms
   * since the epoch); returns how many spans
   */
  purge(before: number): Promise<number>
  close(): Promise<void>
}

/** A task's spans from one put, as a store keeps them. */
export interface SpanGroup {
  task_id: string
  /** when the last of them ended: what the purge goes by */
  end_ms: number
  spans: SpanRecord[]
}

/** A batch's spans, one group per task. */
export function groupByTask(spans: readonly SpanRecord[]): SpanGroup[] {
  const groups = new Map<string, SpanGroup>()
  for (const s of spans) {
    const g = groups.get(s.task_id)
    if (g == null) groups.set(s.task_id, { task_id: s.task_id, end_ms: s.end_ms, spans: [s] })
    else {
      g.spans.push(s)
      g.end_ms = Math.max(g.end_ms, s.end_ms)
    }
  }
  return [...groups.values()]
}

/** A task's spans from its groups, oldest group first: a span id seen again takes the later one. */
export function spansOfGroups(groups: Iterable<readonly SpanRecord[]>): SpanRecord[] {
  const byId = new Map<string, SpanRecord>()
  for (const spans of groups) for (const s of spans) byId.set(s.span_id, s)
  return [...byId.values()].sort(byStart)
}

/** Throws TypeError, before anything is written, for a span no store can index. */
export function checkSpans(spans: readonly SpanRecord[]): void {
  for (const s of spans) {
    if (typeof s.task_id !== 'string' || s.task_id.length < 1 || s.task_id.length > 512)
      throw new TypeError('task_id must be a string of 1-512 characters')
    if (typeof s.span_id !== 'string' || s.span_id.length === 0)
      throw new TypeError('span_id must be a non-empty string')
    if (!Number.isFinite(s.start_ms) || !Number.isFinite(s.end_ms))
      throw new TypeError('start_ms and end_ms must be finite numbers')
  }
}

export function byStart(a: SpanRecord, b: SpanRecord): number {
  return a.start_ms - b.start_ms || a.end_ms - b.end_ms
}
