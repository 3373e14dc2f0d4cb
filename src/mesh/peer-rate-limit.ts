/**
 * How many frames of one protocol each peer may send: a token bucket per peer. Frames over
 * the rate are refused; a peer refused without a break for `banAfterMs` is banned for `banMs`
 * (its frames refused, `onBan` told so it can be disconnected and denied).
 */
import { TokenBucket } from './token-bucket.js'

/** Refusals further apart than this are separate bursts, not one flood. */
const FLOOD_GAP_MS = 1000
/** Buckets kept at most; beyond, the oldest goes (bans are kept apart, until they end). */
const MAX_TRACKED = 4096

export interface PeerRateLimitOptions {
  /** frames a peer may send a second, on average; 0: no limit */
  ratePerSec: number
  /** frames it may send at once. @default 2 × ratePerSec */
  burst?: number
  /** refused without a break for this long: banned. @default 5000 */
  banAfterMs?: number
  /** how long a ban lasts */
  banMs: number
  /** the clock, in milliseconds. @default Date.now */
  now?: () => number
  onBan(peerId: string): void
}

interface PeerState {
  bucket: TokenBucket
  /** when the current run of refusals began, and the last refusal */
  floodingSince?: number
  lastRefused?: number
}

export class PeerRateLimit {
  private readonly peers = new Map<string, PeerState>()
  private readonly bans = new Map<string, number>()
  private readonly now: () => number
  private readonly banAfterMs: number

  constructor(private readonly opts: PeerRateLimitOptions) {
    this.now = opts.now ?? Date.now
    this.banAfterMs = opts.banAfterMs ?? 5000
  }

  /** May this peer's next frame through? */
  admit(peerId: string): boolean {
    if (this.opts.ratePerSec <= 0) return true
    if (this.isBanned(peerId)) return false
    let state = this.peers.get(peerId)
    if (state == null) {
      const burst = this.opts.burst ?? 2 * this.opts.ratePerSec
      state = { bucket: new TokenBucket(this.opts.ratePerSec, burst, this.now) }
      if (this.peers.size >= MAX_TRACKED)
        this.peers.delete(this.peers.keys().next().value as string)
      this.peers.set(peerId, state)
    }
    if (state.bucket.take()) return true
    const t = this.now()
    if (state.lastRefused == null || t - state.lastRefused > FLOOD_GAP_MS) state.floodingSince = t
    state.lastRefused = t
    if (t - (state.floodingSince ?? t) >= this.banAfterMs) this.ban(peerId)
    return false
  }

  isBanned(peerId: string): boolean {
    const until = this.bans.get(peerId)
    if (until == null) return false
    if (this.now() < until) return true
    this.bans.delete(peerId)
    return false
  }

  /** Peers banned now. */
  banned(): string[] {
    return [...this.bans.keys()].filter((p) => this.isBanned(p))
  }

  /** The peer is gone: its bucket goes too (a ban stays until it ends). */
  forget(peerId: string): void {
    this.peers.delete(peerId)
  }

  private ban(peerId: string): void {
    this.peers.delete(peerId)
    this.bans.set(peerId, this.now() + this.opts.banMs)
    this.opts.onBan(peerId)
  }
}
