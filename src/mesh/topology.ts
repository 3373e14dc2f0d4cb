/**
 * What this node knows of the mesh beyond its neighbours: each known node's neighbour list,
 * learned from direct peer-list syncs (heartbeat hash mismatch) and from gossiped topology
 * announcements. Routing asks it for next hops; the dashboard draws it.
 */
import type { SignedAnnouncement } from '../core/proto/topology.js'
import { peerListHash } from './peer-table.js'
import type { EngineLoad } from '../core/tasks.js'

export interface TopologyRecord {
  peerId: string
  neighbours: string[]
  /** the author's announcement sequence; direct syncs keep the last gossiped one */
  seq: bigint
  updatedAt: number
  source: 'gossip' | 'direct'
  platform?: string
  version?: string
  /** as announced by the author */
  nodeId?: string
  /** when the author's node started, ms since the epoch */
  startedAt?: number
  /** the relays the author is connected to */
  relays?: string[]
  /** how the author reaches each neighbour ("webrtc", "relay", ...), as it announced */
  transports?: Record<string, string>
  /** the author announces again within this long, as it said (undefined: announce_interval_secs) */
  refreshMs?: number
  /** the announcement as its author signed it on the topic, handed on to newcomers (topology-sync) */
  signed?: SignedAnnouncement
  /** the AI work it announced it can take */
  capabilities?: {
    backend: string
    threads: number
    task_types: string[]
    embeddings_per_sec: number
    /** its speed is being measured (or will be once it has joined) */
    measuring: boolean
    /** how busy it said it was, as of `updatedAt` (stale when old: see freshLoad) */
    load?: EngineLoad
  }
}

/** A record's announced load if it is at most `maxAgeMs` old (loads are announced at least every few seconds while they change). */
export function freshLoad(
  record: TopologyRecord,
  now = Date.now(),
  maxAgeMs = 10_000,
): EngineLoad | undefined {
  return now - record.updatedAt <= maxAgeMs ? record.capabilities?.load : undefined
}

/** A record its author has not refreshed for this many of its refresh intervals is dropped. */
export const PRUNE_AFTER_REFRESHES = 3

export class TopologyTable {
  private readonly records = new Map<string, TopologyRecord>()
  private linksVersion = 0

  /**
   * Changes whenever a node is added or removed or its neighbour list changes (not when a
   * periodic announcement repeats what we knew): whatever is derived from the links is cached on it.
   */
  get version(): number {
    return this.linksVersion
  }

  private changed(before: TopologyRecord | undefined, neighbours: readonly string[]): void {
    if (before == null || before.neighbours.join(' ') !== neighbours.join(' ')) this.linksVersion++
  }

  /**
   * Applies a gossiped announcement if newer than what we have; true when applied. `updatedAt`
   * (default now) is when it was heard: earlier for one a neighbour handed on (topology-sync).
   */
  applyAnnouncement(
    peerId: string,
    seq: bigint,
    neighbours: string[],
    extra: Pick<
      TopologyRecord,
      | 'platform'
      | 'version'
      | 'capabilities'
      | 'nodeId'
      | 'startedAt'
      | 'relays'
      | 'transports'
      | 'signed'
      | 'refreshMs'
    > = {},
    heardAt = Date.now(),
  ): boolean {
    const existing = this.records.get(peerId)
    if (existing != null && existing.seq >= seq) return false
    const list = [...new Set(neighbours)].filter((p) => p !== peerId).sort()
    this.changed(existing, list)
    this.records.set(peerId, {
      peerId,
      neighbours: list,
      seq,
      updatedAt: heardAt,
      source: 'gossip',
      ...extra,
    })
    return true
  }

  /** Applies a neighbour's own answer to a peer-list request: first-hand, so always taken. */
  applyPeerList(peerId: string, neighbours: string[]): void {
    const existing = this.records.get(peerId)
    const list = [...new Set(neighbours)].filter((p) => p !== peerId).sort()
    this.changed(existing, list)
    this.records.set(peerId, {
      ...existing,
      peerId,
      neighbours: list,
      seq: existing?.seq ?? 0n,
      updatedAt: Date.now(),
      source: 'direct',
    })
  }

  remove(peerId: string): void {
    if (this.records.delete(peerId)) this.linksVersion++
  }

  /** nodes known */
  get size(): number {
    return this.records.size
  }

  get(peerId: string): TopologyRecord | undefined {
    return this.records.get(peerId)
  }

  all(): TopologyRecord[] {
    return [...this.records.values()]
  }

  /** Hash of the neighbour list we hold for a peer, to compare with its heartbeat. */
  hashOf(peerId: string): Uint8Array | undefined {
    const record = this.records.get(peerId)
    return record == null ? undefined : peerListHash(record.neighbours)
  }

  /**
   * Drops records not refreshed within PRUNE_AFTER_REFRESHES of their author's refresh intervals
   * (`defaultRefreshMs` for an author that did not say), except the listed (connected) peers.
   */
  prune(defaultRefreshMs: number, keep: ReadonlySet<string>, now = Date.now()): string[] {
    const removed: string[] = []
    for (const [peerId, record] of this.records) {
      const maxAgeMs = PRUNE_AFTER_REFRESHES * (record.refreshMs ?? defaultRefreshMs)
      if (!keep.has(peerId) && now - record.updatedAt > maxAgeMs) {
        this.records.delete(peerId)
        removed.push(peerId)
      }
    }
    if (removed.length > 0) this.linksVersion++
    return removed
  }

  /**
   * Neighbours of `self` that lead to `target`, nearest first, skipping `exclude`. Links are
   * taken as symmetric (either end reporting one is enough); paths never pass through self.
   */
  nextHops(
    self: string,
    selfNeighbours: readonly string[],
    target: string,
    exclude: ReadonlySet<string> = new Set(),
  ): string[] {
    const graph = this.graph(self, selfNeighbours)
    const distance = new Map<string, number>([[target, 0]])
    const queue = [target]
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i] as string
      const d = distance.get(node) as number
      for (const next of graph.get(node) ?? []) {
        if (next === self || distance.has(next)) continue
        distance.set(next, d + 1)
        queue.push(next)
      }
    }
    return selfNeighbours
      .filter((n) => !exclude.has(n) && distance.has(n))
      .sort((a, b) => (distance.get(a) as number) - (distance.get(b) as number) || (a < b ? -1 : 1))
  }

  /** Undirected adjacency of everything known, self included. */
  graph(self: string, selfNeighbours: readonly string[]): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>()
    const link = (a: string, b: string): void => {
      if (a === b) return
      if (!graph.has(a)) graph.set(a, new Set())
      if (!graph.has(b)) graph.set(b, new Set())
      graph.get(a)?.add(b)
      graph.get(b)?.add(a)
    }
    for (const n of selfNeighbours) link(self, n)
    for (const record of this.records.values()) {
      if (record.peerId === self) continue
      for (const n of record.neighbours) link(record.peerId, n)
    }
    return graph
  }
}
