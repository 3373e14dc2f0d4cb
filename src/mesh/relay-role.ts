/**
 * What a relay does beyond libp2p's circuit-relay server: it forwards announcements (it
 * subscribes to the topology topic, so gossipsub routes it through) and answers directory
 * requests from nodes that just connected.
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import { DIRECTORY_PROTOCOL, TOPOLOGY_TOPIC } from '../core/protocol.js'
import { serveDirectory } from './directory.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export type RelayServices = {
  pubsub: GossipSub
  relay: CircuitRelayService
}

export class RelayRole implements Startable {
  constructor(
    private readonly libp2p: Libp2p<RelayServices>,
    private readonly maxReservations: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.libp2p.services.pubsub.subscribe(TOPOLOGY_TOPIC)
    await serveDirectory(this.libp2p, this.libp2p.services.relay, this.maxReservations, this.log)
  }

  async stop(): Promise<void> {
    await this.libp2p.unhandle(DIRECTORY_PROTOCOL).catch(() => {})
  }

  /** Reservations held now, for status. */
  get reservations(): number {
    return this.libp2p.services.relay.reservations.size
  }
}
