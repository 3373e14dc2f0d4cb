/**
 * The mesh as one service: mesh links over the /p2p-ai/mesh protocol, the peer table,
 * heartbeats, routed messages, topology gossip, the dialer, the relay keeper and the directory
 * poller, wired by events. Its parts start in this order and stop in reverse:
 * links · router · heartbeat · gossip · dialer · relays · directory.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import type { NodeConfig } from '../core/config.js'
import type { MeshEvents } from '../core/events.js'
import type { CountBytes } from '../core/metrics.js'
import type { Logger } from '../core/log.js'
import type { SendOptions } from '../core/node-api.js'
import { Ack } from '../core/proto/mesh.js'
import type { Startable } from '../core/startable.js'
import { PartList } from '../core/startable.js'
import type { EngineCapabilities, EngineLoad } from '../core/tasks.js'
import type { Delivery, PeerInfo, Platform } from '../core/types.js'
import type { DropReason, Frame } from './codec.js'
import { frameBody, isUuid } from './codec.js'
import { MeshDialer } from './dialer.js'
import { DirectoryPoller } from './directory-poller.js'
import { HeartbeatMonitor } from './heartbeat.js'
import type { JoinedOptions } from './joined.js'
import { untilJoined } from './joined.js'
import type { Link } from './link.js'
import { MeshLinks } from './mesh-links.js'
import { PeerTable, peerListHash } from './peer-table.js'
import { PeerRateLimit } from './peer-rate-limit.js'
import type { Dialable } from './dialable.js'
import { LinkChoice } from './link-choice.js'
import { signEnvelope } from './envelope-signature.js'
import { RelayKeeper } from './relay-keeper.js'
import type { RouterCounter } from './router.js'
import { Router } from './router.js'
import { TopologyGossip } from './topology-gossip.js'
import { TopologySync } from './topology-sync.js'
import { PeerStoreSweep } from './peer-store-sweep.js'
import type { Admission, MemberRefusal } from './membership.js'
import { MeshKey, MeshMembership } from './membership.js'
import { freshLoad, TopologyTable } from './topology.js'

// a type alias, not an interface: libp2p's ServiceMap needs an implicit index signature
export type MeshServices = {
  pubsub: GossipSub
}

export interface MeshServiceOptions {
  libp2p: Libp2p<MeshServices>
  /** the node's identity key (its peer id's): signs the envelopes it originates */
  privateKey: PrivateKey
  nodeId: string
  platform: Platform
  config: NodeConfig
  log: Logger
  /** wait this long for a direct connection before using a relayed one for the mesh. @default 3000 */
  relayedLinkGraceMs?: number
  /** protocol timings; the defaults are the seed's (FR10.3, FR10.4), tests shorten them */
  timing?: MeshTiming
  /** counts the bytes of mesh streams (metrics) */
  countBytes?: CountBytes
  /** which addresses to announce and dial for mesh links. @default relayedWebRTC */
  dialable?: Dialable
}

/** Protocols whose frames are rate limited per peer. */
export type RateLimitedProtocol = 'mesh' | 'task'

export interface MeshTiming {
  ackTimeoutMs?: number
  maxRetries?: number
  heartbeatIntervalMs?: number
  slowAfterMs?: number
  deadAfterMs?: number
  probeIntervalMs?: number
  /** a link's partial frame with no new bytes for this long resets it */
  stallMs?: number
  /** a peer over its rate limit without a break for this long is banned. @default 5000 */
  floodBanAfterMs?: number
  /** a connecting mesh node proves it knows the mesh_key within this long. @default 5000 */
  memberProofTimeoutMs?: number
}

/** Counters of what the mesh did, for status, metrics and tests. */
export interface MeshStats {
  router: Partial<Record<RouterCounter, number>>
  dropped: Partial<Record<DropReason | string, number>>
  incompatible: number
  /** neighbour lists received in answer to our peer-list requests */
  peerListSyncs: number
  /** peers disconnected and banned for flooding */
  banned: number
}

export class MeshService extends TypedEventEmitter<MeshEvents> implements Startable {
  readonly peers = new PeerTable()
  readonly topology = new TopologyTable()
  readonly relays: RelayKeeper
  readonly stats: MeshStats = {
    router: {},
    dropped: {},
    incompatible: 0,
    peerListSyncs: 0,
    banned: 0,
  }
  /** with a mesh_key: who proved they know it (none in an open mesh) */
  readonly membership?: MeshMembership
  private readonly router: Router
  private readonly heartbeat: HeartbeatMonitor
  private readonly dialer: MeshDialer
  private readonly choice: LinkChoice
  private readonly gossip: TopologyGossip
  private readonly sync: TopologySync
  private readonly sweep: PeerStoreSweep
  private readonly directory: DirectoryPoller
  private readonly links: MeshLinks
  private readonly parts: PartList
  private readonly log: Logger
  private readonly lastDropLog = new Map<string, number>()
  /** each protocol's frames have their own token bucket per peer; a ban on one is a ban */
  private readonly limits: Record<RateLimitedProtocol, PeerRateLimit>
  /** when this node's mesh started, ms since the epoch */
  private startedAt = Date.now()

  constructor(private readonly opts: MeshServiceOptions) {
    super()
    const { libp2p, config } = opts
    const self = libp2p.peerId.toString()
    this.log = opts.log
    const limit = (): PeerRateLimit =>
      new PeerRateLimit({
        ratePerSec: config.peer_rate_limit,
        banMs: config.peer_ban_secs * 1000,
        banAfterMs: opts.timing?.floodBanAfterMs,
        onBan: (peerId) => {
          this.banned(peerId)
        },
      })
    this.limits = { mesh: limit(), task: limit() }
    if (config.mesh_key !== '')
      this.membership = new MeshMembership({
        libp2p,
        key: new MeshKey(config.mesh_key),
        log: opts.log.child('membership'),
        refuseMs: config.peer_ban_secs * 1000,
        timeoutMs: opts.timing?.memberProofTimeoutMs,
        onRefused: (peerId, reason) => {
          this.notMember(peerId, reason)
        },
      })
    const admitted = this.admission
    this.relays = new RelayKeeper({ libp2p, relays: config.relays, log: opts.log.child('relay') })
    this.router = new Router({
      self,
      peers: this.peers,
      topology: this.topology,
      maxMessageBytes: config.max_message_bytes,
      log: opts.log.child('router'),
      onDeliver: (message) => {
        this.safeDispatchEvent('message', { detail: message })
      },
      sign: async (envelope) => signEnvelope(opts.privateKey, envelope),
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
        this.directory.askAll()
      },
    })
    this.choice = new LinkChoice({
      self,
      peers: this.peers,
      topology: this.topology,
      maxPeers: config.max_peers,
    })
    this.dialer = new MeshDialer({
      libp2p,
      peers: this.peers,
      maxPeers: config.max_peers,
      denied: new Set(config.deny_peers),
      isRelay: (peerId) => this.relays.isRelay(peerId),
      log: opts.log.child('dialer'),
      dialable: opts.dialable,
      // only a node that has announced itself: a newcomer is dialled by nodes with room
      worthTrade: (peerId) => this.topology.get(peerId) != null && this.choice.worth(peerId),
      welcomes: (peerId) => this.choice.welcomes(peerId),
    })
    this.gossip = new TopologyGossip({
      libp2p,
      self,
      nodeId: opts.nodeId,
      platform: opts.platform,
      startedAt: () => this.startedAt,
      peers: this.peers,
      relays: () => this.relays.status().connected,
      topology: this.topology,
      log: opts.log.child('topology'),
      dialable: opts.dialable,
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
      membership: this.membership,
    })
    this.sync = new TopologySync({
      libp2p,
      self,
      peers: this.peers,
      topology: this.topology,
      log: opts.log.child('topology'),
      apply: (announcements) => {
        this.gossip.applySynced(announcements)
      },
      onDrop: (reason) => {
        this.countDrop(reason, 'sync')
      },
      admitted,
    })
    this.sweep = new PeerStoreSweep({
      libp2p,
      keep: (peerId) => this.topology.get(peerId) != null || this.relays.isRelay(peerId),
      intervalMs: config.announce_interval_secs * 1000,
      log: opts.log,
    })
    this.directory = new DirectoryPoller({
      libp2p,
      relays: this.relays,
      log: opts.log.child('relay'),
      wantsPeers: () => this.peers.size < config.max_peers,
      discovered: (peerId, addrs) => {
        this.dialer.discovered(peerId, addrs)
      },
      onDrop: (reason) => {
        this.countDrop(reason, 'directory')
      },
    })
    this.links = new MeshLinks({
      libp2p,
      peers: this.peers,
      maxPeers: config.max_peers,
      maxMessageBytes: config.max_message_bytes,
      log: opts.log,
      relayedLinkGraceMs: opts.relayedLinkGraceMs,
      stallMs: opts.timing?.stallMs,
      admit: (peerId) => this.admit('mesh', peerId),
      admitted,
      makeRoom: (peerId) => {
        const drop = this.choice.trade(peerId)
        if (drop == null) return false
        this.log.info('trading a redundant link for a better one', { drop, for: peerId })
        this.dropPeer(drop, 'replaced')
        return true
      },
      onIncompatible: (connection) => {
        this.stats.incompatible++
        this.dialer.refuse(connection.remotePeer, 'incompatible_version')
      },
      handlers: {
        onFrame: (frame, link) => {
          this.onFrame(frame, link)
        },
        onDrop: (error, link) => {
          this.countDrop(error.reason, link.peerId, error.detail)
          // an envelope we will not take is refused by id, so its sender stops retrying at once
          const id = (error.frame as Frame | undefined)?.envelope?.id
          if (id != null && isUuid(id))
            link.send({
              ack: { id, status: Ack.Status.REJECTED, delivered: false, reason: error.detail },
            })
        },
        onClose: (link) => {
          this.onLinkClosed(link)
        },
        onBytes: (direction, bytes) => {
          opts.countBytes?.('mesh', direction, bytes)
        },
      },
    })
    this.parts = new PartList(
      [
        ...(this.membership == null ? [] : [{ name: 'membership', service: this.membership }]),
        { name: 'links', service: this.links },
        { name: 'router', service: this.router },
        { name: 'heartbeat', service: this.heartbeat },
        { name: 'gossip', service: this.gossip },
        { name: 'sync', service: this.sync },
        { name: 'sweep', service: this.sweep },
        { name: 'dialer', service: this.dialer },
        { name: 'relays', service: this.relays },
        { name: 'directory', service: this.directory },
      ],
      {
        stopFailed: (part, error) => {
          this.log.error('mesh part failed to stop', { part, error: error as Error })
        },
      },
    )
    // a neighbour's first link up and its last link down (a connection without a mesh link is
    // not a peer yet: the dialer logs those at DEBUG)
    this.peers.addEventListener('peer:add', ({ detail: p }) => {
      this.sync.linked(p.peerId)
      this.log.info('peer connected', {
        peer: p.peerId,
        peer_node_id: p.nodeId,
        transport: p.transport,
        remote_addr: p.remoteAddr,
        peers: this.peers.size,
      })
    })
    this.peers.addEventListener('peer:remove', ({ detail: p }) => {
      this.sync.forget(p.peerId)
      if (this.peers.size === 0) this.sync.isolated()
      this.log.info('peer disconnected', {
        peer: p.peerId,
        transport: p.transport,
        reason: p.reason,
        peers: this.peers.size,
      })
    })
    for (const type of ['peer:add', 'peer:update', 'peer:remove'] as const) {
      this.peers.addEventListener(type, (evt) => {
        this.safeDispatchEvent(type, { detail: evt.detail as never })
        if (type !== 'peer:update') this.gossip.neighboursChanged()
      })
    }
    for (const type of ['relay:connected', 'relay:disconnected'] as const) {
      this.relays.addEventListener(type, () => {
        this.safeDispatchEvent('relay:change')
        this.gossip.neighboursChanged()
      })
    }
  }

  async start(): Promise<void> {
    this.startedAt = Date.now()
    await this.parts.start()
  }

  /** Shutting down: carry no new messages for others; ours in flight may still finish. */
  beforeStop(): void {
    this.router.beforeStop()
  }

  /** Says goodbye to every neighbour, then stops. */
  async stop(): Promise<void> {
    if (this.links.isRunning) this.goodbye('shutdown')
    await this.parts.stop()
  }

  /** Routed-message backlog, for a graceful stop to wait on. */
  get busy(): boolean {
    const b = this.router.backlog
    return b.pending > 0 || b.inflight > 0
  }

  /** Announces what AI work this node can take. */
  advertise(capabilities: EngineCapabilities): void {
    this.gossip.setCapabilities(capabilities)
  }

  /** Announces how busy this node is (at most once a second). */
  advertiseLoad(load: EngineLoad): void {
    this.gossip.setLoad(load)
  }

  /** Says goodbye to every neighbour at once; safe to call from `pagehide` (synchronous). */
  goodbye(reason = 'shutdown'): void {
    this.gossip.announceLeaving() // and no more announcements after this
    for (const record of this.peers.records()) {
      for (const link of record.links) link.send({ goodbye: { reason } }, { urgent: true })
    }
  }

  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options?: SendOptions,
  ): Promise<Delivery> {
    return this.router.send(to, topic, payload, options)
  }

  /** Resolves once the node has joined the mesh (src/mesh/joined.ts), or after a limit. */
  async joined(options?: JoinedOptions): Promise<void> {
    await untilJoined(
      {
        relayReady: () =>
          this.opts.config.relays.length === 0 ||
          (this.relays.status().connected.length > 0 && this.directory.answered),
        pending: () => this.dialer.pending(),
      },
      options,
    )
  }

  /** Direct neighbours, with the AI work each announced. */
  list(): PeerInfo[] {
    return this.peers.list().map((info) => {
      const record = this.topology.get(info.peerId)
      const caps = record?.capabilities
      if (record == null || caps == null) return info
      const load = freshLoad(record)
      return {
        ...info,
        compute: {
          backend: caps.backend,
          task_types: caps.task_types,
          embeddings_per_sec: caps.measuring ? 0 : caps.embeddings_per_sec,
          serving: caps.load?.serving ?? true,
          queue_depth: load?.queue_depth,
          est_wait_ms: load?.est_wait_ms,
          tasks_served: load?.tasks_served,
        },
      }
    })
  }

  neighbourHash(): Uint8Array<ArrayBuffer> {
    return peerListHash(this.peers.neighbours())
  }

  private onLinkClosed(link: Link): void {
    this.peers.removeLink(link)
    if (this.peers.has(link.peerId)) return
    this.heartbeat.forget(link.peerId)
    for (const limit of Object.values(this.limits)) limit.forget(link.peerId)
    // a connection without a mesh link is a peer nobody watches or routes to, which the
    // dialer would never redial ("already connected"): hang up, and it starts over
    if (this.links.isRunning && link.connection.status === 'open') {
      this.log.info('mesh link lost; hanging up to redial', { peer: link.peerId })
      void link.connection.close().catch(() => {})
    }
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

  /**
   * May this peer become a direct neighbour (max_peers)? Yes if it is one, or there is room, or
   * it is worth trading a redundant link for (src/mesh/link-choice.ts).
   */
  hasRoomFor(peerId: string): boolean {
    return this.peers.has(peerId) || !this.choice.full || this.choice.worth(peerId)
  }

  /** Banned for flooding, for now: the connection gater refuses it. */
  isBanned(peerId: string): boolean {
    return Object.values(this.limits).some((limit) => limit.isBanned(peerId))
  }

  /** Refused for now for not proving the mesh_key: the connection gater refuses it. */
  isNonMember(peerId: string): boolean {
    return this.membership?.isRefused(peerId) ?? false
  }

  /** In a closed mesh, the question every protocol handler asks first (membership.ts). */
  get admission(): Admission | undefined {
    const membership = this.membership
    return membership == null ? undefined : async (peerId) => membership.admitted(peerId)
  }

  /** May this peer's next frame of `protocol` through (peer_rate_limit)? */
  admit(protocol: RateLimitedProtocol, peerId: string): boolean {
    return this.limits[protocol].admit(peerId)
  }

  private banned(peerId: string): void {
    this.stats.banned++
    this.log.warn('peer flooding: disconnected and banned', {
      peer: peerId,
      rate_limit: this.opts.config.peer_rate_limit,
      ban_secs: this.opts.config.peer_ban_secs,
    })
    this.dropPeer(peerId, 'banned')
  }

  /** A peer did not prove the mesh_key: counted with the dropped input, by reason. */
  private notMember(peerId: string, reason: MemberRefusal): void {
    this.dropPeer(peerId, 'not_a_mesh_member')
    this.countDrop(reason, peerId, undefined, 'refused a peer that did not prove the mesh key')
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

  private countDrop(
    reason: string,
    peerId: string,
    detail?: string,
    message = 'dropped malformed input',
  ): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1
    const now = Date.now()
    if (now - (this.lastDropLog.get(reason) ?? 0) < 1000) return
    this.lastDropLog.set(reason, now)
    this.log.warn(message, {
      reason,
      peer: peerId,
      detail,
      total: this.stats.dropped[reason],
    })
  }
}
