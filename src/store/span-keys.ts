/** What every SpanStore checks before it keeps spans, and the order it returns them in. */
import type { SpanRecord } from '../core/spans.js'
import { isTaskId } from './results-store.js'

/** Throws TypeError, before anything is written, for a span no store can index. */
export function checkSpans(spans: readonly SpanRecord[]): void {
  for (const s of spans) {
    if (!isTaskId(s.task_id)) throw new TypeError('task_id must be a string of 1-512 characters')
    if (typeof s.span_id !== 'string' || s.span_id.length === 0)
      throw new TypeError('span_id must be a non-empty string')
    if (!Number.isFinite(s.start_ms) || !Number.isFinite(s.end_ms))
      throw new TypeError('start_ms and end_ms must be finite numbers')
  }
}

export function byStart(a: SpanRecord, b: SpanRecord): number {
  return a.start_ms - b.start_ms || a.end_ms - b.end_ms
}
