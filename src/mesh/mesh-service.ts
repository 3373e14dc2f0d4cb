/**
 * The mesh as one service: mesh links over the /p2p-ai/mesh protocol, the peer table,
 * heartbeats, routed messages, topology gossip, the dialer and the relay keeper, wired by events.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, IdentifyResult, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { MESH_PROTOCOL } from '../core/protocol.js'
import { Ack } from '../core/proto/mesh.js'
import type { EngineCapabilities } from '../core/tasks.js'
import type { Delivery, MeshMessage, PeerInfo, Platform } from '../core/types.js'
import { isCompatibleVersion, VERSION, versionFromAgent } from '../core/version.js'
import type { DropReason, Frame } from './codec.js'
import { frameBody, isUuid } from './codec.js'
import { MeshDialer } from './dialer.js'
import { queryDirectory } from './directory.js'
import { HeartbeatMonitor } from './heartbeat.js'
import { Link } from './link.js'
import { PeerTable, peerListHash } from './peer-table.js'
import { RelayKeeper } from './relay-keeper.js'
import type { RouterCounter } from './router.js'
import { Router } from './router.js'
import { TopologyGossip } from './topology-gossip.js'
import { TopologyTable } from './topology.js'
import { transportOf } from './transport-kind.js'
import type { NodeConfig } from '../core/config.js'
import type { Logger } from '../core/log.js'
import type { SendOptions } from '../core/node-api.js'

// a type alias, not an interface: libp2p's ServiceMap needs an implicit index signature
export type MeshServices = {
  pubsub: GossipSub
}

/** When to ask a freshly connected relay for its directory, ms after connecting. */
const DIRECTORY_POLL_MS = [0, 1000, 2000, 4000, 8000]

export interface MeshServiceOptions {
  libp2p: Libp2p<MeshServices>
  nodeId: string
  platform: Platform
  config: NodeConfig
  log: Logger
  /** wait this long for a direct connection before using a relayed one for the mesh. @default 3000 */
  relayedLinkGraceMs?: number
  /** protocol timings; the defaults are the seed's (FR10.3, FR10.4), tests shorten them */
  timing?: MeshTiming
}

export interface MeshTiming {
  ackTimeoutMs?: number
  maxRetries?: number
  heartbeatIntervalMs?: number
  slowAfterMs?: number
  deadAfterMs?: number
  probeIntervalMs?: number
}

export interface MeshEvents {
  'peer:add': CustomEvent<PeerInfo>
  'peer:update': CustomEvent<PeerInfo>
  'peer:remove': CustomEvent<{ peerId: string; reason: string }>
  message: CustomEvent<MeshMessage>
  'topology:change': CustomEvent<void>
  'relay:change': CustomEvent<void>
}

/** Counters of what the mesh did, for status, metrics and tests. */
export interface MeshStats {
  router: Partial<Record<RouterCounter, number>>
  dropped: Partial<Record<DropReason | string, number>>
  incompatible: number
  /** neighbour lists received in answer to our peer-list requests */
  peerListSyncs: number
}

export class MeshService extends TypedEventEmitter<MeshEvents> {
  readonly peers = new PeerTable()
  readonly topology = new TopologyTable()
  readonly relays: RelayKeeper
  readonly stats: MeshStats = { router: {}, dropped: {}, incompatible: 0, peerListSyncs: 0 }
  private readonly router: Router
  private readonly heartbeat: HeartbeatMonitor
  private readonly dialer: MeshDialer
  private readonly gossip: TopologyGossip
  private readonly self: string
  private readonly log: Logger
  private readonly pendingRelayed = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly lastDropLog = new Map<string, number>()
  private running = false
  private readonly directoryTimers = new Set<ReturnType<typeof setTimeout>>()

  constructor(private readonly opts: MeshServiceOptions) {
    super()
    const { libp2p, config } = opts
    this.self = libp2p.peerId.toString()
    this.log = opts.log
    this.relays = new RelayKeeper({ libp2p, relays: config.relays, log: opts.log.child('relay') })
    this.router = new Router({
      self: this.self,
      peers: this.peers,
      topology: this.topology,
      maxMessageBytes: config.max_message_bytes,
      log: opts.log.child('router'),
      onDeliver: (message) => {
        this.safeDispatchEvent('message', { detail: message })
      },
      onUnresponsive: (peerId) => {
        this.dropPeer(peerId, 'unresponsive')
      },
      count: (name) => {
        this.stats.router[name] = (this.stats.router[name] ?? 0) + 1
      },
      ackTimeoutMs: opts.timing?.ackTimeoutMs,
      maxRetries: opts.timing?.maxRetries,
    })
    this.heartbeat = new HeartbeatMonitor({
      nodeId: opts.nodeId,
      peers: this.peers,
      topology: this.topology,
      log: opts.log.child('heartbeat'),
      intervalMs: opts.timing?.heartbeatIntervalMs ?? config.heartbeat_interval_secs * 1000,
      slowAfterMs: opts.timing?.slowAfterMs,
      deadAfterMs: opts.timing?.deadAfterMs,
      probeIntervalMs: opts.timing?.probeIntervalMs,
      onDead: (peerId) => {
        this.dropPeer(peerId, 'dead')
      },
      onLowPeers: () => {
        this.dialer.boost()
        this.relays.retryNow()
        for (const relay of this.relays.status().connected) void this.askDirectory(relay)
      },
    })
    this.dialer = new MeshDialer({
      libp2p,
      peers: this.peers,
      maxPeers: config.max_peers,
      denied: new Set(config.deny_peers),
      isRelay: (peerId) => this.relays.isRelay(peerId),
      log: opts.log.child('dialer'),
    })
    this.gossip = new TopologyGossip({
      libp2p,
      self: this.self,
      nodeId: opts.nodeId,
      platform: opts.platform,
      peers: this.peers,
      topology: this.topology,
      log: opts.log.child('topology'),
      onChange: () => {
        this.safeDispatchEvent('topology:change')
      },
      onDrop: (reason) => {
        this.countDrop(reason, 'gossip')
      },
      onAddresses: (peerId, addrs) => {
        this.dialer.discovered(peerIdFromString(peerId), addrs)
      },
      intervalMs: config.announce_interval_secs * 1000,
    })
    for (const type of ['peer:add', 'peer:update', 'peer:remove'] as const) {
      this.peers.addEventListener(type, (evt) => {
        this.safeDispatchEvent(type, { detail: evt.detail as never })
        if (type !== 'peer:update') this.gossip.neighboursChanged()
      })
    }
    this.relays.addEventListener('relay:connected', (evt) => {
      this.safeDispatchEvent('relay:change')
      this.pollDirectory(evt.detail)
    })
    this.relays.addEventListener('relay:disconnected', () => this.safeDispatchEvent('relay:change'))
  }

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    const { libp2p } = this.opts
    await libp2p.handle(
      MESH_PROTOCOL,
      (stream, connection) => {
        this.attach(stream, connection)
      },
      { runOnLimitedConnection: true, maxInboundStreams: 8 },
    )
    libp2p.addEventListener('peer:identify', this.onIdentify)
    this.router.start()
    this.heartbeat.start()
    this.gossip.start()
    this.dialer.start()
    this.relays.start()
  }

  /** Announces what AI work this node can take. */
  advertise(capabilities: EngineCapabilities): void {
    this.gossip.setCapabilities(capabilities)
  }

  /** Shutting down: carry no new messages for others; ours in flight may still finish. */
  beginShutdown(): void {
    this.router.close()
  }

  /** Says goodbye to every neighbour at once; safe to call from `pagehide` (synchronous). */
  goodbye(reason = 'shutdown'): void {
    this.gossip.announceLeaving() // and no more announcements after this
    for (const record of this.peers.records()) {
      for (const link of record.links) link.send({ goodbye: { reason } }, { urgent: true })
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    const { libp2p } = this.opts
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    for (const timer of this.pendingRelayed.values()) clearTimeout(timer)
    for (const timer of this.directoryTimers) clearTimeout(timer)
    this.dialer.stop()
    this.gossip.stop()
    this.heartbeat.stop()
    this.router.stop()
    await this.relays.stop()
    const links = this.peers.records().flatMap((r) => [...r.links])
    await Promise.all(links.map(async (link) => link.close()))
    await libp2p.unhandle(MESH_PROTOCOL).catch(() => {})
  }

  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options?: SendOptions,
  ): Promise<Delivery> {
    return this.router.send(to, topic, payload, options)
  }

  list(): PeerInfo[] {
    return this.peers.list()
  }

  /** Routed-message backlog, for a graceful stop to wait on. */
  get busy(): boolean {
    const b = this.router.backlog
    return b.pending > 0 || b.inflight > 0
  }

  neighbourHash(): Uint8Array<ArrayBuffer> {
    return peerListHash(this.peers.neighbours())
  }

  /**
   * Asks a newly connected relay who is there, and again over the next seconds: peers starting at
   * the same time reserve a moment later, and their announcements can miss a gossip mesh that is
   * still forming. (With fewer than 2 peers, the heartbeat monitor asks again every 30 s.)
   */
  private pollDirectory(relay: string): void {
    for (const delay of DIRECTORY_POLL_MS) {
      const timer = setTimeout(() => {
        this.directoryTimers.delete(timer)
        if (!this.running || !this.relays.status().connected.includes(relay)) return
        if (delay > 0 && this.peers.size >= this.opts.config.max_peers) return
        void this.askDirectory(relay)
      }, delay)
      this.directoryTimers.add(timer)
    }
  }

  /** Asks a relay who else is there, and dials them (the newcomer's fast path into the mesh). */
  private async askDirectory(relay: string): Promise<void> {
    const connection = this.opts.libp2p
      .getConnections(peerIdFromString(relay))
      .find((c) => c.status === 'open')
    if (connection == null) return
    try {
      const peers = await queryDirectory(connection, this.self)
      this.log.debug('relay directory', { relay, peers: peers.length })
      for (const p of peers) this.dialer.discovered(peerIdFromString(p.peerId), p.addrs)
    } catch (err) {
      this.log.info('relay directory unavailable', { relay, error: err as Error })
    }
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
      this.stats.incompatible++
      this.log.warn('refusing peer with incompatible version', {
        peer: peerId.toString(),
        theirs: theirs ?? protocols.find((p) => p.startsWith('/p2p-ai/mesh/')),
        ours: VERSION,
        reason: 'incompatible_version',
      })
      this.dialer.refuse(peerId, 'incompatible_version')
      void connection.close().catch(() => {})
      return
    }
    if (!speaksMesh || connection.direction !== 'outbound' || connection.status !== 'open') return
    if (transportOf(connection) === 'relay') {
      this.openRelayedLinkLater(connection)
      return
    }
    this.openLink(connection)
  }

  /** A relayed connection is usually only WebRTC signalling; mesh over it only if nothing better comes. */
  private openRelayedLinkLater(connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (this.pendingRelayed.has(peer)) return
    const timer = setTimeout(() => {
      this.pendingRelayed.delete(peer)
      if (!this.running || connection.status !== 'open' || this.peers.bestLink(peer) != null) return
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
        this.log.info('could not open mesh stream; hanging up to redial', {
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
    const link = new Link(stream, connection, this.opts.config.max_message_bytes, {
      onFrame: (frame, l) => {
        this.onFrame(frame, l)
      },
      onDrop: (error, l) => {
        this.countDrop(error.reason, l.peerId, error.detail)
        // an envelope we will not take is refused by id, so its sender stops retrying at once
        const id = error.frame?.envelope?.id
        if (id != null && isUuid(id))
          l.send({
            ack: { id, status: Ack.Status.REJECTED, delivered: false, reason: error.detail },
          })
      },
      onClose: (l) => {
        this.peers.removeLink(l)
        if (this.peers.has(l.peerId)) return
        this.heartbeat.forget(l.peerId)
        // a connection without a mesh link is a peer nobody watches or routes to, which the
        // dialer would never redial ("already connected"): hang up, and it starts over
        if (this.running && l.connection.status === 'open') {
          this.log.info('mesh link lost; hanging up to redial', { peer: l.peerId })
          void l.connection.close().catch(() => {})
        }
      },
    })
    if (!link.isOpen) return
    if (!this.peers.has(link.peerId) && this.peers.size >= this.opts.config.max_peers) {
      // connections that raced past the dialer and the gater still do not exceed max_peers
      this.log.info('refusing mesh link: max_peers reached', {
        peer: link.peerId,
        max: this.opts.config.max_peers,
      })
      link.abort('max_peers_reached')
      void connection.close().catch(() => {})
      return
    }
    this.peers.addLink(link)
    this.closeRelayedTo(link)
    this.log.debug('mesh link up', {
      peer: link.peerId,
      transport: transportOf(connection),
      direction: stream.direction,
    })
  }

  private onFrame(frame: Frame, link: Link): void {
    try {
      this.heartbeat.sawLife(link.peerId)
      switch (frameBody(frame)) {
        case 'envelope': {
          const record = this.peers.get(link.peerId)
          if (record != null) record.messagesReceived++
          this.router.handleEnvelope(frame.envelope!, link)
          return
        }
        case 'ack':
          this.router.handleAck(frame.ack!, link)
          return
        case 'heartbeat':
          this.heartbeat.handleHeartbeat(frame.heartbeat!, link)
          return
        case 'heartbeatAck':
          this.heartbeat.handleHeartbeatAck(frame.heartbeatAck!, link)
          return
        case 'peerListRequest': {
          const peers = this.peers.neighbours()
          link.send({ peerList: { peers, hash: peerListHash(peers) } })
          return
        }
        case 'peerList':
          this.stats.peerListSyncs++
          this.topology.applyPeerList(link.peerId, frame.peerList!.peers)
          this.safeDispatchEvent('topology:change')
          return
        case 'goodbye':
          this.log.info('peer said goodbye', { peer: link.peerId, reason: frame.goodbye!.reason })
          this.topology.remove(link.peerId)
          // hang up too: a reloading tab comes back with the same peer id and must not find
          // the dying connection still open
          this.dropPeer(link.peerId, 'goodbye')
          return
      }
    } catch (err) {
      this.log.error('error handling mesh frame', { peer: link.peerId, error: err as Error })
    }
  }

  /** Removes a neighbour now and hangs up on it. */
  private dropPeer(peerId: string, reason: string): void {
    this.peers.setHealth(peerId, 'DEAD')
    this.peers.remove(peerId, reason)
    this.heartbeat.forget(peerId)
    const conns = this.opts.libp2p
      .getConnections()
      .filter((c) => c.remotePeer.toString() === peerId)
    for (const c of conns) void c.close().catch(() => {})
  }

  private countDrop(reason: string, peerId: string, detail?: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1
    const now = Date.now()
    if (now - (this.lastDropLog.get(reason) ?? 0) < 1000) return
    this.lastDropLog.set(reason, now)
    this.log.warn('dropped malformed input', {
      reason,
      peer: peerId,
      detail,
      total: this.stats.dropped[reason],
    })
  }
}
