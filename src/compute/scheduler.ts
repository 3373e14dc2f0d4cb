/**
 * Where tasks run (mesh compute's `auto` placement): each task goes to the node where it would
 * complete first: that node's wait before a new task starts, plus the tasks already placed there
 * and this one at its measured speed, plus the round trip to it. Placing a burst this way fills
 * every node to the same finishing time, so it spreads in proportion to speed. This node wins
 * ties, and a node with no room left (its in-flight cap) takes no more.
 */

/** A node that could run the tasks. */
export interface Candidate {
  /** a peer id, or LOCAL for this node */
  id: string
  /** ms one task takes there (from its measured speed) */
  perTaskMs: number
  /** ms before a task sent now would start there */
  waitMs: number
  /** round trip to it, ms (0 for this node) */
  rttMs: number
  /** how many more tasks it may take now (Infinity for this node) */
  room: number
}

export const LOCAL = 'local'

/** How many of `n` tasks go to each candidate (ids with none are absent). */
export function placeTasks(candidates: readonly Candidate[], n: number): Map<string, number> {
  const placed = new Map<string, number>()
  const usable = candidates.filter((c) => c.room > 0 && Number.isFinite(c.perTaskMs))
  for (let i = 0; i < n; i++) {
    let best: Candidate | undefined
    let bestAt = Infinity
    for (const c of usable) {
      const k = placed.get(c.id) ?? 0
      if (k >= c.room) continue
      const at = c.waitMs + (k + 1) * c.perTaskMs + c.rttMs
      if (at < bestAt || (at === bestAt && c.id === LOCAL)) {
        best = c
        bestAt = at
      }
    }
    if (best == null) break
    placed.set(best.id, (placed.get(best.id) ?? 0) + 1)
  }
  return placed
}
