/**
 * The queue waits of the tasks started recently, for the p95 the alerts watch (FR22.1): a window
 * of the last few minutes, bounded in size. Times are passed in, so tests need no clock.
 */

/** How far back the p95 looks, ms. */
export const QUEUE_WAIT_WINDOW_MS = 5 * 60_000
/** Most waits kept; beyond, the oldest go first. */
const MAX_KEPT = 1024

export class RecentQueueWaits {
  private readonly waits: Array<{ at: number; ms: number }> = []

  constructor(private readonly windowMs = QUEUE_WAIT_WINDOW_MS) {}

  /** A task started at `at` (ms since the epoch) after waiting `ms`. */
  add(at: number, ms: number): void {
    this.waits.push({ at, ms: Math.max(0, ms) })
    if (this.waits.length > MAX_KEPT) this.waits.shift()
  }

  /** The p95 (nearest rank) of the waits within the window before `now`; undefined without any. */
  p95(now: number): number | undefined {
    while (this.waits.length > 0 && (this.waits[0]?.at ?? now) < now - this.windowMs)
      this.waits.shift()
    if (this.waits.length === 0) return undefined
    const sorted = this.waits.map((w) => w.ms).sort((a, b) => a - b)
    return sorted[Math.ceil(0.95 * sorted.length) - 1]
  }
}
