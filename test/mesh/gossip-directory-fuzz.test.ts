/**
 * Topology announcements (anyone may publish on the topic) and relay directory answers are
 * untrusted bytes. Fuzzed with fast-check (10,000 runs each): nothing throws, and what is
 * accepted holds only peer ids within the caps. Then through real libp2p nodes: what is
 * refused is counted.
 */
import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { DIRECTORY_PROTOCOL, TOPOLOGY_TOPIC } from '../../src/core/protocol.js'
import { Directory } from '../../src/core/proto/directory.js'
import { TopologyAnnouncement } from '../../src/core/proto/topology.js'
import { isPeerIdString, MAX_PEER_LIST } from '../../src/mesh/codec.js'
import { queryDirectory, readDirectory } from '../../src/mesh/directory.js'
import { readAnnouncement } from '../../src/mesh/topology-gossip.js'
import { damaged } from '../damaged-bytes.js'
import type { TestNode } from './harness.js'
import { line } from './harness.js'

const RUNS = { numRuns: 10_000 }
const PEER = '12D3KooWGRUVh7XGmNQJ2qaJ5bB3KQjP4LMq8hvFRfnVZ8ZUz5Qp'
const OTHER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const ANNOUNCE_DROPS = [
  'oversized_announcement',
  'undecodable_announcement',
  'invalid_announcement',
]

const announcement = (over: Partial<TopologyAnnouncement> = {}): Uint8Array =>
  TopologyAnnouncement.encode({
    nodeId: 'ab'.repeat(16),
    version: '0.1.0',
    seq: 3n,
    neighbours: [{ peerId: PEER, transport: 'webrtc' }],
    platform: 'browser',
    leaving: false,
    multiaddrs: [],
    startedAt: 1n,
    relays: [OTHER],
    capabilities: {
      backend: 'wasm',
      threads: 2,
      taskTypes: ['text_embedding'],
      embeddingsPerSec: 100,
      measuring: false,
    },
    ...over,
  })

/** What readAnnouncement returns: a known drop reason, or only peer ids within the caps. */
function checkAnnouncement(bytes: Uint8Array): void {
  const read = readAnnouncement(bytes)
  if ('drop' in read) {
    expect(ANNOUNCE_DROPS).toContain(read.drop)
    return
  }
  expect(read.ann.neighbours.length).toBeLessThanOrEqual(MAX_PEER_LIST)
  expect(read.ann.neighbours.every((n) => isPeerIdString(n.peerId))).toBe(true)
  expect(read.ann.relays.every(isPeerIdString)).toBe(true)
  expect(read.addrs.length).toBeLessThanOrEqual(16)
}

/** What readDirectory returns: refused, or peer ids other than ours plus a count of the rest. */
function checkDirectory(bytes: Uint8Array): void {
  const read = readDirectory(bytes, PEER)
  if ('drop' in read) {
    expect(read.drop).toBe('undecodable_directory')
    return
  }
  expect(read.peers.every(isPeerIdString)).toBe(true)
  expect(read.peers).not.toContain(PEER)
  expect(read.peers.length + read.invalid).toBeLessThanOrEqual(MAX_PEER_LIST)
}

describe('topology announcements under fuzzing (fast-check, 10,000 each)', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), checkAnnouncement), RUNS)
  })

  it('truncated and bit-flipped announcements', () => {
    const valid = [announcement(), announcement({ leaving: true, capabilities: undefined })]
    fc.assert(fc.property(damaged(valid), checkAnnouncement), RUNS)
  })

  it('wrong neighbours, relays and addresses are refused as invalid', () => {
    const bad = fc.oneof(
      fc.record({
        neighbours: fc.array(fc.record({ peerId: fc.string(), transport: fc.string() }), {
          minLength: 1,
          maxLength: 8,
        }),
      }),
      fc.record({ relays: fc.array(fc.string(), { minLength: 1, maxLength: 8 }) }),
      fc.record({ multiaddrs: fc.array(fc.uint8Array({ minLength: 1 }), { minLength: 1 }) }),
    )
    fc.assert(
      fc.property(bad, (over) => {
        const read = readAnnouncement(announcement(over as Partial<TopologyAnnouncement>))
        // a generated value that happens to be well formed is not a malformed announcement
        if (!('drop' in read))
          checkAnnouncement(announcement(over as Partial<TopologyAnnouncement>))
        else expect(read.drop).toBe('invalid_announcement')
      }),
      RUNS,
    )
  })

  it('more neighbours than the cap are refused, and so is an oversized one', () => {
    const many = Array.from({ length: MAX_PEER_LIST + 1 }, () => ({ peerId: PEER, transport: 'x' }))
    expect(readAnnouncement(announcement({ neighbours: many }))).toEqual({
      drop: 'undecodable_announcement',
    })
    expect(readAnnouncement(new Uint8Array(128 * 1024 + 1))).toEqual({
      drop: 'oversized_announcement',
    })
  })
})

describe('relay directory answers under fuzzing (fast-check, 10,000 each)', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), checkDirectory), RUNS)
  })

  it('truncated and bit-flipped answers', () => {
    const valid = [Directory.encode({ peers: [PEER, OTHER], reservations: 2, maxReservations: 9 })]
    fc.assert(fc.property(damaged(valid), checkDirectory), RUNS)
  })

  it('entries that are not peer ids are counted, the rest kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constant(OTHER)), { maxLength: 32 }),
        (peers) => {
          const read = readDirectory(
            Directory.encode({ peers, reservations: 0, maxReservations: 0 }),
            PEER,
          )
          expect(read).toEqual({
            peers: peers.filter(isPeerIdString),
            invalid: peers.filter((p) => !isPeerIdString(p)).length,
          })
        },
      ),
      RUNS,
    )
  })
})

describe('what real nodes refuse, they count', () => {
  let nodes: TestNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.map(async (n) => n.stop()))
    nodes = []
  })

  it('announcements that do not decode, do not validate, or are too big', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    await expect
      .poll(() => a.libp2p.services.pubsub.getSubscribers(TOPOLOGY_TOPIC).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0)
    const publish = async (data: Uint8Array): Promise<void> => {
      await a.libp2p.services.pubsub.publish(TOPOLOGY_TOPIC, data)
    }
    await publish(Uint8Array.from([0x0a, 0xff, 0xff])) // a length past the end
    await publish(announcement({ neighbours: [{ peerId: 'not a peer id', transport: 'webrtc' }] }))
    await publish(new Uint8Array(200 * 1024))
    await expect
      .poll(() => ({ ...b.mesh.stats.dropped }), { timeout: 10_000 })
      .toMatchObject({
        undecodable_announcement: 1,
        invalid_announcement: 1,
        oversized_announcement: 1,
      })
  })

  it('a directory answer that is garbage, or holds entries that are not peer ids', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    // b plays a relay whose answers are, in turn, garbage and then half-valid
    const answers = [
      Uint8Array.from([0x0a, 0xff, 0xff]),
      Directory.encode({ peers: ['x', OTHER, 'y'], reservations: 3, maxReservations: 3 }),
    ]
    await b.libp2p.handle(DIRECTORY_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(answers.shift() ?? new Uint8Array())
      await stream.close()
    })
    const connection = a.libp2p.getConnections(b.libp2p.peerId)[0]!
    const drops: string[] = []
    expect(await queryDirectory(connection, a.id, (r) => drops.push(r))).toEqual([])
    expect(drops).toEqual(['undecodable_directory'])
    const found = await queryDirectory(connection, a.id, (r) => drops.push(r))
    expect(found.map((p) => p.peerId)).toEqual([OTHER])
    expect(drops).toEqual([
      'undecodable_directory',
      'invalid_directory_entry',
      'invalid_directory_entry',
    ])
  })
})
