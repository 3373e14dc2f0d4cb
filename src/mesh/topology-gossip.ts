/**
 * Announces this node (its dialable addresses and its neighbours) on the topology topic: when
 * either changes, and every announce_interval_secs, or less often in a large mesh
 * (refreshIntervalMs). Folds everyone else's announcements into
 * the TopologyTable (with the signed message, to hand on to newcomers: topology-sync.ts) and
 * hands their addresses to the dialer. Gossipsub signs messages with the author's key, so an
 * announcement can only describe its author. A newcomer learns the mesh from its first
 * neighbours' tables (topology-sync), not from answers on the topic.
 */
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { multiaddr } from '@multiformats/multiaddr'
import { TOPOLOGY_TOPIC } from '../core/protocol.js'
import type { Load, SignedAnnouncement } from '../core/proto/topology.js'
import { TopologyAnnouncement } from '../core/proto/topology.js'
import { VERSION } from '../core/version.js'
import type { EngineCapabilities, EngineLoad } from '../core/tasks.js'
import { throttle } from '../core/throttle.js'
import type { Platform } from '../core/types.js'
import { isPeerIdString, MAX_PEER_LIST } from './codec.js'
import type { Dialable } from './dialable.js'
import { relayedWebRTC } from './dialable.js'
import type { PeerTable } from './peer-table.js'
import type { TopologyTable } from './topology.js'
import { signedAnnouncement } from './topology-sync.js'
import { transportOf } from './transport-kind.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

const MAX_ANNOUNCEMENT_BYTES = 128 * 1024
const MAX_ADDRS = 16
const DEBOUNCE_MS = 100
/**
 * An announcement made right after a change can miss a new neighbour whose subscription to the
 * topic had not arrived yet. Once things settled, announce again if it did.
 */
const SETTLE_MS = 2500
/** Load is announced at most this often. */
const LOAD_INTERVAL_MS = 1000
const MAX_MODELS = 16
const MAX_RELAYS = 16
/**
 * Up to this many known nodes, a node announces itself every announce_interval_secs. Beyond,
 * its periodic announcement stretches with the mesh's size, so that each node hears about this
 * many periodic announcements per interval whatever the size: each one reaches, and is checked
 * by, every node, so a fixed interval costs every node O(N) and the mesh O(N²). Changes are
 * announced at once regardless.
 */
export const REFRESH_NODES = 30
/** ... but at least once every this many intervals, so a crashed node's record goes in bounded time. */
export const MAX_REFRESH_STRETCH = 8

/** How long a node that knows `knownNodes` nodes (itself included) waits between periodic announcements. */
export function refreshIntervalMs(intervalMs: number, knownNodes: number): number {
  if (knownNodes <= REFRESH_NODES) return intervalMs
  return withinRefreshBounds(
    intervalMs,
    Math.ceil((intervalMs * knownNodes) / REFRESH_NODES / 1000) * 1000,
  )
}

/** `ms`, but no shorter than one interval and no longer than MAX_REFRESH_STRETCH of them. */
function withinRefreshBounds(intervalMs: number, ms: number): number {
  return Math.min(intervalMs * MAX_REFRESH_STRETCH, Math.max(intervalMs, ms))
}

export interface TopologyGossipOptions {
  libp2p: Libp2p<{ pubsub: GossipSub }>
  self: string
  nodeId: string
  platform: Platform
  /** when this node started, ms since the epoch */
  startedAt(): number
  peers: PeerTable
  /** peer ids of the relays this node is connected to now */
  relays(): string[]
  topology: TopologyTable
  log: Logger
  /** @default 30000 */
  intervalMs?: number
  /** a record was added, changed or removed */
  onChange(): void
  /** an announcement was malformed, or its author is not a member (closed mesh) */
  onDrop(reason: string): void
  /** which of our addresses to announce. @default relayedWebRTC */
  dialable?: Dialable
  /** a node told us where to dial it */
  onAddresses(peerId: string, addrs: Multiaddr[]): void
  /**
   * A closed mesh (membership.ts): our proof, carried in every announcement, and the check of
   * each author's. None: an open mesh, where proofs are neither sent nor asked for.
   */
  membership?: {
    tag: Uint8Array<ArrayBuffer>
    proves(peerId: string, tag: Uint8Array): boolean
  }
}

export class TopologyGossip implements Startable {
  private seq = 0n
  private capabilities?: EngineCapabilities
  private load?: EngineLoad
  private readonly loadAnnouncement = throttle(() => {
    this.publish()
  }, LOAD_INTERVAL_MS)
  /** set once we said we are leaving: nothing more is announced */
  private leaving = false
  private lastAddrs = ''
  /** the peers our last announcement was sent to */
  private reached = new Set<string>()
  private timer?: ReturnType<typeof setInterval>
  private refresh?: ReturnType<typeof setTimeout>
  private debounce?: ReturnType<typeof setTimeout>
  private settle?: ReturnType<typeof setTimeout>
  private readonly intervalMs: number

  constructor(private readonly opts: TopologyGossipOptions) {
    this.intervalMs = opts.intervalMs ?? 30_000
  }

  private get pubsub(): GossipSub {
    return this.opts.libp2p.services.pubsub
  }

  start(): void {
    this.leaving = false
    this.pubsub.subscribe(TOPOLOGY_TOPIC)
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.opts.libp2p.addEventListener('transport:listening', this.onAddressesMaybeChanged)
    this.opts.libp2p.addEventListener('self:peer:update', this.onAddressesMaybeChanged)
    this.refreshIn(this.intervalMs)
    this.timer = setInterval(() => {
      const keep = new Set(this.opts.peers.neighbours())
      if (this.opts.topology.prune(this.intervalMs, keep).length > 0) this.opts.onChange()
    }, this.intervalMs)
  }

  /** The next periodic announcement, `ms` from now (any announcement puts it off). */
  private refreshIn(ms: number): void {
    clearTimeout(this.refresh)
    this.refresh = setTimeout(() => {
      this.publish()
    }, ms)
  }

  stop(): void {
    this.leaving = true
    clearInterval(this.timer)
    clearTimeout(this.refresh)
    clearTimeout(this.debounce)
    clearTimeout(this.settle)
    this.loadAnnouncement.cancel()
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.opts.libp2p.removeEventListener('transport:listening', this.onAddressesMaybeChanged)
    this.opts.libp2p.removeEventListener('self:peer:update', this.onAddressesMaybeChanged)
    try {
      this.pubsub.unsubscribe(TOPOLOGY_TOPIC)
    } catch {
      // pubsub already stopped
    }
  }

  /** Our neighbour set changed: announce soon (changes come in bursts), and again once settled. */
  neighboursChanged(): void {
    if (this.leaving) return
    clearTimeout(this.debounce)
    clearTimeout(this.settle)
    this.debounce = setTimeout(() => {
      this.publish()
    }, DEBOUNCE_MS)
    this.settle = setTimeout(() => {
      if (this.missedSubscriber()) this.publish()
    }, SETTLE_MS)
  }

  /** Has a peer subscribed to the topic that our last announcement was not sent to? */
  private missedSubscriber(): boolean {
    return this.pubsub
      .getSubscribers(TOPOLOGY_TOPIC)
      .some((peer) => !this.reached.has(peer.toString()))
  }

  /** Our dialable addresses, e.g. once the relay reservation exists. */
  private readonly onAddressesMaybeChanged = (): void => {
    const now = this.dialableAddrs()
      .map((a) => a.toString())
      .join(' ')
    if (now === this.lastAddrs) return
    this.lastAddrs = now
    this.neighboursChanged()
  }

  private dialableAddrs(): Multiaddr[] {
    return this.opts.libp2p
      .getMultiaddrs()
      .filter(this.opts.dialable ?? relayedWebRTC)
      .slice(0, MAX_ADDRS)
  }

  /** A node (re)subscribed to the topology: it has not heard our announcement yet. */
  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (evt.detail.subscriptions.some((s) => s.topic === TOPOLOGY_TOPIC && s.subscribe))
      this.neighboursChanged()
  }

  /** What AI work this node can take: announced with everything else. */
  setCapabilities(capabilities: EngineCapabilities): void {
    this.capabilities = capabilities
    this.neighboursChanged()
  }

  /** How busy this node is: announced when it changes, at most once a second. */
  setLoad(load: EngineLoad): void {
    this.load = load
    if (!this.leaving) this.loadAnnouncement.call()
  }

  /** Tells everyone we are going, so they drop us from their maps at once. */
  announceLeaving(): void {
    if (this.leaving) return
    this.leaving = true
    clearTimeout(this.debounce)
    clearTimeout(this.settle)
    this.publish(true)
  }

  private publish(leaving = false): void {
    if (this.leaving && !leaving) return
    const now = BigInt(Date.now())
    this.seq = this.seq < now ? now : this.seq + 1n
    const refreshMs = refreshIntervalMs(this.intervalMs, this.opts.topology.size + 1)
    if (!leaving) this.refreshIn(refreshMs)
    const neighbours = leaving
      ? []
      : this.opts.peers.records().map((r) => {
          const link = this.opts.peers.bestLink(r.peerId)
          return {
            peerId: r.peerId,
            transport: link == null ? 'other' : transportOf(link.connection),
          }
        })
    const data = TopologyAnnouncement.encode({
      nodeId: this.opts.nodeId,
      version: VERSION,
      seq: this.seq,
      neighbours,
      platform: this.opts.platform,
      leaving,
      multiaddrs: leaving ? [] : this.dialableAddrs().map((ma) => ma.bytes),
      startedAt: BigInt(this.opts.startedAt()),
      relays: leaving ? [] : this.opts.relays().slice(0, MAX_RELAYS),
      refreshSecs: Math.ceil(refreshMs / 1000),
      memberTag: this.opts.membership?.tag ?? new Uint8Array(0),
      capabilities:
        leaving || this.capabilities == null
          ? undefined
          : {
              backend: this.capabilities.backend,
              threads: this.capabilities.threads,
              taskTypes: this.capabilities.task_types,
              embeddingsPerSec: this.capabilities.embeddings_per_sec,
              measuring: this.capabilities.measuring === true,
              load:
                this.load == null
                  ? undefined
                  : {
                      models: this.load.models,
                      queueDepth: this.load.queue_depth,
                      callsInFlight: this.load.calls_in_flight,
                      estWaitMs: this.load.est_wait_ms,
                      tasksServed: BigInt(this.load.tasks_served),
                      serving: this.load.serving,
                    },
            },
    })
    const reached = new Set<string>()
    this.reached = reached
    this.pubsub.publish(TOPOLOGY_TOPIC, data).then(
      // into this announcement's set: an earlier one answering late cannot overwrite it
      ({ recipients }) => {
        for (const peer of recipients) reached.add(peer.toString())
      },
      (err: unknown) => {
        this.opts.log.debug('topology announcement not published', { error: err as Error })
      },
    )
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail
    if (msg.topic !== TOPOLOGY_TOPIC) return
    if (msg.type !== 'signed') {
      this.opts.onDrop('unsigned_announcement')
      return
    }
    const author = msg.from.toString()
    if (author === this.opts.self) return
    const addrs = this.apply(author, msg.data, () => signedAnnouncement(msg))
    if (addrs.length > 0) this.opts.onAddresses(author, addrs)
  }

  /**
   * Announcements a neighbour handed on (topology-sync), their signatures checked. Not a
   * `leaving` one: an old goodbye handed on must not remove a node that came back. Their
   * addresses go to the dialer once all are in: with the table half filled, most nodes look
   * unreachable, so worth a dial though full (at 60 nodes that doubled the refused connections).
   */
  applySynced(announcements: ReadonlyArray<{ author: string; entry: SignedAnnouncement }>): void {
    const found = announcements.map(({ author, entry }) => ({
      author,
      addrs: this.apply(author, entry.data, () => entry, Date.now() - entry.ageMs),
    }))
    for (const { author, addrs } of found)
      if (addrs.length > 0) this.opts.onAddresses(author, addrs)
  }

  /** Folds an announcement into the table; the author's addresses when it was news. */
  private apply(
    author: string,
    data: Uint8Array,
    signed: () => SignedAnnouncement,
    /** when it was heard, for one handed on; undefined for one heard on the topic now */
    heardAt?: number,
  ): Multiaddr[] {
    const read = readAnnouncement(data)
    if ('drop' in read) {
      this.opts.onDrop(read.drop)
      return []
    }
    const { ann, addrs } = read
    // a relay hands the topic on to members and others alike
    if (this.opts.membership?.proves(author, ann.memberTag) === false) {
      this.opts.onDrop('non_member_announcement')
      return []
    }
    if (ann.leaving) {
      if (heardAt != null) return []
      this.opts.topology.remove(author)
      this.opts.onChange()
      return []
    }
    const known = this.opts.topology.get(author)
    if (known != null && known.seq >= ann.seq) return []
    const applied = this.opts.topology.applyAnnouncement(
      author,
      ann.seq,
      ann.neighbours.map((n) => n.peerId),
      {
        platform: ann.platform,
        version: ann.version,
        nodeId: /^[0-9a-f]{32}$/.test(ann.nodeId) ? ann.nodeId : undefined,
        startedAt: ann.startedAt > 0n ? Number(ann.startedAt) : undefined,
        relays: ann.relays,
        transports: Object.fromEntries(
          ann.neighbours.map((n) => [n.peerId, n.transport.slice(0, 16)]),
        ),
        capabilities:
          ann.capabilities == null
            ? undefined
            : {
                backend: ann.capabilities.backend.slice(0, 16),
                threads: ann.capabilities.threads,
                task_types: ann.capabilities.taskTypes.slice(0, 16).map((t) => t.slice(0, 32)),
                embeddings_per_sec: ann.capabilities.embeddingsPerSec,
                measuring: ann.capabilities.measuring,
                load: loadFrom(ann.capabilities.load),
              },
        signed: signed(),
        refreshMs: this.refreshOf(ann),
      },
      heardAt,
    )
    if (applied) this.opts.onChange()
    return addrs
  }

  /** The author's announced refresh interval, within what we accept (undefined: it did not say). */
  private refreshOf(ann: TopologyAnnouncement): number | undefined {
    return ann.refreshSecs === 0
      ? undefined
      : withinRefreshBounds(this.intervalMs, ann.refreshSecs * 1000)
  }
}

export type AnnouncementDrop =
  'oversized_announcement' | 'undecodable_announcement' | 'invalid_announcement'

/**
 * Decodes and checks an announcement's bytes (untrusted: any peer may publish on the topic):
 * the announcement and its dialable addresses, or why it was dropped.
 */
export function readAnnouncement(
  data: Uint8Array,
): { ann: TopologyAnnouncement; addrs: Multiaddr[] } | { drop: AnnouncementDrop } {
  if (data.byteLength > MAX_ANNOUNCEMENT_BYTES) return { drop: 'oversized_announcement' }
  let ann: TopologyAnnouncement
  try {
    ann = TopologyAnnouncement.decode(data, {
      limits: { neighbours: MAX_PEER_LIST, relays: MAX_RELAYS },
    })
  } catch {
    return { drop: 'undecodable_announcement' }
  }
  try {
    if (!ann.neighbours.every((n) => isPeerIdString(n.peerId)))
      throw new Error('neighbour is not a peer id')
    if (!ann.relays.every(isPeerIdString)) throw new Error('relay is not a peer id')
    return { ann, addrs: ann.multiaddrs.slice(0, MAX_ADDRS).map((bytes) => multiaddr(bytes)) }
  } catch {
    return { drop: 'invalid_announcement' }
  }
}

/** An announced load, its strings cut to size (announcements are the author's word). */
function loadFrom(load: Load | undefined): EngineLoad | undefined {
  if (load == null) return undefined
  return {
    models: load.models.slice(0, MAX_MODELS).map((m) => ({
      model: m.model.slice(0, 256),
      dtype: m.dtype.slice(0, 16),
      hash: /^[0-9a-f]{64}$/.test(m.hash) ? m.hash : '',
    })),
    queue_depth: load.queueDepth,
    calls_in_flight: load.callsInFlight,
    est_wait_ms: load.estWaitMs,
    tasks_served: Number(load.tasksServed),
    serving: load.serving,
  }
}
