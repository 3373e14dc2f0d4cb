/**
 * The mesh peer table: every neighbour we have at least one mesh link to, its health and
 * counters. It picks the link to send on (direct before relayed) and hashes the neighbour
 * list for heartbeats.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { TypedEventEmitter } from 'main-event'
import type { PeerHealth, PeerInfo, PeerTransport } from '../core/types.js'
import { nodeIdFromPeerId } from '../core/node-id.js'
import type { Link } from './link.js'
import { transportOf, transportRank } from './transport-kind.js'

export interface PeerRecord {
  peerId: string
  nodeId: string
  links: Set<Link>
  health: PeerHealth
  connectedAt: number
  lastHeartbeat?: number
  rttMs?: number
  messagesSent: number
  messagesReceived: number
  version?: string
}

export interface PeerTableEvents {
  /** a neighbour gained its first link */
  'peer:add': CustomEvent<PeerInfo>
  /** health, transport or counters changed (counters are not announced one by one) */
  'peer:update': CustomEvent<PeerInfo>
  /** a neighbour lost its last link */
  'peer:remove': CustomEvent<{ peerId: string; reason: string; transport: PeerTransport }>
}

export class PeerTable extends TypedEventEmitter<PeerTableEvents> {
  private readonly peers = new Map<string, PeerRecord>()
  private changes = 0
  private live?: string[]

  /**
   * Changes whenever the live neighbours do (one added, removed, dead or back): what is derived
   * from them is cached on it (link-choice.ts asks for every candidate peer, twice a second).
   */
  get version(): number {
    return this.changes
  }

  private neighboursChanged(): void {
    this.changes++
    this.live = undefined
  }

  get size(): number {
    return this.peers.size
  }

  has(peerId: string): boolean {
    return this.peers.has(peerId)
  }

  get(peerId: string): PeerRecord | undefined {
    return this.peers.get(peerId)
  }

  records(): PeerRecord[] {
    return [...this.peers.values()]
  }

  addLink(link: Link): void {
    const existing = this.peers.get(link.peerId)
    if (existing != null) {
      existing.links.add(link)
      this.update(existing)
      return
    }
    const record: PeerRecord = {
      peerId: link.peerId,
      nodeId: nodeIdFromPeerId(link.peerId),
      links: new Set([link]),
      health: 'ALIVE',
      connectedAt: Date.now(),
      messagesSent: 0,
      messagesReceived: 0,
    }
    this.peers.set(link.peerId, record)
    this.neighboursChanged()
    this.safeDispatchEvent('peer:add', { detail: this.info(record) })
  }

  /** Drops a closed link; the peer goes when its last link does. */
  removeLink(link: Link, reason = 'connection closed'): void {
    const record = this.peers.get(link.peerId)
    if (record == null || !record.links.delete(link)) return
    if (record.links.size === 0) this.remove(link.peerId, reason, transportOf(link.connection))
    else this.update(record)
  }

  /** Forgets a neighbour; `transport` names the link it had, when that link is already gone. */
  remove(peerId: string, reason: string, transport?: PeerTransport): void {
    const record = this.peers.get(peerId)
    if (record == null) return
    const kind = transport ?? this.info(record).transport
    this.peers.delete(peerId)
    this.neighboursChanged()
    this.safeDispatchEvent('peer:remove', { detail: { peerId, reason, transport: kind } })
  }

  setHealth(peerId: string, health: PeerHealth): void {
    const record = this.peers.get(peerId)
    if (record == null || record.health === health) return
    if (record.health === 'DEAD' || health === 'DEAD') this.neighboursChanged()
    record.health = health
    this.update(record)
  }

  /** The link to send on: open, best transport, then the newest. */
  bestLink(peerId: string): Link | undefined {
    const record = this.peers.get(peerId)
    if (record == null) return undefined
    let best: Link | undefined
    for (const link of record.links) {
      if (!link.isOpen) continue
      if (best == null) {
        best = link
        continue
      }
      const diff =
        transportRank(transportOf(link.connection)) - transportRank(transportOf(best.connection))
      if (diff < 0 || (diff === 0 && link.opened > best.opened)) best = link
    }
    return best
  }

  /** Sorted peer ids of live neighbours. */
  neighbours(): string[] {
    this.live ??= [...this.peers.values()]
      .filter((r) => r.health !== 'DEAD')
      .map((r) => r.peerId)
      .sort()
    return [...this.live]
  }

  info(record: PeerRecord): PeerInfo {
    const link = this.bestLink(record.peerId) ?? [...record.links][0]
    return {
      peerId: record.peerId,
      nodeId: record.nodeId,
      transport: link == null ? 'other' : transportOf(link.connection),
      health: record.health,
      remoteAddr: link?.connection.remoteAddr.toString() ?? '',
      connectedAt: record.connectedAt,
      lastHeartbeat: record.lastHeartbeat,
      rttMs: record.rttMs,
      messagesSent: record.messagesSent,
      messagesReceived: record.messagesReceived,
      version: record.version,
    }
  }

  list(): PeerInfo[] {
    return [...this.peers.values()].map((r) => this.info(r))
  }

  update(record: PeerRecord): void {
    this.safeDispatchEvent('peer:update', { detail: this.info(record) })
  }
}

/** First 8 bytes of SHA-256 over the sorted peer ids, newline-joined. */
export function peerListHash(peers: readonly string[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    sha256(new TextEncoder().encode([...peers].sort().join('\n'))).subarray(0, 8),
  )
}
