/**
 * Routed node-to-node messages (FR10.3). Each hop acknowledges at once; an unacknowledged hop is
 * retried every 5 s up to 3 times, switching to another neighbour when one exists. A message for
 * a node we have no link to goes to the neighbour nearest to it in the topology, and so on hop by
 * hop, with a TTL. Message ids dedupe retransmissions and expose loops. The recipient confirms a
 * routed message with a receipt, so a sender learns of delivery and hop count either way.
 */
import { v4 as uuid } from 'uuid'
import { DeliveryTimeoutError, MessageTooLargeError, NoRouteError } from '../core/errors.js'
import { DEFAULT_TTL } from '../core/protocol.js'
import { Ack, Envelope, Receipt } from '../core/proto/mesh.js'
import type { Delivery, MeshMessage } from '../core/types.js'
import type { Logger } from '../obs/logger.js'
import { isPeerIdString } from './codec.js'
import type { Link } from './link.js'
import type { PeerTable } from './peer-table.js'
import type { TopologyTable } from './topology.js'
import { SeenCache } from './seen-cache.js'

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

export interface SendOptions {
  signal?: AbortSignal
  /** overall deadline for delivery confirmation, ms. @default 15000 */
  timeoutMs?: number
  /** hop budget. @default 10 */
  ttl?: number
}

/** One envelope on its way over one hop, awaiting that hop's ack. */
interface HopTransmission {
  envelope: Envelope
  nextHop: string
  attempts: number
  sentAt: number
  /** neighbours that failed or refused this message */
  tried: Set<string>
  /** whether we originated it (its end-to-end promise lives in `pending`) */
  origin: boolean
  /** neighbour it came from, never sent back there */
  previousHop?: string
}

interface PendingDelivery {
  to: string
  startedAt: number
  deadline: number
  resolve(delivery: Delivery): void
  reject(err: Error): void
}

const SWEEP_MS = 250

export class Router {
  private readonly opts: Required<Pick<RouterOptions, 'ackTimeoutMs' | 'maxRetries'>> &
    RouterOptions
  private readonly inflight = new Map<string, HopTransmission>()
  private readonly pending = new Map<string, PendingDelivery>()
  private readonly seen = new SeenCache(50_000, 10 * 60_000)
  private sweepTimer?: ReturnType<typeof setInterval>

  constructor(opts: RouterOptions) {
    this.opts = {
      ...opts,
      ackTimeoutMs: opts.ackTimeoutMs ?? 5000,
      maxRetries: opts.maxRetries ?? 3,
    }
  }

  start(): void {
    this.sweepTimer ??= setInterval(() => {
      this.sweep()
    }, SWEEP_MS)
  }

  stop(): void {
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    for (const [id, p] of this.pending)
      p.reject(new DeliveryTimeoutError(id, p.to, Date.now() - p.startedAt))
    this.pending.clear()
    this.inflight.clear()
  }

  /** Messages awaiting confirmation (ours) and hops awaiting acks (ours and forwarded). */
  get backlog(): { pending: number; inflight: number } {
    return { pending: this.pending.size, inflight: this.inflight.size }
  }

  /** Sends a message to any node of the mesh; resolves once the recipient confirmed it. */
  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options: SendOptions = {},
  ): Promise<Delivery> {
    options.signal?.throwIfAborted()
    if (!isPeerIdString(to)) throw new TypeError(`not a peer id: ${JSON.stringify(to)}`)
    if (topic.length === 0 || topic.length > 64)
      throw new TypeError('topic must be 1-64 characters')
    if (payload.byteLength > this.opts.maxMessageBytes) {
      throw new MessageTooLargeError(payload.byteLength, this.opts.maxMessageBytes)
    }
    const startedAt = Date.now()
    const envelope: Envelope = {
      id: uuid(),
      from: this.opts.self,
      to,
      timestamp: BigInt(startedAt),
      ttl: options.ttl ?? DEFAULT_TTL,
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
    const timeoutMs = options.timeoutMs ?? 15_000
    const delivery = new Promise<Delivery>((resolve, reject) => {
      this.pending.set(envelope.id, {
        to,
        startedAt,
        deadline: startedAt + timeoutMs,
        resolve,
        reject,
      })
    })
    const onAbort = (): void => {
      this.settle(envelope.id, options.signal?.reason as Error)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    this.seen.add(envelope.id, this.opts.self)
    this.transmit({
      envelope,
      nextHop: firstHop,
      attempts: 0,
      sentAt: 0,
      tried: new Set(),
      origin: true,
    })
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
    const ack = (status: Ack.Status, delivered = false): void => {
      link.send({ ack: { id: envelope.id, status, delivered } })
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
    this.transmit({
      envelope: { ...envelope, ttl: envelope.ttl - 1 },
      nextHop,
      attempts: 0,
      sentAt: 0,
      tried: exclude,
      origin: false,
      previousHop: from,
    })
  }

  /** A neighbour acknowledged one of our transmissions. */
  handleAck(ack: Ack, link: Link): void {
    const tx = this.inflight.get(ack.id)
    if (tx == null || tx.nextHop !== link.peerId) return // late ack of a retried hop
    const record = this.opts.peers.get(link.peerId)
    if (record != null) record.rttMs = Date.now() - tx.sentAt
    switch (ack.status) {
      case Ack.Status.ACCEPTED:
      case Ack.Status.DUPLICATE:
        this.inflight.delete(ack.id)
        if (tx.origin && ack.delivered) {
          this.resolve(ack.id, tx.envelope.hops + 1)
        }
        return
      case Ack.Status.REJECTED:
        this.inflight.delete(ack.id)
        this.settle(ack.id, new Error(`message ${ack.id} rejected by ${link.peerId}`))
        return
      default:
        // NO_ROUTE, LOOP, TTL_EXPIRED: this way is closed; try another neighbour
        tx.tried.add(link.peerId)
        this.reroute(tx, `${ack.status} from ${link.peerId}`)
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
    const neighbours = this.opts.peers.neighbours()
    return this.opts.topology.nextHops(this.opts.self, neighbours, to, exclude)[0]
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
    const link = this.opts.peers.bestLink(tx.nextHop)
    tx.attempts++
    tx.sentAt = Date.now()
    this.inflight.set(tx.envelope.id, tx)
    const envelope = { ...tx.envelope, hops: tx.envelope.hops + 1 }
    if (link?.send({ envelope }) === true) {
      const record = this.opts.peers.get(tx.nextHop)
      if (record != null) record.messagesSent++
    }
    // a failed send is retried by the sweep like a lost ack
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
    this.transmit(tx)
  }

  private sweep(): void {
    const now = Date.now()
    for (const tx of this.inflight.values()) {
      if (now - tx.sentAt < this.opts.ackTimeoutMs) continue
      this.opts.count('retried', tx.nextHop)
      if (tx.attempts > this.opts.maxRetries) {
        // every attempt at this neighbour went unanswered (FR10.3): it is not really there
        this.opts.onUnresponsive(tx.nextHop)
        tx.tried.add(tx.nextHop)
        tx.attempts = 0
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
    for (const [id, p] of this.pending) {
      if (now > p.deadline) this.settle(id, new DeliveryTimeoutError(id, p.to, now - p.startedAt))
    }
  }

  private giveUp(tx: HopTransmission, why: string): void {
    this.inflight.delete(tx.envelope.id)
    this.opts.count('gave_up', tx.nextHop)
    this.opts.log.info('message dropped: no way left to its recipient', {
      id: tx.envelope.id,
      to: tx.envelope.to,
      why,
    })
    if (tx.origin) this.settle(tx.envelope.id, new NoRouteError(tx.envelope.to))
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
      this.opts.count('receipt')
      this.resolve(receipt.id, receipt.hops)
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
    this.transmit({
      envelope: receipt,
      nextHop,
      attempts: 0,
      sentAt: 0,
      tried: new Set(),
      origin: false,
    })
  }

  private resolve(id: string, hops: number): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    p.resolve({ id, hops, rttMs: Date.now() - p.startedAt })
  }

  private settle(id: string, err: Error): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    this.inflight.delete(id)
    p.reject(err)
  }
}
