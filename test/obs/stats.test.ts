import { describe, expect, it } from 'vitest'
import { percentile, perSecond, summarize } from '../../src/obs/stats.js'

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1)

  it('gives the smallest sample with p % at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50)
    expect(percentile(hundred, 99)).toBe(99)
    expect(percentile(hundred, 100)).toBe(100)
    expect(percentile(hundred, 0)).toBe(1)
    expect(percentile([1, 2, 3, 4], 50)).toBe(2)
    expect(percentile([1, 2, 3, 4], 51)).toBe(3)
  })

  it('is the one sample of one, and undefined of none', () => {
    expect(percentile([7], 50)).toBe(7)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeUndefined()
  })

  it('p99 of 10 samples is the largest: one slow outlier shows', () => {
    expect(percentile([1, 1, 1, 1, 1, 1, 1, 1, 1, 500], 99)).toBe(500)
    expect(percentile([1, 1, 1, 1, 1, 1, 1, 1, 1, 500], 50)).toBe(1)
  })
})

describe('summarize', () => {
  it('sorts its samples and rounds to 0.1 ms', () => {
    expect(summarize([30.04, 10, 20.06])).toEqual({
      samples: 3,
      min_ms: 10,
      p50_ms: 20.1,
      p99_ms: 30,
      max_ms: 30,
      mean_ms: 20,
    })
  })

  it('has nulls without a sample', () => {
    expect(summarize([])).toEqual({
      samples: 0,
      min_ms: null,
      p50_ms: null,
      p99_ms: null,
      max_ms: null,
      mean_ms: null,
    })
  })
})

describe('perSecond', () => {
  it('is the amount per second of the time given in ms', () => {
    expect(perSecond(1_000_000, 500)).toBe(2_000_000)
    expect(perSecond(20, 4000)).toBe(5)
    expect(perSecond(1, 3000)).toBe(0.33)
    expect(perSecond(5, 0)).toBe(0)
  })
})
