/**
 * Announces this node's neighbours on the topology topic when they change and every 30 s, and
 * folds everyone else's announcements into the TopologyTable. Gossipsub signs messages with
 * the author's key, so an announcement can only describe its author.
 */
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import { TOPOLOGY_TOPIC } from '../core/protocol.js'
import { TopologyAnnouncement } from '../core/proto/topology.js'
import { VERSION } from '../core/version.js'
import type { Platform } from '../core/types.js'
import type { Logger } from '../obs/logger.js'
import { isPeerIdString, MAX_PEER_LIST } from './codec.js'
import type { PeerTable } from './peer-table.js'
import type { TopologyTable } from './topology.js'
import { transportOf } from './transport-kind.js'

const MAX_ANNOUNCEMENT_BYTES = 128 * 1024
const DEBOUNCE_MS = 100
/**
 * Gossipsub forwards only along its mesh, which it grafts on its 1 s heartbeat: an announcement
 * made right after a change may reach direct subscribers only. Announce again once it settled.
 */
const SETTLE_MS = 2500

export interface TopologyGossipOptions {
  pubsub: GossipSub
  self: string
  nodeId: string
  platform: Platform
  peers: PeerTable
  topology: TopologyTable
  log: Logger
  /** @default 30000 */
  intervalMs?: number
  /** a record was added, changed or removed */
  onChange(): void
  /** an announcement was malformed */
  onDrop(reason: string): void
}

export class TopologyGossip {
  private seq = 0n
  private timer?: ReturnType<typeof setInterval>
  private debounce?: ReturnType<typeof setTimeout>
  private settle?: ReturnType<typeof setTimeout>
  private readonly intervalMs: number

  constructor(private readonly opts: TopologyGossipOptions) {
    this.intervalMs = opts.intervalMs ?? 30_000
  }

  start(): void {
    this.opts.pubsub.subscribe(TOPOLOGY_TOPIC)
    this.opts.pubsub.addEventListener('message', this.onMessage)
    this.opts.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.timer = setInterval(() => {
      this.publish()
      const keep = new Set(this.opts.peers.neighbours())
      if (this.opts.topology.prune(this.intervalMs * 3, keep).length > 0) this.opts.onChange()
    }, this.intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    clearTimeout(this.debounce)
    clearTimeout(this.settle)
    this.opts.pubsub.removeEventListener('message', this.onMessage)
    this.opts.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    try {
      this.opts.pubsub.unsubscribe(TOPOLOGY_TOPIC)
    } catch {
      // pubsub already stopped
    }
  }

  /** Our neighbour set changed: announce soon (changes come in bursts), and again once settled. */
  neighboursChanged(): void {
    clearTimeout(this.debounce)
    clearTimeout(this.settle)
    this.debounce = setTimeout(() => {
      this.publish()
    }, DEBOUNCE_MS)
    this.settle = setTimeout(() => {
      this.publish()
    }, SETTLE_MS)
  }

  /** A node (re)subscribed to the topology: it has not heard our announcement yet. */
  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (evt.detail.subscriptions.some((s) => s.topic === TOPOLOGY_TOPIC && s.subscribe))
      this.neighboursChanged()
  }

  /** Tells everyone we are going, so they drop us from their maps at once. */
  announceLeaving(): void {
    this.publish(true)
  }

  private publish(leaving = false): void {
    const now = BigInt(Date.now())
    this.seq = this.seq < now ? now : this.seq + 1n
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
    })
    this.opts.pubsub.publish(TOPOLOGY_TOPIC, data).catch((err: unknown) => {
      this.opts.log.debug('topology announcement not published', { error: err as Error })
    })
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
    if (msg.data.byteLength > MAX_ANNOUNCEMENT_BYTES) {
      this.opts.onDrop('oversized_announcement')
      return
    }
    let ann: TopologyAnnouncement
    try {
      ann = TopologyAnnouncement.decode(msg.data, { limits: { neighbours: MAX_PEER_LIST } })
    } catch {
      this.opts.onDrop('undecodable_announcement')
      return
    }
    if (!ann.neighbours.every((n) => isPeerIdString(n.peerId))) {
      this.opts.onDrop('invalid_announcement')
      return
    }
    if (ann.leaving) {
      this.opts.topology.remove(author)
      this.opts.onChange()
      return
    }
    const applied = this.opts.topology.applyAnnouncement(
      author,
      ann.seq,
      ann.neighbours.map((n) => n.peerId),
      { platform: ann.platform, version: ann.version },
    )
    if (applied) this.opts.onChange()
  }
}
