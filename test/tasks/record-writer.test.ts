import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MockInstance } from 'vitest'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TaskRecord } from '../../src/core/tasks.js'
import { TaskStatus, TaskType } from '../../src/core/tasks.js'
import { FileResultsStore } from '../../src/store/file-results.js'
import { RecordWriter } from '../../src/tasks/record-writer.js'

function rec(id: string, status: TaskStatus): TaskRecord {
  return {
    task_id: id,
    node_id: 'n'.repeat(32),
    task_type: TaskType.TEXT_EMBEDDING,
    status,
    model: 'm',
    input_preview: id,
    timeout_seconds: 30,
    submitted_at: '2026-11-21T10:00:00.000Z',
  }
}

describe('RecordWriter', () => {
  /** how many records each putMany carried */
  const calls = (): number[] => putMany.mock.calls.map(([records]) => records.length)

  let dir: string
  let store: FileResultsStore
  let putMany: MockInstance<FileResultsStore['putMany']>
  let errors: Array<{ err: unknown; ids: string[] }>
  let writer: RecordWriter

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'record-writer-'))
    store = await FileResultsStore.open(dir)
    putMany = vi.spyOn(store, 'putMany')
    errors = []
    writer = new RecordWriter(store, {
      intervalMs: 0,
      onError: (err, records) => errors.push({ err, ids: records.map((r) => r.task_id) }),
    })
  })

  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores a record written at any moment while a flush ends (none is stranded)', async () => {
    // a write landing between the loop's last look at its queue and the loop's end must still be
    // written: try it after every number of microtasks from the end of a putMany
    const real = FileResultsStore.prototype.putMany.bind(store)
    let lateAfter = -1
    putMany.mockImplementation(async (records) => {
      await real(records)
      if (lateAfter < 0) return
      const n = lateAfter
      lateAfter = -1
      void (async () => {
        for (let i = 0; i < n; i++) await Promise.resolve()
        writer.write(rec(`late-${n}`, TaskStatus.COMPLETED))
      })()
    })
    for (let n = 0; n < 12; n++) {
      lateAfter = n
      writer.write(rec(`first-${n}`, TaskStatus.COMPLETED))
      await writer.flushed()
      await new Promise((resolve) => setImmediate(resolve))
      await writer.flushed()
      expect((await store.get(`late-${n}`))?.status, `late write after ${n} microtasks`).toBe(
        TaskStatus.COMPLETED,
      )
    }
  })

  it('writes the records of one turn in one putMany, and only the latest state of each', async () => {
    for (let i = 0; i < 10; i++) writer.write(rec(`t${i}`, TaskStatus.QUEUED))
    writer.write(rec('t3', TaskStatus.RUNNING))
    writer.write(rec('t3', TaskStatus.COMPLETED))
    await writer.flushed()
    expect(calls()).toEqual([10])
    expect(await store.count()).toBe(10)
    expect((await store.get('t3'))?.status).toBe(TaskStatus.COMPLETED)
    expect((await store.get('t4'))?.status).toBe(TaskStatus.QUEUED)
  })

  it('coalesces the changes made while a flush runs into the next one', async () => {
    writer.write(rec('a', TaskStatus.QUEUED))
    await Promise.resolve() // the first flush takes its batch
    await Promise.resolve()
    writer.write(rec('a', TaskStatus.RUNNING))
    writer.write(rec('b', TaskStatus.QUEUED))
    writer.write(rec('a', TaskStatus.COMPLETED))
    await writer.flushed()
    expect(calls()).toEqual([1, 2])
    expect((await store.get('a'))?.status).toBe(TaskStatus.COMPLETED)
  })

  it('answers with the newest state until it is stored, and keeps a snapshot', async () => {
    const r = rec('x', TaskStatus.RUNNING)
    writer.write(r)
    r.status = TaskStatus.FAILED
    expect(writer.latest('x')?.status).toBe(TaskStatus.RUNNING)
    expect(writer.latest('y')).toBeUndefined()
    await writer.flushed()
    expect(writer.latest('x')).toBeUndefined()
    expect((await store.get('x'))?.status).toBe(TaskStatus.RUNNING)
  })

  it('splits a large backlog into flushes of at most 256 records', async () => {
    for (let i = 0; i < 600; i++) writer.write(rec(`t${i}`, TaskStatus.QUEUED))
    await writer.flushed()
    expect(calls()).toEqual([256, 256, 88])
    expect(await store.count()).toBe(600)
  })

  it('reports a failed flush with its records and goes on with the next', async () => {
    putMany.mockRejectedValueOnce(new Error('disk full'))
    writer.write(rec('lost', TaskStatus.COMPLETED))
    await writer.flushed()
    writer.write(rec('kept', TaskStatus.COMPLETED))
    await writer.flushed()
    expect(errors.map((e) => [(e.err as Error).message, e.ids])).toEqual([['disk full', ['lost']]])
    expect(await store.get('lost')).toBeUndefined()
    expect((await store.get('kept'))?.status).toBe(TaskStatus.COMPLETED)
  })

  describe('on a fake clock', () => {
    beforeEach(() => {
      vi.useFakeTimers({
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      })
    })

    afterEach(() => {
      vi.useRealTimers()
    })

    it('with an interval, groups the changes of that interval into one write', async () => {
      writer = new RecordWriter(store, { intervalMs: 150, onError: () => undefined })
      writer.write(rec('a', TaskStatus.QUEUED))
      await vi.advanceTimersByTimeAsync(0)
      expect(calls()).toEqual([1]) // the first goes at once
      await writer.flushed() // (stored: the file store's I/O is real)
      writer.write(rec('a', TaskStatus.RUNNING))
      writer.write(rec('b', TaskStatus.QUEUED))
      await vi.advanceTimersByTimeAsync(100)
      writer.write(rec('a', TaskStatus.COMPLETED))
      await vi.advanceTimersByTimeAsync(49)
      // nothing before the interval since the first write started ...
      expect(calls()).toEqual([1])
      expect(writer.latest('a')?.status).toBe(TaskStatus.COMPLETED)
      // ... and at the interval, one write with the latest state of each
      await vi.advanceTimersByTimeAsync(1)
      expect(calls()).toEqual([1, 2])
      expect(putMany.mock.calls[1]?.[0].map((r) => [r.task_id, r.status])).toEqual([
        ['a', TaskStatus.COMPLETED],
        ['b', TaskStatus.QUEUED],
      ])
      await writer.flushed()
      expect(calls()).toEqual([1, 2])
      expect((await store.get('a'))?.status).toBe(TaskStatus.COMPLETED)
    })

    it('flushed() writes what is pending without waiting for the interval', async () => {
      writer = new RecordWriter(store, { intervalMs: 60_000, onError: () => undefined })
      writer.write(rec('a', TaskStatus.QUEUED))
      await writer.flushed()
      writer.write(rec('a', TaskStatus.COMPLETED))
      const t0 = Date.now()
      await vi.advanceTimersByTimeAsync(0)
      expect(vi.getTimerCount()).toBe(1) // the writer waits out the interval
      // the clock stands still: flushed() can only return if it cut that wait short
      await writer.flushed()
      expect(Date.now()).toBe(t0)
      expect(vi.getTimerCount()).toBe(0)
      expect(calls()).toEqual([1, 1])
      expect((await store.get('a'))?.status).toBe(TaskStatus.COMPLETED)
    })
  })
})
