/**
 * A token bucket: `ratePerSec` tokens a second, at most `burst` saved up. Time comes from
 * `now` (milliseconds), so callers and tests choose the clock.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens--
    return true
  }
}
