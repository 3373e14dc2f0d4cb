import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HealthCheckResult, HealthReport } from '../../src/core/types.js'
import type { HealthProbes } from '../../src/node/health.js'
import {
  MEMORY_FAIL_RATIO,
  MEMORY_WARN_RATIO,
  memoryCheck,
  runHealthChecks,
} from '../../src/node/health.js'
import { FileStorage } from '../../src/store/file-storage.js'

const MB = 1024 * 1024
const ORDER = ['config', 'storage', 'crypto', 'memory']

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
})

afterEach(async () => {
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

/** Rejects if `p` has not settled within `ms`, so a hang fails the test instead of timing out. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
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
    const before = Date.now()
    const t0 = performance.now()
    const report = await runHealthChecks(realProbes(), { maxMemoryMb: 512 })
    const wall = performance.now() - t0

    expect(report.status).toBe('PASS')
    expect(report.failing).toBeUndefined()
    expect(report.checks.map((c) => c.name)).toEqual(ORDER)
    for (const c of report.checks) {
      expectPassed(c)
      expect(c.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect(check(report, 'memory').detail).toBe('100 MB of 512 MB (20 %)')
    expect(report.durationMs).toBeGreaterThanOrEqual(0)
    expect(report.durationMs).toBeLessThanOrEqual(wall + 1)
    expect(report.durationMs).toBeLessThan(2000)
    const ts = Date.parse(report.timestamp)
    expect(new Date(ts).toISOString()).toBe(report.timestamp)
    expect(ts).toBeGreaterThanOrEqual(before)
    expect(ts).toBeLessThanOrEqual(Date.now())
    // the storage probe cleaned up after itself
    expect(await storage.keys('health')).toEqual([])
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

  it('fails with storage_timeout when the storage probe never answers (500 ms default)', async () => {
    let received: AbortSignal | undefined
    const t0 = performance.now()
    const report = await within(
      runHealthChecks(
        realProbes({
          storage: (signal) => {
            received = signal
            return new Promise<void>(() => {})
          },
        }),
        { maxMemoryMb: 512 },
      ),
      2000,
      'runHealthChecks',
    )
    const wall = performance.now() - t0

    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('storage')
    expect(report.checks.map((c) => c.name)).toEqual(ORDER)
    const c = check(report, 'storage')
    expect(c.status).toBe('FAIL')
    expect(c.reason).toBe('storage_timeout')
    expect(c.detail).toBe('no answer within 500 ms')
    expect(c.durationMs).toBeGreaterThanOrEqual(480)
    expect(c.durationMs).toBeLessThan(500 + 250)
    expect(wall).toBeLessThan(500 + 500)
    expect(received?.aborted).toBe(true)
    expectPassed(check(report, 'config'))
    expectPassed(check(report, 'crypto'))
    expectPassed(check(report, 'memory'))
  })

  it('honours a custom storageTimeoutMs', async () => {
    const report = await within(
      runHealthChecks(realProbes({ storage: () => new Promise<void>(() => {}) }), {
        maxMemoryMb: 512,
        storageTimeoutMs: 100,
      }),
      1000,
      'runHealthChecks',
    )
    const c = check(report, 'storage')
    expect(c).toMatchObject({
      status: 'FAIL',
      reason: 'storage_timeout',
      detail: 'no answer within 100 ms',
    })
    expect(c.durationMs).toBeGreaterThanOrEqual(90)
    expect(c.durationMs).toBeLessThan(100 + 250)
  })

  it('reports storage_timeout when the storage probe gives up on the abort signal', async () => {
    // a well-behaved probe stops waiting when the signal it was given aborts
    const report = await within(
      runHealthChecks(
        realProbes({
          storage: (signal) =>
            new Promise<void>((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                reject(signal.reason as Error)
              })
            }),
        }),
        { maxMemoryMb: 512 },
      ),
      2000,
      'runHealthChecks',
    )
    expect(report.failing).toBe('storage')
    expect(check(report, 'storage')).toMatchObject({ status: 'FAIL', reason: 'storage_timeout' })
  })

  it('passes a storage probe that answers just inside the timeout', async () => {
    const report = await runHealthChecks(
      realProbes({
        storage: async (signal) => {
          await sleep(50)
          expect(signal.aborted).toBe(false)
        },
      }),
      { maxMemoryMb: 512, storageTimeoutMs: 300 },
    )
    expect(report.status).toBe('PASS')
    expectPassed(check(report, 'storage'))
    expect(check(report, 'storage').durationMs).toBeGreaterThanOrEqual(45)
  })

  it('fails with storage_failed when the storage probe throws', async () => {
    // a FileStorage whose directory is a regular file cannot be written
    const blocked = join(dir, 'blocked')
    await writeFile(blocked, 'not a directory')
    const broken = new FileStorage(blocked)
    const report = await runHealthChecks(
      realProbes({
        storage: async () => {
          await broken.put('health', 'probe', { nonce: 'x' })
        },
      }),
      { maxMemoryMb: 512 },
    )
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('storage')
    const c = check(report, 'storage')
    expect(c.status).toBe('FAIL')
    expect(c.reason).toBe('storage_failed')
    expect(c.detail).toMatch(/ENOTDIR|EEXIST/)
    expect(c.durationMs).toBeLessThan(500)
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

  it('fails with crypto_timeout when the signature is slower than cryptoTimeoutMs', async () => {
    const real = realProbes()
    const report = await runHealthChecks(
      realProbes({
        crypto: async () => {
          await real.crypto()
          await sleep(150)
        },
      }),
      { maxMemoryMb: 512 },
    )
    expect(report.status).toBe('FAIL')
    expect(report.failing).toBe('crypto')
    const c = check(report, 'crypto')
    expect(c.status).toBe('FAIL')
    expect(c.reason).toBe('crypto_timeout')
    // cut off at the limit, not when the slow signature finally returns
    expect(c.durationMs).toBeGreaterThanOrEqual(99)
    expect(c.durationMs).toBeLessThan(150)
    expect(c.detail).toBe('no answer within 100 ms')
  })

  it('honours a custom cryptoTimeoutMs', async () => {
    const real = realProbes()
    const slow = realProbes({
      crypto: async () => {
        await real.crypto()
        await sleep(60)
      },
    })
    const strict = await runHealthChecks(slow, { maxMemoryMb: 512, cryptoTimeoutMs: 20 })
    expect(check(strict, 'crypto')).toMatchObject({ status: 'FAIL', reason: 'crypto_timeout' })
    expect(check(strict, 'crypto').detail).toBe('no answer within 20 ms')
    const lenient = await runHealthChecks(slow, { maxMemoryMb: 512, cryptoTimeoutMs: 1000 })
    expectPassed(check(lenient, 'crypto'))
    expect(lenient.status).toBe('PASS')
  })

  it('fails with crypto_timeout within the limit when the signature never completes', async () => {
    const t0 = performance.now()
    const report = await within(
      runHealthChecks(realProbes({ crypto: () => new Promise<void>(() => {}) }), {
        maxMemoryMb: 512,
      }),
      2000,
      'runHealthChecks with a hung crypto probe',
    )
    expect(performance.now() - t0).toBeLessThan(100 + 500)
    expect(report.failing).toBe('crypto')
    expect(check(report, 'crypto')).toMatchObject({ status: 'FAIL', reason: 'crypto_timeout' })
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

  it('finishes in < 2 s even with a storage timeout and a slow signature', async () => {
    const real = realProbes()
    const t0 = performance.now()
    const report = await within(
      runHealthChecks(
        realProbes({
          storage: () => new Promise<void>(() => {}),
          crypto: async () => {
            await real.crypto()
            await sleep(150)
          },
        }),
        { maxMemoryMb: 512 },
      ),
      2000,
      'runHealthChecks',
    )
    const wall = performance.now() - t0
    expect(wall).toBeLessThan(2000)
    expect(report.durationMs).toBeLessThan(2000)
    expect(report.durationMs).toBeGreaterThanOrEqual(500 + 100)
    expect(report.checks.map((c) => [c.name, c.reason])).toEqual([
      ['config', undefined],
      ['storage', 'storage_timeout'],
      ['crypto', 'crypto_timeout'],
      ['memory', undefined],
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
