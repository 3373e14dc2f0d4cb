/** The figures of the debug tools: percentiles of latencies, and rates. */
import type { LatencySummary } from '../core/debug.js'

/**
 * The `p`-th percentile (0-100) of `sorted` (ascending) by the nearest-rank method: the
 * smallest sample with at least p % of the samples at or below it. Undefined when empty.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length)
  return sorted[Math.max(rank, 1) - 1]
}

/** Min, p50, p99, max and mean of `samples` (ms), rounded to 0.1 ms; nulls without a sample. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const round = (x: number | undefined): number | null =>
    x == null ? null : Math.round(x * 10) / 10
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    samples: sorted.length,
    min_ms: round(sorted[0]),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1)),
    mean_ms: round(sorted.length === 0 ? undefined : sum / sorted.length),
  }
}

/** `amount` per second over `ms`; 0 over no time. */
export function perSecond(amount: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((amount / ms) * 1000 * 100) / 100
}
