/**
 * A neighbour that floods the mesh protocol is throttled to its rate limit, then disconnected
 * and banned, while another neighbour's messages keep getting through. Real libp2p nodes over
 * the memory transport.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MESH_PROTOCOL } from '../../src/core/protocol.js'
import { Envelope } from '../../src/core/proto/mesh.js'
import { encodeFrame } from '../../src/mesh/codec.js'
import type { TestNode } from './harness.js'
import { inbox, link, testNode, text } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

const uuid = (n: number): string => `${n.toString(16).padStart(8, '0')}-2222-4333-8444-555555555555`

describe('a flooding neighbour', () => {
  it('is throttled, then disconnected and banned; the other neighbours are served', async () => {
    const b = await testNode({
      config: { peer_rate_limit: 100, peer_ban_secs: 60 },
      timing: { floodBanAfterMs: 1000 },
    })
    const flooder = await testNode()
    const honest = await testNode()
    nodes = [b, flooder, honest]
    await link(flooder, b)
    await link(honest, b)
    const got = inbox(b)

    // valid envelopes for b, far faster than 100 a second, on a stream of its own
    const stream = await flooder.libp2p.dialProtocol(b.libp2p.peerId, MESH_PROTOCOL)
    let sent = 0
    const flood = (async () => {
      while (stream.status === 'open' && sent < 100_000) {
        for (let i = 0; i < 100; i++) {
          const envelope: Envelope = {
            id: uuid(++sent),
            from: flooder.id,
            to: b.id,
            timestamp: BigInt(Date.now()),
            ttl: 4,
            hops: 0,
            topic: 'flood',
            payload: text('x'),
            kind: Envelope.Kind.DATA,
            traceparent: '',
            signature: new Uint8Array(0),
          }
          try {
            stream.send(encodeFrame({ envelope }))
          } catch {
            return
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()

    // meanwhile the honest neighbour's messages all arrive
    for (let i = 0; i < 10; i++) {
      const d = await honest.mesh.send(b.id, 'chat', text(`honest ${i}`))
      expect(d.hops).toBe(1)
    }
    await expect.poll(() => b.mesh.stats.banned, { timeout: 15_000 }).toBe(1)
    await flood
    expect(b.mesh.isBanned(flooder.id)).toBe(true)
    expect(b.mesh.isBanned(honest.id)).toBe(false)
    expect(b.mesh.stats.dropped.rate_limited ?? 0).toBeGreaterThan(0)
    // most of the flood was refused: what got through is about the burst plus the rate
    const delivered = got.filter((m) => m.from === flooder.id).length
    expect(delivered).toBeLessThan(sent / 2)
    expect(got.filter((m) => m.from === honest.id)).toHaveLength(10)
    // disconnected, and refused when it comes back
    await expect
      .poll(() => b.libp2p.getConnections(flooder.libp2p.peerId).length, { timeout: 5000 })
      .toBe(0)
    expect(b.mesh.peers.has(flooder.id)).toBe(false)
    await expect(flooder.libp2p.dial(multiaddr(b.addr))).rejects.toThrow()
    expect(b.mesh.peers.has(honest.id)).toBe(true)
  })
})
