/**
 * libp2p's peer store keeps every peer it ever saw, in memory (no datastore is configured), and
 * evicts one only when it is next read. With churn that is a slow leak: every node that left
 * stays in every node's store, and in the relay's. Every `intervalMs` this deletes the peers we
 * hold no connection to and no longer want (`keep`: for a mesh node, the nodes of its topology
 * and its relays).
 */
import type { Libp2p } from '@libp2p/interface'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export interface PeerStoreSweepOptions {
  libp2p: Pick<Libp2p, 'peerId' | 'peerStore' | 'getConnections'>
  /** peers to keep though not connected now */
  keep(peerId: string): boolean
  intervalMs: number
  log: Logger
}

export class PeerStoreSweep implements Startable {
  private timer?: ReturnType<typeof setInterval>

  constructor(private readonly opts: PeerStoreSweepOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => {
        this.opts.log.debug('peer store sweep failed', { error: err as Error })
      })
    }, this.opts.intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Deletes the peers not kept and not connected; how many went. */
  async sweep(): Promise<number> {
    const { libp2p } = this.opts
    let removed = 0
    for (const peer of await libp2p.peerStore.all()) {
      if (peer.id.equals(libp2p.peerId) || libp2p.getConnections(peer.id).length > 0) continue
      if (this.opts.keep(peer.id.toString())) continue
      await libp2p.peerStore.delete(peer.id)
      removed++
    }
    return removed
  }
}
