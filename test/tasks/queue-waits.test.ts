import { describe, expect, it } from 'vitest'
import { RecentQueueWaits } from '../../src/tasks/queue-waits.js'

describe('RecentQueueWaits', () => {
  it('has no p95 without waits', () => {
    expect(new RecentQueueWaits(1000).p95(0)).toBeUndefined()
  })

  it('gives the nearest-rank p95 of the waits in the window', () => {
    const w = new RecentQueueWaits(1000)
    for (let i = 1; i <= 100; i++) w.add(500, i)
    expect(w.p95(600)).toBe(95)
  })

  it('counts a clock step backwards as no wait', () => {
    const w = new RecentQueueWaits(1000)
    w.add(500, -5)
    expect(w.p95(600)).toBe(0)
  })

  it('forgets waits older than the window', () => {
    const w = new RecentQueueWaits(1000)
    w.add(0, 5000)
    w.add(900, 10)
    expect(w.p95(999)).toBe(5000)
    expect(w.p95(1001)).toBe(10)
    expect(w.p95(2000)).toBeUndefined()
  })
})
