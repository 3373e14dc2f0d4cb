/**
 * What a submitter thinks of the nodes that ran replicas for it (BOINC's reputation): every node
 * starts trusted at 1; agreeing with the majority earns 0.1 back (up to 1), disagreeing costs
 * 0.35. Below 0.5 (two disagreements in a row) `auto` sends it no more work. Kept for the
 * session: a node proves itself again after a restart.
 */
const START = 1
const EARN = 0.1
const COST = 0.35
export const TRUSTED_AT = 0.5

export class Reputation {
  private readonly scores = new Map<string, number>()

  score(nodeId: string): number {
    return this.scores.get(nodeId) ?? START
  }

  trusted(nodeId: string): boolean {
    return this.score(nodeId) >= TRUSTED_AT
  }

  agreed(nodeId: string): void {
    this.scores.set(nodeId, Math.min(START, this.score(nodeId) + EARN))
  }

  disagreed(nodeId: string): void {
    this.scores.set(nodeId, Math.round((this.score(nodeId) - COST) * 100) / 100)
  }
}
