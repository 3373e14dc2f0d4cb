/**
 * A closed mesh (mesh_key): only nodes that prove they know the key become neighbours, are served
 * topology, or appear in it; the others are refused, counted and kept out for a while. Real
 * libp2p nodes over the in-memory transport.
 */
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { TOPOLOGY_SYNC_PROTOCOL, TOPOLOGY_TOPIC } from '../../src/core/protocol.js'
import { TopologyAnnouncement, TopologySyncRequest } from '../../src/core/proto/topology.js'
import { MeshKey } from '../../src/mesh/membership.js'
import type { MeshServices } from '../../src/mesh/mesh-service.js'
import type { Libp2p } from '@libp2p/interface'
import type { TestNode, TestNodeOptions } from './harness.js'
import { bareNode, link, testNode } from './harness.js'

const KEY = 'correct horse battery staple'
const OTHER_KEY = 'another mesh entirely, 32 chars'
const closed = (key: string): TestNodeOptions => ({
  config: { mesh_key: key },
  timing: { memberProofTimeoutMs: 1000 },
})

let nodes: TestNode[] = []
let bare: Array<Libp2p<MeshServices>> = []
afterEach(async () => {
  await Promise.all([...nodes.map(async (n) => n.stop()), ...bare.map(async (b) => b.stop())])
  nodes = []
  bare = []
})

/** `a` dials `b`; true if the dial went through (a refused peer's gater says no). */
async function dial(a: TestNode, b: TestNode): Promise<boolean> {
  return a.libp2p.dial(multiaddr(b.addr)).then(
    () => true,
    () => false,
  )
}

describe('MeshKey', () => {
  it("proves a peer's membership for that peer only, and only under the same key", () => {
    const key = new MeshKey(KEY)
    const peer = '12D3KooWGRUVh3x3Dkn1cBJXWL7QGm2k5GLgtKMXXtXSCRMZxGsm'
    const other = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
    const tag = key.tagFor(peer)
    expect(tag.byteLength).toBe(32)
    expect(key.proves(peer, tag)).toBe(true)
    expect(new MeshKey(KEY).proves(peer, tag)).toBe(true)
    expect(key.proves(other, tag)).toBe(false)
    expect(new MeshKey(OTHER_KEY).proves(peer, tag)).toBe(false)
    expect(key.proves(peer, tag.subarray(0, 31))).toBe(false)
    const flipped = Uint8Array.from(tag)
    flipped[31] = (flipped[31] ?? 0) ^ 1
    expect(key.proves(peer, flipped)).toBe(false)
    expect(key.proves(peer, new Uint8Array(0))).toBe(false)
  })
})

describe('a closed mesh', () => {
  it('links nodes that share the key, and their announcements carry the proof', async () => {
    nodes = [await testNode(closed(KEY)), await testNode(closed(KEY))]
    const [a, b] = nodes as [TestNode, TestNode]
    await link(a, b)
    await expect.poll(() => b.mesh.topology.get(a.id) != null, { timeout: 10_000 }).toBe(true)
    expect(a.mesh.stats.dropped).toEqual({})
    expect(b.mesh.stats.dropped).toEqual({})
  })

  it('refuses a node without the key, whoever dials, and keeps it out for a while', async () => {
    nodes = [await testNode(closed(KEY)), await testNode(), await testNode()]
    const [member, outsider, caller] = nodes as [TestNode, TestNode, TestNode]
    await dial(member, outsider)
    await expect.poll(() => member.mesh.isNonMember(outsider.id), { timeout: 5000 }).toBe(true)
    expect(member.mesh.stats.dropped.no_member_proof).toBe(1)
    await dial(caller, member)
    await expect.poll(() => member.mesh.isNonMember(caller.id), { timeout: 5000 }).toBe(true)
    expect(member.mesh.stats.dropped.no_member_proof).toBe(2)
    await expect.poll(() => member.libp2p.getConnections().length, { timeout: 5000 }).toBe(0)
    expect(member.mesh.peers.size).toBe(0)
    expect(outsider.mesh.peers.size + caller.mesh.peers.size).toBe(0)
    // refused by the gater from now on, both ways
    expect(await dial(member, outsider)).toBe(false)
    await dial(caller, member)
    await expect.poll(() => member.libp2p.getConnections().length, { timeout: 5000 }).toBe(0)
  })

  it('refuses a node with another key, and that node refuses it too', async () => {
    nodes = [await testNode(closed(KEY)), await testNode(closed(OTHER_KEY))]
    const [a, c] = nodes as [TestNode, TestNode]
    await dial(c, a)
    await expect.poll(() => a.mesh.isNonMember(c.id), { timeout: 5000 }).toBe(true)
    await expect.poll(() => c.mesh.isNonMember(a.id), { timeout: 5000 }).toBe(true)
    expect(a.mesh.stats.dropped.bad_member_proof).toBe(1)
    expect(c.mesh.stats.dropped.no_member_proof).toBe(1)
    expect(a.mesh.peers.size + c.mesh.peers.size).toBe(0)
  })

  it('drops announcements of authors without a proof, e.g. handed on by a relay', async () => {
    nodes = [await testNode(closed(KEY))]
    const [member] = nodes as [TestNode]
    // a peer that does not run the mesh (a relay, say) is not asked for a proof, but what it
    // publishes on the topic is checked like everyone's
    const relayLike = await bareNode()
    bare = [relayLike]
    relayLike.services.pubsub.subscribe(TOPOLOGY_TOPIC)
    await relayLike.dial(multiaddr(`${member.addr}`))
    await expect
      .poll(() => relayLike.services.pubsub.getSubscribers(TOPOLOGY_TOPIC).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0)
    const announce = (memberTag: Uint8Array<ArrayBuffer>): Uint8Array =>
      TopologyAnnouncement.encode({
        nodeId: '',
        version: '',
        seq: BigInt(Date.now()) + BigInt(memberTag.byteLength),
        neighbours: [],
        platform: 'node',
        leaving: false,
        multiaddrs: [],
        startedAt: 0n,
        relays: [],
        refreshSecs: 0,
        memberTag,
      })
    await relayLike.services.pubsub.publish(TOPOLOGY_TOPIC, announce(new Uint8Array(0)))
    // a proof, but made for someone else
    const stolen = new MeshKey(KEY).tagFor(member.id)
    await relayLike.services.pubsub.publish(TOPOLOGY_TOPIC, announce(stolen))
    await expect
      .poll(() => member.mesh.stats.dropped.non_member_announcement, { timeout: 10_000 })
      .toBe(2)
    expect(member.mesh.topology.get(relayLike.peerId.toString())).toBeUndefined()
    // with its own proof, it would be taken: the check is the proof, nothing else
    await relayLike.services.pubsub.publish(
      TOPOLOGY_TOPIC,
      announce(new MeshKey(KEY).tagFor(relayLike.peerId.toString())),
    )
    await expect
      .poll(() => member.mesh.topology.get(relayLike.peerId.toString()) != null, {
        timeout: 10_000,
      })
      .toBe(true)
  })

  it('serves its topology only to members, where an open mesh serves anyone connected', async () => {
    nodes = [await testNode(closed(KEY)), await testNode()]
    const [member, open] = nodes as [TestNode, TestNode]
    const asker = await bareNode()
    bare = [asker]
    const ask = async (node: TestNode): Promise<boolean> => {
      const stream = await asker.dialProtocol(multiaddr(node.addr), TOPOLOGY_SYNC_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(TopologySyncRequest.encode({}))
      return lp.read({ signal: AbortSignal.timeout(5000) }).then(
        () => true,
        () => false,
      )
    }
    expect(await ask(open)).toBe(true)
    expect(await ask(member)).toBe(false)
  })
})
