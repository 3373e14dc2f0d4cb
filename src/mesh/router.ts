/**
 * Routed node-to-node messages (FR10.3). Each hop acknowledges at once; an unacknowledged hop is
 * retried every 5 s up to 3 times, switching to another neighbour when one exists, and a
 * neighbour that never answers is dropped. A message for a node we have no link to goes to the
 * neighbour nearest to it in the topology, and so on hop by hop, with a TTL. Message ids dedupe
 * retransmissions and expose loops. The recipient confirms a routed message with a receipt sent
 * back along the way it came, so a sender learns of delivery and hop count either way.
 *
 * Trust: a neighbour is authenticated (noise), so a message arriving straight from its origin
 * must name that neighbour as its sender; beyond one hop the sender field is the forwarders' word
 * (envelopes are not signed yet), and a receipt counts only if it names the recipient.
 */
import { v4 as uuid } from 'uuid'
import {
  InvalidMessageError,
  MessageRejectedError,
  MessageTooLargeError,
  NoRouteError,
  ShuttingDownError,
} from '../core/errors.js'
import { DEFAULT_TTL, MAX_TOPIC_LENGTH, MAX_TTL } from '../core/protocol.js'
import { Ack, Envelope, Receipt } from '../core/proto/mesh.js'
import type { SendOptions } from '../core/node-api.js'
import type { Delivery, MeshMessage } from '../core/types.js'
import { isPeerIdString } from './codec.js'
import { PendingDeliveries } from './deliveries.js'
import type { Link } from './link.js'
import type { PeerTable } from './peer-table.js'
import { SeenCache } from './seen-cache.js'
import type { TopologyTable } from './topology.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export interface RouterOptions {
  /** our peer id */
  self: string
  peers: PeerTable
  topology: TopologyTable
  maxMessageBytes: number
  log: Logger
  /** a message for us arrived (not called for duplicates) */
  onDeliver(message: MeshMessage): void
  /** a neighbour failed to acknowledge every attempt: treat it as gone */
  onUnresponsive(peerId: string): void
  /** counters for observability */
  count(name: RouterCounter, peerId?: string): void
  /** ms to wait for a hop's ack. @default 5000 */
  ackTimeoutMs?: number
  /** retries after the first attempt. @default 3 */
  maxRetries?: number
}

export type RouterCounter =
  | 'sent'
  | 'delivered'
  | 'forwarded'
  | 'retried'
  | 'duplicate'
  | 'loop'
  | 'ttl_expired'
  | 'no_route'
  | 'gave_up'
  | 'receipt'
  | 'rejected'
  | 'busy'

/** One envelope on its way over one hop, awaiting that hop's ack. */
interface HopTransmission {
  envelope: Envelope
  nextHop: string
  attempts: number
  sentAt: number
  createdAt: number
  /** neighbours that failed or refused this message */
  tried: Set<string>
  /** whether we originated it (its end-to-end promise lives in `deliveries`) */
  origin: boolean
  /** our own link refused the frame (closed or backed up): retry without blaming the neighbour */
  refusedLocally: boolean
  /** payload bytes this forwarded message holds against MAX_FORWARDED_BYTES */
  held: number
}

const SWEEP_MS = 250
/** a hop transmission older than this is given up, whatever its retries */
const MAX_INFLIGHT_AGE_MS = 60_000
/** forwarded payloads held for retries at most; beyond, neighbours are told BUSY */
const MAX_FORWARDED_BYTES = 64 * 1024 * 1024

export class Router implements Startable {
  private readonly ackTimeoutMs: number
  private readonly maxRetries: number
  private readonly inflight = new Map<string, HopTransmission>()
  private readonly deliveries = new PendingDeliveries()
  private readonly seen = new SeenCache(50_000, 10 * 60_000)
  private forwardedBytes = 0
  /** shutting down: finish what we carry, take on no new forwarding */
  private closing = false
  private sweepTimer?: ReturnType<typeof setInterval>

  constructor(private readonly opts: RouterOptions) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5000
    this.maxRetries = opts.maxRetries ?? 3
  }

  start(): void {
    this.closing = false
    this.sweepTimer ??= setInterval(() => {
      this.sweep()
    }, SWEEP_MS)
  }

  /** Stop taking on messages for others (they are told BUSY and go another way). */
  beforeStop(): void {
    this.closing = true
  }

  stop(): void {
    this.closing = true
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    this.deliveries.failAll(
      () => new ShuttingDownError('the node stopped before delivery was confirmed'),
    )
    this.inflight.clear()
    this.forwardedBytes = 0
  }

  /** Messages awaiting confirmation (ours) and hops awaiting acks (ours and forwarded). */
  get backlog(): { pending: number; inflight: number } {
    return { pending: this.deliveries.size, inflight: this.inflight.size }
  }

  /** Sends a message to any node of the mesh; resolves once the recipient confirmed it. */
  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options: SendOptions = {},
  ): Promise<Delivery> {
    options.signal?.throwIfAborted()
    const ttl = options.ttl ?? DEFAULT_TTL
    if (!isPeerIdString(to))
      throw new InvalidMessageError('invalid_peer_id', `not a peer id: ${JSON.stringify(to)}`)
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
      throw new InvalidMessageError(
        'invalid_topic',
        `topic must be 1-${MAX_TOPIC_LENGTH} characters`,
      )
    }
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL)
      throw new InvalidMessageError('invalid_ttl', `ttl must be 1-${MAX_TTL}`)
    if (payload.byteLength > this.opts.maxMessageBytes) {
      throw new MessageTooLargeError(payload.byteLength, this.opts.maxMessageBytes)
    }
    const envelope: Envelope = {
      id: uuid(),
      from: this.opts.self,
      to,
      timestamp: BigInt(Date.now()),
      ttl,
      hops: 0,
      topic,
      payload: payload as Uint8Array<ArrayBuffer>,
      kind: Envelope.Kind.DATA,
    }
    if (to === this.opts.self) {
      this.deliver(envelope)
      return { id: envelope.id, hops: 0, rttMs: 0 }
    }
    const firstHop = this.chooseNextHop(to, new Set())
    if (firstHop == null) {
      this.opts.count('no_route')
      throw new NoRouteError(to)
    }
    const delivery = this.deliveries.track(envelope.id, to, options.timeoutMs ?? 15_000)
    const onAbort = (): void => {
      this.inflight.delete(envelope.id)
      this.deliveries.fail(envelope.id, options.signal?.reason as Error)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    this.seen.add(envelope.id, this.opts.self)
    this.transmit(this.newTransmission(envelope, firstHop, true))
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
      ack(Ack.Status.ACCEPTED, true)
      this.deliver(envelope)
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
    if (this.closing || this.forwardedBytes + envelope.payload.byteLength > MAX_FORWARDED_BYTES) {
      this.opts.count('busy', from)
      ack(Ack.Status.BUSY)
      return
    }
    const exclude = new Set([from, envelope.from])
    const nextHop = this.chooseNextHop(envelope.to, exclude, envelope)
    if (nextHop == null) {
      this.opts.count('no_route', from)
      ack(Ack.Status.NO_ROUTE)
      return
    }
    this.seen.add(envelope.id, from)
    ack(Ack.Status.ACCEPTED)
    this.opts.count('forwarded', from)
    const tx = this.newTransmission({ ...envelope, ttl: envelope.ttl - 1 }, nextHop, false)
    for (const peer of exclude) tx.tried.add(peer)
    tx.held = envelope.payload.byteLength
    this.forwardedBytes += tx.held
    this.transmit(tx)
  }

  /** A neighbour acknowledged one of our transmissions. */
  handleAck(ack: Ack, link: Link): void {
    const tx = this.inflight.get(ack.id)
    if (tx == null) return
    const from = link.peerId
    if (tx.nextHop !== from) {
      // a late ack from a hop we already gave up on: it still proves delivery
      if (tx.tried.has(from) && ack.delivered && tx.origin) {
        this.finish(tx)
        this.deliveries.confirm(ack.id, tx.envelope.hops + 1)
      }
      return
    }
    const record = this.opts.peers.get(from)
    if (record != null) record.rttMs = Date.now() - tx.sentAt
    switch (ack.status) {
      case Ack.Status.ACCEPTED:
      case Ack.Status.DUPLICATE:
        this.finish(tx)
        if (tx.origin && ack.delivered) this.deliveries.confirm(ack.id, tx.envelope.hops + 1)
        return
      case Ack.Status.REJECTED:
        this.finish(tx)
        this.opts.log.info('message rejected', { id: ack.id, by: from, reason: ack.reason })
        this.deliveries.fail(ack.id, new MessageRejectedError(ack.id, from, ack.reason))
        return
      default:
        // NO_ROUTE, LOOP, TTL_EXPIRED, BUSY: this way is closed for now; try another neighbour
        tx.tried.add(from)
        this.reroute(tx, `${ack.status} from ${from}`)
    }
  }

  private newTransmission(envelope: Envelope, nextHop: string, origin: boolean): HopTransmission {
    const now = Date.now()
    return {
      envelope,
      nextHop,
      attempts: 0,
      sentAt: 0,
      createdAt: now,
      tried: new Set(),
      origin,
      refusedLocally: false,
      held: 0,
    }
  }

  private chooseNextHop(
    to: string,
    exclude: ReadonlySet<string>,
    envelope?: Envelope,
  ): string | undefined {
    if (!exclude.has(to) && this.opts.peers.bestLink(to) != null) return to
    // a receipt goes back the way its message came, even where the topology is not known yet
    const back = envelope == null ? undefined : this.reversePath(envelope)
    if (back != null && !exclude.has(back) && this.opts.peers.bestLink(back) != null) return back
    return this.opts.topology.nextHops(this.opts.self, this.opts.peers.neighbours(), to, exclude)[0]
  }

  /** For a receipt: the neighbour its original message came from (remembered when forwarding it). */
  private reversePath(envelope: Envelope): string | undefined {
    if (envelope.kind !== Envelope.Kind.RECEIPT) return undefined
    try {
      const previous = this.seen.get(Receipt.decode(envelope.payload).id)
      return previous === this.opts.self ? undefined : previous
    } catch {
      return undefined
    }
  }

  private transmit(tx: HopTransmission): void {
    tx.attempts++
    tx.sentAt = Date.now()
    this.inflight.set(tx.envelope.id, tx)
    const envelope = { ...tx.envelope, hops: tx.envelope.hops + 1 }
    if (this.opts.peers.bestLink(tx.nextHop)?.send({ envelope }) === true) {
      tx.refusedLocally = false
      const record = this.opts.peers.get(tx.nextHop)
      if (record != null) record.messagesSent++
      return
    }
    // the link is gone or backed up: another neighbour now if one leads there, else retry later
    tx.refusedLocally = true
    const alternative = this.chooseNextHop(
      tx.envelope.to,
      new Set([...tx.tried, tx.nextHop]),
      tx.envelope,
    )
    const link = alternative == null ? undefined : this.opts.peers.bestLink(alternative)
    if (alternative != null && link?.send({ envelope }) === true) {
      tx.nextHop = alternative
      tx.refusedLocally = false
      const record = this.opts.peers.get(alternative)
      if (record != null) record.messagesSent++
    }
  }

  private reroute(tx: HopTransmission, why: string): void {
    const next = this.chooseNextHop(tx.envelope.to, tx.tried, tx.envelope)
    if (next == null) {
      this.giveUp(tx, why)
      return
    }
    this.opts.log.debug('rerouting message', {
      id: tx.envelope.id,
      from: tx.nextHop,
      to: next,
      why,
    })
    tx.nextHop = next
    tx.attempts = 0
    this.transmit(tx)
  }

  private sweep(): void {
    const now = Date.now()
    for (const tx of this.inflight.values()) {
      if (now - tx.createdAt > MAX_INFLIGHT_AGE_MS) {
        this.giveUp(tx, 'too old')
        continue
      }
      if (now - tx.sentAt < this.ackTimeoutMs) continue
      if (tx.refusedLocally) {
        // our own link was closed or backed up: that says nothing about the neighbour
        const alternative = this.chooseNextHop(
          tx.envelope.to,
          new Set([...tx.tried, tx.nextHop]),
          tx.envelope,
        )
        if (alternative != null) tx.nextHop = alternative
        tx.attempts = 0
        this.transmit(tx)
        continue
      }
      this.opts.count('retried', tx.nextHop)
      if (tx.attempts > this.maxRetries) {
        // every attempt at this neighbour went unanswered (FR10.3): it is not really there
        this.opts.onUnresponsive(tx.nextHop)
        tx.tried.add(tx.nextHop)
        this.reroute(tx, `no ack from ${tx.nextHop}`)
        continue
      }
      // prefer another neighbour for the retry if one leads there; else the same one again
      const alternative = this.chooseNextHop(
        tx.envelope.to,
        new Set([...tx.tried, tx.nextHop]),
        tx.envelope,
      )
      if (alternative != null && alternative !== tx.nextHop) {
        tx.tried.add(tx.nextHop)
        tx.nextHop = alternative
        tx.attempts = 0
      }
      this.transmit(tx)
    }
    this.deliveries.expire(now)
  }

  /** The hop is done (acknowledged or abandoned). */
  private finish(tx: HopTransmission): void {
    if (this.inflight.get(tx.envelope.id) !== tx) return
    this.inflight.delete(tx.envelope.id)
    this.forwardedBytes -= tx.held
  }

  private giveUp(tx: HopTransmission, why: string): void {
    this.finish(tx)
    this.opts.count('gave_up', tx.nextHop)
    this.opts.log.info('message dropped: no way left to its recipient', {
      id: tx.envelope.id,
      to: tx.envelope.to,
      why,
    })
    if (tx.origin) this.deliveries.fail(tx.envelope.id, new NoRouteError(tx.envelope.to))
  }

  private deliver(envelope: Envelope): void {
    if (envelope.kind === Envelope.Kind.RECEIPT) {
      let receipt: Receipt
      try {
        receipt = Receipt.decode(envelope.payload)
      } catch {
        this.opts.log.warn('dropped undecodable receipt', { from: envelope.from })
        return
      }
      // only the recipient can confirm its delivery
      if (this.deliveries.recipientOf(receipt.id) !== envelope.from) return
      this.opts.count('receipt')
      const tx = this.inflight.get(receipt.id)
      if (tx != null) this.finish(tx)
      this.deliveries.confirm(receipt.id, receipt.hops)
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
    })
    if (envelope.hops > 1) this.sendReceipt(envelope, receivedAt)
  }

  /** Routed messages are confirmed end to end; direct ones already were, by the ack. */
  private sendReceipt(envelope: Envelope, receivedAt: number): void {
    const receipt: Envelope = {
      id: uuid(),
      from: this.opts.self,
      to: envelope.from,
      timestamp: BigInt(receivedAt),
      ttl: DEFAULT_TTL,
      hops: 0,
      topic: 'receipt',
      payload: Receipt.encode({
        id: envelope.id,
        hops: envelope.hops,
        receivedAt: BigInt(receivedAt),
      }),
      kind: Envelope.Kind.RECEIPT,
    }
    const nextHop = this.chooseNextHop(receipt.to, new Set(), receipt)
    if (nextHop == null) return // the sender will time out; nothing better to do
    this.seen.add(receipt.id, this.opts.self)
    this.transmit(this.newTransmission(receipt, nextHop, false))
  }
}
