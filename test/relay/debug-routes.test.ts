/** The debug routes check what they are sent: 400 with a code (and the field) for bad input, 404 for an unknown node. */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugRoutes } from '../../relay/debug-routes.js'
import { createHttpHandler } from '../../relay/http-routes.js'
import type { TaskApi } from '../../src/core/node-api.js'
import { createDebugTools } from '../../src/obs/debug-tools.js'
import type { FakePeer } from '../obs/fake-node.js'
import { fakeNode, fakePeer } from '../obs/fake-node.js'

let server: Server
let base: string
let near: FakePeer
let stranger: FakePeer

beforeAll(async () => {
  const self = await fakePeer()
  near = await fakePeer()
  stranger = await fakePeer()
  const node = fakeNode({
    self,
    neighbours: [near],
    config: { max_message_bytes: 4096 },
    tasks: {
      submit: () => ({}),
      status: async () => undefined,
      list: async () => [],
      stats: () => ({}),
    } as unknown as TaskApi,
  })
  const tools = createDebugTools(node, { platform: 'node' })
  server = createServer(createHttpHandler({ node, routes: debugRoutes(tools) }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('POST /debug/network-test', () => {
  it('answers a report for a known node', async () => {
    const r = await post('/debug/network-test', { node: near.nodeId, count: 3, bytes: 100 })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ target: { peer_id: near.peerId }, rtt: { sent: 3, lost: 0 } })
  })

  it.each([
    ['no body', 'not json', 400, 'invalid_json', undefined],
    ['an array', [], 400, 'invalid_body', undefined],
    ['no node', {}, 400, 'invalid_body', 'node'],
    ['a node that is not text', { node: 42 }, 400, 'invalid_body', 'node'],
    ['a malformed node id', { node: 'zz' }, 400, 'invalid_node_id', 'node'],
    ['a count that is text', { node: 'x', count: '5' }, 400, 'invalid_body', 'count'],
    ['no pings', { node: 'n', count: 0 }, 400, 'invalid_debug_option', 'count'],
    [
      'a payload over max_message_bytes',
      { node: 'n', bytes: 5000 },
      400,
      'invalid_debug_option',
      'bytes',
    ],
  ])('refuses %s', async (_what, body, status, code, field) => {
    const b = body as Record<string, unknown>
    if (b.node === 'n') b.node = near.nodeId
    const r = await post('/debug/network-test', body)
    expect(r.status).toBe(status)
    expect(r.body.code).toBe(code)
    expect(r.body.field).toBe(field)
    expect(typeof r.body.error).toBe('string')
  })

  it('answers 404 unknown_node for a node the mesh does not know', async () => {
    const r = await post('/debug/network-test', { node: stranger.nodeId })
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ code: 'unknown_node', field: 'node' })
    expect(r.body.error).toContain(stranger.nodeId)
  })
})

describe('POST /debug/stress', () => {
  it.each([
    ['no tasks', { concurrency: 2 }, 'invalid_body', 'tasks'],
    ['no concurrency', { tasks: 2 }, 'invalid_body', 'concurrency'],
    ['zero tasks', { tasks: 0, concurrency: 2 }, 'invalid_debug_option', 'tasks'],
    ['too many in flight', { tasks: 5, concurrency: 1000 }, 'invalid_debug_option', 'concurrency'],
    [
      'an unknown task type',
      { tasks: 5, concurrency: 1, task_type: 'nope' },
      'invalid_debug_option',
      'type',
    ],
    [
      'a run timeout of 0',
      { tasks: 5, concurrency: 1, run_timeout_seconds: 0 },
      'invalid_debug_option',
      'run_timeout_seconds',
    ],
  ])('refuses %s with 400', async (_what, body, code, field) => {
    const r = await post('/debug/stress', body)
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code, field })
  })
})

describe('GET /debug/snapshot', () => {
  it('answers the snapshot', async () => {
    const res = await fetch(`${base}/debug/snapshot`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      snapshot_version: 1,
      platform: 'node',
      peers: [{ peerId: near.peerId }],
    })
  })
})
