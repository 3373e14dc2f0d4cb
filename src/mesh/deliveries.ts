/**
 * The sender's side of end-to-end delivery: one promise per message we originated, settled by
 * the recipient's confirmation (its ack for a direct message, its receipt for a routed one), by
 * a rejection, or by its deadline.
 */
import { DeliveryTimeoutError } from '../core/errors.js'
import type { Delivery } from '../core/types.js'

interface Pending {
  to: string
  startedAt: number
  deadline: number
  resolve(delivery: Delivery): void
  reject(err: Error): void
}

export class PendingDeliveries {
  private readonly pending = new Map<string, Pending>()

  get size(): number {
    return this.pending.size
  }

  /** The recipient a pending message was sent to. */
  recipientOf(id: string): string | undefined {
    return this.pending.get(id)?.to
  }

  /** A promise for message `id`, settled by confirm/fail/expire. */
  track(id: string, to: string, timeoutMs: number): Promise<Delivery> {
    const startedAt = Date.now()
    return new Promise<Delivery>((resolve, reject) => {
      this.pending.set(id, { to, startedAt, deadline: startedAt + timeoutMs, resolve, reject })
    })
  }

  confirm(id: string, hops: number): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    p.resolve({ id, hops, rttMs: Date.now() - p.startedAt })
  }

  fail(id: string, err: Error): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    p.reject(err)
  }

  /** Rejects what is past its deadline; returns their ids. */
  expire(now = Date.now()): string[] {
    const expired: string[] = []
    for (const [id, p] of this.pending) {
      if (now <= p.deadline) continue
      expired.push(id)
      this.fail(id, new DeliveryTimeoutError(id, p.to, now - p.startedAt))
    }
    return expired
  }

  failAll(err: () => Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err())
  }
}
