import { describe, expect, it } from 'vitest'
import type { TaskApi } from '../../src/core/node-api.js'
import type { TaskRecord, TaskRequest, TaskStatusReport } from '../../src/core/tasks.js'
import { runStress, sentence } from '../../src/obs/stress.js'
import type { FakeNode } from './fake-node.js'
import { fakeNode, fakePeer } from './fake-node.js'

/** A task engine that ends each task after `ms`, as `outcome(i)` says, and reports it by event. */
function fakeTasks(
  getNode: () => FakeNode,
  ms: number,
  outcome: (i: number) => Pick<TaskRecord, 'status' | 'error_reason'>,
) {
  const submitted: TaskRequest[] = []
  let inFlight = 0
  let maxInFlight = 0
  const api = {
    submit(request: TaskRequest): TaskRecord {
      const i = submitted.push(request) - 1
      const record = {
        task_id: request.task_id as string,
        task_type: request.task_type,
        status: 'QUEUED',
        submitted_at: new Date().toISOString(),
      } as TaskRecord
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setTimeout(() => {
        inFlight--
        const detail = { ...record, ...outcome(i), progress_percent: 100 } as TaskStatusReport
        getNode().safeDispatchEvent('task:update', { detail })
      }, ms)
      return record
    },
    status: async () => undefined,
    stats: () => ({
      completed: 0,
      failed: 0,
      timed_out: 0,
      inference_calls: 0,
      inference_inputs: 0,
      inference_ms: 0,
    }),
  }
  return { api: api as unknown as TaskApi, submitted, maxInFlight: () => maxInFlight }
}

describe('stress', () => {
  it('runs every task with at most `concurrency` in flight, and reports throughput and latency', async () => {
    const self = await fakePeer()
    const ref: { node?: FakeNode } = {}
    const engine = fakeTasks(
      () => ref.node as FakeNode,
      10,
      () => ({ status: 'COMPLETED' }),
    )
    const node = (ref.node = fakeNode({ self, tasks: engine.api }))
    const r = await runStress(node, { tasks: 20, concurrency: 4 })
    expect(engine.submitted).toHaveLength(20)
    expect(engine.maxInFlight()).toBe(4)
    expect(new Set(engine.submitted.map((t) => t.input)).size).toBe(20)
    expect(engine.submitted.every((t) => t.task_type === 'text_embedding')).toBe(true)
    expect(r).toMatchObject({
      tasks: 20,
      concurrency: 4,
      completed: 20,
      failed: 0,
      timed_out: 0,
      unfinished: 0,
    })
    expect(r.latency.samples).toBe(20)
    expect(r.latency.p50_ms).toBeGreaterThanOrEqual(9)
    // 5 rounds of 10 ms: at most 400 tasks/s
    expect(r.tasks_per_sec).toBeGreaterThan(0)
    expect(r.tasks_per_sec).toBeLessThanOrEqual(400)
  })

  it('counts failures by reason, and timeouts apart', async () => {
    const self = await fakePeer()
    const ref: { node?: FakeNode } = {}
    const engine = fakeTasks(
      () => ref.node as FakeNode,
      2,
      (i) =>
        i % 5 === 0
          ? { status: 'FAILED', error_reason: 'inference_failed' }
          : i % 5 === 1
            ? { status: 'TIMEOUT', error_reason: 'timeout' }
            : { status: 'COMPLETED' },
    )
    const node = (ref.node = fakeNode({ self, tasks: engine.api }))
    const r = await runStress(node, { tasks: 10, concurrency: 3, taskType: 'embedding' })
    expect(r).toMatchObject({ completed: 6, failed: 2, timed_out: 2 })
    expect(r.failures).toEqual({ inference_failed: 2, timeout: 2 })
    expect(r.latency.samples).toBe(6)
  })

  it('refuses options out of range, naming them', async () => {
    const self = await fakePeer()
    const node = fakeNode({
      self,
      tasks: fakeTasks(
        () => node,
        1,
        () => ({ status: 'COMPLETED' }),
      ).api,
    })
    for (const [options, field] of [
      [{ tasks: 0, concurrency: 1 }, 'tasks'],
      [{ tasks: 10_001, concurrency: 1 }, 'tasks'],
      [{ tasks: 5, concurrency: 0 }, 'concurrency'],
      [{ tasks: 5, concurrency: 1.5 }, 'concurrency'],
      [{ tasks: 5, concurrency: 1, taskType: 'translation' }, 'type'],
    ] as const)
      await expect(runStress(node, options)).rejects.toMatchObject({
        code: 'invalid_debug_option',
        field,
      })
  })

  it('makes short, distinct sentences', () => {
    const all = Array.from({ length: 200 }, (_, i) => sentence(i))
    expect(new Set(all).size).toBe(200)
    expect(all.every((s) => s.length > 10 && s.length < 80)).toBe(true)
  })
})
