import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Candidate } from '../../src/compute/scheduler.js'
import { LOCAL, placeTasks } from '../../src/compute/scheduler.js'
import { SKIP_BASE_MS, SkipList } from '../../src/compute/skip-list.js'

const node = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id,
  perTaskMs: 10,
  waitMs: 0,
  rttMs: 0,
  room: Infinity,
  ...over,
})

describe('placeTasks (earliest estimated completion)', () => {
  it('keeps a lone task here when this node is idle and as fast (it wins ties)', () => {
    expect(placeTasks([node('a'), node(LOCAL)], 1)).toEqual(new Map([[LOCAL, 1]]))
  })

  it('sends a task away when the wait here exceeds the round trip there', () => {
    const placed = placeTasks([node(LOCAL, { waitMs: 50 }), node('a', { rttMs: 5 })], 1)
    expect(placed).toEqual(new Map([['a', 1]]))
  })

  it('counts queue wait, speed and round trip', () => {
    const slowLink = node('far', { perTaskMs: 2, rttMs: 100 })
    const busy = node('busy', { perTaskMs: 2, waitMs: 100 })
    const ok = node('ok', { perTaskMs: 20, rttMs: 2 })
    expect(placeTasks([slowLink, busy, ok], 1)).toEqual(new Map([['ok', 1]]))
  })

  it('spreads a burst in proportion to speed, within one task', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 2000 }),
        (perTask, n) => {
          const cands = perTask.map((ms, i) => node(`n${i}`, { perTaskMs: ms }))
          const placed = placeTasks(cands, n)
          const total = [...placed.values()].reduce((a, b) => a + b, 0)
          expect(total).toBe(n)
          // every node finishes within one task of the others: water-filling
          const finish = cands.map((c) => (placed.get(c.id) ?? 0) * c.perTaskMs)
          const latest = Math.max(...finish)
          for (const c of cands)
            expect((placed.get(c.id) ?? 0) * c.perTaskMs + c.perTaskMs).toBeGreaterThanOrEqual(
              latest,
            )
        },
      ),
    )
  })

  it('gives a node no more than its room, and places nothing where there is none', () => {
    const placed = placeTasks([node('a', { room: 3 }), node('b', { room: 2, perTaskMs: 1000 })], 10)
    expect(placed).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
      ]),
    )
  })
})

describe('SkipList', () => {
  it('skips a failing node 15 s, doubling on failures in a row, until a result forgives it', () => {
    let now = 1_000_000
    const skips = new SkipList(() => now)
    expect(skips.skipped('p')).toBe(false)
    expect(skips.failed('p')).toBe(SKIP_BASE_MS)
    expect(skips.skipped('p')).toBe(true)
    now += SKIP_BASE_MS - 1
    expect(skips.skipped('p')).toBe(true)
    now += 1
    expect(skips.skipped('p')).toBe(false)
    expect(skips.failed('p')).toBe(2 * SKIP_BASE_MS)
    expect(skips.failed('p')).toBe(4 * SKIP_BASE_MS)
    expect(skips.skippedUntil('p')).toBe(now + 4 * SKIP_BASE_MS)
    now += 4 * SKIP_BASE_MS
    skips.succeeded('p')
    expect(skips.failed('p')).toBe(SKIP_BASE_MS)
    for (let i = 0; i < 20; i++) skips.failed('p')
    expect(skips.failed('p')).toBe(8 * 60_000)
  })

  it('skips a BUSY node only as long as it asked, with no mark against it', () => {
    let now = 0
    const skips = new SkipList(() => now)
    skips.busy('p', 1000)
    expect(skips.skipped('p')).toBe(true)
    now = 1000
    expect(skips.skipped('p')).toBe(false)
    expect(skips.failed('p')).toBe(SKIP_BASE_MS)
  })
})
