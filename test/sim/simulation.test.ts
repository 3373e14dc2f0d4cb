/**
 * A 30-node simulation (relay/sim): real nodes, partial mesh (max_peers 6), multi-hop routing;
 * then a partition healed, and half the nodes killed. With max_peers 6 most nodes are full on
 * their own side of the partition, and the mesh heals through full nodes trading a redundant
 * link for one across (src/mesh/link-choice.ts; test/mesh/link-choice.test.ts pins that trade). What must hold, not how fast: the mesh is
 * one piece, gossip reaches everyone, no acknowledged message is lost, and the mesh mends.
 * The sizes and times of the issue are `npm run sim`'s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Simulation } from '../../relay/sim/simulation.js'

const NODES = 30
const whole = (sim: Simulation) => (): boolean => sim.graph().components.length === 1

describe('a simulated mesh of 30 nodes', () => {
  const sim = new Simulation({ nodes: NODES, maxPeers: 6 })

  beforeAll(async () => {
    await sim.start()
    expect(await sim.until(whole(sim), 120_000)).toBeDefined()
    // announcements and gossipsub's own mesh settle on their heartbeats
    await new Promise((resolve) => setTimeout(resolve, 5000))
  }, 300_000)

  afterAll(async () => {
    await sim.stop()
  }, 60_000)

  it('is partial: no node has more links than max_peers, and routes go over several hops', async () => {
    expect(sim.members.filter(Boolean)).toHaveLength(NODES)
    const graph = sim.graph()
    expect(Math.max(...graph.degrees)).toBeLessThanOrEqual(6)
    expect(graph.diameter).toBeGreaterThan(1)
    const routed = await sim.routed(60, 8)
    expect(routed.lost).toBe(0)
    expect(routed.acked).toBeGreaterThanOrEqual(57)
    expect(Math.max(...routed.hops)).toBeGreaterThan(1)
  }, 120_000)

  it('gossips to every node', async () => {
    const gossip = await sim.gossip(5, 100, 5000)
    expect(gossip.latencies.length).toBeGreaterThanOrEqual(gossip.expected * 0.95)
  }, 60_000)

  it('is one piece again after a partition heals, though most nodes were full on their side', async () => {
    sim.partition()
    expect(await sim.until(() => sim.graph().components.length > 1, 10_000)).toBeDefined()
    // each side mends itself: nodes fill their max_peers with nodes of their own side
    await sim.until(() => sim.alive().every((m) => m.node.mesh?.peers.size === 6), 20_000)
    sim.heal()
    expect(await sim.until(whole(sim), 60_000)).toBeDefined()
  }, 120_000)

  it('mends when half the nodes die at once, and loses no acknowledged message', async () => {
    const doomed = sim.alive().filter((_, i) => i % 2 === 1)
    const survivors = sim.alive().filter((m) => !doomed.includes(m))
    const during = sim.routed(60, 8, () => survivors)
    await new Promise((resolve) => setTimeout(resolve, 100))
    sim.kill(doomed)
    expect(sim.alive()).toHaveLength(NODES / 2)
    expect(await sim.until(whole(sim), 60_000)).toBeDefined()
    const routed = await during
    expect(routed.lost).toBe(0)
    expect(routed.acked).toBeGreaterThan(0)
  }, 120_000)
})

describe('the simulated network', () => {
  it('refuses dials across a partition, as an unreachable host would', async () => {
    const sim = new Simulation({ nodes: 2, maxPeers: 2 })
    try {
      await sim.start()
      expect(await sim.until(whole(sim), 30_000)).toBeDefined()
      const [a, b] = sim.members as [
        NonNullable<(typeof sim.members)[0]>,
        NonNullable<(typeof sim.members)[1]>,
      ]
      sim.partition()
      expect(await sim.until(() => !a.node.mesh?.peers.has(b.peerId), 5000)).toBeDefined()
      const addr = b.node.libp2p.getMultiaddrs()[0]
      if (addr == null) throw new Error('b has no address')
      await expect(a.node.libp2p.dial(addr)).rejects.toThrow()
      sim.heal()
      await a.node.libp2p.dial(addr)
      expect(await sim.until(whole(sim), 30_000)).toBeDefined()
    } finally {
      await sim.stop()
    }
  }, 60_000)
})
