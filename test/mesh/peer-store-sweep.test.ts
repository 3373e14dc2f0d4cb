/**
 * PeerStoreSweep: libp2p keeps every peer it saw in its (in-memory) peer store; the sweep
 * deletes those we hold no connection to and do not keep.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { PeerStoreSweep } from '../../src/mesh/peer-store-sweep.js'
import { silentLogger } from '../../src/obs/logger.js'
import type { TestNode } from './harness.js'
import { line } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

describe('the peer store sweep', () => {
  it('forgets peers that left and are not kept; keeps the connected and the kept', async () => {
    nodes = await line(3)
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    await c.stop()
    nodes = [a, b]
    await expect.poll(() => b.libp2p.getConnections(c.libp2p.peerId).length).toBe(0)
    // c was linked to b only, so b held it in its store; b still holds a connection to a
    expect(await b.libp2p.peerStore.has(c.libp2p.peerId)).toBe(true)
    const kept = new Set<string>()
    const sweep = new PeerStoreSweep({
      libp2p: b.libp2p,
      keep: (peerId) => kept.has(peerId),
      intervalMs: 60_000,
      log: silentLogger,
    })
    kept.add(c.id)
    expect(await sweep.sweep()).toBe(0)
    expect(await b.libp2p.peerStore.has(c.libp2p.peerId)).toBe(true)
    kept.clear()
    expect(await sweep.sweep()).toBe(1)
    expect(await b.libp2p.peerStore.has(c.libp2p.peerId)).toBe(false)
    expect(await b.libp2p.peerStore.has(a.libp2p.peerId)).toBe(true)
  })
})
