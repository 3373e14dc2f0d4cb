import { describe, expect, it } from 'vitest'
import { FailureWindow } from '../../src/obs/failure-window.js'

const stats = (completed: number, failed = 0, timedOut = 0) => ({
  completed,
  failed,
  timed_out: timedOut,
})

describe('FailureWindow', () => {
  it('counts what ended since the newest reading at or before the window start', () => {
    const w = new FailureWindow(60_000)
    expect(w.add(0, stats(10, 5))).toEqual({ ended: 0, failed: 0 })
    expect(w.add(30_000, stats(20, 6, 1))).toEqual({ ended: 12, failed: 2 })
    expect(w.add(60_000, stats(30, 6, 1))).toEqual({ ended: 22, failed: 2 }) // base: t=0
    expect(w.add(90_000, stats(30, 6, 1))).toEqual({ ended: 10, failed: 0 }) // base: t=30 s
    expect(w.add(200_000, stats(30, 6, 1))).toEqual({ ended: 0, failed: 0 })
  })

  it('starts over when the counters go back (an engine that restarted)', () => {
    const w = new FailureWindow(60_000)
    w.add(0, stats(100, 50))
    expect(w.add(10_000, stats(2, 1))).toEqual({ ended: 0, failed: 0 })
    expect(w.add(20_000, stats(4, 1))).toEqual({ ended: 2, failed: 0 })
  })
})
