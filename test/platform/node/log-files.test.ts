/**
 * A Node host's log files with real files in a temp folder: pino-roll in pino's worker thread
 * rolls them over by size and keeps the configured number; FATAL lines are in the file when the
 * call returns; files past their age are deleted, never the one being written.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { LogEntry } from '../../../src/core/log.js'
import { createLogger } from '../../../src/obs/logger.js'
import type { LogFiles } from '../../../src/platform/node/log-files.js'
import { logFiles } from '../../../src/platform/node/log-files.js'
import { tempDirs } from '../../store/temp-dirs.js'

const tempDir = tempDirs('p2p-log-files-')
const open: LogFiles[] = []
afterEach(async () => {
  for (const files of open.splice(0)) await files.close()
})

function start(dir: string, limits: { maxBytes: number; maxCount: number; maxAgeDays?: number }) {
  const files = logFiles({ dir, maxAgeDays: 7, ...limits })
  open.push(files)
  return files
}

function logNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort((a, b) => fileNumber(a) - fileNumber(b))
}

function fileNumber(name: string): number {
  return Number(name.split('.').at(-2))
}

function lines(dir: string, name: string): LogEntry[] {
  return readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as LogEntry)
}

describe('log files', () => {
  it('rolls over at a tiny size and keeps exactly the configured number of files', async () => {
    const dir = await tempDir()
    const files = start(dir, { maxBytes: 1024, maxCount: 3 })
    const log = createLogger({ level: 'INFO', sinks: [files.sink], component: 'test' })
    const filler = 'x'.repeat(150)
    const total = 60 // about 14 KB: a dozen roll-overs
    for (let i = 0; i < total; i++) {
      log.info('line', { i, filler })
      // the worker takes what is queued as one write, and a file rolls over between writes only:
      // one line per write here (in use, 100 MB files end within a few KB of their size)
      files.sink.flush?.()
    }
    await files.close()
    // the worker deletes the oldest after each roll-over; wait for it to have caught up
    await expect.poll(() => logNames(dir).length, { timeout: 10_000, interval: 50 }).toBe(3)
    const names = logNames(dir)
    expect(names.every((n) => /^node\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(n))).toBe(true)
    expect(fileNumber(names[2] ?? '')).toBeGreaterThan(10) // it did roll, many times
    const kept = names.flatMap((n) => lines(dir, n))
    // the kept files hold the last lines, in order, up to the very last
    const seq = kept.map((e) => e.i as number)
    expect(seq.at(-1)).toBe(total - 1)
    expect(seq).toEqual(seq.map((_, k) => total - seq.length + k))
    // the two rolled-over files reached the size before rolling, and not much beyond it
    for (const n of names.slice(0, 2)) {
      const size = readFileSync(join(dir, n)).length
      expect(size).toBeGreaterThanOrEqual(1024)
      expect(size).toBeLessThan(1024 + 400)
    }
  })

  it('counts the files an earlier run left', async () => {
    const dir = await tempDir()
    const first = start(dir, { maxBytes: 1024, maxCount: 2 })
    const log1 = createLogger({ level: 'INFO', sinks: [first.sink], component: 'a' })
    for (let i = 0; i < 30; i++) {
      log1.info('first run', { i, filler: 'y'.repeat(150) })
      first.sink.flush?.()
    }
    await first.close()
    await expect.poll(() => logNames(dir).length, { timeout: 10_000, interval: 50 }).toBe(2)
    const second = start(dir, { maxBytes: 1024, maxCount: 2 })
    const log2 = createLogger({ level: 'INFO', sinks: [second.sink], component: 'b' })
    for (let i = 0; i < 30; i++) {
      log2.info('second run', { i, filler: 'z'.repeat(150) })
      second.sink.flush?.()
    }
    await second.close()
    await expect
      .poll(() => logNames(dir).flatMap((n) => lines(dir, n).map((e) => e.msg)), {
        timeout: 10_000,
        interval: 50,
      })
      .not.toContain('first run')
    expect(logNames(dir)).toHaveLength(2)
  })

  it('has a FATAL line in the file when the call returns', async () => {
    const dir = await tempDir()
    const files = start(dir, { maxBytes: 1024 * 1024, maxCount: 3 })
    const log = createLogger({ level: 'INFO', sinks: [files.sink], component: 'node' })
    log.info('before')
    log.fatal('cannot go on', { reason: 'test' })
    // no waiting: the flush behind fatal() waited for the worker to write it
    const [name] = logNames(dir)
    expect(name).toBeDefined()
    const entries = lines(dir, name ?? '')
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ['INFO', 'before'],
      ['FATAL', 'cannot go on'],
    ])
    expect(entries[1]).toMatchObject({ component: 'node', reason: 'test' })
  })

  it('tells once when it cannot write, and logging goes on without it', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'not-a-folder'), '')
    const errors: Error[] = []
    const files = logFiles({
      dir: join(dir, 'not-a-folder', 'logs'),
      maxBytes: 1024,
      maxCount: 3,
      maxAgeDays: 7,
      onError: (e) => errors.push(e),
    })
    open.push(files)
    const log = createLogger({ level: 'INFO', sinks: [files.sink] })
    log.info('one')
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1)
    log.info('two')
    log.fatal('three')
    expect(errors).toHaveLength(1)
  })

  it('deletes files past their age, never the one being written', async () => {
    const dir = await tempDir()
    const old = (Date.now() - 10 * 86_400_000) / 1000
    const fresh = (Date.now() - 2 * 86_400_000) / 1000
    const aged = [
      ['node.2020-01-01.1.log', old],
      ['node.2020-01-01.2.log', old],
      ['node.2020-01-05.1.log', fresh],
      ['unrelated.log', old],
    ] as const
    for (const [name, at] of aged) {
      await writeFile(join(dir, name), '{}\n')
      await utimes(join(dir, name), at, at)
    }
    const files = start(dir, { maxBytes: 1024 * 1024, maxCount: 10, maxAgeDays: 7 })
    const log = createLogger({ level: 'INFO', sinks: [files.sink] })
    log.info('now')
    files.sink.flush?.()
    // the start-up pass runs on its own; a second pass finds nothing more to delete
    await expect
      .poll(async () => (await readdir(dir)).filter((n) => n.startsWith('node.2020-01-01')), {
        timeout: 10_000,
        interval: 50,
      })
      .toEqual([])
    expect(await files.prune()).toEqual([])
    const left = (await readdir(dir)).sort()
    expect(left).toContain('node.2020-01-05.1.log')
    expect(left).toContain('unrelated.log')
    expect(left.filter((n) => n.startsWith('node.') && !n.startsWith('node.2020'))).toHaveLength(1)

    // an old current file (nothing logged for days) is kept
    const current = left.find((n) => n.startsWith('node.') && !n.startsWith('node.2020')) ?? ''
    await utimes(join(dir, current), old, old)
    await utimes(join(dir, 'node.2020-01-05.1.log'), old, old)
    expect(await files.prune()).toEqual(['node.2020-01-05.1.log'])
    expect(await readdir(dir)).toContain(current)
  })
})
