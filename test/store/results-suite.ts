/**
 * Acceptance suite for the ResultsStore contract (src/store/results-store.ts, FR14.3). Every
 * host's store runs it: FileResultsStore under Node, IdbResultsStore in a browser. Keep it free
 * of Node-only APIs.
 *
 * `factory` must return a fresh, empty store for each test; the suite closes it afterwards.
 * `options.reopen`, when given, closes the store it is passed and opens the same data again (a
 * process restart or a page reload); the suite then also checks that everything survives it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TaskRecord } from '../../src/core/tasks.js'
import { TaskStatus, TaskType, roundEmbeddingValue } from '../../src/core/tasks.js'
import type { ResultsStore } from '../../src/store/results-store.js'

export type ResultsStoreFactory = () => Promise<ResultsStore>
export type ResultsStoreReopen = (store: ResultsStore) => Promise<ResultsStore>

export interface ResultsSuiteOptions {
  /** closes `store` and opens the same data again */
  reopen?: ResultsStoreReopen
}

/** every timestamp in the suite is an offset in seconds from this instant */
const BASE = Date.UTC(2025, 0, 15, 12, 0, 0)

function at(seconds: number): string {
  return new Date(BASE + seconds * 1000).toISOString()
}

/** a small COMPLETED classification record submitted `seconds` after BASE */
export function rec(task_id: string, seconds: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    task_id,
    node_id: 'node-a',
    task_type: TaskType.CLASSIFICATION,
    status: TaskStatus.COMPLETED,
    model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    input_preview: `input of ${task_id}`,
    timeout_seconds: 30,
    submitted_at: at(seconds),
    ...extra,
  }
}

/** t000, t001, ...: ids that sort like their numbers */
function tid(i: number): string {
  return `t${String(i).padStart(3, '0')}`
}

export function ids(records: TaskRecord[]): string[] {
  return records.map((r) => r.task_id)
}

/** a deterministic unit-length 512-value embedding with no zeros */
function embedding512(): number[] {
  const raw = Array.from({ length: 512 }, (_, i) => Math.sin(i * 12.9898 + 78.233) * 0.5 + 0.01)
  const norm = Math.hypot(...raw)
  return raw.map((x) => x / norm)
}

const EMBEDDING_RECORD: TaskRecord = {
  task_id: '6f1c2c7e-3b0a-4d5e-9a51-0c3f1b2d4e6f',
  node_id: '12D3KooWRm8ZNNJ6rPzQpXGtyB3CFXdUgtsyRAWnAyHr2n6bzwAn',
  task_type: TaskType.TEXT_EMBEDDING,
  status: TaskStatus.COMPLETED,
  model: 'Xenova/distiluse-base-multilingual-cased-v2',
  input_preview: 'The quick brown fox "jumps" over\nthe lazy dog: 日本語 🦊 \\ done',
  timeout_seconds: 2.5,
  submitted_at: at(100),
  started_at: at(100.25),
  timestamp_completed: at(101.5),
  expires_at: at(100 + 7 * 24 * 3600),
  execution_time_ms: 1234.567,
  output_data: { embedding: embedding512(), dimensions: 512 },
  result_size_bytes: 4096,
  result_preview: '[0.0123, -0.0456, ...]',
}

const CLASSIFICATION_RECORD: TaskRecord = {
  task_id: 'a0b1c2d3-0000-4000-8000-000000000001',
  node_id: '12D3KooWRm8ZNNJ6rPzQpXGtyB3CFXdUgtsyRAWnAyHr2n6bzwAn',
  task_type: TaskType.CLASSIFICATION,
  status: TaskStatus.COMPLETED,
  model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  input_preview: 'I love this!',
  timeout_seconds: 30,
  submitted_at: at(200),
  started_at: at(200.001),
  timestamp_completed: at(200.05),
  execution_time_ms: 49,
  output_data: {
    label: 'POSITIVE',
    score: 0.9998704195022583,
    scores: [
      { label: 'POSITIVE', score: 0.9998704195022583 },
      { label: 'NEGATIVE', score: 0.00012958049774169922 },
    ],
  },
  result_size_bytes: 123,
  result_preview: 'POSITIVE (0.9999)',
}

const FAILED_RECORD: TaskRecord = {
  task_id: 'a0b1c2d3-0000-4000-8000-000000000002',
  node_id: 'node-b',
  task_type: TaskType.TEXT_EMBEDDING,
  status: TaskStatus.FAILED,
  model: 'Xenova/distiluse-base-multilingual-cased-v2',
  input_preview: '',
  timeout_seconds: 0.5,
  submitted_at: at(300),
  timestamp_completed: at(300.001),
  error_reason: 'input_empty',
  error_details: 'input must be a non-empty string',
}

export function runResultsStoreTests(
  name: string,
  factory: ResultsStoreFactory,
  { reopen }: ResultsSuiteOptions = {},
): void {
  describe(`ResultsStore contract: ${name}`, () => {
    let store: ResultsStore

    beforeEach(async () => {
      store = await factory()
    })

    afterEach(async () => {
      await store.close()
    })

    /** puts every record, all at once */
    async function putAll(records: TaskRecord[]): Promise<void> {
      await Promise.all(records.map((r) => store.put(r)))
    }

    it('starts empty', async () => {
      expect(await store.count()).toBe(0)
      expect(await store.list()).toEqual([])
      expect(await store.get(EMBEDDING_RECORD.task_id)).toBeUndefined()
      expect(await store.deleteExpired(Number.MAX_SAFE_INTEGER)).toBe(0)
      expect(await store.trim(0)).toBe(0)
    })

    it('round-trips a full embedding record (512 numbers, exactly)', async () => {
      await store.put(EMBEDDING_RECORD)
      const back = await store.get(EMBEDDING_RECORD.task_id)
      expect(back).toStrictEqual(EMBEDDING_RECORD)
      expect((back?.output_data as { embedding: number[] }).embedding).toHaveLength(512)
      expect(await store.list()).toStrictEqual([EMBEDDING_RECORD])
    })

    it('round-trips embeddings as the engine emits them (6 decimals), exactly', async () => {
      const sixDecimals = embedding512().map(roundEmbeddingValue)
      sixDecimals.splice(0, 6, 0, -0.000001, 0.999999, -1, 7.654321, 0.1)
      const engine = {
        ...EMBEDDING_RECORD,
        output_data: { embedding: sixDecimals, dimensions: 512 },
      }
      // one value a float32 cannot carry to 6 decimals: the record must still come back exactly
      const large = {
        ...EMBEDDING_RECORD,
        task_id: 'large-values',
        output_data: { embedding: [...sixDecimals.slice(1), 123456.789012], dimensions: 512 },
      }
      await store.putMany([engine, large])
      expect(await store.get(engine.task_id)).toStrictEqual(engine)
      expect(await store.get(large.task_id)).toStrictEqual(large)
      expect(await store.list()).toStrictEqual(
        [engine, large].sort((a, b) => (a.task_id < b.task_id ? 1 : -1)),
      )
    })

    it('round-trips classification scores and a failed record', async () => {
      await store.put(CLASSIFICATION_RECORD)
      await store.put(FAILED_RECORD)
      expect(await store.get(CLASSIFICATION_RECORD.task_id)).toStrictEqual(CLASSIFICATION_RECORD)
      expect(await store.get(FAILED_RECORD.task_id)).toStrictEqual(FAILED_RECORD)
      expect(await store.list()).toStrictEqual([FAILED_RECORD, CLASSIFICATION_RECORD])
    })

    it('returns undefined for an unknown task_id', async () => {
      await store.put(rec('known', 1))
      expect(await store.get('unknown')).toBeUndefined()
      expect(await store.get('KNOWN')).toBeUndefined()
      expect(await store.get('know')).toBeUndefined()
      expect(await store.get('')).toBeUndefined()
      expect(await store.get('k'.repeat(600))).toBeUndefined()
      expect(await store.get('known')).toStrictEqual(rec('known', 1))
    })

    it('stores a copy and returns a copy', async () => {
      const record = structuredClone(CLASSIFICATION_RECORD)
      const put = store.put(record)
      record.status = TaskStatus.FAILED
      ;(record.output_data as { scores: unknown[] }).scores.push({ label: 'X', score: 1 })
      await put
      expect(await store.get(record.task_id)).toStrictEqual(CLASSIFICATION_RECORD)

      const first = await store.get(record.task_id)
      first!.model = 'changed'
      expect(await store.get(record.task_id)).toStrictEqual(CLASSIFICATION_RECORD)
    })

    it('put replaces the record of the same task_id, in every view', async () => {
      await putAll([rec('other-1', 20), rec('other-2', 40, { node_id: 'node-b' })])
      const running = rec('task', 10, { status: TaskStatus.RUNNING, started_at: at(11) })
      await store.put(running)
      expect(ids(await store.list())).toEqual(['other-2', 'other-1', 'task'])

      const done = rec('task', 50, {
        node_id: 'node-b',
        started_at: at(11),
        timestamp_completed: at(12),
        output_data: CLASSIFICATION_RECORD.output_data!,
      })
      await store.put(done)
      expect(await store.get('task')).toStrictEqual(done)
      expect(await store.count()).toBe(3)
      expect(ids(await store.list())).toEqual(['task', 'other-2', 'other-1'])
      expect(ids(await store.list({ nodeId: 'node-a' }))).toEqual(['other-1'])
      expect(await store.list({ nodeId: 'node-b' })).toStrictEqual([
        done,
        rec('other-2', 40, { node_id: 'node-b' }),
      ])
    })

    it('lists newest first, ties on submitted_at broken by task_id descending', async () => {
      // inserted out of order on purpose
      for (const [id, s] of [
        ['t03', 5],
        ['t06', 2],
        ['t01', 5],
        ['t05', 5],
        ['t02', 1],
        ['t04', 3],
      ] as const)
        await store.put(rec(id, s))
      expect(ids(await store.list())).toEqual(['t05', 't03', 't01', 't04', 't06', 't02'])
      expect(await store.list({ limit: 1 })).toStrictEqual([rec('t05', 5)])
      expect(ids(await store.list({ limit: 2, offset: 1 }))).toEqual(['t03', 't01'])
    })

    it('orders by the instant, not by how the timestamp is written', async () => {
      await putAll([
        rec('a', 0, { submitted_at: '2025-01-15T12:00:00.000Z' }),
        // 11:30Z: older than a, although it sorts after it as text
        rec('b', 0, { submitted_at: '2025-01-15T13:30:00+02:00' }),
        rec('c', 0, { submitted_at: '2025-01-15T12:00:01Z' }),
        // the same instant as a, written differently: a tie, so task_id decides
        rec('d', 0, { submitted_at: '2025-01-15T14:00:00.000+02:00' }),
      ])
      expect(ids(await store.list())).toEqual(['c', 'd', 'a', 'b'])
      expect(await store.trim(3)).toBe(1)
      expect(ids(await store.list())).toEqual(['c', 'd', 'a'])
    })

    it('filters by nodeId', async () => {
      await putAll([
        rec('x1', 1, { node_id: 'node-a' }),
        rec('x2', 2, { node_id: 'node-ab' }),
        rec('x3', 3, { node_id: 'node-b' }),
        rec('x4', 4, { node_id: 'node-a' }),
        rec('x5', 5, { node_id: 'node' }),
        rec('x6', 4, { node_id: 'node-a' }),
      ])
      expect(ids(await store.list({ nodeId: 'node-a' }))).toEqual(['x6', 'x4', 'x1'])
      expect(ids(await store.list({ nodeId: 'node-ab' }))).toEqual(['x2'])
      expect(ids(await store.list({ nodeId: 'node' }))).toEqual(['x5'])
      expect(ids(await store.list({ nodeId: 'node-b' }))).toEqual(['x3'])
      expect(await store.list({ nodeId: 'unknown' })).toEqual([])
      expect(await store.list({ nodeId: '' })).toEqual([])
      expect(ids(await store.list())).toEqual(['x5', 'x6', 'x4', 'x3', 'x2', 'x1'])
      expect(ids(await store.list({ nodeId: 'node-a', limit: 1, offset: 1 }))).toEqual(['x4'])
    })

    it('paginates with limit and offset, defaulting to 20 and 0', async () => {
      // t000 (oldest) ... t044 (newest)
      await putAll(Array.from({ length: 45 }, (_, i) => rec(tid(i), i)))
      const newestFirst = Array.from({ length: 45 }, (_, i) => tid(44 - i))

      expect(ids(await store.list())).toEqual(newestFirst.slice(0, 20))
      expect(ids(await store.list({}))).toEqual(newestFirst.slice(0, 20))
      expect(ids(await store.list({ offset: 5 }))).toEqual(newestFirst.slice(5, 25))
      expect(ids(await store.list({ limit: 20, offset: 20 }))).toEqual(newestFirst.slice(20, 40))
      const last = await store.list({ limit: 20, offset: 40 })
      expect(ids(last)).toEqual(['t004', 't003', 't002', 't001', 't000'])
      expect(last).toStrictEqual([4, 3, 2, 1, 0].map((i) => rec(tid(i), i)))
      expect(await store.list({ limit: 20, offset: 45 })).toEqual([])
      expect(await store.list({ offset: 1000 })).toEqual([])
      expect(await store.list({ limit: 0 })).toEqual([])
      expect(ids(await store.list({ limit: 100 }))).toEqual(newestFirst)

      const paged: string[] = []
      for (let offset = 0; offset < 50; offset += 7)
        paged.push(...ids(await store.list({ limit: 7, offset })))
      expect(paged).toEqual(newestFirst)
    })

    it('paginates the results of one node', async () => {
      // even i on node-a, odd i on node-b: 15 each
      await putAll(
        Array.from({ length: 30 }, (_, i) => rec(tid(i), i, { node_id: `node-${'ab'[i % 2]}` })),
      )
      const nodeB = Array.from({ length: 15 }, (_, i) => tid(29 - 2 * i))
      expect(ids(await store.list({ nodeId: 'node-b' }))).toEqual(nodeB)
      expect(ids(await store.list({ nodeId: 'node-b', limit: 4, offset: 4 }))).toEqual(
        nodeB.slice(4, 8),
      )
      expect(ids(await store.list({ nodeId: 'node-b', limit: 4, offset: 12 }))).toEqual([
        't005',
        't003',
        't001',
      ])
      expect(await store.list({ nodeId: 'node-a', offset: 15 })).toEqual([])
    })

    it('rejects a limit or offset that is not a whole number >= 0 with RangeError', async () => {
      await store.put(rec('x', 1))
      for (const query of [
        { limit: -1 },
        { limit: 1.5 },
        { limit: Number.NaN },
        { limit: Number.POSITIVE_INFINITY },
        { offset: -1 },
        { offset: 0.5 },
      ])
        await expect(store.list(query), JSON.stringify(query)).rejects.toThrow(RangeError)
    })

    it('counts the records', async () => {
      expect(await store.count()).toBe(0)
      await putAll([rec('a', 1), rec('b', 2), rec('c', 3, { node_id: 'node-b' })])
      expect(await store.count()).toBe(3)
      await store.put(rec('b', 9, { status: TaskStatus.FAILED }))
      expect(await store.count()).toBe(3)
      await store.trim(1)
      expect(await store.count()).toBe(1)
    })

    it('deleteExpired removes exactly the records with expires_at at or before now', async () => {
      const now = BASE + 1_000_000
      const expiresIn = (ms: number) => new Date(now + ms).toISOString()
      await putAll([
        rec('long-gone', 1, { expires_at: expiresIn(-1_000_000) }),
        rec('just-gone', 2, { expires_at: expiresIn(-1), node_id: 'node-b' }),
        rec('exactly-now', 3, { expires_at: expiresIn(0) }),
        // the same instant as now, written with an offset
        rec('now-offset', 4, { expires_at: '2025-01-15T14:16:40+02:00' }),
        rec('in-1ms', 5, { expires_at: expiresIn(1) }),
        rec('next-year', 6, { expires_at: expiresIn(365 * 24 * 3600 * 1000) }),
        rec('forever', 7),
        // expired long ago but submitted last: expiry, not age, decides
        rec('newest-expired', 8, { expires_at: expiresIn(-5) }),
      ])
      expect(Date.parse('2025-01-15T14:16:40+02:00')).toBe(now)

      expect(await store.deleteExpired(now)).toBe(5)
      expect(await store.count()).toBe(3)
      expect(ids(await store.list())).toEqual(['forever', 'next-year', 'in-1ms'])
      for (const gone of ['long-gone', 'just-gone', 'exactly-now', 'now-offset', 'newest-expired'])
        expect(await store.get(gone), gone).toBeUndefined()
      expect(await store.list({ nodeId: 'node-b' })).toEqual([])

      expect(await store.deleteExpired(now)).toBe(0)
      expect(await store.deleteExpired(now + 1)).toBe(1)
      expect(ids(await store.list())).toEqual(['forever', 'next-year'])
      // records without expires_at never expire
      expect(await store.deleteExpired(Number.MAX_SAFE_INTEGER)).toBe(1)
      expect(await store.list()).toStrictEqual([rec('forever', 7)])
    })

    it('deleteExpired rejects a now that is not a finite number with TypeError', async () => {
      await store.put(rec('x', 1, { expires_at: at(2) }))
      await expect(store.deleteExpired(Number.NaN)).rejects.toThrow(TypeError)
      await expect(store.deleteExpired(Number.POSITIVE_INFINITY)).rejects.toThrow(TypeError)
      expect(await store.count()).toBe(1)
    })

    it('trim(max) removes the oldest records down to max and returns how many', async () => {
      await putAll(Array.from({ length: 10 }, (_, i) => rec(tid(i), i, { node_id: `n${i % 3}` })))
      expect(await store.trim(10)).toBe(0)
      expect(await store.trim(1000)).toBe(0)
      expect(await store.count()).toBe(10)

      expect(await store.trim(4)).toBe(6)
      expect(await store.count()).toBe(4)
      expect(ids(await store.list())).toEqual(['t009', 't008', 't007', 't006'])
      for (let i = 0; i < 6; i++) expect(await store.get(tid(i))).toBeUndefined()
      expect(ids(await store.list({ nodeId: 'n0' }))).toEqual(['t009', 't006'])

      expect(await store.trim(4)).toBe(0)
      expect(await store.trim(0)).toBe(4)
      expect(await store.count()).toBe(0)
      expect(await store.list()).toEqual([])
    })

    it('trim keeps exactly the first max records of the list, ties included', async () => {
      await putAll([
        rec('y', 9),
        rec('x1', 5),
        rec('x3', 5),
        rec('x2', 5),
        rec('w', 1),
        rec('z', 9, { node_id: 'node-b' }),
      ])
      const before = ids(await store.list())
      expect(before).toEqual(['z', 'y', 'x3', 'x2', 'x1', 'w'])
      expect(await store.trim(3)).toBe(3)
      expect(ids(await store.list())).toEqual(before.slice(0, 3))
    })

    it('trim rejects a max that is not a whole number >= 0 with RangeError', async () => {
      await store.put(rec('x', 1))
      await expect(store.trim(-1)).rejects.toThrow(RangeError)
      await expect(store.trim(0.5)).rejects.toThrow(RangeError)
      await expect(store.trim(Number.NaN)).rejects.toThrow(RangeError)
      expect(await store.count()).toBe(1)
    })

    it('rejects a record it cannot index with TypeError and stores nothing', async () => {
      const invalid: TaskRecord[] = [
        rec('', 1),
        rec('x', 1, { submitted_at: 'yesterday' }),
        rec('x', 1, { submitted_at: undefined as unknown as string }),
        rec('x', 1, { expires_at: 'never' }),
        rec('x', 1, { node_id: 42 as unknown as string }),
      ]
      for (const record of invalid)
        await expect(store.put(record), JSON.stringify(record)).rejects.toThrow(TypeError)
      expect(await store.count()).toBe(0)
      expect(await store.list()).toEqual([])
    })

    it('keeps all of 100 concurrent puts', async () => {
      const records = Array.from({ length: 100 }, (_, i) =>
        rec(tid(i), i % 10, { node_id: `node-${i % 4}`, input_preview: `#${i}` }),
      )
      await putAll(records)
      expect(await store.count()).toBe(100)
      for (const r of records) expect(await store.get(r.task_id)).toStrictEqual(r)
      const expected = [...records]
        .sort(
          (a, b) =>
            b.submitted_at.localeCompare(a.submitted_at) || (a.task_id < b.task_id ? 1 : -1),
        )
        .map((r) => r.task_id)
      expect(ids(await store.list({ limit: 100 }))).toEqual(expected)
      expect(await store.list({ nodeId: 'node-3', limit: 100 })).toHaveLength(25)
    })

    it('putMany stores every record, the later of one task_id winning', async () => {
      await store.putMany([])
      expect(await store.count()).toBe(0)
      const records = Array.from({ length: 50 }, (_, i) =>
        rec(tid(i), i, { node_id: `node-${i % 2}` }),
      )
      const queued = rec('task', 60, { status: TaskStatus.QUEUED })
      const done = rec('task', 60, { output_data: EMBEDDING_RECORD.output_data! })
      const batch = [queued, ...records, done]
      const put = store.putMany(batch)
      // a copy of each record: changing them afterwards changes nothing stored
      batch[1]!.status = TaskStatus.FAILED
      await put
      expect(await store.count()).toBe(51)
      expect(await store.get('task')).toStrictEqual(done)
      for (const r of records.slice(1)) expect(await store.get(r.task_id)).toStrictEqual(r)
      expect(await store.get(tid(0))).toStrictEqual(rec(tid(0), 0, { node_id: 'node-0' }))
      expect(ids(await store.list({ limit: 3 }))).toEqual(['task', tid(49), tid(48)])
      expect(await store.list({ nodeId: 'node-1', limit: 100 })).toHaveLength(25)
    })

    it('putMany with a record it cannot index throws TypeError and stores none of them', async () => {
      await expect(
        store.putMany([rec('fine', 1), rec('x', 2, { submitted_at: 'yesterday' }), rec('ok', 3)]),
      ).rejects.toThrow(TypeError)
      expect(await store.count()).toBe(0)
      expect(await store.get('fine')).toBeUndefined()
    })

    it('keeps the last of concurrent puts of the same task', async () => {
      // earlier versions are bigger, so a store that let them race would often end on one of them
      const versions = Array.from({ length: 10 }, (_, i) =>
        rec('same', i, {
          status: i === 9 ? TaskStatus.COMPLETED : TaskStatus.RUNNING,
          input_preview: 'x'.repeat(5000 * (10 - i)),
        }),
      )
      await Promise.all([store.put(rec('other', 20)), ...versions.map((v) => store.put(v))])
      expect(await store.get('same')).toStrictEqual(versions[9])
      expect(await store.count()).toBe(2)
      expect(ids(await store.list())).toEqual(['other', 'same'])
    })

    it('never deletes a fresh record put while deleteExpired runs', async () => {
      const now = BASE + 1_000_000
      const fresh = (id: string) => rec(id, 10, { status: TaskStatus.COMPLETED })
      await putAll([
        rec('before', 1, { expires_at: at(2) }),
        rec('after', 1, { expires_at: at(2) }),
        rec('stale', 1, { expires_at: at(2) }),
      ])
      await Promise.all([
        store.put(fresh('before')),
        store.deleteExpired(now),
        store.put(fresh('after')),
      ])
      expect(await store.get('before')).toStrictEqual(fresh('before'))
      expect(await store.get('after')).toStrictEqual(fresh('after'))
      expect(await store.get('stale')).toBeUndefined()
      expect(ids(await store.list())).toEqual(['before', 'after'])
    })

    it('rejects operations after close; closing twice is fine', async () => {
      await store.put(rec('x', 1))
      await store.close()
      await expect(store.put(rec('y', 2))).rejects.toThrow()
      await expect(store.get('x')).rejects.toThrow()
      await expect(store.list()).rejects.toThrow()
      await expect(store.count()).rejects.toThrow()
      await expect(store.deleteExpired(BASE)).rejects.toThrow()
      await expect(store.trim(0)).rejects.toThrow()
      await expect(store.close()).resolves.toBeUndefined()
    })

    it('keeps every record retrievable, in order and paged, with 10,000 records stored', async () => {
      const N = 10_000
      const BATCH = 500
      const PAGE = 1000
      const records = Array.from({ length: N }, (_, i) =>
        rec(`bulk-${String(i).padStart(5, '0')}`, i, { node_id: `node-${i % 8}` }),
      )
      for (let i = 0; i < N; i += BATCH) await putAll(records.slice(i, i + BATCH))
      expect(await store.count()).toBe(N)

      // every record, whole, newest first, page by page
      const newest = [...records].reverse()
      for (let offset = 0; offset < N; offset += PAGE) {
        expect(await store.list({ limit: PAGE, offset }), `page at ${offset}`).toStrictEqual(
          newest.slice(offset, offset + PAGE),
        )
      }
      expect(await store.list({ limit: PAGE, offset: N })).toEqual([])
      expect(ids(await store.list({ nodeId: 'node-3', limit: N }))).toEqual(
        ids(newest.filter((r) => r.node_id === 'node-3')),
      )

      for (let k = 0; k < 5; k++) {
        const extra = rec(`extra-${k}`, N + k, { output_data: EMBEDDING_RECORD.output_data! })
        await store.put(extra)
        expect(await store.get(extra.task_id)).toStrictEqual(extra)
        const stored = records[(k * 2_003) % N]!
        expect(await store.get(stored.task_id)).toStrictEqual(stored)
      }

      expect(await store.count()).toBe(N + 5)
      expect(ids(await store.list({ limit: 6 }))).toEqual([
        'extra-4',
        'extra-3',
        'extra-2',
        'extra-1',
        'extra-0',
        'bulk-09999',
      ])
      expect(ids(await store.list({ nodeId: 'node-0', offset: 1249 }))).toEqual(['bulk-00000'])
      expect(await store.trim(N)).toBe(5)
      expect(ids(await store.list({ limit: 1, offset: N - 1 }))).toEqual(['bulk-00005'])
    }, 120_000)

    if (reopen === undefined) return

    describe('across a restart', () => {
      it('keeps every record, the order, replacements and deletions', async () => {
        await putAll([EMBEDDING_RECORD, CLASSIFICATION_RECORD, FAILED_RECORD])
        await putAll(
          Array.from({ length: 30 }, (_, i) =>
            rec(tid(i), i, { node_id: `node-${i % 2}`, expires_at: at(1000 + i) }),
          ),
        )
        const replaced = rec(tid(7), 500, { status: TaskStatus.TIMEOUT, node_id: 'node-1' })
        await store.put(replaced)
        // t000-t004 expire; then the oldest two left (t005, t006) go
        expect(await store.deleteExpired(BASE + 1004 * 1000)).toBe(5)
        expect(await store.trim(26)).toBe(2)
        const before = await store.list({ limit: 100 })
        const beforeNode = await store.list({ nodeId: 'node-1', limit: 100 })

        store = await reopen(store)
        expect(await store.count()).toBe(26)
        expect(await store.get(EMBEDDING_RECORD.task_id)).toStrictEqual(EMBEDDING_RECORD)
        expect(await store.get(CLASSIFICATION_RECORD.task_id)).toStrictEqual(CLASSIFICATION_RECORD)
        expect(await store.get(FAILED_RECORD.task_id)).toStrictEqual(FAILED_RECORD)
        expect(await store.get(tid(7))).toStrictEqual(replaced)
        for (let i = 0; i < 7; i++) expect(await store.get(tid(i))).toBeUndefined()
        expect(await store.list({ limit: 100 })).toStrictEqual(before)
        expect(await store.list({ nodeId: 'node-1', limit: 100 })).toStrictEqual(beforeNode)
        expect(ids(await store.list({ limit: 3, offset: 1 }))).toEqual(ids(before.slice(1, 4)))

        // and it goes on working where it left off
        await store.put(rec('after-restart', 2000))
        // t008-t010 expire (t007 was replaced by a record without expires_at)
        expect(await store.deleteExpired(BASE + 1010 * 1000)).toBe(3)
        // and the oldest four left, t011-t014
        expect(await store.trim(20)).toBe(4)
        const after = await store.list({ limit: 100 })
        store = await reopen(store)
        expect(await store.list({ limit: 100 })).toStrictEqual(after)
        expect(await store.count()).toBe(20)
        expect(after[0]).toStrictEqual(rec('after-restart', 2000))
      })

      it('keeps all of 100 concurrent puts and the last of a contended task', async () => {
        const records = Array.from({ length: 100 }, (_, i) => rec(tid(i), i))
        await Promise.all([
          ...records.map((r) => store.put(r)),
          store.put(rec('same', 1, { status: TaskStatus.RUNNING })),
          store.put(rec('same', 2, { status: TaskStatus.COMPLETED })),
        ])
        store = await reopen(store)
        expect(await store.count()).toBe(101)
        for (const r of records) expect(await store.get(r.task_id)).toStrictEqual(r)
        expect(await store.get('same')).toStrictEqual(
          rec('same', 2, { status: TaskStatus.COMPLETED }),
        )
      })

      it('reopens an empty store empty', async () => {
        store = await reopen(store)
        expect(await store.count()).toBe(0)
        expect(await store.list()).toEqual([])
      })
    })
  })
}
