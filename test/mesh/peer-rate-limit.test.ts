import { describe, expect, it } from 'vitest'
import { PeerRateLimit } from '../../src/mesh/peer-rate-limit.js'
import { TokenBucket } from '../../src/mesh/token-bucket.js'

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
  }
}

function admitted(limit: PeerRateLimit, peer: string, n: number): number {
  let ok = 0
  for (let i = 0; i < n; i++) if (limit.admit(peer)) ok++
  return ok
}

describe('TokenBucket', () => {
  it('gives the burst at once, then the rate, and saves up no more than the burst', () => {
    const c = clock()
    const b = new TokenBucket(10, 20, c.now)
    let ok = 0
    for (let i = 0; i < 50; i++) if (b.take()) ok++
    expect(ok).toBe(20)
    c.advance(500)
    ok = 0
    for (let i = 0; i < 50; i++) if (b.take()) ok++
    expect(ok).toBe(5)
    c.advance(60_000)
    ok = 0
    for (let i = 0; i < 50; i++) if (b.take()) ok++
    expect(ok).toBe(20)
  })
})

describe('PeerRateLimit', () => {
  const banned: string[] = []
  const limit = (c: ReturnType<typeof clock>, ratePerSec = 100): PeerRateLimit =>
    new PeerRateLimit({
      ratePerSec,
      banAfterMs: 3000,
      banMs: 60_000,
      now: c.now,
      onBan: (p) => banned.push(p),
    })

  it('holds each peer to its own rate', () => {
    const c = clock()
    const l = limit(c)
    expect(admitted(l, 'flooder', 1000)).toBe(200)
    expect(admitted(l, 'quiet', 10)).toBe(10)
    c.advance(1000)
    expect(admitted(l, 'flooder', 1000)).toBe(100)
  })

  it('bans a peer that stays over its rate without a break, for banMs, and says so once', () => {
    banned.length = 0
    const c = clock()
    const l = limit(c)
    for (let s = 0; s < 3; s++) {
      expect(l.isBanned('flooder')).toBe(false)
      admitted(l, 'flooder', 1000)
      c.advance(1000)
    }
    admitted(l, 'flooder', 1000)
    expect(banned).toEqual(['flooder'])
    expect(l.isBanned('flooder')).toBe(true)
    expect(l.banned()).toEqual(['flooder'])
    // banned: nothing gets through, even after its bucket has refilled
    c.advance(30_000)
    expect(admitted(l, 'flooder', 10)).toBe(0)
    expect(admitted(l, 'quiet', 10)).toBe(10)
    // the ban ends
    c.advance(30_000)
    expect(l.isBanned('flooder')).toBe(false)
    expect(admitted(l, 'flooder', 10)).toBe(10)
    expect(banned).toEqual(['flooder'])
  })

  it('does not ban bursts with pauses between them', () => {
    banned.length = 0
    const c = clock()
    const l = limit(c)
    for (let s = 0; s < 20; s++) {
      admitted(l, 'bursty', 500) // over the rate for an instant
      c.advance(2500) // then quiet for longer than a flood's gap
    }
    expect(banned).toEqual([])
    expect(l.isBanned('bursty')).toBe(false)
  })

  it('with rate 0 admits everything', () => {
    const l = limit(clock(), 0)
    expect(admitted(l, 'anyone', 100_000)).toBe(100_000)
  })
})
