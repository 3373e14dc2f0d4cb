/**
 * What a relay does beyond libp2p's circuit-relay server: it forwards announcements (it
 * subscribes to the topology topic, so gossipsub routes it through), answers directory
 * requests from nodes that just connected, drops a peer's reservation when it disconnects, and
 * forgets peers that left (PeerStoreSweep).
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { DIRECTORY_PROTOCOL, TOPOLOGY_TOPIC } from '../core/protocol.js'
import { serveDirectory } from './directory.js'
import { PeerStoreSweep } from './peer-store-sweep.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { PeerTransport } from '../core/types.js'
import { transportOf } from './transport-kind.js'

export type RelayServices = {
  pubsub: GossipSub
  relay: CircuitRelayService
}

/** A relay forgets peers that left this long after (libp2p's peer store keeps them all). */
const SWEEP_INTERVAL_MS = 60_000

export class RelayRole implements Startable {
  /** how each connected peer came in, for its disconnect line */
  private readonly transports = new Map<string, PeerTransport>()
  private readonly sweep: PeerStoreSweep

  constructor(
    private readonly libp2p: Libp2p<RelayServices>,
    private readonly maxReservations: number,
    private readonly log: Logger,
  ) {
    // a relay keeps no one it is not connected to: its peers come to it
    this.sweep = new PeerStoreSweep({
      libp2p,
      keep: () => false,
      intervalMs: SWEEP_INTERVAL_MS,
      log,
    })
  }

  async start(): Promise<void> {
    this.sweep.start()
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.services.pubsub.subscribe(TOPOLOGY_TOPIC)
    await serveDirectory(this.libp2p, this.libp2p.services.relay, this.maxReservations, this.log)
  }

  async stop(): Promise<void> {
    this.sweep.stop()
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.transports.clear()
    await this.libp2p.unhandle(DIRECTORY_PROTOCOL).catch(() => {})
  }

  /** A relay has no mesh links: its peers are whoever holds a connection to it. */
  private readonly onConnect = ({ detail: peer }: CustomEvent<PeerId>): void => {
    const [connection] = this.libp2p.getConnections(peer)
    const transport = connection == null ? 'other' : transportOf(connection)
    this.transports.set(peer.toString(), transport)
    this.log.info('peer connected', {
      peer: peer.toString(),
      transport,
      remote_addr: connection?.remoteAddr.toString(),
    })
  }

  private readonly onDisconnect = ({ detail: peer }: CustomEvent<PeerId>): void => {
    const id = peer.toString()
    this.log.info('peer disconnected', { peer: id, transport: this.transports.get(id) ?? 'other' })
    this.transports.delete(id)
    // nothing can be relayed to a peer with no connection: its reservation goes now, not when it
    // expires, so the directory lists only reachable peers and a Sybil cannot fill the relay
    // by connecting, reserving and leaving under ever new peer ids
    this.libp2p.services.relay.reservations.delete(peer)
  }

  /** Reservations held now, for status. */
  get reservations(): number {
    return this.libp2p.services.relay.reservations.size
  }
}
