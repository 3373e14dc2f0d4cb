import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { throttle } from '../../src/core/throttle.js'

describe('throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs at once, then at most once per interval, once more at its end for calls meanwhile', async () => {
    const runs: number[] = []
    const t0 = Date.now()
    const t = throttle(() => runs.push(Date.now() - t0), 1000)
    t.call()
    expect(runs).toEqual([0])
    t.call()
    t.call()
    await vi.advanceTimersByTimeAsync(999)
    expect(runs).toEqual([0])
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual([0, 1000])
    // quiet for longer than the interval: the next call runs at once
    await vi.advanceTimersByTimeAsync(5000)
    t.call()
    expect(runs).toEqual([0, 1000, 6000])
  })

  it('cancel drops a pending run', async () => {
    const runs: number[] = []
    const t = throttle(() => runs.push(1), 1000)
    t.call()
    t.call()
    t.cancel()
    await vi.advanceTimersByTimeAsync(5000)
    expect(runs).toEqual([1])
  })
})
