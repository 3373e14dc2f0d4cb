/**
 * Nodes a submitter keeps its tasks away from for a while (Petals' temporary bans): a node that
 * failed an attempt is skipped for 15 s, doubling with each failure in a row (30 s, 60 s, … up
 * to 8 min); a result from it forgives it. A BUSY node is skipped only as long as it asked.
 */
export const SKIP_BASE_MS = 15_000
const SKIP_MAX_MS = 8 * 60_000

interface Entry {
  /** failures in a row */
  failures: number
  until: number
}

export class SkipList {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The node failed an attempt: skipped for 15 s × 2^(failures in a row − 1). */
  failed(peerId: string): number {
    const e = this.entries.get(peerId) ?? { failures: 0, until: 0 }
    e.failures++
    const ms = Math.min(SKIP_BASE_MS * 2 ** (e.failures - 1), SKIP_MAX_MS)
    e.until = Math.max(e.until, this.now() + ms)
    this.entries.set(peerId, e)
    return ms
  }

  /** The node had no room: skipped for `ms` (its hint), with no mark against it. */
  busy(peerId: string, ms: number): void {
    const e = this.entries.get(peerId) ?? { failures: 0, until: 0 }
    e.until = Math.max(e.until, this.now() + ms)
    this.entries.set(peerId, e)
  }

  /** The node returned a good result: its failures are forgotten. */
  succeeded(peerId: string): void {
    const e = this.entries.get(peerId)
    if (e == null) return
    e.failures = 0
    if (e.until <= this.now()) this.entries.delete(peerId)
  }

  skipped(peerId: string): boolean {
    const e = this.entries.get(peerId)
    return e != null && e.until > this.now()
  }

  /** Until when the node is skipped (ms since the epoch), if it is. */
  skippedUntil(peerId: string): number | undefined {
    const e = this.entries.get(peerId)
    return e != null && e.until > this.now() ? e.until : undefined
  }
}
