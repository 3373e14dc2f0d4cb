/**
 * End-to-end confirmation of routed messages. A message that came to us over more than one hop
 * is confirmed with a receipt: a small routed message (kind RECEIPT) from us to its sender,
 * naming its id, its hop count and when it arrived, sent back along the way it came (see
 * router-paths.ts). A direct message needs none: its ack already came from its recipient.
 *
 * Trust: a receipt counts only if it names the message's recipient as its sender, and, being
 * routed, it is signed by that recipient (the router checks it before it gets here).
 */
import { v4 as uuid } from 'uuid'
import { DEFAULT_TTL } from '../core/protocol.js'
import { Envelope, Receipt } from '../core/proto/mesh.js'
import type { Logger } from '../core/log.js'
import type { PendingDeliveries } from './deliveries.js'
import type { CountRouterEvent } from './router-counters.js'
import type { HopTransmissions } from './router-hops.js'
import type { NextHops } from './router-paths.js'
import type { SeenCache } from './seen-cache.js'

export interface ReceiptsOptions {
  /** our peer id */
  self: string
  paths: NextHops
  hops: HopTransmissions
  seen: SeenCache
  deliveries: PendingDeliveries
  log: Logger
  count: CountRouterEvent
  /** signs the receipts we send */
  sign(envelope: Envelope): Promise<Envelope>
}

export class Receipts {
  constructor(private readonly opts: ReceiptsOptions) {}

  /** Sends the receipt for `envelope`, delivered to us at `receivedAt`, if it was routed. */
  sendFor(envelope: Envelope, receivedAt: number): void {
    // routed messages are confirmed end to end; direct ones already were, by the ack
    if (envelope.hops <= 1) return
    const { self } = this.opts
    void this.send({
      id: uuid(),
      from: self,
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
      // the receipt belongs to the same trace as what it confirms
      traceparent: envelope.traceparent,
      signature: new Uint8Array(0),
    })
  }

  private async send(unsigned: Envelope): Promise<void> {
    const { self } = this.opts
    const receipt = await this.opts.sign(unsigned)
    const nextHop = this.opts.paths.choose(receipt.to, new Set(), receipt)
    if (nextHop == null) return // the sender will time out; nothing better to do
    this.opts.seen.add(receipt.id, self)
    this.opts.hops.send(receipt, nextHop, { origin: false })
  }

  /** A receipt addressed to us: settles the delivery of the message it confirms. */
  accept(envelope: Envelope): void {
    let receipt: Receipt
    try {
      receipt = Receipt.decode(envelope.payload)
    } catch {
      this.opts.log.warn('dropped undecodable receipt', { from: envelope.from })
      return
    }
    // only the recipient can confirm its delivery
    if (this.opts.deliveries.recipientOf(receipt.id) !== envelope.from) return
    this.opts.count('receipt')
    this.opts.hops.done(receipt.id)
    this.opts.deliveries.confirm(receipt.id, receipt.hops)
  }
}
