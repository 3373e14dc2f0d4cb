/** SpanStore in memory: for hosts that keep no spans on disk (tests, a relay's tasks-less node). */
import type { SpanRecord, SpanStore } from '../core/spans.js'
import { byStart, checkSpans } from '../core/spans.js'

export class MemorySpanStore implements SpanStore {
  readonly kind = 'memory'
  private readonly tasks = new Map<string, Map<string, SpanRecord>>()

  async put(spans: readonly SpanRecord[]): Promise<void> {
    checkSpans(spans)
    for (const s of spans) {
      let task = this.tasks.get(s.task_id)
      if (task == null) this.tasks.set(s.task_id, (task = new Map()))
      task.set(s.span_id, { ...s })
    }
  }

  async byTask(taskId: string): Promise<SpanRecord[]> {
    return [...(this.tasks.get(taskId)?.values() ?? [])].map((s) => ({ ...s })).sort(byStart)
  }

  async purge(before: number): Promise<number> {
    let n = 0
    for (const [id, task] of this.tasks) {
      for (const [spanId, s] of task)
        if (s.end_ms < before) {
          task.delete(spanId)
          n++
        }
      if (task.size === 0) this.tasks.delete(id)
    }
    return n
  }

  async close(): Promise<void> {}
}
