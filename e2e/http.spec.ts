/**
 * The HTTP boundaries of the relay and of a headless node: bad requests get a 4xx JSON answer
 * `{error, code, field?}` naming what is wrong, unknown routes a 404 JSON, and nothing a 500.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { HeadlessNode, Relay } from './processes.js'

const APP = join(import.meta.dirname, '..', 'dist', 'app')

interface Answer {
  status: number
  type: string | null
  body: { error?: string; code?: string; field?: string } & Record<string, unknown>
  allow: string | null
}

async function call(
  base: string,
  path: string,
  init: { method?: string; body?: string; type?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body == null ? 'GET' : 'POST'),
    headers: init.body == null ? {} : { 'Content-Type': init.type ?? 'application/json' },
    body: init.body,
  })
  const type = res.headers.get('content-type')
  const text = await res.text()
  return {
    status: res.status,
    type,
    body: type?.startsWith('application/json') === true ? JSON.parse(text) : { text },
    allow: res.headers.get('allow'),
  }
}

function expectError(a: Answer, status: number, code: string, field?: string): void {
  expect(a.type).toMatch(/^application\/json/)
  expect(a.status, JSON.stringify(a.body)).toBe(status)
  expect(a.body.code).toBe(code)
  expect(typeof a.body.error).toBe('string')
  if (field != null) expect(a.body.field).toBe(field)
}

let relay: Relay
let node: HeadlessNode

test.beforeAll(async () => {
  relay = await Relay.create()
  node = await HeadlessNode.create(relay.url)
})

test.afterAll(async () => {
  await node.dispose()
  await relay.dispose()
})

test.describe('relay', () => {
  test('serves the page and its files, and answers 404 JSON for anything else', async () => {
    for (const path of ['/', '/index.html', '/?max_peers=8']) {
      const page = await call(relay.url, path)
      expect(page.status, path).toBe(200)
      expect(page.type).toMatch(/^text\/html/)
    }
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(
      readFileSync(join(APP, 'index.html'), 'utf8'),
    )?.[1]
    expect(asset).toBeDefined()
    expect((await call(relay.url, asset as string)).status).toBe(200)

    // no single-page fallback: a control or API route that does not exist is not the page
    for (const path of ['/status', '/api/nodes', '/no/such/page', '/assets/nope.js'])
      expectError(await call(relay.url, path), 404, 'not_found')
    expectError(await call(relay.url, '/models/no-such-model/config.json'), 404, 'not_found')
  })

  test('a known route with another method is 405 with Allow', async () => {
    const a = await call(relay.url, '/healthz', { method: 'POST', body: '{}' })
    expectError(a, 405, 'method_not_allowed')
    expect(a.allow).toBe('GET')
    expectError(
      await call(relay.url, '/bootstrap.json', { method: 'DELETE' }),
      405,
      'method_not_allowed',
    )
  })

  test('well-formed requests are answered as before', async () => {
    expect((await call(relay.url, '/healthz')).status).toBe(200)
    expect((await call(relay.url, '/readyz')).body).toMatchObject({ status: 'node_ready' })
    const boot = await call(relay.url, '/bootstrap.json')
    expect(boot.status).toBe(200)
    expect(boot.body.peerId).toBe(relay.stdout.match(/Peer ID: (\S+)/)?.[1])
  })
})

test.describe('headless node', () => {
  const bodies: Array<[string, string]> = [
    ['/send', '{"to": "x", "text": '],
    ['/tasks', '{task_type: embedding}'],
  ]

  test('malformed JSON is 400 invalid_json', async () => {
    for (const [path, body] of bodies)
      expectError(await call(node.url, path, { body }), 400, 'invalid_json')
  })

  test('null, an array or a number where an object is expected is 400 invalid_body', async () => {
    for (const path of ['/send', '/tasks'])
      for (const body of ['null', '[]', '[{"to": "x"}]', '42', '"text"'])
        expectError(await call(node.url, path, { body }), 400, 'invalid_body')
  })

  test('a missing or wrong-typed field is 400 naming the field', async () => {
    const send = (body: unknown): Promise<Answer> =>
      call(node.url, '/send', { body: JSON.stringify(body) })
    expectError(await send({ to: 5, text: 'hi' }), 400, 'invalid_body', 'to')
    expectError(await send({ to: node.peerId }), 400, 'invalid_body', 'text')
    expectError(await send({ to: node.peerId, text: { a: 1 } }), 400, 'invalid_body', 'text')
    expectError(await send({ to: node.peerId, text: 'hi', topic: 7 }), 400, 'invalid_body', 'topic')
    const task = (body: unknown): Promise<Answer> =>
      call(node.url, '/tasks', { body: JSON.stringify(body) })
    expectError(await task({ input: 'x' }), 400, 'invalid_body', 'task_type')
    expectError(await task({ task_type: 5, input: 'x' }), 400, 'invalid_body', 'task_type')
    expectError(
      await task({ task_type: 'embedding', input: 'x', timeout_seconds: '10' }),
      400,
      'invalid_body',
      'timeout_seconds',
    )
    expectError(
      await task({ task_type: 'embedding', input: 'x', task_id: 7 }),
      400,
      'invalid_body',
      'task_id',
    )
    expectError(await task({ task_type: 'translation', input: 'x' }), 400, 'unknown_task_type')
    expectError(
      await task({ task_type: 'embedding', input: 'x', task_id: 'nope' }),
      400,
      'invalid_task_id',
    )
  })

  test('a body over the cap is 413 payload_too_large', async () => {
    const big = JSON.stringify({ to: node.peerId, text: 'x'.repeat(3 * 1024 * 1024) })
    for (const path of ['/send', '/tasks'])
      expectError(await call(node.url, path, { body: big }), 413, 'payload_too_large')
  })

  test('bad query parameters are 400 invalid_query naming the parameter', async () => {
    expectError(await call(node.url, '/tasks?limit=abc'), 400, 'invalid_query', 'limit')
    expectError(await call(node.url, '/tasks?limit='), 400, 'invalid_query', 'limit')
    expectError(await call(node.url, '/tasks?offset=-1'), 400, 'invalid_query', 'offset')
    expectError(await call(node.url, '/tasks?limit=2.5'), 400, 'invalid_query', 'limit')
  })

  test('unknown routes are 404 JSON; a known one with another method is 405', async () => {
    for (const path of ['/', '/nope', '/tasks/a/b/c', '/tasks/a/status'])
      expectError(await call(node.url, path), 404, 'not_found')
    expectError(
      await call(node.url, '/tasks/7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b'),
      404,
      'task_not_found',
    )
    const del = await call(node.url, '/tasks', { method: 'DELETE' })
    expectError(del, 405, 'method_not_allowed')
    expect(del.allow).toBe('POST, GET')
  })

  test('a message that cannot be sent says why, with its code', async () => {
    const send = (to: string): Promise<Answer> =>
      call(node.url, '/send', { body: JSON.stringify({ to, text: 'hi' }) })
    expectError(await send('not-a-peer-id'), 400, 'invalid_peer_id')
    // a well-formed peer id nobody knows
    expectError(await send('12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'), 502, 'no_route')
  })

  test('well-formed requests are answered as before', async () => {
    const submitted = await call(node.url, '/tasks', {
      body: JSON.stringify({ task_type: 'embedding', input: 'A man is eating food.' }),
    })
    expect(submitted.status).toBe(202)
    expect(submitted.body).toMatchObject({ status: 'QUEUED', task_type: 'text_embedding' })
    const list = await call(node.url, '/tasks?limit=5&offset=0')
    expect(list.status).toBe(200)
    expect(Array.isArray(list.body)).toBe(true)
    // a non-text input is still a task that fails with its reason, as before
    const bad = await call(node.url, '/tasks', {
      body: JSON.stringify({ task_type: 'embedding', input: 42 }),
    })
    expect(bad.status).toBe(202)
    expect(bad.body).toMatchObject({ status: 'FAILED', error_reason: 'invalid_input_type' })
  })
})
