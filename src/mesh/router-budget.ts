/**
 * How much forwarding the router takes on. A message for another node is held, payload and all,
 * until the next hop acknowledges it (it may have to be retried or sent another way); the
 * payloads held at once are capped, and beyond the cap a neighbour offering one more is told
 * BUSY, so it sends that message another way. A node shutting down takes on no new forwarding
 * either (BUSY too) and finishes what it carries.
 */

/** forwarded payloads held for retries at most; beyond, neighbours are told BUSY */
export const MAX_FORWARDED_BYTES = 64 * 1024 * 1024

export class ForwardingBudget {
  private heldBytes = 0
  /** shutting down: finish what we carry, take on no new forwarding */
  private closing = false

  constructor(private readonly maxBytes = MAX_FORWARDED_BYTES) {}

  /** payload bytes held now for forwarded messages */
  get held(): number {
    return this.heldBytes
  }

  /** Whether a forwarded payload of `bytes` may be taken on now (else: BUSY). */
  admits(bytes: number): boolean {
    return !this.closing && this.heldBytes + bytes <= this.maxBytes
  }

  hold(bytes: number): void {
    this.heldBytes += bytes
  }

  release(bytes: number): void {
    this.heldBytes -= bytes
  }

  /** Takes on forwarding again (started). */
  open(): void {
    this.closing = false
  }

  /** Takes on no new forwarding (shutting down). */
  close(): void {
    this.closing = true
  }

  /** Forgets what was held (every hop in flight was dropped). */
  reset(): void {
    this.heldBytes = 0
  }
}
