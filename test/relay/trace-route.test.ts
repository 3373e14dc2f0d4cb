/**
 * GET /tasks/:id/trace on a node's HTTP port (a real server on loopback) and the `trace`
 * command over it: the spans as JSON, 400 invalid_task_id for an id that is no UUID, 404
 * task_not_found for a task the node does not know; the command prints the timeline or JSON.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { NodeApi } from '../../src/core/node-api.js'
import type { SpanRecord } from '../../src/core/spans.js'
import { createHttpHandler } from '../../relay/http-routes.js'
import { taskRoutes } from '../../relay/task-routes.js'
import { traceTask } from '../../relay/cli-trace.js'

const KNOWN = '7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b'
const UNKNOWN = '0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9'
const T0 = 1_700_000_000_000
const SPANS: SpanRecord[] = [
  {
    task_id: KNOWN,
    trace_id: 'ab'.repeat(16),
    span_id: '1'.repeat(16),
    name: 'submit',
    node_id: 'submitter',
    start_ms: T0,
    end_ms: T0 + 30,
  },
  {
    task_id: KNOWN,
    trace_id: 'ab'.repeat(16),
    span_id: '2'.repeat(16),
    parent_span_id: '1'.repeat(16),
    name: 'inference',
    node_id: 'executor',
    start_ms: T0 + 10,
    end_ms: T0 + 25,
  },
]

let port = 0
let close: () => Promise<void>

beforeAll(async () => {
  const node = {
    tasks: {
      trace: async (id: string) => (id === KNOWN ? SPANS : undefined),
    },
  } as unknown as NodeApi
  const server = createServer(createHttpHandler({ node, routes: taskRoutes(node) }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  close = async () => new Promise((resolve) => server.close(() => resolve()))
})

afterAll(async () => close())

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Runs the command; its exit code and what it printed. */
async function run(
  args: string[],
  json = false,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s))
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s))
  try {
    const code = await traceTask({ port: String(port), json }, args)
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

describe('GET /tasks/:id/trace', () => {
  it('answers the task spans', async () => {
    expect(await get(`/tasks/${KNOWN}/trace`)).toEqual({
      status: 200,
      body: { task_id: KNOWN, spans: SPANS },
    })
  })

  it('answers 404 task_not_found for a task it does not know', async () => {
    const { status, body } = await get(`/tasks/${UNKNOWN}/trace`)
    expect([status, body.code]).toEqual([404, 'task_not_found'])
  })

  it('answers 400 invalid_task_id for an id that is not a UUID', async () => {
    const { status, body } = await get('/tasks/not-a-task/trace')
    expect([status, body.code]).toEqual([400, 'invalid_task_id'])
  })
})

describe('p2p-ai-agents trace', () => {
  it('prints the timeline, indented by parent', async () => {
    const { code, out } = await run([KNOWN])
    expect(code).toBe(0)
    expect(out.split('\n')).toEqual([
      `Task ${KNOWN}`,
      `Trace ${'ab'.repeat(16)}`,
      'SPAN         NODE          START  DURATION',
      'submit       submitter  +0.00 ms   30.0 ms',
      '  inference  executor   +10.0 ms   15.0 ms',
    ])
  })

  it('prints the spans as JSON with --json', async () => {
    const { code, out } = await run([KNOWN], true)
    expect(code).toBe(0)
    expect(JSON.parse(out)).toEqual({ task_id: KNOWN, spans: SPANS })
  })

  it('says a task is not found, exit 1', async () => {
    expect(await run([UNKNOWN])).toEqual({
      code: 1,
      out: '',
      err: `Task not found (id: ${UNKNOWN})`,
    })
  })

  it('fails on an id that is not a UUID with its code, and on a missing id with usage', async () => {
    await expect(run(['nope'])).rejects.toMatchObject({ code: 'invalid_task_id' })
    await expect(run([])).rejects.toMatchObject({ code: 'usage' })
  })
})
