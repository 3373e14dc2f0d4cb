/**
 * Turns discovered peers (from the relay's directory and from announcements) into direct
 * connections (FR10.2): dials their `/p2p-circuit/webrtc` addresses, from one side only (the
 * lower peer id, or the other side once the pair has waited too long), at most 4 at a time,
 * within max_peers, and redials transient failures with backoff.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { PeerQueue } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { backoffDelay, isTransientError } from './backoff.js'
import type { Dialable } from './dialable.js'
import { relayedWebRTC } from './dialable.js'
import type { PeerTable } from './peer-table.js'
import { transportOf } from './transport-kind.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export interface DialerOptions {
  libp2p: Libp2p
  peers: PeerTable
  maxPeers: number
  denied: ReadonlySet<string>
  /** relays are connected by the RelayKeeper, not meshed */
  isRelay(peerId: string): boolean
  log: Logger
  /** the other side takes over dialling after this long without a connection. @default 8000 */
  takeoverAfterMs?: number
  /** @default 10000 */
  dialTimeoutMs?: number
  /** forget a peer not rediscovered for this long. @default 60000 */
  forgetAfterMs?: number
  /** which announced addresses to dial. @default relayedWebRTC */
  dialable?: Dialable
  /** while full (max_peers): is a link to this peer worth one of ours (link-choice.ts)? */
  worthTrade?: (peerId: string) => boolean
  /**
   * Might this peer take a link from us (link-choice.ts)? A peer that would refuse is not dialled:
   * each refusal costs both sides a full handshake. @default always
   */
  welcomes?: (peerId: string) => boolean
}

interface Candidate {
  peerId: PeerId
  addrs: Multiaddr[]
  /** since when we have known it and not been connected: the other side's takeover clock */
  waitingSince: number
  lastSeen: number
  failures: number
  nextAttempt: number
  /** set when retrying cannot help (until the page reloads / the process restarts) */
  refused?: string
}

const TICK_MS = 500

export class MeshDialer implements Startable {
  private readonly candidates = new Map<string, Candidate>()
  private readonly queue = new PeerQueue({ concurrency: 4 })
  private timer?: ReturnType<typeof setInterval>
  private readonly self: string
  private running = false

  constructor(private readonly opts: DialerOptions) {
    this.self = opts.libp2p.peerId.toString()
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.timer = setInterval(() => {
      this.tick()
    }, TICK_MS)
  }

  stop(): void {
    this.running = false
    clearInterval(this.timer)
    this.queue.abort()
  }

  /** What the dialer knows of a peer: failures so far, when it may try again, why it gave up. */
  state(peerId: string): { failures: number; nextAttempt: number; refused?: string } | undefined {
    const c = this.candidates.get(peerId)
    return c == null
      ? undefined
      : { failures: c.failures, nextAttempt: c.nextAttempt, refused: c.refused }
  }

  /**
   * Peers the mesh is still forming with: dials queued or under way, and discovered peers not
   * connected yet that are neither refused nor failing repeatedly (the other side may be dialling).
   */
  pending(): number {
    let waiting = 0
    for (const c of this.candidates.values()) {
      if (c.refused == null && c.failures < 3 && !this.isConnected(c.peerId)) waiting++
    }
    return Math.max(waiting, this.queue.size)
  }

  /** Never dial this peer again in this session (incompatible version, bad identity). */
  refuse(peerId: PeerId, reason: string): void {
    const key = peerId.toString()
    const c = this.candidates.get(key)
    if (c != null) {
      c.refused = reason
      return
    }
    const now = Date.now()
    this.candidates.set(key, {
      peerId,
      addrs: [],
      waitingSince: now,
      lastSeen: now,
      failures: 0,
      nextAttempt: Infinity,
      refused: reason,
    })
  }

  /** Forget backoff: try everyone we know now (few peers left, or the network came back). */
  boost(): void {
    for (const c of this.candidates.values()) c.nextAttempt = 0
    this.tick()
  }

  /** A peer can be dialled at these addresses (those not `dialable` are ignored). */
  discovered(id: PeerId, multiaddrs: Multiaddr[]): void {
    const key = id.toString()
    if (key === this.self || this.opts.isRelay(key) || this.opts.denied.has(key)) return
    const addrs = multiaddrs.filter(this.opts.dialable ?? relayedWebRTC)
    if (addrs.length === 0) return
    const now = Date.now()
    const existing = this.candidates.get(key)
    if (existing != null) {
      existing.addrs = addrs
      existing.lastSeen = now
      this.considerSoon(existing, now)
      return
    }
    this.candidates.set(key, {
      peerId: id,
      addrs,
      waitingSince: now,
      lastSeen: now,
      failures: 0,
      nextAttempt: 0,
    })
    this.considerSoon(this.candidates.get(key) as Candidate, now)
  }

  /**
   * A discovered peer is dialled at once while we have room. A full node weighs a trade on its
   * next tick instead: weighing one may recompute the mesh's shape (link-choice.ts), and while a
   * mesh forms, announcements with addresses come many a second (at 60 nodes that was 5 % of
   * the whole simulation's CPU).
   */
  private considerSoon(c: Candidate, now: number): void {
    if (this.hasRoom()) this.consider(c, now)
  }

  /** Room for another link, counting dials under way (4 in parallel could overshoot max_peers). */
  private hasRoom(): boolean {
    return this.opts.peers.size + this.queue.size < this.opts.maxPeers
  }

  private tick(): void {
    const now = Date.now()
    const forgetAfter = this.opts.forgetAfterMs ?? 60_000
    for (const [key, c] of this.candidates) {
      const connected = this.isConnected(c.peerId)
      if (connected) {
        c.waitingSince = now // the takeover clock starts again only once we are apart
        continue
      }
      if (now - c.lastSeen > forgetAfter && c.refused == null) {
        this.candidates.delete(key)
        continue
      }
      this.consider(c, now)
    }
  }

  private isConnected(peerId: PeerId): boolean {
    return this.opts.libp2p
      .getConnections(peerId)
      .some((c) => c.status === 'open' && transportOf(c) !== 'relay')
  }

  private consider(c: Candidate, now: number): void {
    if (!this.running || c.refused != null || now < c.nextAttempt) return
    if (this.queue.has(c.peerId) || this.isConnected(c.peerId)) return
    // when full, one dial at a time for a link worth trading one of ours for
    if (!this.hasRoom() && !this.trading(c)) return
    const weInitiate = this.self < c.peerId.toString()
    const takeover = now - c.waitingSince > (this.opts.takeoverAfterMs ?? 8000)
    if (!weInitiate && !takeover) return
    if (this.opts.welcomes?.(c.peerId.toString()) === false) return
    this.queue
      .add(async () => this.dial(c), { peerId: c.peerId })
      .catch(() => {
        // dial() records its own failures; the queue only rejects when aborted on stop
      })
  }

  private trading(c: Candidate): boolean {
    return this.queue.size === 0 && this.opts.worthTrade?.(c.peerId.toString()) === true
  }

  private async dial(c: Candidate): Promise<void> {
    if (this.isConnected(c.peerId)) return
    if (
      this.opts.peers.size >= this.opts.maxPeers &&
      this.opts.worthTrade?.(c.peerId.toString()) !== true
    )
      return
    const started = Date.now()
    try {
      await this.opts.libp2p.dial(c.addrs, {
        signal: AbortSignal.timeout(this.opts.dialTimeoutMs ?? 10_000),
      })
      c.failures = 0
      this.opts.log.debug('dialled peer', { peer: c.peerId.toString(), ms: Date.now() - started })
    } catch (err) {
      c.failures++
      if (!isTransientError(err)) {
        c.refused = (err as Error).name
        this.opts.log.warn('dial failed permanently; not retrying', {
          peer: c.peerId.toString(),
          error: err as Error,
        })
        return
      }
      const delay = backoffDelay(c.failures)
      c.nextAttempt = Date.now() + delay
      this.opts.log.info('dial failed; will retry', {
        peer: c.peerId.toString(),
        attempt: c.failures,
        retryInMs: delay,
        error: err as Error,
      })
    }
  }
}
