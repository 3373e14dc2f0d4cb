/**
 * Which connections carry a mesh link: the /p2p-ai/mesh protocol handler, the version check on
 * identify, and opening a link from the dialling side, over a direct connection at once or over
 * a relayed one only if no direct one appears within a grace period.
 */
import type { Connection, IdentifyResult, Libp2p, Stream } from '@libp2p/interface'
import type { Logger } from '../core/log.js'
import { MESH_PROTOCOL } from '../core/protocol.js'
import type { Startable } from '../core/startable.js'
import { isCompatibleVersion, VERSION, versionFromAgent } from '../core/version.js'
import type { LinkHandlers } from './link.js'
import type { Admission } from './membership.js'
import { admittedOnly, whenAdmitted } from './membership.js'
import { Link } from './link.js'
import type { PeerTable } from './peer-table.js'
import { transportOf } from './transport-kind.js'

export interface MeshLinksOptions {
  libp2p: Libp2p
  peers: PeerTable
  maxPeers: number
  maxMessageBytes: number
  handlers: LinkHandlers
  log: Logger
  /** a peer of another version connected: never dial it again */
  onIncompatible(connection: Connection): void
  /** wait this long for a direct connection before using a relayed one for the mesh. @default 3000 */
  relayedLinkGraceMs?: number
  /** a link's partial frame with no new bytes for this long resets it. @default DEFAULT_STALL_MS */
  stallMs?: number
  /** may a peer's next frame through (its rate limit)? */
  admit?: (peerId: string) => boolean
  /** we are full (max_peers): drop a link for one to this peer if worth it (link-choice.ts); true if done */
  makeRoom?: (peerId: string) => boolean
  /** a closed mesh: has this peer proved it knows the key? none: everyone may */
  admitted?: Admission
}

export class MeshLinks implements Startable {
  private readonly pendingRelayed = new Map<string, ReturnType<typeof setTimeout>>()
  private running = false

  constructor(private readonly opts: MeshLinksOptions) {}

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    await this.opts.libp2p.handle(
      MESH_PROTOCOL,
      admittedOnly(this.opts.admitted, (stream, connection) => {
        this.attach(stream, connection)
      }),
      { runOnLimitedConnection: true, maxInboundStreams: 8 },
    )
    this.opts.libp2p.addEventListener('peer:identify', this.onIdentify)
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    const { libp2p, peers } = this.opts
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    for (const timer of this.pendingRelayed.values()) clearTimeout(timer)
    this.pendingRelayed.clear()
    const links = peers.records().flatMap((r) => [...r.links])
    await Promise.all(links.map(async (link) => link.close()))
    await libp2p.unhandle(MESH_PROTOCOL).catch(() => {})
  }

  get isRunning(): boolean {
    return this.running
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, protocols, agentVersion, peerId } = evt.detail
    const theirs = versionFromAgent(agentVersion)
    const speaksMesh = protocols.includes(MESH_PROTOCOL)
    const speaksOtherMesh = protocols.some(
      (p) => p.startsWith('/p2p-ai/mesh/') && p !== MESH_PROTOCOL,
    )
    if (
      (theirs != null && !isCompatibleVersion(theirs, VERSION)) ||
      (!speaksMesh && speaksOtherMesh)
    ) {
      this.opts.log.warn('refusing peer with incompatible version', {
        peer: peerId.toString(),
        theirs: theirs ?? protocols.find((p) => p.startsWith('/p2p-ai/mesh/')),
        ours: VERSION,
        reason: 'incompatible_version',
      })
      this.opts.onIncompatible(connection)
      void connection.close().catch(() => {})
      return
    }
    if (!speaksMesh || connection.direction !== 'outbound' || connection.status !== 'open') return
    whenAdmitted(
      this.opts.admitted,
      peerId.toString(),
      () => {
        // a closed mesh's proof took a moment: still there?
        if (!this.running || connection.status !== 'open') return
        if (transportOf(connection) === 'relay') this.openRelayedLinkLater(connection)
        else this.openLink(connection)
      },
      () => {},
    )
  }

  /** A relayed connection is usually only WebRTC signalling; mesh over it only if nothing better comes. */
  private openRelayedLinkLater(connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (this.pendingRelayed.has(peer)) return
    const timer = setTimeout(() => {
      this.pendingRelayed.delete(peer)
      if (!this.running || connection.status !== 'open' || this.opts.peers.bestLink(peer) != null)
        return
      this.openLink(connection)
    }, this.opts.relayedLinkGraceMs ?? 3000)
    this.pendingRelayed.set(peer, timer)
  }

  /** A direct link makes relayed connections to the same peer redundant (they use relay capacity). */
  private closeRelayedTo(link: Link): void {
    if (transportOf(link.connection) === 'relay') return
    for (const other of this.opts.libp2p.getConnections(link.connection.remotePeer)) {
      if (other !== link.connection && transportOf(other) === 'relay')
        void other.close().catch(() => {})
    }
  }

  private openLink(connection: Connection): void {
    connection
      .newStream(MESH_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(5000) })
      .then((stream) => {
        this.attach(stream, connection)
      })
      .catch((err: unknown) => {
        this.opts.log.info('could not open mesh stream; hanging up to redial', {
          peer: connection.remotePeer.toString(),
          error: err as Error,
        })
        void connection.close().catch(() => {})
      })
  }

  private attach(stream: Stream, connection: Connection): void {
    if (!this.running) {
      stream.abort(new Error('node_shutting_down'))
      return
    }
    const { peers, maxPeers } = this.opts
    const link = new Link(stream, connection, this.opts.maxMessageBytes, this.opts.handlers, {
      stallMs: this.opts.stallMs,
      admit: this.opts.admit,
    })
    if (!link.isOpen) return
    if (
      !peers.has(link.peerId) &&
      peers.size >= maxPeers &&
      this.opts.makeRoom?.(link.peerId) !== true
    ) {
      // connections that raced past the dialer and the gater still do not exceed max_peers
      this.opts.log.info('refusing mesh link: max_peers reached', {
        peer: link.peerId,
        max: maxPeers,
      })
      link.abort('max_peers_reached')
      void connection.close().catch(() => {})
      return
    }
    peers.addLink(link)
    this.closeRelayedTo(link)
    this.opts.log.debug('mesh link up', {
      peer: link.peerId,
      transport: transportOf(connection),
      direction: stream.direction,
    })
  }
}
