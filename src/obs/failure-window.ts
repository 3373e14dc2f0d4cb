/**
 * The task failure rate over a sliding window, from the task engine's counters read at each
 * alert evaluation: the difference between now and the newest reading at or before the window's
 * start.
 */
import type { TaskStats } from '../core/tasks.js'

interface Reading {
  at: number
  ended: number
  failed: number
}

export class FailureWindow {
  private readings: Reading[] = []

  constructor(private readonly windowMs: number) {}

  /** Adds the counters read at `at`; returns the tasks that ended within the window up to it. */
  add(
    at: number,
    stats: Pick<TaskStats, 'completed' | 'failed' | 'timed_out'>,
  ): {
    ended: number
    failed: number
  } {
    const failed = stats.failed + stats.timed_out
    const reading = { at, ended: stats.completed + failed, failed }
    const last = this.readings.at(-1)
    // counters that went back (an engine restarted): start over from here
    if (last != null && (reading.ended < last.ended || reading.failed < last.failed))
      this.readings = []
    this.readings.push(reading)
    // keep one reading at or before the window's start: the baseline
    while (this.readings.length > 1 && (this.readings[1] as Reading).at <= at - this.windowMs)
      this.readings.shift()
    const base = this.readings[0] as Reading
    return { ended: reading.ended - base.ended, failed: reading.failed - base.failed }
  }

  reset(): void {
    this.readings = []
  }
}
