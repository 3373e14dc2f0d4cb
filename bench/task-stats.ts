import type { TaskStats } from '../src/core/tasks.js'

/** The engine's counters (the rest of TaskStats are readings of now). */
const COUNTERS = [
  'completed',
  'failed',
  'timed_out',
  'inference_calls',
  'inference_inputs',
  'inference_ms',
] as const

/** What the engine did between two readings of its counters. */
export function statsSince(before: TaskStats, after: TaskStats): TaskStats {
  const delta = { ...after }
  for (const key of COUNTERS) delta[key] -= before[key]
  return delta
}

/** The counters of two runs together. */
export function addStats(a: TaskStats, b: TaskStats): TaskStats {
  const sum = { ...a }
  for (const key of COUNTERS) sum[key] += b[key]
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
