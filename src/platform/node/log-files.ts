/**
 * A Node host's log files: every entry as a JSON line in `<home>/logs/`, rolled over by size and
 * every day, old files deleted by count and by age.
 *
 * Library: pino's transport (a worker thread, thread-stream) with pino-roll doing the writing and
 * the rolling, rather than rotating-file-stream. The worker keeps file I/O off the event loop, and
 * pino ends its transports synchronously on process exit (on-exit-leak-free), so the last lines
 * before `process.exit()` (a second signal, a shutdown timeout) and a FATAL line reach the file;
 * rotating-file-stream writes asynchronously in this thread, and whatever is queued when the
 * process exits is lost. Only pino's transport is used: our Logger makes the entries, this sink
 * hands their JSON lines to the worker.
 *
 * pino-roll limits files by count only; files past `maxAgeDays` are deleted here, at start and
 * every hour (with a file a day, count and age together bound the folder).
 */
import { readdir, stat, unlink } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { transport } from 'pino'
import type { LogSink } from '../../core/log.js'
import { jsonLine } from '../../core/log.js'

export interface LogFilesInit {
  /** the folder, created if missing (`<home>/logs`) */
  dir: string
  /** a file rolls over once it reaches this size, bytes */
  maxBytes: number
  /** files kept, the one being written included */
  maxCount: number
  /** files last written longer ago than this are deleted, days */
  maxAgeDays: number
  /** told once when the files cannot be written (the stderr lines go on) */
  onError?: (error: Error) => void
}

export interface LogFiles {
  sink: LogSink
  /** appends one JSON line already made (for a host that also writes it elsewhere) */
  writeLine(line: string): void
  /** writes out what the worker has not yet written, ends it, and stops the age checks */
  close(): Promise<void>
  /** deletes the files past their age now (it also runs at start and every hour) */
  prune(): Promise<string[]>
}

/** `node.2026-12-01.1.log`: the day, then a number that grows with each roll-over that day. */
export const LOG_FILE_BASE = 'node'
const LOG_FILE = /^node\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

export function logFiles(init: LogFilesInit): LogFiles {
  const stream = transport({
    target: createRequire(import.meta.url).resolve('pino-roll'),
    options: {
      file: join(init.dir, LOG_FILE_BASE),
      extension: '.log',
      dateFormat: 'yyyy-MM-dd',
      size: `${init.maxBytes}b`,
      frequency: 'daily',
      mkdir: true,
      // the worker writes each line as it takes it: a flush of the transport puts it in the file
      sync: true,
      // counts the files of earlier runs too; the new file exists when it counts (sync open)
      limit: { count: init.maxCount, removeOtherLogFiles: true },
    },
  })
  let failed = false
  const closed = new Promise<void>((resolve) => {
    stream.once('close', () => {
      resolve()
    })
  })
  stream.on('error', (error: Error) => {
    if (failed) return
    failed = true
    init.onError?.(error)
  })
  const prune = async (): Promise<string[]> =>
    removeExpired(init.dir, init.maxAgeDays * DAY_MS).catch(() => [])
  void prune()
  const timer = setInterval(() => void prune(), HOUR_MS)
  timer.unref()

  const writeLine = (line: string): void => {
    if (!failed) stream.write(line)
  }
  const sink: LogSink = (entry) => {
    writeLine(jsonLine(entry))
  }
  sink.flush = () => {
    if (!failed) stream.flushSync()
  }
  return {
    sink,
    writeLine,
    prune,
    close: async () => {
      clearInterval(timer)
      stream.end() // once only: thread-stream ignores a second end, and one after a failure
      return closed
    },
  }
}

/** Deletes log files last written more than `maxAgeMs` ago, never the newest one. */
async function removeExpired(dir: string, maxAgeMs: number): Promise<string[]> {
  const named = (await readdir(dir)).flatMap((name) => {
    const m = LOG_FILE.exec(name)
    return m == null ? [] : [{ name, day: m[1] ?? '', n: Number(m[2]) }]
  })
  // the last by day and number is the file being written
  named.sort((a, b) => (a.day === b.day ? a.n - b.n : a.day < b.day ? -1 : 1))
  named.pop()
  const files = await Promise.all(
    named.map(async ({ name }) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  )
  const cutoff = Date.now() - maxAgeMs
  const expired = files.filter((f) => f.mtime < cutoff).map((f) => f.name)
  await Promise.all(expired.map(async (name) => unlink(join(dir, name)).catch(() => {})))
  return expired
}
