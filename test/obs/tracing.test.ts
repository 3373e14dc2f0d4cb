/**
 * A node's tracer: W3C trace context in and out, where finished spans go (the store, a served
 * task's list), retention by age on an injected clock, and OTLP/HTTP JSON export to a real HTTP
 * receiver on loopback.
 */
import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SPAN_RETENTION_MS } from '../../src/core/spans.js'
import { newTraceparent, traceIdOf } from '../../src/core/trace.js'
import { silentLogger } from '../../src/obs/logger.js'
import { otlpTracesUrl } from '../../src/obs/otlp.js'
import type { TaskTracerOptions } from '../../src/obs/tracing.js'
import { alignToWindow, extractContext, injectContext, TaskTracer } from '../../src/obs/tracing.js'
import { MemorySpanStore } from '../../src/obs/memory-spans.js'
import { trace } from '@opentelemetry/api'

const TASK = '7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b'
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
const stops: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function tracer(over: Partial<TaskTracerOptions> = {}): Promise<TaskTracer> {
  const t = new TaskTracer({ nodeId: 'node-a', log: silentLogger, ...over })
  await t.start()
  stops.push(async () => t.stop())
  return t
}

describe('trace context', () => {
  it('extracts a traceparent and injects it back unchanged', () => {
    const ctx = extractContext(TP)
    expect(trace.getSpanContext(ctx)).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      isRemote: true,
    })
    expect(injectContext(ctx)).toBe(TP)
    const fresh = newTraceparent()
    expect(injectContext(extractContext(fresh))).toBe(fresh)
  })

  it('carries no context for "", undefined or a malformed traceparent', () => {
    for (const bad of [
      '',
      undefined,
      '00-xyz-b7ad6b7169203331-01',
      '00-' + '0'.repeat(32) + '-b7ad6b7169203331-01',
    ])
      expect(trace.getSpanContext(extractContext(bad))).toBeUndefined()
  })

  it('opens a span as a child of the context it is given, or as a new trace without one', async () => {
    const t = await tracer()
    const child = t.begin(TASK, 'queue', TP)
    expect(traceIdOf(child)).toBe(traceIdOf(TP))
    expect(child).not.toBe(TP)
    t.end(TASK, 'queue')
    const root = t.begin(TASK, 'submit', undefined)
    expect(traceIdOf(root)).not.toBe(traceIdOf(TP))
    t.end(TASK, 'submit', { error: 'timeout' })
    const spans = await t.spans(TASK)
    expect(spans.map((s) => [s.name, s.parent_span_id, s.error])).toEqual([
      ['queue', 'b7ad6b7169203331', undefined],
      ['submit', undefined, 'timeout'],
    ])
  })

  it('keeps the spans of a served task for its result, not in its store', async () => {
    const t = await tracer()
    t.begin(TASK, 'queue', TP, { served: true })
    t.end(TASK, 'queue')
    expect(await t.spans(TASK)).toEqual([])
    const served = t.takeServed(TASK)
    expect(served.map((s) => [s.name, s.node_id, s.trace_id])).toEqual([
      ['queue', 'node-a', traceIdOf(TP)],
    ])
    expect(t.takeServed(TASK)).toEqual([])
  })

  it('takes returned spans of the task trace only, as spans of the node that ran them', async () => {
    const t = await tracer()
    const base = { span_id: '1'.repeat(16), name: 'inference', start_ms: 1, end_ms: 2 }
    t.addRemote(TASK, traceIdOf(TP), 'node-b', [
      { ...base, trace_id: traceIdOf(TP) },
      { ...base, span_id: '2'.repeat(16), trace_id: 'f'.repeat(32) },
    ])
    expect((await t.spans(TASK)).map((s) => [s.span_id, s.node_id])).toEqual([
      ['1'.repeat(16), 'node-b'],
    ])
  })
})

describe('clock alignment of returned spans', () => {
  const at = (start: number, end: number) => ({ start_ms: start, end_ms: end })

  it('leaves spans within the window (give or take 2 ms) as they are', () => {
    const spans = [at(101, 150), at(150, 199)]
    expect(alignToWindow(spans, { start: 100, end: 200 })).toEqual({ spans, shiftMs: 0 })
    expect(alignToWindow([at(99, 201)], { start: 100, end: 200 }).shiftMs).toBe(0)
  })

  it('moves spans from a clock ahead or behind into the middle of the window, keeping their gaps', () => {
    expect(
      alignToWindow([at(10_100, 10_120), at(10_120, 10_160)], { start: 100, end: 200 }),
    ).toEqual({
      spans: [at(120, 140), at(140, 180)],
      shiftMs: -9980,
    })
    expect(alignToWindow([at(0, 40)], { start: 100, end: 200 })).toEqual({
      spans: [at(130, 170)],
      shiftMs: 130,
    })
  })

  it('keeps returned spans of a node whose clock is 10 s ahead inside the transfer, saying by how much', async () => {
    const t = await tracer()
    const now = Date.now()
    t.addRemote(
      TASK,
      traceIdOf(TP),
      'node-b',
      [
        {
          trace_id: traceIdOf(TP),
          span_id: '1'.repeat(16),
          name: 'inference',
          start_ms: now + 10_010,
          end_ms: now + 10_030,
        },
      ],
      { start: now, end: now + 40 },
    )
    const [s] = await t.spans(TASK)
    expect([s?.start_ms, s?.end_ms, s?.attributes]).toEqual([
      now + 10,
      now + 30,
      { 'clock.shift_ms': -10_000 },
    ])
  })
})

describe('span retention', () => {
  it('purges spans older than 48 h at start and on its interval, by the injected clock', async () => {
    const store = new MemorySpanStore()
    let now = Date.now()
    const t = await tracer({ openStore: async () => store, now: () => now, purgeEveryMs: 20 })
    t.begin(TASK, 'submit', undefined)
    t.end(TASK, 'submit')
    await t.flush()
    expect(await store.byTask(TASK)).toHaveLength(1)
    now += SPAN_RETENTION_MS - 1000
    expect(await t.purge()).toBe(0)
    now += 2000
    // the interval purges it: nobody calls purge() here
    await expect.poll(async () => (await store.byTask(TASK)).length).toBe(0)
  })

  it('keeps nothing past the retention it is given', async () => {
    const store = new MemorySpanStore()
    const t = await tracer({
      openStore: async () => store,
      retentionMs: 1000,
      now: () => Date.now() + 5000,
    })
    t.begin(TASK, 'submit', undefined)
    t.end(TASK, 'submit')
    await t.flush()
    expect(await t.purge()).toBe(1)
  })
})

describe('OTLP/HTTP export', () => {
  it('names the traces URL of a base URL and keeps a full one', () => {
    expect(otlpTracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces')
    expect(otlpTracesUrl('http://h:4318/')).toBe('http://h:4318/v1/traces')
    expect(otlpTracesUrl('http://h:4318/v1/traces')).toBe('http://h:4318/v1/traces')
  })

  it('posts the spans as OTLP JSON to a collector on loopback, the returned ones under their node', async () => {
    const received: Array<{ path: string; type: string; body: OtlpBody }> = []
    const server = createServer((req, res) => {
      void readBody(req).then((text) => {
        received.push({
          path: req.url ?? '',
          type: req.headers['content-type'] ?? '',
          body: JSON.parse(text) as OtlpBody,
        })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stops.push(async () => new Promise((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo

    const t = new TaskTracer({
      nodeId: 'node-a',
      log: silentLogger,
      otlpEndpoint: `http://127.0.0.1:${port}`,
    })
    await t.start()
    const root = t.begin(TASK, 'submit', undefined)
    const transfer = t.begin(TASK, 'transfer', root)
    t.end(TASK, 'transfer')
    t.addRemote(TASK, traceIdOf(root), 'node-b', [
      {
        trace_id: traceIdOf(root),
        span_id: 'ab'.repeat(8),
        parent_span_id: transfer.split('-')[2],
        name: 'inference',
        start_ms: Date.now() - 5,
        end_ms: Date.now(),
      },
    ])
    t.end(TASK, 'submit')
    await t.stop()

    expect(received.length).toBeGreaterThan(0)
    expect(
      received.every((r) => r.path === '/v1/traces' && r.type.startsWith('application/json')),
    ).toBe(true)
    const spans = received.flatMap((r) =>
      r.body.resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map((s) => ({
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            node: rs.resource.attributes.find((a) => a.key === 'service.instance.id')?.value
              .stringValue,
          })),
        ),
      ),
    )
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceIdOf(root)]))
    expect(spans.map((s) => `${s.name}@${s.node}`).sort()).toEqual([
      'inference@node-b',
      'submit@node-a',
      'transfer@node-a',
    ])
    expect(spans.find((s) => s.name === 'inference')?.parentSpanId).toBe(transfer.split('-')[2])
  })
})

interface OtlpBody {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }
    scopeSpans: Array<{
      spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }>
    }>
  }>
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
