/**
 * Routed node-to-node messages (FR10.3). Each hop acknowledges at once; an unacknowledged hop is
 * retried every 5 s up to 3 times, switching to another neighbour when one exists, and a
 * neighbour that never answers is dropped. A message for a node we have no link to goes to the
 * neighbour nearest to it in the topology, and so on hop by hop, with a TTL. Message ids dedupe
 * retransmissions and expose loops. The recipient confirms a routed message with a receipt sent
 * back along the way it came, so a sender learns of delivery and hop count either way.
 *
 * The Router is the one part the mesh uses: it sends, takes in envelopes and acks from
 * neighbours (dedupe, loops, TTL, whether to forward) and runs the sweep timer. Its parts:
 * router-outgoing.ts (what send() checks), router-hops.ts (one hop: acks, retries, switching
 * neighbours, giving up), router-paths.ts (the next hop), router-budget.ts (how much forwarding
 * it takes on; BUSY beyond), router-receipts.ts (end-to-end confirmation), router-counters.ts
 * (what it counts); deliveries.ts holds the sender's promises.
 *
 * Trust: a neighbour is authenticated (noise), so a message arriving straight from its origin
 * must name that neighbour as its sender. An envelope that goes through other nodes is signed by
 * the node that made it (envelope-signature.ts; router-hops.ts signs before such a hop), and its
 * recipient checks the signature against the sender's peer id: a forwarder can neither forge nor
 * alter it ('forged').
 * Replays: an id seen in the last 10 minutes is a duplicate or a loop, and an envelope stamped
 * further than that from our clock is refused ('stale').
 */
import { NoRouteError, ShuttingDownError } from '../core/errors.js'
import { Ack, Envelope } from '../core/proto/mesh.js'
import type { SendOptions } from '../core/node-api.js'
import type { Delivery, MeshMessage } from '../core/types.js'
import { PendingDeliveries } from './deliveries.js'
import { verifyEnvelope } from './envelope-signature.js'
import type { Link } from './link.js'
import type { PeerTable } from './peer-table.js'
import { ForwardingBudget } from './router-budget.js'
import type { RouterCounter } from './router-counters.js'
import { HopTransmissions } from './router-hops.js'
import { outgoingEnvelope } from './router-outgoing.js'
import { NextHops } from './router-paths.js'
import { Receipts } from './router-receipts.js'
import { SeenCache } from './seen-cache.js'
import type { TopologyTable } from './topology.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export type { RouterCounter } from './router-counters.js'

export interface RouterOptions {
  /** our peer id */
  self: string
  peers: PeerTable
  topology: TopologyTable
  maxMessageBytes: number
  log: Logger
  /** a message for us arrived (not called for duplicates) */
  onDeliver(message: MeshMessage): void
  /** signs an envelope we originate (envelope-signature.ts) */
  sign(envelope: Envelope): Promise<Envelope>
  /** a neighbour failed to acknowledge every attempt: treat it as gone */
  onUnresponsive(peerId: string): void
  /** counters for observability */
  count(name: RouterCounter, peerId?: string): void
  /** ms to wait for a hop's ack. @default 5000 */
  ackTimeoutMs?: number
  /** retries after the first attempt. @default 3 */
  maxRetries?: number
}

const SWEEP_MS = 250
/** How long message ids are remembered; an envelope stamped further than this from now is refused. */
const REPLAY_WINDOW_MS = 10 * 60_000

export class Router implements Startable {
  private readonly deliveries = new PendingDeliveries()
  private readonly seen = new SeenCache(50_000, REPLAY_WINDOW_MS)
  private readonly budget = new ForwardingBudget()
  private readonly paths: NextHops
  private readonly hops: HopTransmissions
  private readonly receipts: Receipts
  private sweepTimer?: ReturnType<typeof setInterval>

  constructor(private readonly opts: RouterOptions) {
    const { self, peers, topology, log } = opts
    const count = opts.count.bind(opts)
    this.paths = new NextHops({ self, peers, topology, seen: this.seen })
    this.hops = new HopTransmissions({
      peers,
      paths: this.paths,
      deliveries: this.deliveries,
      budget: this.budget,
      log,
      count,
      onUnresponsive: opts.onUnresponsive.bind(opts),
      ackTimeoutMs: opts.ackTimeoutMs ?? 5000,
      maxRetries: opts.maxRetries ?? 3,
      sign: opts.sign.bind(opts),
    })
    this.receipts = new Receipts({
      self,
      paths: this.paths,
      hops: this.hops,
      seen: this.seen,
      deliveries: this.deliveries,
      log,
      count,
      sign: opts.sign.bind(opts),
    })
  }

  start(): void {
    this.budget.open()
    this.sweepTimer ??= setInterval(() => {
      this.sweep()
    }, SWEEP_MS)
  }

  /** Stop taking on messages for others (they are told BUSY and go another way). */
  beforeStop(): void {
    this.budget.close()
  }

  stop(): void {
    this.budget.close()
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    this.deliveries.failAll(
      () => new ShuttingDownError('the node stopped before delivery was confirmed'),
    )
    this.hops.clear()
    this.budget.reset()
  }

  /** Messages awaiting confirmation (ours) and hops awaiting acks (ours and forwarded). */
  get backlog(): { pending: number; inflight: number } {
    return { pending: this.deliveries.size, inflight: this.hops.size }
  }

  /** Sends a message to any node of the mesh; resolves once the recipient confirmed it. */
  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options: SendOptions = {},
  ): Promise<Delivery> {
    options.signal?.throwIfAborted()
    const envelope = outgoingEnvelope(
      {
        from: this.opts.self,
        to,
        topic,
        payload,
        ttl: options.ttl,
        traceparent: options.traceparent,
      },
      this.opts.maxMessageBytes,
    )
    if (to === this.opts.self) {
      this.deliver(envelope)
      return { id: envelope.id, hops: 0, rttMs: 0 }
    }
    const firstHop = this.paths.choose(to, new Set())
    if (firstHop == null) {
      this.opts.count('no_route')
      throw new NoRouteError(to)
    }
    const delivery = this.deliveries.track(envelope.id, to, options.timeoutMs ?? 15_000)
    const onAbort = (): void => {
      this.hops.forget(envelope.id)
      this.deliveries.fail(envelope.id, options.signal?.reason as Error)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    this.seen.add(envelope.id, this.opts.self)
    this.hops.send(envelope, firstHop, { origin: true })
    this.opts.count('sent')
    try {
      return await delivery
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** An envelope arrived from a neighbour over `link`. */
  handleEnvelope(envelope: Envelope, link: Link): void {
    const from = link.peerId
    const ack = (status: Ack.Status, delivered = false, reason = ''): void => {
      link.send({ ack: { id: envelope.id, status, delivered, reason } })
    }
    // straight from its origin (one hop so far): the sender must be the authenticated neighbour
    if (envelope.hops <= 1 && envelope.from !== from) {
      this.opts.count('rejected', from)
      ack(Ack.Status.REJECTED, false, 'sender_mismatch')
      return
    }
    // no hop sends an envelope with no hop left (origins send 1-16, forwarders only above 1):
    // one with TTL 0 is dropped wherever it arrives, its recipient too
    if (envelope.ttl < 1) {
      this.opts.count('ttl_expired', from)
      ack(Ack.Status.TTL_EXPIRED)
      return
    }
    const age = Date.now() - Number(envelope.timestamp)
    if (age > REPLAY_WINDOW_MS || age < -REPLAY_WINDOW_MS) {
      this.opts.count('stale', from)
      ack(Ack.Status.REJECTED, false, 'stale')
      return
    }
    const forUs = envelope.to === this.opts.self
    const firstSeenFrom = this.seen.get(envelope.id)
    if (firstSeenFrom != null) {
      // the same neighbour again means our ack was lost; anyone else means a loop
      if (firstSeenFrom === from) {
        this.opts.count('duplicate', from)
        ack(Ack.Status.DUPLICATE, forUs)
      } else {
        this.opts.count('loop', from)
        ack(Ack.Status.LOOP)
      }
      return
    }
    if (forUs) {
      this.seen.add(envelope.id, from)
      // straight from its sender: noise vouches for it; from further away: its signature must
      if (envelope.hops <= 1) {
        ack(Ack.Status.ACCEPTED, true)
        this.deliver(envelope)
      } else {
        void this.verifyAndDeliver(envelope, from, ack)
      }
      return
    }
    if (envelope.ttl <= 1) {
      this.opts.count('ttl_expired', from)
      this.opts.log.debug('dropped message: ttl expired', {
        id: envelope.id,
        to: envelope.to,
        from,
      })
      ack(Ack.Status.TTL_EXPIRED)
      return
    }
    if (!this.budget.admits(envelope.payload.byteLength)) {
      this.opts.count('busy', from)
      ack(Ack.Status.BUSY)
      return
    }
    const exclude = new Set([from, envelope.from])
    const nextHop = this.paths.choose(envelope.to, exclude, envelope)
    if (nextHop == null) {
      this.opts.count('no_route', from)
      ack(Ack.Status.NO_ROUTE)
      return
    }
    this.seen.add(envelope.id, from)
    ack(Ack.Status.ACCEPTED)
    this.opts.count('forwarded', from)
    this.hops.send({ ...envelope, ttl: envelope.ttl - 1 }, nextHop, {
      origin: false,
      tried: exclude,
      held: envelope.payload.byteLength,
    })
  }

  /** A neighbour acknowledged one of our transmissions. */
  handleAck(ack: Ack, link: Link): void {
    this.hops.handleAck(ack, link.peerId)
  }

  private sweep(): void {
    const now = Date.now()
    this.hops.sweep(now)
    this.deliveries.expire(now)
  }

  private async verifyAndDeliver(
    envelope: Envelope,
    from: string,
    ack: (status: Ack.Status, delivered?: boolean, reason?: string) => void,
  ): Promise<void> {
    if (await verifyEnvelope(envelope)) {
      ack(Ack.Status.ACCEPTED, true)
      this.deliver(envelope)
      return
    }
    // not its sender's: forget the id, so a forgery cannot shadow the real message
    this.seen.delete(envelope.id)
    this.opts.count('forged', from)
    this.opts.log.debug('dropped message: not signed by its sender', {
      id: envelope.id,
      claimed_from: envelope.from,
      via: from,
    })
    ack(Ack.Status.REJECTED, false, 'bad_signature')
  }

  private deliver(envelope: Envelope): void {
    if (envelope.kind === Envelope.Kind.RECEIPT) {
      this.receipts.accept(envelope)
      return
    }
    const receivedAt = Date.now()
    this.opts.count('delivered', envelope.from)
    this.opts.onDeliver({
      id: envelope.id,
      from: envelope.from,
      to: envelope.to,
      topic: envelope.topic,
      payload: envelope.payload,
      hops: envelope.hops,
      sentAt: Number(envelope.timestamp),
      receivedAt,
      ...(envelope.traceparent === '' ? {} : { traceparent: envelope.traceparent }),
    })
    this.receipts.sendFor(envelope, receivedAt)
  }
}
