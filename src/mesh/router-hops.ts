/**
 * One message's way over one hop (FR10.3): the router hands an envelope to a neighbour and keeps
 * it until that neighbour acknowledges it, which it does at once. An unacknowledged hop is
 * retried every `ackTimeoutMs` (5 s) up to `maxRetries` (3) times, on another neighbour when one
 * leads there, else on the same one; a neighbour that never answered is reported unresponsive
 * (the mesh drops it) and the message goes another way. An ack refusing the message (NO_ROUTE,
 * LOOP, TTL_EXPIRED, BUSY) sends it another way at once. Where our own link refuses the frame
 * (closed or backed up) the message goes another way or is retried later, without blaming the
 * neighbour. A message with no way left, or in flight over a minute, is given up.
 *
 * A message we originated goes out unsigned to a neighbour that is its recipient (noise vouches
 * for us there); before it goes anywhere else it is signed once (envelope-signature.ts), so a
 * direct message costs no signature and a routed one always carries it.
 *
 * For a message we originated, the hop's ack may settle its delivery: an ack saying the
 * neighbour is the recipient confirms it, a REJECTED one fails it, and giving up fails it with
 * NoRouteError. Routed messages are confirmed by their receipts instead (router-receipts.ts).
 */
import { MessageRejectedError, NoRouteError } from '../core/errors.js'
import { Ack } from '../core/proto/mesh.js'
import type { Envelope } from '../core/proto/mesh.js'
import type { Logger } from '../core/log.js'
import type { PendingDeliveries } from './deliveries.js'
import type { PeerTable } from './peer-table.js'
import type { ForwardingBudget } from './router-budget.js'
import type { CountRouterEvent } from './router-counters.js'
import type { NextHops } from './router-paths.js'

/** a hop transmission older than this is given up, whatever its retries */
const MAX_INFLIGHT_AGE_MS = 60_000

export interface HopTransmissionsOptions {
  peers: PeerTable
  paths: NextHops
  /** the promises of the messages we originated */
  deliveries: PendingDeliveries
  /** what forwarded messages hold; released as their hops finish */
  budget: ForwardingBudget
  log: Logger
  count: CountRouterEvent
  /** a neighbour failed to acknowledge every attempt: treat it as gone */
  onUnresponsive(peerId: string): void
  /** ms to wait for a hop's ack */
  ackTimeoutMs: number
  /** retries after the first attempt */
  maxRetries: number
  /** signs an envelope we originate, before it goes to a neighbour that is not its recipient */
  sign(envelope: Envelope): Promise<Envelope>
}

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
  /** payload bytes this forwarded message holds against the forwarding budget */
  held: number
}

export interface HopSendOptions {
  /** we originated the message (its delivery is tracked) */
  origin: boolean
  /** neighbours not to hand it to (where it came from) */
  tried?: Iterable<string>
  /** payload bytes it holds against the forwarding budget (a forwarded message) */
  held?: number
}

export class HopTransmissions {
  private readonly inflight = new Map<string, HopTransmission>()

  constructor(private readonly opts: HopTransmissionsOptions) {}

  /** hops awaiting acks */
  get size(): number {
    return this.inflight.size
  }

  /** Hands `envelope` to `nextHop` and keeps it until acknowledged, retried or given up. */
  send(envelope: Envelope, nextHop: string, how: HopSendOptions): void {
    const tx: HopTransmission = {
      envelope,
      nextHop,
      attempts: 0,
      sentAt: 0,
      createdAt: Date.now(),
      tried: new Set(how.tried),
      origin: how.origin,
      refusedLocally: false,
      held: how.held ?? 0,
    }
    this.opts.budget.hold(tx.held)
    this.transmit(tx)
  }

  /** Stops tracking message `id` (its sender gave up on it); no ack for it matters any more. */
  forget(id: string): void {
    this.inflight.delete(id)
  }

  /** The hop carrying message `id`, if any, is done (its receipt came). */
  done(id: string): void {
    const tx = this.inflight.get(id)
    if (tx != null) this.finish(tx)
  }

  /** Drops every hop in flight (stopping). */
  clear(): void {
    this.inflight.clear()
  }

  /** A neighbour, `from`, acknowledged one of our transmissions. */
  handleAck(ack: Ack, from: string): void {
    const tx = this.inflight.get(ack.id)
    if (tx == null) return
    const { deliveries } = this.opts
    if (tx.nextHop !== from) {
      // a late ack from a hop we already gave up on: it still proves delivery
      if (tx.tried.has(from) && ack.delivered && tx.origin) {
        this.finish(tx)
        deliveries.confirm(ack.id, tx.envelope.hops + 1)
      }
      return
    }
    const record = this.opts.peers.get(from)
    if (record != null) record.rttMs = Date.now() - tx.sentAt
    switch (ack.status) {
      case Ack.Status.ACCEPTED:
      case Ack.Status.DUPLICATE:
        this.finish(tx)
        if (tx.origin && ack.delivered) deliveries.confirm(ack.id, tx.envelope.hops + 1)
        return
      case Ack.Status.REJECTED:
        this.finish(tx)
        this.opts.log.info('message rejected', { id: ack.id, by: from, reason: ack.reason })
        deliveries.fail(ack.id, new MessageRejectedError(ack.id, from, ack.reason))
        return
      default:
        // NO_ROUTE, LOOP, TTL_EXPIRED, BUSY: this way is closed for now; try another neighbour
        tx.tried.add(from)
        this.reroute(tx, `${ack.status} from ${from}`)
    }
  }

  /** Retries the hops whose ack is overdue and gives up the ones too old (the router's timer). */
  sweep(now: number): void {
    for (const tx of this.inflight.values()) {
      if (now - tx.createdAt > MAX_INFLIGHT_AGE_MS) {
        this.giveUp(tx, 'too old')
        continue
      }
      if (now - tx.sentAt < this.opts.ackTimeoutMs) continue
      if (tx.refusedLocally) {
        // our own link was closed or backed up: that says nothing about the neighbour
        const alternative = this.alternativeTo(tx)
        if (alternative != null) tx.nextHop = alternative
        tx.attempts = 0
        this.transmit(tx)
        continue
      }
      this.opts.count('retried', tx.nextHop)
      if (tx.attempts > this.opts.maxRetries) {
        // every attempt at this neighbour went unanswered (FR10.3): it is not really there
        this.opts.onUnresponsive(tx.nextHop)
        tx.tried.add(tx.nextHop)
        this.reroute(tx, `no ack from ${tx.nextHop}`)
        continue
      }
      // prefer another neighbour for the retry if one leads there; else the same one again
      const alternative = this.alternativeTo(tx)
      if (alternative != null && alternative !== tx.nextHop) {
        tx.tried.add(tx.nextHop)
        tx.nextHop = alternative
        tx.attempts = 0
      }
      this.transmit(tx)
    }
  }

  /** A neighbour other than the current next hop and those tried that leads to the recipient. */
  private alternativeTo(tx: HopTransmission): string | undefined {
    return this.opts.paths.choose(tx.envelope.to, new Set([...tx.tried, tx.nextHop]), tx.envelope)
  }

  /** Our own message, unsigned, about to go to a neighbour that is not its recipient. */
  private needsSignature(tx: HopTransmission, hop: string): boolean {
    return tx.origin && tx.envelope.signature.byteLength === 0 && hop !== tx.envelope.to
  }

  /** Signs the message, then transmits it (unless its hop was settled meanwhile). */
  private signThenTransmit(tx: HopTransmission): void {
    this.opts.sign(tx.envelope).then(
      (signed) => {
        if (this.inflight.get(tx.envelope.id) !== tx) return
        tx.envelope = signed
        tx.attempts--
        this.transmit(tx)
      },
      (err: unknown) => {
        this.giveUp(tx, `not signed: ${(err as Error).message}`)
      },
    )
  }

  private transmit(tx: HopTransmission): void {
    tx.attempts++
    tx.sentAt = Date.now()
    this.inflight.set(tx.envelope.id, tx)
    if (this.needsSignature(tx, tx.nextHop)) {
      this.signThenTransmit(tx)
      return
    }
    const envelope = { ...tx.envelope, hops: tx.envelope.hops + 1 }
    const { peers } = this.opts
    if (peers.bestLink(tx.nextHop)?.send({ envelope }) === true) {
      tx.refusedLocally = false
      const record = peers.get(tx.nextHop)
      if (record != null) record.messagesSent++
      return
    }
    // the link is gone or backed up: another neighbour now if one leads there, else retry later
    tx.refusedLocally = true
    const alternative = this.alternativeTo(tx)
    if (alternative != null && this.needsSignature(tx, alternative)) {
      tx.nextHop = alternative
      tx.refusedLocally = false
      this.signThenTransmit(tx)
      return
    }
    const link = alternative == null ? undefined : peers.bestLink(alternative)
    if (alternative != null && link?.send({ envelope }) === true) {
      tx.nextHop = alternative
      tx.refusedLocally = false
      const record = peers.get(alternative)
      if (record != null) record.messagesSent++
    }
  }

  private reroute(tx: HopTransmission, why: string): void {
    const next = this.opts.paths.choose(tx.envelope.to, tx.tried, tx.envelope)
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

  /** The hop is done (acknowledged or abandoned). */
  private finish(tx: HopTransmission): void {
    if (this.inflight.get(tx.envelope.id) !== tx) return
    this.inflight.delete(tx.envelope.id)
    this.opts.budget.release(tx.held)
  }

  private giveUp(tx: HopTransmission, why: string): void {
    this.finish(tx)
    this.opts.count('gave_up', tx.nextHop)
    this.opts.log.info('message dropped: no way left to its recipient', {
      id: tx.envelope.id,
      to: tx.envelope.to,
      why,
    })
    if (tx.origin) this.opts.deliveries.fail(tx.envelope.id, new NoRouteError(tx.envelope.to))
  }
}
