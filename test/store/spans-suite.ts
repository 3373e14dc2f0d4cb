/** The acceptance suite every SpanStore passes (in memory, SQLite, IndexedDB in real Chromium). */
import { afterEach, describe, expect, it } from 'vitest'
import type { SpanRecord, SpanStore } from '../../src/core/spans.js'

export function span(
  taskId: string,
  spanId: string,
  startMs: number,
  endMs = startMs + 5,
): SpanRecord {
  return {
    task_id: taskId,
    trace_id: 'ab'.repeat(16),
    span_id: spanId,
    parent_span_id: 'cd'.repeat(8),
    name: 'queue',
    node_id: 'node-a',
    start_ms: startMs,
    end_ms: endMs,
    attributes: { 'peer.node_id': 'node-b' },
  }
}

export function runSpanStoreTests(name: string, open: () => Promise<SpanStore>): void {
  describe(`${name} (span store suite)`, () => {
    const opened: SpanStore[] = []
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close()
    })
    const fresh = async (): Promise<SpanStore> => {
      const s = await open()
      opened.push(s)
      return s
    }

    it('returns a task spans by start time, and only that task', async () => {
      const store = await fresh()
      await store.put([span('t1', 'b', 20), span('t2', 'x', 5), span('t1', 'a', 10.25)])
      expect(await store.byTask('t1')).toEqual([span('t1', 'a', 10.25), span('t1', 'b', 20)])
      expect(await store.byTask('t3')).toEqual([])
    })

    it('replaces a span seen again for its task', async () => {
      const store = await fresh()
      await store.put([span('t1', 'a', 10)])
      await store.put([{ ...span('t1', 'a', 10), error: 'late' }])
      expect(await store.byTask('t1')).toEqual([{ ...span('t1', 'a', 10), error: 'late' }])
    })

    it('purges spans that ended before the cut-off, and says how many', async () => {
      const store = await fresh()
      await store.put([span('t1', 'a', 0, 100)])
      await store.put([span('t1', 'b', 0, 200), span('t2', 'c', 0, 300)])
      expect(await store.purge(200)).toBe(1)
      expect((await store.byTask('t1')).map((s) => s.span_id)).toEqual(['b'])
      expect(await store.purge(1000)).toBe(2)
      expect(await store.byTask('t2')).toEqual([])
    })

    it("keeps a task's spans put together until the last of them is past the cut-off", async () => {
      const store = await fresh()
      await store.put([span('t1', 'a', 0, 100), span('t1', 'b', 0, 200), span('t2', 'c', 0, 50)])
      expect(await store.purge(150)).toBe(1)
      expect((await store.byTask('t1')).map((s) => s.span_id)).toEqual(['a', 'b'])
      expect(await store.purge(201)).toBe(2)
      expect(await store.byTask('t1')).toEqual([])
    })

    it('a span replaced in a later put keeps its place among the others', async () => {
      const store = await fresh()
      await store.put([span('t1', 'a', 10), span('t1', 'b', 20)])
      await store.put([{ ...span('t1', 'b', 20), error: 'late' }, span('t1', 'c', 5)])
      expect(await store.byTask('t1')).toEqual([
        span('t1', 'c', 5),
        span('t1', 'a', 10),
        { ...span('t1', 'b', 20), error: 'late' },
      ])
    })

    it('writes nothing of a batch with a span it cannot index', async () => {
      const store = await fresh()
      await expect(store.put([span('t1', 'a', 1), span('', 'b', 2)])).rejects.toThrow(TypeError)
      expect(await store.byTask('t1')).toEqual([])
    })
  })
}
