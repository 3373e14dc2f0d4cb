/**
 * A short soak (relay/sim/soak.ts): nodes keep leaving (killed, or stopped cleanly) and joining
 * while messages flow. What must hold: the mesh keeps its size and stays one piece, newcomers
 * join it, and no acknowledged message is lost. The 30-minute run and its memory slope are
 * `npm run sim -- --soak 30`'s.
 */
import { describe, expect, it } from 'vitest'
import { soak } from '../../relay/sim/soak.js'

describe('a mesh under churn', () => {
  it('keeps its size, stays one piece, and loses no acknowledged message', async () => {
    const figures = await soak({
      nodes: 8,
      maxPeers: 4,
      durationMs: 24_000,
      churnEveryMs: 2000,
      sampleEveryMs: 6000,
      joinTimeoutMs: 60_000,
      progress: () => {},
    })
    expect(figures.leaves).toBeGreaterThanOrEqual(8)
    expect(figures.joins).toBe(figures.leaves)
    expect(figures.samples.every((s) => s.alive === 8)).toBe(true)
    // every sample: the nodes joined 5 s or more are one piece (newcomers joined it)
    expect(figures.wholeSamples).toBe(figures.samples.length)
    expect(figures.routed.lost).toBe(0)
    expect(figures.routed.acked).toBeGreaterThanOrEqual(figures.routed.sent * 0.95)
    expect(figures.gossip.delivered).toBeGreaterThanOrEqual(figures.gossip.expected * 0.95)
  }, 120_000)
})
