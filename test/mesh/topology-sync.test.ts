/**
 * topology-sync: a newcomer learns the mesh from its first neighbour's signed announcements,
 * checking each author's signature itself; nobody broadcasts answers for it.
 */
import type { Message } from '@libp2p/gossipsub'
import { afterEach, describe, expect, it } from 'vitest'
import { TOPOLOGY_TOPIC } from '../../src/core/protocol.js'
import type { SignedAnnouncement } from '../../src/core/proto/topology.js'
import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { TOPOLOGY_SYNC_PROTOCOL } from '../../src/core/protocol.js'
import { TopologySnapshot, TopologySyncRequest } from '../../src/core/proto/topology.js'
import { MAX_PEER_LIST } from '../../src/mesh/codec.js'
import {
  MAX_SNAPSHOT_BYTES,
  readSnapshot,
  signedAnnouncement,
  snapshotOf,
  verifyAnnouncement,
} from '../../src/mesh/topology-sync.js'
import { damaged } from '../damaged-bytes.js'
import type { TestNode } from './harness.js'
import { line, link, testNode } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

// periodic announcements far off: what a node knows of a far node came from a sync or a change
const quiet = { config: { announce_interval_secs: 600 } }

/** The first signed topology message `to` receives from `author`, as it would hand it on. */
async function heardFrom(to: TestNode, author: TestNode): Promise<SignedAnnouncement> {
  return new Promise((resolve) => {
    to.libp2p.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
      const m = evt.detail
      if (m.topic === TOPOLOGY_TOPIC && m.type === 'signed' && m.from.equals(author.libp2p.peerId))
        resolve(signedAnnouncement(m))
    })
  })
}

/** `author` announces (a change: its capabilities); what `to` received, as it would hand it on. */
async function announcement(author: TestNode, to: TestNode): Promise<SignedAnnouncement> {
  const heard = heardFrom(to, author)
  author.mesh.advertise({
    backend: 'wasm',
    threads: 1,
    task_types: ['text_embedding'],
    embeddings_per_sec: 1,
    measuring: false,
  })
  return heard
}

describe('topology sync', () => {
  it('teaches a newcomer every node its first neighbour knows, though none of them announces', async () => {
    nodes = await line(4, quiet)
    const [a, b, c, d] = nodes as [TestNode, TestNode, TestNode, TestNode]
    await expect.poll(() => d.mesh.topology.get(a.id) != null, { timeout: 10_000 }).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 500)) // d's records age
    // a, b and c do not change: they announce nothing while e joins at d
    const e = await testNode(quiet)
    nodes.push(e)
    await link(e, d)
    await expect
      .poll(() => [a, b, c, d].every((n) => e.mesh.topology.get(n.id) != null), {
        timeout: 5000,
      })
      .toBe(true)
    expect(e.mesh.topology.get(a.id)?.neighbours).toEqual([b.id])
    // as old as d's: a departed node's record is not made fresh by being handed on
    const held = d.mesh.topology.get(a.id)?.updatedAt ?? 0
    expect(e.mesh.topology.get(a.id)?.updatedAt).toBeGreaterThanOrEqual(held - 50)
    expect(e.mesh.topology.get(a.id)?.updatedAt).toBeLessThanOrEqual(held + 50)
  })

  it('takes only announcements whose author signed them', async () => {
    nodes = await line(2, quiet)
    const [a, b] = nodes as [TestNode, TestNode]
    const entry = await announcement(a, b)
    expect(await verifyAnnouncement(entry)).toBe(a.id)
    const flip = (bytes: Uint8Array, at: number): Uint8Array<ArrayBuffer> => {
      const copy = new Uint8Array(bytes)
      copy[at] = (copy[at] ?? 0) ^ 1
      return copy
    }
    // altered data, signature or sequence number; claimed by another author; a short seqno
    expect(await verifyAnnouncement({ ...entry, data: flip(entry.data, 3) })).toBeUndefined()
    expect(
      await verifyAnnouncement({ ...entry, signature: flip(entry.signature, 0) }),
    ).toBeUndefined()
    expect(await verifyAnnouncement({ ...entry, seqno: flip(entry.seqno, 7) })).toBeUndefined()
    expect(
      await verifyAnnouncement({ ...entry, from: b.libp2p.peerId.toMultihash().bytes }),
    ).toBeUndefined()
    expect(await verifyAnnouncement({ ...entry, seqno: entry.seqno.slice(1) })).toBeUndefined()
    expect(await verifyAnnouncement({ ...entry, from: new Uint8Array([1, 2, 3]) })).toBeUndefined()
  })

  it('hands on the newest announcements first, within the snapshot limit', () => {
    const entry = (size: number): SignedAnnouncement => ({
      from: new Uint8Array(38),
      seqno: new Uint8Array(8),
      data: new Uint8Array(size),
      signature: new Uint8Array(64),
      ageMs: 0,
    })
    const old = entry(10)
    const recent = entry(20)
    expect(
      snapshotOf(
        [
          { updatedAt: 1, signed: old },
          { updatedAt: 2 }, // learned first-hand only: nothing signed to hand on
          { updatedAt: 3, signed: recent },
        ],
        10,
      ),
    ).toEqual([
      { ...recent, ageMs: 7 },
      { ...old, ageMs: 9 },
    ])
    const big = Array.from({ length: 40 }, (_, i) => ({ updatedAt: i, signed: entry(128 * 1024) }))
    const taken = snapshotOf(big)
    expect(taken.length).toBeLessThan(40)
    expect(taken.reduce((sum, s) => sum + s.data.byteLength, 0)).toBeLessThan(MAX_SNAPSHOT_BYTES)
  })

  it('counts a snapshot that does not decode and each announcement whose signature fails', async () => {
    nodes = await line(2, quiet)
    const [a, b] = nodes as [TestNode, TestNode]
    const entry = await announcement(a, b)
    // b now plays a neighbour that answers garbage, then one good and one altered announcement
    const answers = [
      Uint8Array.from([0x0a, 0xff, 0xff]),
      TopologySnapshot.encode({
        announcements: [entry, { ...entry, data: new Uint8Array([...entry.data, 0]) }],
      }),
    ]
    await b.libp2p.unhandle(TOPOLOGY_SYNC_PROTOCOL)
    await b.libp2p.handle(TOPOLOGY_SYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(answers.shift() ?? new Uint8Array())
      await stream.close()
    })
    // two newcomers in turn, each linking to b first
    for (const want of [{ undecodable_snapshot: 1 }, { forged_announcement: 1 }]) {
      const newcomer = await testNode(quiet)
      nodes.push(newcomer)
      await link(newcomer, b)
      await expect.poll(() => ({ ...newcomer.mesh.stats.dropped }), { timeout: 5000 }).toEqual(want)
    }
    expect(nodes.at(-1)?.mesh.topology.get(a.id)?.signed).toEqual(entry)
  })
})

describe('a node serving snapshots', () => {
  it('serves each peer at most once in SERVE_GAP_MS', async () => {
    nodes = await line(2, quiet)
    const [a, b] = nodes as [TestNode, TestNode]
    const connection = a.libp2p.getConnections(b.libp2p.peerId)[0]!
    const ask = async (): Promise<boolean> => {
      const stream = await connection.newStream(TOPOLOGY_SYNC_PROTOCOL)
      const lp = lpStream(stream)
      try {
        await lp.write(TopologySyncRequest.encode({}))
        await lp.read()
        return true
      } catch {
        return false
      }
    }
    await ask() // served, unless a's own sync on linking came first
    expect(await ask()).toBe(false)
  })
})

describe('topology snapshots under fuzzing (fast-check, 10,000 each)', () => {
  const RUNS = { numRuns: 10_000 }
  const check = async (bytes: Uint8Array): Promise<void> => {
    const read = await readSnapshot(bytes)
    if ('drop' in read) {
      expect(read.drop).toBe('undecodable_snapshot')
      return
    }
    // nothing random is signed by its author: every entry is refused and counted
    expect(read.announcements).toEqual([])
    expect(read.forged).toBeLessThanOrEqual(MAX_PEER_LIST)
  }

  it('arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), check), RUNS)
  })

  it('truncated and bit-flipped snapshots', async () => {
    const entry = {
      from: new Uint8Array(38).fill(7),
      seqno: new Uint8Array(8),
      data: new Uint8Array(40).fill(1),
      signature: new Uint8Array(64).fill(2),
      ageMs: 0,
    }
    const valid = [TopologySnapshot.encode({ announcements: [entry, entry] })]
    await fc.assert(fc.asyncProperty(damaged(valid), check), RUNS)
  })

  it('more announcements than the cap are refused', async () => {
    const entry = {
      from: new Uint8Array(1),
      seqno: new Uint8Array(1),
      data: new Uint8Array(0),
      signature: new Uint8Array(0),
      ageMs: 0,
    }
    const many = Array.from({ length: MAX_PEER_LIST + 1 }, () => entry)
    expect(await readSnapshot(TopologySnapshot.encode({ announcements: many }))).toEqual({
      drop: 'undecodable_snapshot',
    })
  })
})
