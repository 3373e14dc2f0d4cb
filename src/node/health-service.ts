/**
 * The node's health (FR1.3) as a part: on start, self-verification (the checks must pass or the
 * start fails); then a check every health_check_interval_secs. The probes use the host's storage,
 * config and memory and the node's identity key.
 */
import { SelfVerificationError } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { HealthReport } from '../core/types.js'
import { Namespaces } from '../store/storage.js'
import { runHealthChecks } from './health.js'
import type { NodeHost } from './host.js'
import type { Identity } from './identity.js'

export interface HealthServiceOptions {
  host: Pick<NodeHost, 'configProbe' | 'storage' | 'memoryBytes' | 'healthDeadlines'>
  /** the node's identity, once loaded */
  identity(): Identity | undefined
  maxMemoryMb: number
  intervalMs: number
  log: Logger
  /** every report, as it is made */
  onReport(report: HealthReport): void
}

/** Self-verification tries a check that timed out this many times in all before the start fails. */
export const START_ATTEMPTS = 5
/** the pause before the first retry; it doubles with each (about 6 s of tries in all) */
const RETRY_PAUSE_MS = 250

function onlyTimedOut(report: HealthReport): boolean {
  const failed = report.checks.filter((c) => c.status === 'FAIL')
  return failed.length > 0 && failed.every((c) => c.reason?.endsWith('_timeout') === true)
}

export class HealthService implements Startable {
  private timer?: ReturnType<typeof setInterval>
  private report?: HealthReport

  constructor(private readonly opts: HealthServiceOptions) {}

  get last(): HealthReport | undefined {
    return this.report
  }

  /**
   * Self-verification: a failing check fails the start. A check that only ran out of time is
   * tried again (START_ATTEMPTS in all): a tab starting beside others that load their models can
   * be starved of CPU for a moment, which is not a broken disk.
   */
  async start(): Promise<void> {
    let report = await this.check()
    for (let attempt = 1; attempt < START_ATTEMPTS && onlyTimedOut(report); attempt++) {
      this.opts.log.warn('self-verification timed out; trying again', {
        attempt,
        failing: report.failing,
      })
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * 2 ** (attempt - 1)))
      report = await this.check()
    }
    if (report.status === 'FAIL') {
      throw new SelfVerificationError(
        report.failing ?? 'unknown',
        report.checks.find((c) => c.status === 'FAIL')?.reason,
      )
    }
    this.timer ??= setInterval(() => {
      void this.check().catch(() => {})
    }, this.opts.intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  async check(): Promise<HealthReport> {
    const { host, log } = this.opts
    const identity = this.opts.identity()
    const report = await runHealthChecks(
      {
        config: async () => host.configProbe(),
        storage: async () => {
          // a key of its own: tabs of one browser profile share one database
          const nonce = Math.random().toString(36).slice(2)
          const key = `probe-${identity?.nodeId ?? 'starting'}-${nonce}`
          await host.storage.put(Namespaces.health, key, { nonce })
          const back = (await host.storage.get(Namespaces.health, key)) as
            { nonce?: string } | undefined
          await host.storage.delete(Namespaces.health, key)
          if (back?.nonce !== nonce) throw new Error('read back a different value than written')
        },
        crypto: async () => {
          if (identity == null) throw new Error('no identity loaded')
          const message = crypto.getRandomValues(new Uint8Array(32))
          const signature = await identity.privateKey.sign(message)
          if (!(await identity.privateKey.publicKey.verify(message, signature)))
            throw new Error('signature did not verify')
        },
        memoryBytes: () => host.memoryBytes(),
      },
      {
        maxMemoryMb: this.opts.maxMemoryMb,
        storageTimeoutMs: host.healthDeadlines?.storageMs,
        cryptoTimeoutMs: host.healthDeadlines?.cryptoMs,
      },
    )
    this.report = report
    // memory over its limit is also the memory_high alert (src/obs/alert-service.ts), logged once
    if (report.status === 'FAIL')
      log.warn('health check failed', { failing: report.failing, checks: report.checks })
    this.opts.onReport(report)
    return report
  }
}
