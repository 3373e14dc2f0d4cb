import type { TaskStats } from '../src/core/tasks.js'

/** The counters of TaskStats (queue_wait_p95_ms is a recent figure, not a counter) */
type CounterKey = Exclude<keyof TaskStats, 'queue_wait_p95_ms'>
const counters = (s: TaskStats): CounterKey[] =>
  (Object.keys(s) as Array<keyof TaskStats>).filter(
    (k): k is CounterKey => k !== 'queue_wait_p95_ms',
  )

/** What the engine did between two readings of its counters. */
export function statsSince(before: TaskStats, after: TaskStats): TaskStats {
  const delta = { ...after }
  for (const key of counters(delta)) delta[key] -= before[key]
  return delta
}

/** The counters of two runs together. */
export function addStats(a: TaskStats, b: TaskStats): TaskStats {
  const sum = { ...a }
  for (const key of counters(sum)) sum[key] += b[key]
  return sum
}

/** How the engine spent a run: inputs per call, ms per call, and the share of the run it was busy. */
export function engineUse(
  stats: TaskStats,
  elapsedMs: number,
): { inputs_per_call: number; ms_per_call: number; engine_busy_pct: number } {
  const calls = Math.max(1, stats.inference_calls)
  return {
    inputs_per_call: Math.round((stats.inference_inputs / calls) * 10) / 10,
    ms_per_call: Math.round((stats.inference_ms / calls) * 10) / 10,
    engine_busy_pct: Math.round((stats.inference_ms / elapsedMs) * 100),
  }
}
