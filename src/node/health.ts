/**
 * Health checks (FR1.3), in the seed's order: configuration, storage round trip (500 ms),
 * a signature (100 ms), memory (WARN from 80 %, FAIL above 85 % of max_memory_mb). The
 * probes come from the host, so a tab and a Node process check the same things their own way.
 */
import type { CheckStatus, HealthCheckResult, HealthReport } from '../core/types.js'

export interface HealthProbes {
  /** re-reads and validates the stored configuration; throws if unreadable or invalid */
  config(): Promise<void>
  /** writes, reads back and deletes a value; throws on mismatch */
  storage(signal: AbortSignal): Promise<void>
  /** signs and verifies a message with the node key; throws on failure */
  crypto(): Promise<void>
  /** bytes in use, or undefined where the platform cannot tell */
  memoryBytes(): number | undefined
}

export interface HealthLimits {
  maxMemoryMb: number
  /** @default 500 */
  storageTimeoutMs?: number
  /** @default 100 */
  cryptoTimeoutMs?: number
}

export const MEMORY_WARN_RATIO = 0.8
export const MEMORY_FAIL_RATIO = 0.85

export async function runHealthChecks(
  probes: HealthProbes,
  limits: HealthLimits,
): Promise<HealthReport> {
  const started = performance.now()
  const checks: HealthCheckResult[] = []
  checks.push(
    await timed(
      'config',
      async () => {
        await probes.config()
      },
      'config_unreadable',
    ),
  )
  const storageTimeout = limits.storageTimeoutMs ?? 500
  checks.push(
    await timed(
      'storage',
      async () =>
        withDeadline(async (signal) => probes.storage(signal), storageTimeout, 'storage_timeout'),
      'storage_failed',
    ),
  )
  const cryptoLimit = limits.cryptoTimeoutMs ?? 100
  checks.push(
    await timed(
      'crypto',
      async () => withDeadline(async () => probes.crypto(), cryptoLimit, 'crypto_timeout'),
      'crypto_failed',
    ),
  )
  checks.push(memoryCheck(probes.memoryBytes(), limits.maxMemoryMb))
  const failing = checks.find((c) => c.status === 'FAIL')
  return {
    status: failing == null ? 'PASS' : 'FAIL',
    checks,
    failing: failing?.name,
    durationMs: round(performance.now() - started),
    timestamp: new Date().toISOString(),
  }
}

/**
 * Runs `fn` with a signal that aborts at the deadline, and fails with `reason` when the deadline
 * passes first, whether or not `fn` heeds the signal.
 */
async function withDeadline(
  fn: (signal: AbortSignal) => Promise<void>,
  ms: number,
  reason: string,
): Promise<void> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(Object.assign(new Error(`no answer within ${ms} ms`), { reason }))
    }, ms)
  })
  try {
    await Promise.race([fn(controller.signal), deadline])
  } catch (err) {
    if (controller.signal.aborted)
      throw Object.assign(new Error(`no answer within ${ms} ms`), { reason })
    throw err
  } finally {
    clearTimeout(timer)
  }
}

async function timed(
  name: HealthCheckResult['name'],
  fn: () => Promise<void>,
  failReason: string,
): Promise<HealthCheckResult> {
  const t0 = performance.now()
  try {
    await fn()
    return { name, status: 'PASS', durationMs: round(performance.now() - t0) }
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? failReason
    return {
      name,
      status: 'FAIL',
      reason,
      detail: (err as Error).message,
      durationMs: round(performance.now() - t0),
    }
  }
}

export function memoryCheck(usedBytes: number | undefined, maxMemoryMb: number): HealthCheckResult {
  if (usedBytes == null) {
    return {
      name: 'memory',
      status: 'PASS',
      detail: 'memory use is not measurable on this platform',
      durationMs: 0,
    }
  }
  const ratio = usedBytes / (maxMemoryMb * 1024 * 1024)
  const detail = `${(usedBytes / 1048576).toFixed(0)} MB of ${maxMemoryMb} MB (${(ratio * 100).toFixed(0)} %)`
  let status: CheckStatus = 'PASS'
  let reason: string | undefined
  if (ratio > MEMORY_FAIL_RATIO) {
    status = 'FAIL'
    reason = 'memory_threshold_exceeded'
  } else if (ratio >= MEMORY_WARN_RATIO) {
    status = 'WARN'
    reason = 'memory_threshold_near'
  }
  return { name: 'memory', status, reason, detail, durationMs: 0 }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}
