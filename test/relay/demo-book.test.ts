import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  countLinks,
  formatSummary,
  percentile,
  TaskBook,
  waitUntil,
} from '../../relay/demo/book.js'

/** a clock the test moves by hand */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000
  return { now: () => t, advance: (ms) => (t += ms) }
}

describe('TaskBook', () => {
  it('counts done, failed (FAILED and TIMEOUT) and pending; a final state sticks', () => {
    const book = new TaskBook(manualClock().now)
    for (const k of ['a', 'b', 'c', 'd']) book.submit(k, 1)
    book.observe('a', 'QUEUED')
    book.observe('a', 'RUNNING')
    book.observe('a', 'COMPLETED', { latencyMs: 40 })
    book.observe('b', 'FAILED', { reason: 'attempts_exhausted' })
    book.observe('c', 'TIMEOUT')
    // a later poll of an older copy cannot undo a final state
    book.observe('a', 'RUNNING')
    book.observe('b', 'COMPLETED', { latencyMs: 1 })
    expect(book.counts()).toEqual({ submitted: 4, done: 1, failed: 2, pending: 1, lost: 0 })
    expect(book.pending()).toEqual(['d'])
    expect(book.failureReasons()).toEqual([
      ['attempts_exhausted', 1],
      ['TIMEOUT', 1],
    ])
  })

  it('closing the book makes every pending task lost, and nothing changes after', () => {
    const book = new TaskBook(manualClock().now)
    book.submit('a', 1)
    book.submit('b', 2)
    book.observe('a', 'COMPLETED', { latencyMs: 10 })
    expect(book.close()).toBe(1)
    book.observe('b', 'COMPLETED', { latencyMs: 10 })
    expect(book.counts()).toEqual({ submitted: 2, done: 1, failed: 0, pending: 0, lost: 1 })
    expect(book.close()).toBe(1)
    expect(() => book.submit('c', 1)).toThrow(/closed/)
  })

  it('pending and settled by member and by keys', () => {
    const book = new TaskBook(manualClock().now)
    book.submit('a', 1)
    book.submit('b', 2)
    book.submit('c', 2)
    expect(book.pending(2)).toEqual(['b', 'c'])
    book.observe('b', 'COMPLETED')
    expect(book.settled(['a'])).toBe(false)
    expect(book.settled(['b'])).toBe(true)
    expect(book.settled()).toBe(false)
    book.observe('a', 'FAILED')
    book.observe('c', 'COMPLETED')
    expect(book.settled()).toBe(true)
  })

  it('a key is entered once; an unknown key observed changes nothing', () => {
    const book = new TaskBook(manualClock().now)
    book.submit('a', 1)
    expect(() => book.submit('a', 1)).toThrow(/already/)
    book.observe('zzz', 'COMPLETED')
    expect(book.counts().submitted).toBe(1)
  })

  it('latency: the record own figure when given, else the injected clock since submission', () => {
    const clock = manualClock()
    const book = new TaskBook(clock.now)
    book.submit('a', 1)
    book.submit('b', 1)
    book.submit('c', 1)
    clock.advance(300)
    book.observe('a', 'COMPLETED')
    book.observe('b', 'COMPLETED', { latencyMs: 100 })
    clock.advance(900)
    book.observe('c', 'COMPLETED')
    expect(book.p50()).toBe(300)
  })

  it('p50 is undefined before the first task is done; failed tasks do not count in it', () => {
    const book = new TaskBook(manualClock().now)
    book.submit('a', 1)
    expect(book.p50()).toBeUndefined()
    book.observe('a', 'FAILED', { latencyMs: 5 })
    expect(book.p50()).toBeUndefined()
  })
})

describe('percentile', () => {
  it('nearest rank', () => {
    expect(percentile([], 50)).toBeUndefined()
    expect(percentile([7], 50)).toBe(7)
    expect(percentile([4, 1, 3, 2], 50)).toBe(2)
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3)
    expect(percentile([5, 1, 4, 2, 3], 100)).toBe(5)
  })
})

describe('countLinks', () => {
  it('counts each undirected pair once and ignores self-links', () => {
    expect(
      countLinks([
        ['a', 'b'],
        ['b', 'a'],
        ['a', 'c'],
        ['c', 'c'],
      ]),
    ).toBe(2)
    expect(countLinks([])).toBe(0)
  })
})

describe('formatSummary', () => {
  it('one line: nodes, links, tasks done / failed / lost, p50', () => {
    expect(
      formatSummary(
        { alive: 2, total: 3, tabs: 1, headless: 1, links: 1 },
        { submitted: 40, done: 35, failed: 1, pending: 4, lost: 0 },
        812.4,
      ),
    ).toBe(
      'nodes 2/3 (1 tab, 1 headless) + relay | links 1 | tasks 40: done 35 / failed 1 / lost 0 (4 running) | p50 812 ms',
    )
    expect(
      formatSummary(
        { alive: 2, total: 2, tabs: 0, headless: 2, links: 1 },
        { submitted: 0, done: 0, failed: 0, pending: 0, lost: 0 },
        undefined,
      ),
    ).toBe('nodes 2/2 (2 headless) + relay | links 1 | tasks 0: done 0 / failed 0 / lost 0 | p50 -')
  })
})

describe('waitUntil', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('resolves true as soon as the condition holds, false after the timeout', async () => {
    vi.useFakeTimers()
    let ready = false
    const soon = waitUntil(() => ready, { timeoutMs: 10_000, intervalMs: 100 })
    await vi.advanceTimersByTimeAsync(500)
    ready = true
    await vi.advanceTimersByTimeAsync(100)
    await expect(soon).resolves.toBe(true)

    let settled: boolean | undefined
    void waitUntil(() => false, { timeoutMs: 1000, intervalMs: 300 }).then((v) => (settled = v))
    await vi.advanceTimersByTimeAsync(900)
    expect(settled).toBeUndefined()
    await vi.advanceTimersByTimeAsync(100)
    expect(settled).toBe(false)
  })

  it('a grace period that ends with tasks still pending: they are lost at close', async () => {
    vi.useFakeTimers()
    const book = new TaskBook(() => Date.now())
    book.submit('fast', 1)
    book.submit('never', 1)
    setTimeout(() => book.observe('fast', 'COMPLETED'), 2000)
    const waited = waitUntil(() => book.settled(), { timeoutMs: 5000, intervalMs: 250 })
    await vi.advanceTimersByTimeAsync(5000)
    await expect(waited).resolves.toBe(false)
    expect(book.close()).toBe(1)
    expect(book.counts()).toMatchObject({ done: 1, lost: 1 })
  })

  it('stops waiting when its signal aborts', async () => {
    vi.useFakeTimers()
    const ctl = new AbortController()
    const waited = waitUntil(() => false, {
      timeoutMs: 60_000,
      intervalMs: 250,
      signal: ctl.signal,
    })
    ctl.abort()
    await vi.advanceTimersByTimeAsync(250)
    await expect(waited).resolves.toBe(false)
  })
})
