/**
 * Liveness of neighbours (FR10.4). Every link carries a heartbeat each interval (10 s) with our
 * node id, time and peer-list hash; the neighbour answers at once. No answer 3 s after a
 * heartbeat → SLOW, probed every second; still nothing 10 s later → DEAD and removed. Any frame
 * from a neighbour counts as a sign of life. A hash that differs from the neighbour list we hold
 * for that peer triggers a peer-list sync.
 */
import { equals } from 'uint8arrays'
import { VERSION } from '../core/version.js'
import type { Heartbeat } from '../core/proto/mesh.js'
import type { Link } from './link.js'
import type { PeerTable } from './peer-table.js'
import { peerListHash } from './peer-table.js'
import type { TopologyTable } from './topology.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export interface HeartbeatOptions {
  nodeId: string
  peers: PeerTable
  topology: TopologyTable
  log: Logger
  /** @default 10000 */
  intervalMs: number
  /** no ack this long after a heartbeat → SLOW. @default 3000 */
  slowAfterMs?: number
  /** SLOW this long without any sign of life → DEAD. @default 10000 */
  deadAfterMs?: number
  /** heartbeat period while SLOW. @default 1000 */
  probeIntervalMs?: number
  /** a neighbour was declared DEAD */
  onDead(peerId: string): void
  /** fewer than two neighbours: look harder */
  onLowPeers(count: number): void
}

interface Liveness {
  seq: number
  lastSentAt: number
  /** when the oldest unanswered heartbeat went out; undefined when all answered */
  unansweredSince?: number
  slowSince?: number
  lastSign: number
  lastSyncRequest: number
}

const TICK_MS = 100
const SYNC_MIN_GAP_MS = 2000
const LOW_PEERS_WARN_EVERY_MS = 30_000

export class HeartbeatMonitor implements Startable {
  private readonly state = new Map<string, Liveness>()
  private timer?: ReturnType<typeof setInterval>
  private lastLowPeersWarning = 0
  private readonly slowAfterMs: number
  private readonly deadAfterMs: number
  private readonly probeIntervalMs: number

  constructor(private readonly opts: HeartbeatOptions) {
    this.slowAfterMs = opts.slowAfterMs ?? 3000
    this.deadAfterMs = opts.deadAfterMs ?? 10_000
    this.probeIntervalMs = opts.probeIntervalMs ?? 1000
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.tick()
    }, TICK_MS)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.state.clear()
  }

  forget(peerId: string): void {
    this.state.delete(peerId)
  }

  /** Any frame from the peer proves it is alive. */
  sawLife(peerId: string): void {
    const s = this.state.get(peerId)
    if (s == null) return
    s.lastSign = Date.now()
    s.unansweredSince = undefined
    s.slowSince = undefined
    this.opts.peers.setHealth(peerId, 'ALIVE')
  }

  handleHeartbeat(hb: Heartbeat, link: Link): void {
    link.send({ heartbeatAck: this.ourHeartbeat(hb.seq) })
    this.compareHash(link, hb.peerListHash)
  }

  handleHeartbeatAck(hb: Heartbeat, link: Link): void {
    const record = this.opts.peers.get(link.peerId)
    const s = this.state.get(link.peerId)
    if (record != null) {
      record.lastHeartbeat = Date.now()
      record.version = hb.version
      if (s != null && hb.seq === s.seq) record.rttMs = Date.now() - s.lastSentAt
      this.opts.peers.update(record)
    }
    this.compareHash(link, hb.peerListHash)
  }

  private compareHash(link: Link, theirHash: Uint8Array): void {
    const known = this.opts.topology.hashOf(link.peerId)
    if (known != null && equals(known, theirHash)) return
    const s = this.state.get(link.peerId)
    const now = Date.now()
    if (s != null && now - s.lastSyncRequest < SYNC_MIN_GAP_MS) return
    if (s != null) s.lastSyncRequest = now
    link.send({ peerListRequest: {} })
  }

  private ourHeartbeat(seq: number): Heartbeat {
    return {
      nodeId: this.opts.nodeId,
      timestamp: BigInt(Date.now()),
      peerListHash: peerListHash(this.opts.peers.neighbours()),
      seq,
      version: VERSION,
    }
  }

  private tick(): void {
    const now = Date.now()
    for (const record of this.opts.peers.records()) {
      let s = this.state.get(record.peerId)
      if (s == null) {
        // first heartbeat right away: it carries our hash and gets theirs
        s = { seq: 0, lastSentAt: 0, lastSign: now, lastSyncRequest: 0 }
        this.state.set(record.peerId, s)
      }
      if (
        s.unansweredSince != null &&
        s.slowSince == null &&
        now - s.unansweredSince > this.slowAfterMs
      ) {
        s.slowSince = now
        this.opts.peers.setHealth(record.peerId, 'SLOW')
        this.opts.log.info('peer is slow: heartbeat unanswered', { peer: record.peerId })
      }
      if (s.slowSince != null && now - s.slowSince > this.deadAfterMs) {
        this.opts.log.warn('peer is dead: no answer while slow', { peer: record.peerId })
        this.state.delete(record.peerId)
        this.opts.peers.setHealth(record.peerId, 'DEAD')
        this.opts.onDead(record.peerId)
        continue
      }
      const period = s.slowSince != null ? this.probeIntervalMs : this.opts.intervalMs
      if (now - s.lastSentAt >= period) this.send(record.peerId, s, now)
    }
    this.checkPeerCount(now)
  }

  private send(peerId: string, s: Liveness, now: number): void {
    const link = this.opts.peers.bestLink(peerId)
    s.seq = (s.seq + 1) >>> 0
    s.lastSentAt = now
    s.unansweredSince ??= now
    link?.send({ heartbeat: this.ourHeartbeat(s.seq) })
  }

  private checkPeerCount(now: number): void {
    const count = this.opts.peers.size
    if (count >= 2 || now - this.lastLowPeersWarning < LOW_PEERS_WARN_EVERY_MS) return
    this.lastLowPeersWarning = now
    this.opts.log.warn('fewer than 2 mesh peers; increasing discovery', { peers: count })
    this.opts.onLowPeers(count)
  }
}
