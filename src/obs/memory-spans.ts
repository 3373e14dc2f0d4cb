/** SpanStore in memory: for hosts that keep no spans on disk (tests, a relay's tasks-less node). */
import type { SpanGroup, SpanRecord, SpanStore } from '../core/spans.js'
import { checkSpans, groupByTask, spansOfGroups } from '../core/spans.js'

export class MemorySpanStore implements SpanStore {
  readonly kind = 'memory'
  /** each task's groups, in write order */
  private readonly tasks = new Map<string, SpanGroup[]>()

  async put(spans: readonly SpanRecord[]): Promise<void> {
    checkSpans(spans)
    for (const g of groupByTask(spans)) {
      const copy = { ...g, spans: g.spans.map((s) => ({ ...s })) }
      const groups = this.tasks.get(g.task_id)
      if (groups == null) this.tasks.set(g.task_id, [copy])
      else groups.push(copy)
    }
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    return spansOfGroups((this.tasks.get(taskId) ?? []).map((g) => g.spans)).map((s) => ({ ...s }))
  }

  async purge(before: number): Promise<number> {
    let n = 0
    for (const [id, groups] of this.tasks) {
      const kept = groups.filter((g) => g.end_ms >= before)
      for (const g of groups) if (g.end_ms < before) n += g.spans.length
      if (kept.length === 0) this.tasks.delete(id)
      else this.tasks.set(id, kept)
    }
    return n
  }

  async close(): Promise<void> {}
}
