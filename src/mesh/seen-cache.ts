/** Bounded memory of message ids seen recently, with who we first got each from. */
export class SeenCache {
  private readonly entries = new Map<string, { from: string; at: number }>()

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get(id: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(id)
    if (entry == null) return undefined
    if (now - entry.at > this.maxAgeMs) {
      this.entries.delete(id)
      return undefined
    }
    return entry.from
  }

  add(id: string, from: string, now = Date.now()): void {
    this.entries.set(id, { from, at: now })
    // Map iterates in insertion order: the first entries are the oldest
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }

  delete(id: string): void {
    this.entries.delete(id)
  }

  get size(): number {
    return this.entries.size
  }
}
