/**
 * A newcomer's fast path into the mesh: ask each relay it connects to which peers hold a
 * reservation there, and dial them at once; ask again over the next seconds, since peers starting
 * at the same moment reserve a little later and their announcements can miss a gossip mesh that
 * is still forming. (With fewer than 2 peers, the heartbeat monitor asks again every 30 s.)
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { DirectoryDrop } from './directory.js'
import { queryDirectory } from './directory.js'
import type { RelayKeeper } from './relay-keeper.js'

/** When to ask a freshly connected relay for its directory, ms after connecting. */
const DIRECTORY_POLL_MS = [0, 1000, 2000, 4000, 8000]

export interface DirectoryPollerOptions {
  libp2p: Libp2p
  relays: RelayKeeper
  log: Logger
  /** whether the node could take more peers (later polls are skipped when it cannot) */
  wantsPeers(): boolean
  /** peers the relay knows of, to dial */
  discovered(peerId: PeerId, addrs: Multiaddr[]): void
  /** an answer, or an entry in one, that was not usable (counted like a dropped frame) */
  onDrop(reason: DirectoryDrop): void
}

export class DirectoryPoller implements Startable {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private running = false
  private asked = false

  constructor(private readonly opts: DirectoryPollerOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.opts.relays.addEventListener('relay:connected', this.onRelay)
  }

  stop(): void {
    this.running = false
    this.opts.relays.removeEventListener('relay:connected', this.onRelay)
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  /** Whether a relay has answered who is there (or failed to) since this node started. */
  get answered(): boolean {
    return this.asked
  }

  /** Asks every connected relay now (the node is short of peers). */
  askAll(): void {
    for (const relay of this.opts.relays.status().connected) void this.ask(relay)
  }

  private readonly onRelay = (evt: CustomEvent<string>): void => {
    const relay = evt.detail
    for (const delay of DIRECTORY_POLL_MS) {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (!this.running || !this.opts.relays.status().connected.includes(relay)) return
        if (delay > 0 && !this.opts.wantsPeers()) return
        void this.ask(relay)
      }, delay)
      this.timers.add(timer)
    }
  }

  /** Asks a relay who else is there, and dials them. */
  private async ask(relay: string): Promise<void> {
    const connection = this.opts.libp2p
      .getConnections(peerIdFromString(relay))
      .find((c) => c.status === 'open')
    if (connection == null) return
    try {
      const peers = await queryDirectory(
        connection,
        this.opts.libp2p.peerId.toString(),
        this.opts.onDrop,
      )
      this.opts.log.debug('relay directory', { relay, peers: peers.length })
      for (const p of peers) this.opts.discovered(peerIdFromString(p.peerId), p.addrs)
    } catch (err) {
      this.opts.log.info('relay directory unavailable', { relay, error: err as Error })
    } finally {
      this.asked = true
    }
  }
}
