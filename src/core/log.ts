/** The logging contract: levels, entries, sinks and the logger every part is given. */

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** One log line as a plain object; sinks decide where it goes. */
export interface LogEntry {
  ts: string
  level: LogLevel
  ns: string
  msg: string
  [field: string]: unknown
}

export type LogSink = (entry: LogEntry) => void

export interface Logger {
  readonly ns: string
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** a logger for a sub-namespace, e.g. `node` → `node:mesh` */
  child(ns: string): Logger
}
