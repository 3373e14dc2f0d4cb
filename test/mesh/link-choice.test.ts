import { afterEach, describe, expect, it } from 'vitest'
import type { TestNode } from './harness.js'
import { link, testNode } from './harness.js'
import { FAR_HOPS, LinkChoice, TRADE_GAP_MS } from '../../src/mesh/link-choice.js'
import { TopologyTable } from '../../src/mesh/topology.js'

/** A node "me" with `mine` as neighbours, `max` of them at most, and what others announced. */
function setup(mine: string[], announced: Record<string, string[]>, max = mine.length) {
  const topology = new TopologyTable()
  let seq = 1n
  for (const [peer, neighbours] of Object.entries(announced))
    topology.applyAnnouncement(peer, seq++, neighbours)
  const clock = { now: 0 }
  // PeerTable's version changes with its neighbours: so does this one's, should a test change them
  let version = 0
  let last = mine.join(' ')
  const peers = {
    neighbours: () => [...mine],
    size: mine.length,
    get version() {
      if (mine.join(' ') !== last) [version, last] = [version + 1, mine.join(' ')]
      return version
    },
  }
  const choice = new LinkChoice({
    self: 'me',
    peers,
    topology,
    maxPeers: max,
    now: () => clock.now,
  })
  return { choice, clock, topology }
}

describe('LinkChoice', () => {
  it('measures hops over links both ends agree on', () => {
    const { choice } = setup(['a'], { a: ['me', 'b'], b: ['a', 'c'], c: ['b'] })
    expect(Object.fromEntries(choice.distances())).toEqual({ me: 0, a: 1, b: 2, c: 3 })
  })

  it('does not reach across a link only a stale record still lists', () => {
    // x (across a partition) still lists b; b's newer record no longer lists x
    const { choice } = setup(['a'], { a: ['me', 'b'], b: ['a'], x: ['b', 'y'], y: ['x'] })
    expect(choice.distances().has('x')).toBe(false)
    expect(choice.improves('x')).toBe(true)
  })

  it('takes a one-sided link where the other end has not announced yet', () => {
    const { choice } = setup(['a'], { a: ['me', 'new'] })
    expect(choice.distances().get('new')).toBe(2)
  })

  it('counts unreachable, unknown and far nodes as improvements, near ones not', () => {
    const chain: Record<string, string[]> = {
      a: ['me', 'b'],
      b: ['a', 'c'],
      c: ['b', 'd'],
      d: ['c'],
    }
    const { choice } = setup(['a'], chain)
    expect(choice.improves('b')).toBe(false)
    expect(choice.distances().get('d')).toBe(FAR_HOPS)
    expect(choice.improves('d')).toBe(true)
    expect(choice.improves('stranger')).toBe(true)
  })

  it('drops the neighbour most of the others also link to, and nothing without one', () => {
    // a is linked to b and c (both ours); b only to a; d to nobody of ours
    const { choice } = setup(['a', 'b', 'c', 'd'], {
      a: ['me', 'b', 'c'],
      b: ['me', 'a'],
      c: ['me', 'a'],
      d: ['me'],
    })
    expect(choice.redundant('x')).toBe('a')
    const lonely = setup(['a', 'b'], { a: ['me'], b: ['me'] })
    expect(lonely.choice.redundant('x')).toBeUndefined()
    expect(lonely.choice.trade('x')).toBeUndefined()
  })

  it('in a piece without triangles, drops a neighbour that stays three hops away, for another piece only', () => {
    // a square: me - a - x - b - me; no neighbour of ours links to another of ours
    const square = { a: ['me', 'x'], b: ['me', 'x'], x: ['a', 'b'] }
    const { choice } = setup(['a', 'b'], square)
    expect(choice.redundant('other-piece')).toBeUndefined()
    expect(choice.worth('other-piece')).toBe(true)
    expect(choice.trade('other-piece')).toBe('a')
    // for a far node of our own piece, a link is not worth leaving a neighbour three hops away
    const far = setup(['a', 'b'], {
      ...square,
      x: ['a', 'b', 'y'],
      y: ['x', 'z'],
      z: ['y', 'w'],
      w: ['z'],
    })
    expect(far.choice.improves('w')).toBe(true)
    expect(far.choice.trade('w')).toBeUndefined()
  })

  it('trades at most once per TRADE_GAP_MS, and only for an improvement', () => {
    const { choice, clock } = setup(['a', 'b'], { a: ['me', 'b', 'z'], b: ['me', 'a'], z: ['a'] })
    expect(choice.trade('z')).toBeUndefined() // two hops away: not worth a link
    expect(choice.worth('far-1')).toBe(true)
    expect(choice.trade('far-1')).toBe('a')
    expect(choice.worth('far-2')).toBe(false)
    expect(choice.trade('far-2')).toBeUndefined()
    clock.now += TRADE_GAP_MS - 1
    expect(choice.mayTrade()).toBe(false)
    clock.now += 1
    expect(choice.trade('far-2')).toBe('a')
  })

  it('expects a welcome from a node with room, or one a link would bring closer', () => {
    // max_peers 2: a and far are full; b has room; far is 4 hops away
    const { choice } = setup(
      ['a'],
      {
        a: ['me', 'b'],
        b: ['a', 'c'],
        c: ['b', 'far'],
        far: ['c', 'x'],
        x: ['far'],
      },
      2,
    )
    expect(choice.welcomes('stranger')).toBe(true) // not announced yet
    expect(choice.welcomes('x')).toBe(true) // room
    expect(choice.welcomes('b')).toBe(false) // full, and two hops away
    expect(choice.distances().get('far')).toBe(FAR_HOPS)
    expect(choice.welcomes('far')).toBe(true) // full, but far
  })

  it('sees a changed link at once, and a repeated announcement changes nothing', () => {
    const { choice, topology } = setup(['a'], { a: ['me', 'b'], b: ['a'] })
    expect(choice.distances().get('c')).toBeUndefined()
    const version = topology.version
    // the periodic announcement: same neighbours, newer seq
    expect(topology.applyAnnouncement('b', 10n, ['a'])).toBe(true)
    expect(topology.version).toBe(version)
    // b links to c: c is reachable at once (both ends agree)
    topology.applyAnnouncement('b', 11n, ['a', 'c'])
    topology.applyAnnouncement('c', 12n, ['b'])
    expect(topology.version).toBeGreaterThan(version)
    expect(choice.distances().get('c')).toBe(3)
    topology.remove('c')
    topology.applyAnnouncement('b', 13n, ['a'])
    expect(choice.distances().get('c')).toBeUndefined()
  })
})

describe('a full node', () => {
  let nodes: TestNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.map(async (n) => n.stop()))
    nodes = []
  })

  /** Three nodes linked in a triangle, each at max_peers 2, each knowing the others' links. */
  async function triangle(): Promise<TestNode[]> {
    const t = await Promise.all([0, 1, 2].map(async () => testNode({ config: { max_peers: 2 } })))
    nodes.push(...t)
    const [x, y, z] = t as [TestNode, TestNode, TestNode]
    await link(x, y)
    await link(y, z)
    await link(z, x)
    await expect
      .poll(
        () =>
          t.every((n) =>
            t.every((m) => m === n || n.mesh.topology.get(m.id)?.neighbours.length === 2),
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe(true)
    return t
  }

  it('trades a redundant link for one to a part of the mesh it cannot reach', async () => {
    const a = await triangle()
    const b = await triangle()
    const [a0, b0] = [a[0] as TestNode, b[0] as TestNode]
    // both are full; without a trade this link is refused (max_peers_reached) and link() times out
    await link(a0, b0)
    expect(a0.mesh.peers.size).toBe(2)
    expect(b0.mesh.peers.size).toBe(2)
    // and the six are one mesh: a0's other neighbour is still reachable through the rest
    expect(a0.mesh.peers.has(b0.id)).toBe(true)
  })
})
