import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { HealthCheckResult, HealthReport } from '../../src/core/types.js'
import type { HealthProbes } from '../../src/node/health.js'
import {
  MEMORY_FAIL_RATIO,
  MEMORY_WARN_RATIO,
  memoryCheck,
  runHealthChecks,
} from '../../src/node/health.js'
import { HealthService, START_ATTEMPTS } from '../../src/node/health-service.js'
import { createLogger, MemorySink } from '../../src/obs/logger.js'
import { FileStorage } from '../../src/store/file-storage.js'
import type { StorageAdapter } from '../../src/store/storage.js'

const MB = 1024 * 1024
const ORDER = ['config', 'storage', 'crypto', 'memory']
/** The fake clock's start: every timestamp and duration below is read off it. */
const T0 = Date.parse('2025-01-02T03:04:05.678Z')

// The real timers, kept before any test fakes them: only for the hang guard in `within`.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

let dir: string
let configPath: string
let storage: FileStorage
let key: PrivateKey

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2p-health-'))
  configPath = join(dir, 'config.json')
  await writeFile(configPath, JSON.stringify({ max_peers: 8, max_memory_mb: 512 }), { mode: 0o600 })
  storage = new FileStorage(join(dir, 'storage'))
  key = await generateKeyPair('Ed25519')
  // The health checks' deadlines (setTimeout), their durations (performance.now) and the report's
  // timestamp (Date) all run on a fake clock that moves only when a test advances it: real I/O
  // (the config file, FileStorage, the signature) takes no time on it and can never hit a deadline.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'], now: T0 })
})

afterEach(async () => {
  vi.useRealTimers()
  await storage.close()
  await rm(dir, { recursive: true, force: true })
})

/** Real probes: a config file, a FileStorage round trip, an Ed25519 signature, a memory figure. */
function realProbes(overrides: Partial<HealthProbes> = {}): HealthProbes {
  return {
    config: async () => {
      const parsed = JSON.parse(await readFile(configPath, 'utf8')) as { max_peers?: unknown }
      if (typeof parsed.max_peers !== 'number') throw new Error('max_peers missing')
    },
    storage: async () => {
      const nonce = Math.random().toString(36).slice(2)
      await storage.put('health', 'probe', { nonce })
      const back = (await storage.get('health', 'probe')) as { nonce?: string } | undefined
      if (back?.nonce !== nonce) throw new Error('read back a different value than written')
      await storage.delete('health', 'probe')
    },
    crypto: async () => {
      const message = crypto.getRandomValues(new Uint8Array(32))
      const signature = await key.sign(message)
      if (!(await key.publicKey.verify(message, signature))) throw new Error('bad signature')
    },
    memoryBytes: () => 100 * MB,
    ...overrides,
  }
}

/** Resolves after `ms` on the fake clock. */
async function delay(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(resolve, ms)
  })
}

/** Something a test waits for: `hit()` it from a probe, `await reached` before moving the clock. */
function gate(): { reached: Promise<void>; hit: () => void } {
  let hit!: () => void
  const reached = new Promise<void>((resolve) => {
    hit = resolve
  })
  return { reached, hit }
}

/**
 * Waits for `p` with a generous real-time guard, so a hang fails the test with a message instead
 * of the test timeout. A guard, not a bound being tested: nothing here is measured.
 */
async function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = realSetTimeout(() => {
          reject(new Error(`${what} did not happen within ${ms} ms of real time`))
        }, ms)
      }),
    ])
  } finally {
    realClearTimeout(timer)
  }
}

/** Starts the checks; `settled()` tells whether the report is in yet, `report` awaits it. */
function start(
  probes: HealthProbes,
  limits: Parameters<typeof runHealthChecks>[1],
): { settled: () => HealthReport | undefined; report: Promise<HealthReport> } {
  let done: HealthReport | undefined
  const report = runHealthChecks(probes, limits).then((r) => {
    done = r
    return r
  })
  return { settled: () => done, report: within(report, 'the health report') }
}

function check(report: HealthReport, name: HealthCheckResult['name']): HealthCheckResult {
  const c = report.checks.find((x) => x.name === name)
  if (c == null) throw new Error(`no ${name} check in report`)
  return c
}

function expectPassed(c: HealthCheckResult): void {
  expect(c.status).toBe('PASS')
  expect(c.reason).toBeUndefined()
}

describe('runHealthChecks', () => {
  it('passes with all real probes healthy, checks in order config, storage, crypto, memory', async () => {
    const report = await within(runHealthChecks(realProbes(), { maxMemoryMb: 512 }), 'the report')

    expect(report.status).toBe('PASS')
    expect(report.failing).toBeUndefined()
    expect(report.checks.map((c) => c.name)).toEqual(ORDER)
    // the fake clock stood still while the real I/O ran: every duration is read off that clock
    for (const c of report.checks) {
      expectPassed(c)
      expect(c.durationMs).toBe(0)
    }
    expect(check(report, 'memory').detail).toBe('100 MB of 512 MB (20 %)')
    expect(report.durationMs).toBe(0)
    expect(report.timestamp).toBe(new Date(T0).toISOString())
    // the storage probe cleaned up after itself
    expect(await storage.keys('health')).toEqual([])
    // and no deadline was left behind
    expect(vi.getTimerCount()).toBe(0)
  })

  it('measures each check, and the whole report from its start to its timestamp', async () => {
    const run = start(
      {
        config: async () => delay(10),
        storage: async () => delay(20),
        crypto: async () => delay(30),
        memoryBytes: () => 100 * MB,
      },
      { maxMemoryMb: 512 },
    )
    await vi.advanceTimersByTimeAsync(59)
    expect(run.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(run.settled()).toBeDefined()
    const report = await run.report
    expect(report.status).toBe('PASS')
    expect(report.checks.map((c) => [c.name, c.durationMs])).toEqual([
      ['config', 10],
      ['storage', 20],
      ['crypto', 30],
      ['memory', 0],
    ])
    expect(report.durationMs).toBe(60)
    // stamped when the report is done, not when it started
    expect(report.timestamp).toBe(new Date(T0 + 60).toISOString())
    expect(vi.getTimerCount()).toBe(0)
  })

  it('passes the real process memory figure against a generous limit', async () => {
    const report = await runHealthChecks(
      realProbes({ memoryBytes: () => process.memoryUsage().rss }),
      { maxMemoryMb: 1_000_000 },
    )
    expect(report.status).toBe('PASS')
    expect(check(report, 'memory').status).toBe('PASS')
    expect(check(report, 'memory').detail).toMatch(/^\d+ MB of 1000000 MB \(0 %\)$/)
  })

  it('fails with config_unreadable when the config file is missing', async () => {
    await rm(configPath)
    const report = await runHealthChecks(realProbes(), { maxMemoryMb: 512 })
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('config')
    expect(report.checks.map((c) => c.name)).toEqual(ORDER)
    const c = check(report, 'config')
    expect(c.status).toBe('FAIL')
    expect(c.reason).toBe('config_unreadable')
    expect(c.detail).toContain('ENOENT')
    // the others still ran
    expectPassed(check(report, 'storage'))
    expectPassed(check(report, 'crypto'))
    expectPassed(check(report, 'memory'))
  })

  it('fails with config_unreadable when the config is not valid JSON', async () => {
    await writeFile(configPath, '{"max_peers": 8,')
    const report = await runHealthChecks(realProbes(), { maxMemoryMb: 512 })
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('config')
    expect(check(report, 'config')).toMatchObject({ status: 'FAIL', reason: 'config_unreadable' })
  })

  it('fails with config_unreadable when the config probe throws synchronously', async () => {
    const report = await runHealthChecks(
      realProbes({
        config: () => {
          throw new Error('config validation failed: max_peers')
        },
      }),
      { maxMemoryMb: 512 },
    )
    expect(report.failing).toBe('config')
    expect(check(report, 'config')).toMatchObject({
      status: 'FAIL',
      reason: 'config_unreadable',
      detail: 'config validation failed: max_peers',
    })
  })

  it('fails with storage_timeout after exactly the 500 ms default, not before, when the storage probe never answers', async () => {
    let received: AbortSignal | undefined
    const storageCalled = gate()
    const run = start(
      realProbes({
        storage: async (signal) => {
          received = signal
          storageCalled.hit()
          return new Promise<void>(() => {})
        },
      }),
      { maxMemoryMb: 512 },
    )
    await within(storageCalled.reached, 'the storage probe call')

    await vi.advanceTimersByTimeAsync(499)
    expect(received?.aborted).toBe(false)
    expect(run.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(received?.aborted).toBe(true)

    const report = await run.report
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('storage')
    expect(report.checks.map((c) => c.name)).toEqual(ORDER)
    expect(check(report, 'storage')).toEqual({
      name: 'storage',
      status: 'FAIL',
      reason: 'storage_timeout',
      detail: 'no answer within 500 ms',
      durationMs: 500,
    })
    expect(report.durationMs).toBe(500)
    expectPassed(check(report, 'config'))
    expectPassed(check(report, 'crypto'))
    expectPassed(check(report, 'memory'))
  })

  it('honours a custom storageTimeoutMs', async () => {
    let received: AbortSignal | undefined
    const storageCalled = gate()
    const run = start(
      realProbes({
        storage: async (signal) => {
          received = signal
          storageCalled.hit()
          return new Promise<void>(() => {})
        },
      }),
      { maxMemoryMb: 512, storageTimeoutMs: 100 },
    )
    await within(storageCalled.reached, 'the storage probe call')
    await vi.advanceTimersByTimeAsync(99)
    expect(received?.aborted).toBe(false)
    expect(run.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(received?.aborted).toBe(true)
    expect(check(await run.report, 'storage')).toEqual({
      name: 'storage',
      status: 'FAIL',
      reason: 'storage_timeout',
      detail: 'no answer within 100 ms',
      durationMs: 100,
    })
  })

  it('reports storage_timeout when the storage probe gives up on the abort signal', async () => {
    // a well-behaved probe stops waiting when the signal it was given aborts
    const storageCalled = gate()
    let gaveUp = false
    const run = start(
      realProbes({
        storage: async (signal) =>
          new Promise<void>((_resolve, reject) => {
            storageCalled.hit()
            signal.addEventListener('abort', () => {
              gaveUp = true
              reject(signal.reason as Error)
            })
          }),
      }),
      { maxMemoryMb: 512 },
    )
    await within(storageCalled.reached, 'the storage probe call')
    await vi.advanceTimersByTimeAsync(499)
    expect(gaveUp).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(gaveUp).toBe(true)
    const report = await run.report
    expect(report.failing).toBe('storage')
    // the deadline's reason, not the probe's AbortError
    expect(check(report, 'storage')).toEqual({
      name: 'storage',
      status: 'FAIL',
      reason: 'storage_timeout',
      detail: 'no answer within 500 ms',
      durationMs: 500,
    })
  })

  it('passes a storage probe that answers just inside the timeout, and then lets it be', async () => {
    let received: AbortSignal | undefined
    let abortedWhenAnswering: boolean | undefined
    const storageCalled = gate()
    const run = start(
      realProbes({
        storage: async (signal) => {
          received = signal
          storageCalled.hit()
          await delay(299)
          abortedWhenAnswering = signal.aborted
        },
      }),
      { maxMemoryMb: 512, storageTimeoutMs: 300 },
    )
    await within(storageCalled.reached, 'the storage probe call')
    await vi.advanceTimersByTimeAsync(299)
    const report = await run.report
    expect(report.status).toBe('PASS')
    expectPassed(check(report, 'storage'))
    expect(check(report, 'storage').durationMs).toBe(299)
    expect(abortedWhenAnswering).toBe(false)
    // the deadline was cleared with the answer: it never fires later
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(received?.aborted).toBe(false)
  })

  it('fails with storage_failed at once when the storage probe throws', async () => {
    // a FileStorage whose directory is a regular file cannot be written
    const blocked = join(dir, 'blocked')
    await writeFile(blocked, 'not a directory')
    const broken = new FileStorage(blocked)
    // settles without the clock moving: it does not wait out the 500 ms deadline
    const report = await within(
      runHealthChecks(
        realProbes({
          storage: async () => {
            await broken.put('health', 'probe', { nonce: 'x' })
          },
        }),
        { maxMemoryMb: 512 },
      ),
      'the report',
    )
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('storage')
    const c = check(report, 'storage')
    expect(c.status).toBe('FAIL')
    expect(c.reason).toBe('storage_failed')
    expect(c.detail).toMatch(/ENOTDIR|EEXIST/)
    expect(c.durationMs).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('fails with storage_failed when the value read back differs', async () => {
    const report = await runHealthChecks(
      realProbes({
        storage: async () => {
          await storage.put('health', 'probe', { nonce: 'a' })
          const back = (await storage.get('health', 'probe')) as { nonce?: string }
          if (back.nonce !== 'b') throw new Error('read back a different value than written')
        },
      }),
      { maxMemoryMb: 512 },
    )
    expect(check(report, 'storage')).toMatchObject({
      status: 'FAIL',
      reason: 'storage_failed',
      detail: 'read back a different value than written',
    })
  })

  /** A real signature that takes `ms` on the fake clock; `called` opens when the check starts. */
  function slowCrypto(ms: number): {
    probe: HealthProbes['crypto']
    called: ReturnType<typeof gate>
  } {
    const real = realProbes()
    const called = gate()
    return {
      called,
      probe: async () => {
        called.hit()
        await delay(ms)
        await real.crypto()
      },
    }
  }

  it('fails with crypto_timeout at the 100 ms default when the signature takes 150 ms', async () => {
    const slow = slowCrypto(150)
    const run = start(realProbes({ crypto: slow.probe }), { maxMemoryMb: 512 })
    await within(slow.called.reached, 'the crypto probe call')
    await vi.advanceTimersByTimeAsync(99)
    expect(run.settled()).toBeUndefined()
    // cut off at the limit, not when the slow signature finally returns
    await vi.advanceTimersByTimeAsync(1)
    expect(run.settled()).toBeDefined()
    const report = await run.report
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('crypto')
    expect(check(report, 'crypto')).toEqual({
      name: 'crypto',
      status: 'FAIL',
      reason: 'crypto_timeout',
      detail: 'no answer within 100 ms',
      durationMs: 100,
    })
    expect(report.durationMs).toBe(100)
  })

  it('honours a custom cryptoTimeoutMs', async () => {
    const strictSlow = slowCrypto(60)
    const strict = start(realProbes({ crypto: strictSlow.probe }), {
      maxMemoryMb: 512,
      cryptoTimeoutMs: 20,
    })
    await within(strictSlow.called.reached, 'the crypto probe call')
    await vi.advanceTimersByTimeAsync(19)
    expect(strict.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(check(await strict.report, 'crypto')).toEqual({
      name: 'crypto',
      status: 'FAIL',
      reason: 'crypto_timeout',
      detail: 'no answer within 20 ms',
      durationMs: 20,
    })

    const lenientSlow = slowCrypto(60)
    const lenient = start(realProbes({ crypto: lenientSlow.probe }), {
      maxMemoryMb: 512,
      cryptoTimeoutMs: 1000,
    })
    await within(lenientSlow.called.reached, 'the crypto probe call')
    await vi.advanceTimersByTimeAsync(60)
    const report = await lenient.report
    expectPassed(check(report, 'crypto'))
    expect(check(report, 'crypto').durationMs).toBe(60)
    expect(report.status).toBe('PASS')
  })

  it('fails with crypto_timeout at the limit when the signature never completes', async () => {
    const cryptoCalled = gate()
    const run = start(
      realProbes({
        crypto: async () => {
          cryptoCalled.hit()
          return new Promise<void>(() => {})
        },
      }),
      { maxMemoryMb: 512 },
    )
    await within(cryptoCalled.reached, 'the crypto probe call')
    await vi.advanceTimersByTimeAsync(99)
    expect(run.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(run.settled()).toBeDefined()
    const report = await run.report
    expect(report.failing).toBe('crypto')
    expect(check(report, 'crypto')).toMatchObject({
      status: 'FAIL',
      reason: 'crypto_timeout',
      durationMs: 100,
    })
  })

  it('fails with crypto_failed when the signature does not verify', async () => {
    const other = await generateKeyPair('Ed25519')
    const report = await runHealthChecks(
      realProbes({
        crypto: async () => {
          const message = new TextEncoder().encode('probe')
          const signature = await other.sign(message)
          if (!(await key.publicKey.verify(message, signature))) {
            throw new Error('signature did not verify')
          }
        },
      }),
      { maxMemoryMb: 512 },
    )
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('crypto')
    expect(check(report, 'crypto')).toMatchObject({
      status: 'FAIL',
      reason: 'crypto_failed',
      detail: 'signature did not verify',
    })
  })

  it('names the first failing check when several fail', async () => {
    await rm(configPath)
    const report = await runHealthChecks(
      realProbes({
        crypto: async () => {
          throw new Error('no identity loaded')
        },
        memoryBytes: () => 600 * MB,
      }),
      { maxMemoryMb: 512 },
    )
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('config')
    expect(report.checks.map((c) => [c.name, c.status, c.reason])).toEqual([
      ['config', 'FAIL', 'config_unreadable'],
      ['storage', 'PASS', undefined],
      ['crypto', 'FAIL', 'crypto_failed'],
      ['memory', 'FAIL', 'memory_threshold_exceeded'],
    ])
  })

  it('stays PASS overall when memory is only a WARN', async () => {
    const report = await runHealthChecks(realProbes({ memoryBytes: () => 82 * MB }), {
      maxMemoryMb: 100,
    })
    expect(report.status).toBe('PASS')
    expect(report.failing).toBeUndefined()
    expect(check(report, 'memory')).toMatchObject({
      status: 'WARN',
      reason: 'memory_threshold_near',
    })
  })

  it('fails on memory above 85 %', async () => {
    const report = await runHealthChecks(realProbes({ memoryBytes: () => 90 * MB }), {
      maxMemoryMb: 100,
    })
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('memory')
    expect(check(report, 'memory')).toMatchObject({
      status: 'FAIL',
      reason: 'memory_threshold_exceeded',
      detail: '90 MB of 100 MB (90 %)',
    })
  })

  it('takes at most the storage limit plus the crypto limit (600 ms, under 2 s) when both run out', async () => {
    const storageCalled = gate()
    const slow = slowCrypto(150)
    const run = start(
      realProbes({
        storage: async () => {
          storageCalled.hit()
          return new Promise<void>(() => {})
        },
        crypto: slow.probe,
      }),
      { maxMemoryMb: 512 },
    )
    await within(storageCalled.reached, 'the storage probe call')
    await vi.advanceTimersByTimeAsync(500)
    await within(slow.called.reached, 'the crypto probe call')
    await vi.advanceTimersByTimeAsync(99)
    expect(run.settled()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(run.settled()).toBeDefined()
    const report = await run.report
    expect(report.durationMs).toBe(600)
    expect(report.durationMs).toBeLessThan(2000)
    expect(report.timestamp).toBe(new Date(T0 + 600).toISOString())
    expect(report.checks.map((c) => [c.name, c.reason, c.durationMs])).toEqual([
      ['config', undefined, 0],
      ['storage', 'storage_timeout', 500],
      ['crypto', 'crypto_timeout', 100],
      ['memory', undefined, 0],
    ])
  })
})

describe('memoryCheck', () => {
  it('uses 80 % and 85 % as thresholds', () => {
    expect(MEMORY_WARN_RATIO).toBe(0.8)
    expect(MEMORY_FAIL_RATIO).toBe(0.85)
  })

  it.each([
    { used: 0, status: 'PASS', reason: undefined, detail: '0 MB of 100 MB (0 %)' },
    { used: 50 * MB, status: 'PASS', reason: undefined, detail: '50 MB of 100 MB (50 %)' },
    { used: 80 * MB - 1, status: 'PASS', reason: undefined, detail: '80 MB of 100 MB (80 %)' },
    {
      used: 80 * MB,
      status: 'WARN',
      reason: 'memory_threshold_near',
      detail: '80 MB of 100 MB (80 %)',
    },
    {
      used: 83 * MB,
      status: 'WARN',
      reason: 'memory_threshold_near',
      detail: '83 MB of 100 MB (83 %)',
    },
    {
      used: 85 * MB,
      status: 'WARN',
      reason: 'memory_threshold_near',
      detail: '85 MB of 100 MB (85 %)',
    },
    {
      used: 85 * MB + 1024,
      status: 'FAIL',
      reason: 'memory_threshold_exceeded',
      detail: '85 MB of 100 MB (85 %)',
    },
    {
      used: 86 * MB,
      status: 'FAIL',
      reason: 'memory_threshold_exceeded',
      detail: '86 MB of 100 MB (86 %)',
    },
    {
      used: 150 * MB,
      status: 'FAIL',
      reason: 'memory_threshold_exceeded',
      detail: '150 MB of 100 MB (150 %)',
    },
  ])('$used bytes of 100 MB → $status', ({ used, status, reason, detail }) => {
    const result = memoryCheck(used, 100)
    expect(result).toEqual({ name: 'memory', status, reason, detail, durationMs: 0 })
  })

  it('scales with maxMemoryMb', () => {
    expect(memoryCheck(400 * MB, 512)).toMatchObject({ status: 'PASS' })
    expect(memoryCheck(420 * MB, 512)).toMatchObject({
      status: 'WARN',
      reason: 'memory_threshold_near',
    })
    expect(memoryCheck(440 * MB, 512)).toMatchObject({
      status: 'FAIL',
      reason: 'memory_threshold_exceeded',
    })
  })

  it('passes with an explanatory detail when memory is not measurable', () => {
    expect(memoryCheck(undefined, 100)).toEqual({
      name: 'memory',
      status: 'PASS',
      detail: 'memory use is not measurable on this platform',
      durationMs: 0,
    })
  })

  it('is used by runHealthChecks when the platform cannot measure memory', async () => {
    const report = await runHealthChecks(realProbes({ memoryBytes: () => undefined }), {
      maxMemoryMb: 1,
    })
    expect(report.status).toBe('PASS')
    expect(check(report, 'memory')).toEqual({
      name: 'memory',
      status: 'PASS',
      detail: 'memory use is not measurable on this platform',
      durationMs: 0,
    })
  })
})

describe('HealthService self-verification', () => {
  /**
   * Storage in memory (no real I/O, so nothing races the fake clock) whose first `stalls` writes
   * wait until the test lets them go.
   */
  function stallingStorage(stalls: number): { adapter: StorageAdapter; release: () => void } {
    const waiting: Array<() => void> = []
    const data = new Map<string, unknown>()
    let left = stalls
    const adapter: StorageAdapter = {
      kind: 'memory',
      location: 'test',
      get: async (ns, k) => data.get(`${ns}/${k}`),
      put: async (ns, k, v) => {
        if (left-- > 0) await new Promise<void>((resolve) => waiting.push(resolve))
        data.set(`${ns}/${k}`, v)
      },
      delete: async (ns, k) => {
        data.delete(`${ns}/${k}`)
      },
      keys: async () => [],
      flush: async () => {},
      close: async () => {},
    }
    return {
      adapter,
      release: () => {
        for (const r of waiting.splice(0)) r()
      },
    }
  }

  function service(adapter: StorageAdapter, sink: MemorySink): HealthService {
    return new HealthService({
      host: {
        configProbe: async () => {},
        storage: adapter,
        memoryBytes: () => 10 * MB,
      },
      identity: () => ({ privateKey: key }) as never,
      maxMemoryMb: 512,
      intervalMs: 60_000,
      log: createLogger({ level: 'DEBUG', sinks: [sink.sink] }),
      onReport: () => {},
    })
  }

  /** Moves the fake clock in steps until `p` settles, or gives up. */
  async function drive<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
    let out: PromiseSettledResult<T> | undefined
    void p.then(
      (value) => (out = { status: 'fulfilled', value }),
      (reason: unknown) => (out = { status: 'rejected', reason }),
    )
    for (let i = 0; i < 100 && out == null; i++) await vi.advanceTimersByTimeAsync(100)
    if (out == null) throw new Error('did not settle')
    return out
  }

  it('tries a storage check that timed out again, and starts once one passes', async () => {
    const sink = new MemorySink(100)
    const slow = stallingStorage(2)
    const health = service(slow.adapter, sink)
    const started = drive(health.start())
    expect((await started).status).toBe('fulfilled')
    expect(health.last?.status).toBe('PASS')
    expect(sink.entries.filter((e) => e.msg.includes('trying again'))).toHaveLength(2)
    health.stop()
    slow.release()
  })

  it(`fails the start when the storage check times out ${START_ATTEMPTS} times`, async () => {
    const sink = new MemorySink(100)
    const slow = stallingStorage(START_ATTEMPTS)
    const health = service(slow.adapter, sink)
    const result = await drive(health.start())
    expect(result.status).toBe('rejected')
    expect(String((result as PromiseRejectedResult).reason)).toMatch(/storage_timeout/)
    slow.release()
  })

  it('does not retry a check that failed outright', async () => {
    const sink = new MemorySink(100)
    const { adapter: broken } = stallingStorage(0)
    let puts = 0
    broken.put = async () => {
      puts++
      throw new Error('disk full')
    }
    const result = await drive(service(broken, sink).start())
    expect(result.status).toBe('rejected')
    expect(puts).toBe(1)
  })
})
