/**
 * Traces through createNode(): a node with `otlp_endpoint` set exports its task spans as
 * OTLP/HTTP JSON to a real receiver on loopback, keeps them in its span store (SQLite, in its
 * storage path) and still has them after a restart.
 */
import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { traceIdOf } from '../../src/core/trace.js'
import type { P2PNode } from '../../src/node/create-node.js'
import { createNode } from '../../src/node/create-node.js'
import { tempDirs } from '../store/temp-dirs.js'
import { testHost, within } from './test-host.js'

const newDir = tempDirs('p2p-ai-node-tracing-')
const stops: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

interface OtlpSpan {
  name: string
  traceId: string
  spanId: string
  parentSpanId?: string
}

async function receiver(): Promise<{ url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = []
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const body = JSON.parse(text) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>
      }
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  stops.push(async () => new Promise((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }
}

async function started(dir: string, otlp = ''): Promise<P2PNode> {
  const t = testHost(dir, { inference: true, config: { otlp_endpoint: otlp } })
  const node = createNode({ host: t.host, config: t.config, role: 'peer' })
  stops.push(async () => {
    await within(node.stop({ graceMs: 0 }), 'stop()')
  })
  await node.start()
  return node
}

describe('traces of a node', () => {
  it('exports a task spans to otlp_endpoint, and keeps them in its store across a restart', async () => {
    const collector = await receiver()
    const dir = await newDir()
    const node = await started(dir, collector.url)
    const record = node.tasks!.submit({ task_type: 'embedding', input: 'hi', placement: 'local' })
    await expect
      .poll(async () => (await node.tasks!.result(record.task_id))?.status)
      .toBe('COMPLETED')
    const spans = (await node.tasks!.trace(record.task_id)) ?? []
    expect(spans.map((s) => s.name).sort()).toEqual(['inference', 'queue', 'store', 'submit'])
    await node.stop()

    const traceId = traceIdOf(record.traceparent ?? '')
    expect(collector.spans.map((s) => s.name).sort()).toEqual([
      'inference',
      'queue',
      'store',
      'submit',
    ])
    expect(new Set(collector.spans.map((s) => s.traceId))).toEqual(new Set([traceId]))
    expect(new Set(collector.spans.map((s) => s.spanId))).toEqual(
      new Set(spans.map((s) => s.span_id)),
    )

    const again = await started(dir)
    expect(await again.tasks!.trace(record.task_id)).toEqual(spans)
  })
})

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
