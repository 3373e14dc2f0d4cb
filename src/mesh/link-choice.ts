/**
 * Which links a full node (max_peers) trades, so that a partial mesh stays one piece with a small
 * diameter instead of growing as a chain of whoever arrived together. A link to a node we cannot
 * reach (across a healed partition, or a newcomer with no links yet), or that is FAR_HOPS or more
 * away, is worth one of our redundant links: a neighbour that another neighbour also links to,
 * so dropping it leaves it two hops away. Without a redundant link there is no trade.
 *
 * Reachability here counts a link only when both ends' announcements agree (or one end has not
 * announced yet): a stale record of a node across a partition still lists its old neighbours on
 * our side, and would otherwise make that side look reachable.
 */
import type { PeerTable } from './peer-table.js'
import type { TopologyTable } from './topology.js'

/** A node at least this many links away is worth a direct link. */
export const FAR_HOPS = 4
/** Trades are at most this often (a stream of newcomers or Sybils cannot churn every link). */
export const TRADE_GAP_MS = 2000

export interface LinkChoiceOptions {
  self: string
  peers: Pick<PeerTable, 'neighbours' | 'size' | 'version'>
  topology: Pick<TopologyTable, 'all' | 'get' | 'version'>
  maxPeers: number
  now?: () => number
}

export class LinkChoice {
  private lastTrade = -Infinity
  private cache?: { key: string; edges: Map<string, Set<string>>; distances: Map<string, number> }

  constructor(private readonly opts: LinkChoiceOptions) {}

  get full(): boolean {
    return this.opts.peers.size >= this.opts.maxPeers
  }

  /** Links from us to each node we can reach (two-way links only). */
  distances(): Map<string, number> {
    return this.view().distances
  }

  /** Would a link to `peerId` join a piece we cannot reach, or shorten a long way to it? */
  improves(peerId: string): boolean {
    const d = this.distances().get(peerId)
    return d == null || d >= FAR_HOPS
  }

  /**
   * Might `peerId` take a link from us? Yes unless it announced a full set of neighbours (our
   * max_peers: one mesh shares its config) and a link would not improve its reach, which is
   * ours seen from the other end. Its record may be stale: a node that drops a link announces it.
   */
  welcomes(peerId: string): boolean {
    const record = this.opts.topology.get(peerId)
    return record == null || record.neighbours.length < this.opts.maxPeers || this.improves(peerId)
  }

  /** May we make a trade now (one every TRADE_GAP_MS)? */
  mayTrade(): boolean {
    return this.now() - this.lastTrade >= TRADE_GAP_MS
  }

  /** Is a link to `peerId` worth one of ours now (an improvement, a redundant link to give, no trade too recently)? */
  worth(peerId: string): boolean {
    return this.mayTrade() && this.improves(peerId) && this.toDrop(peerId) != null
  }

  /**
   * For a new link to `peerId` while full: the neighbour to drop for it, or undefined when the
   * link is not worth one, none is redundant, or we traded too recently.
   */
  trade(peerId: string): string | undefined {
    if (!this.mayTrade() || !this.improves(peerId)) return undefined
    const drop = this.toDrop(peerId)
    if (drop != null) {
      this.lastTrade = this.now()
      this.cache = undefined
    }
    return drop
  }

  /**
   * The neighbour to drop for a link to `peerId`: a redundant one; or, for a link to a piece we
   * cannot reach at all, one that stays three hops away. Full nodes can close into a piece
   * without triangles (a ring, a bipartite mesh), where no neighbour has a neighbour of ours:
   * without this, no node of it would ever take a link to another piece.
   */
  private toDrop(peerId: string): string | undefined {
    const drop = this.redundant(peerId)
    if (drop != null || this.distances().has(peerId)) return drop
    return this.threeHopsAway(peerId)
  }

  /** A neighbour (other than `except`) linked to a node that links to another neighbour of ours. */
  threeHopsAway(except: string): string | undefined {
    const neighbours = this.opts.peers.neighbours().filter((n) => n !== except)
    const mine = new Set(neighbours)
    const { edges } = this.view()
    for (const n of [...neighbours].sort())
      for (const x of edges.get(n) ?? []) {
        if (x === this.opts.self || mine.has(x)) continue
        for (const m of edges.get(x) ?? []) if (m !== n && mine.has(m)) return n
      }
    return undefined
  }

  /** The neighbour (other than `except`) most of our other neighbours also link to. */
  redundant(except: string): string | undefined {
    const neighbours = this.opts.peers.neighbours().filter((n) => n !== except)
    const mine = new Set(neighbours)
    const { edges } = this.view()
    let best: { peer: string; shared: number } | undefined
    for (const n of neighbours) {
      let shared = 0
      for (const m of edges.get(n) ?? []) if (m !== this.opts.self && mine.has(m)) shared++
      if (
        shared > 0 &&
        (best == null || shared > best.shared || (shared === best.shared && n < best.peer))
      )
        best = { peer: n, shared }
    }
    return best?.peer
  }

  /**
   * The links as we know them and our distances over them: recomputed only when a link changed
   * (ours, or one announced), not for each announcement that repeats what we knew.
   */
  private view(): { edges: Map<string, Set<string>>; distances: Map<string, number> } {
    const key = `${this.opts.topology.version} ${this.opts.peers.version}`
    if (this.cache?.key === key) return this.cache
    const edges = this.edges()
    this.cache = { key, edges, distances: hopsFrom(this.opts.self, edges) }
    return this.cache
  }

  /** Two-way links: ours, and each announced one its other end does not deny. */
  private edges(): Map<string, Set<string>> {
    const edges = new Map<string, Set<string>>()
    const link = (a: string, b: string): void => {
      if (a === b) return
      if (!edges.has(a)) edges.set(a, new Set())
      if (!edges.has(b)) edges.set(b, new Set())
      edges.get(a)?.add(b)
      edges.get(b)?.add(a)
    }
    const { self, topology } = this.opts
    for (const n of this.opts.peers.neighbours()) link(self, n)
    for (const record of topology.all()) {
      if (record.peerId === self) continue
      for (const n of record.neighbours) {
        if (n === self) continue // our own links are what our peer table says
        const other = topology.get(n)
        if (other == null || other.neighbours.includes(record.peerId)) link(record.peerId, n)
      }
    }
    return edges
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }
}

/** Links from `from` to every node it reaches in `edges` (breadth first). */
export function hopsFrom(
  from: string,
  edges: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, number> {
  const dist = new Map([[from, 0]])
  const queue = [from]
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] as string
    for (const next of edges.get(at) ?? []) {
      if (dist.has(next)) continue
      dist.set(next, (dist.get(at) ?? 0) + 1)
      queue.push(next)
    }
  }
  return dist
}
