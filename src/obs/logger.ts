/**
 * Structured logging by component. A log entry is a plain object; sinks decide where it goes
 * (JSON lines on stderr and in rotated files on a Node host, the console and an in-page ring
 * buffer in a tab).
 */
import type {
  LogBuffer,
  LogContext,
  LogEntry,
  LogFields,
  Logger,
  LogLevel,
  LogSink,
} from '../core/log.js'

const RANK: Record<LogLevel, number> = {
  TRACE: 10,
  DEBUG: 20,
  INFO: 30,
  WARN: 40,
  ERROR: 50,
  FATAL: 60,
}

/** Whether an entry at `level` passes a filter set to `min`. */
export function atLeast(level: LogLevel, min: LogLevel): boolean {
  return RANK[level] >= RANK[min]
}

export interface LoggerInit {
  level: LogLevel
  sinks: LogSink[]
  /** the root component. @default '' */
  component?: string
  /** shared by the logger and its children, read at every line */
  context?: LogContext
}

export function createLogger(opts: LoggerInit): Logger {
  const context = opts.context ?? {}
  const make = (component: string): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (!atLeast(level, opts.level)) return
      const entry = logEntry(level, component, msg, fields, context.node_id)
      for (const sink of opts.sinks) sink(entry)
      if (level === 'FATAL') for (const sink of opts.sinks) sink.flush?.()
    }
    return {
      component,
      trace: (msg, fields) => {
        write('TRACE', msg, fields)
      },
      debug: (msg, fields) => {
        write('DEBUG', msg, fields)
      },
      info: (msg, fields) => {
        write('INFO', msg, fields)
      },
      warn: (msg, fields) => {
        write('WARN', msg, fields)
      },
      error: (msg, fields) => {
        write('ERROR', msg, fields)
      },
      fatal: (msg, fields) => {
        write('FATAL', msg, fields)
      },
      enabled: (level) => atLeast(level, opts.level),
      child: (sub) => make(component === '' ? sub : `${component}:${sub}`),
    }
  }
  return make(opts.component ?? '')
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

/**
 * Builds one entry: timestamp, level, component, node_id, trace_id, span_id, msg, then the
 * call's fields. A `traceparent` field becomes trace_id and span_id; a call's field never
 * replaces a named one.
 */
export function logEntry(
  level: LogLevel,
  component: string,
  msg: string,
  fields: LogFields = {},
  nodeId?: string,
): LogEntry {
  const { traceparent, trace_id: traceId, span_id: spanId, ...rest } = fields
  const parsed = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null
  const trace = parsed?.[1] ?? traceId
  const span = parsed?.[2] ?? spanId
  const entry: LogEntry = {
    timestamp: new Date().toISOString(),
    level,
    component,
    ...(nodeId == null ? {} : { node_id: nodeId }),
    ...(typeof trace === 'string' ? { trace_id: trace } : {}),
    ...(typeof span === 'string' ? { span_id: span } : {}),
    msg,
  }
  for (const [key, value] of Object.entries(rest))
    if (!Object.hasOwn(entry, key)) entry[key] = value
  // a traceparent that is not one stays visible as it was given
  if (traceparent != null && parsed == null) entry.traceparent = traceparent
  return entry
}

/** Keeps the last `capacity` entries in memory, for the page and debug snapshots. */
export class MemorySink implements LogBuffer {
  readonly entries: LogEntry[] = []
  private listeners = new Set<(entry: LogEntry) => void>()

  constructor(readonly capacity = 500) {}

  readonly sink: LogSink = (entry) => {
    this.entries.push(entry)
    if (this.entries.length > this.capacity) this.entries.shift()
    for (const l of this.listeners) l(entry)
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/** A logger that drops everything, for tools and tests that do not care. */
export const silentLogger: Logger = createLogger({ level: 'FATAL', sinks: [] })
