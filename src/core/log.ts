/** The logging contract: levels, entries, sinks and the logger every part is given. */

/** From the most verbose to the most severe; a logger at level L keeps L and every level after it. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/**
 * One log line as a plain object; sinks decide where it goes. The named fields come first, in
 * this order, then the call's own fields.
 */
export interface LogEntry {
  /** ISO 8601, UTC */
  timestamp: string
  level: LogLevel
  /** the part that wrote it, `node:mesh:links` style */
  component: string
  /** the node's id, once its identity is loaded */
  node_id?: string
  /** the W3C trace id (32 hex) of the operation, when the call names one */
  trace_id?: string
  /** the span within that trace, when the call gives a full traceparent */
  span_id?: string
  msg: string
  [field: string]: unknown
}

/** One entry as one line of JSON (the format of log files and downloads); errors become {name, message}. */
export function jsonLine(entry: LogEntry | Record<string, unknown>): string {
  return `${JSON.stringify(entry, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value))}\n`
}

/** Where entries go. A sink that buffers (a file written by a worker thread) has `flush`. */
export interface LogSink {
  (entry: LogEntry): void
  /** writes out what is buffered before returning (after a FATAL line, before exit) */
  flush?(): void
}

/**
 * Fields every entry of a logger and its children carry, filled in as they become known (the
 * node id once the identity is loaded: the logger exists before it).
 */
export interface LogContext {
  node_id?: string
}

/**
 * Log calls take optional fields. A `traceparent` (W3C) or `trace_id` field ties the line to a
 * trace: it becomes the entry's `trace_id` (and `span_id`).
 */
export type LogFields = Record<string, unknown>

export interface Logger {
  readonly component: string
  trace(msg: string, fields?: LogFields): void
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** the node cannot go on; sinks that buffer write this line out before returning */
  fatal(msg: string, fields?: LogFields): void
  /** whether a line at `level` would be written (to skip building costly fields) */
  enabled(level: LogLevel): boolean
  /** a logger for a sub-component, e.g. `node` → `node:mesh` */
  child(component: string): Logger
}

/** The last entries a node kept in memory (a tab's log panel, debug snapshots), and news of more. */
export interface LogBuffer {
  /** oldest first */
  readonly entries: readonly LogEntry[]
  /** calls `listener` with each new entry; returns the unsubscribe */
  subscribe(listener: (entry: LogEntry) => void): () => void
}
