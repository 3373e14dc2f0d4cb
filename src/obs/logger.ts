/**
 * Structured, namespaced logging. A log entry is a plain object; sinks decide where it goes
 * (JSON lines on a Node host, the console and an in-page ring buffer in a tab).
 */
import type { LogEntry, Logger, LogLevel, LogSink } from '../core/log.js'

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 }

export function createLogger(opts: { level: LogLevel; sinks: LogSink[]; ns?: string }): Logger {
  const min = RANK[opts.level]
  const make = (ns: string): Logger => {
    const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
      if (RANK[level] < min) return
      const entry: LogEntry = { ts: new Date().toISOString(), level, ns, msg, ...fields }
      for (const sink of opts.sinks) sink(entry)
    }
    return {
      ns,
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
      child: (sub) => make(ns === '' ? sub : `${ns}:${sub}`),
    }
  }
  return make(opts.ns ?? '')
}

/** Serialises entries as JSON lines; errors become {name, message}. */
export function jsonLineSink(write: (line: string) => void): LogSink {
  return (entry) => {
    write(
      `${JSON.stringify(entry, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value))}\n`,
    )
  }
}

/** Keeps the last `capacity` entries in memory, for the page and debug snapshots. */
export class MemorySink {
  readonly entries: LogEntry[] = []
  private listeners = new Set<(entry: LogEntry) => void>()

  constructor(private readonly capacity = 500) {}

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
export const silentLogger: Logger = createLogger({ level: 'ERROR', sinks: [] })
