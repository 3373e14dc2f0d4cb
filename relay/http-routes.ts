/**
 * HTTP on a Node host's port: health and readiness probes, the relay's bootstrap document, the
 * node's status for the CLI, and (on a relay) the built app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Multiaddr } from '@multiformats/multiaddr'
import sirv from 'sirv'
import { modelsRoutes } from './models.js'
import type { P2PNode } from '../src/node/create-node.js'

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>

export interface HttpRoutesInit {
  node: P2PNode
  /** the built app to serve at / (relay only) */
  appDir?: string
  /** a models folder to serve at /models/ (with /models/manifest.json) */
  modelsDir?: string
  /** extra routes by "METHOD /path" */
  routes?: Record<string, Route>
}

/** Cross-origin isolation lets the inference worker use threads (SharedArrayBuffer). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

export function createHttpHandler(
  init: HttpRoutesInit,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { node } = init
  const routes: Record<string, Route> = {
    'GET /healthz': async (_req, res) => {
      // a public probe: answered from a report at most a second old, so it cannot be used to
      // make the node fsync and sign in a loop
      const last = node.lastHealthReport
      const fresh = last != null && Date.now() - Date.parse(last.timestamp) < 1000
      const report = fresh ? last : await node.health()
      json(res, report.status === 'PASS' ? 200 : 503, report)
    },
    'GET /readyz': (_req, res) => {
      const r = node.readiness()
      json(
        res,
        r.ready ? 200 : 503,
        r.ready
          ? { status: r.status, timestamp: r.timestamp }
          : { status: r.status, state: r.state, timestamp: r.timestamp },
      )
    },
    'GET /metadata': (_req, res) => {
      json(res, 200, node.metadata())
    },
    'GET /bootstrap.json': (req, res) => {
      if (node.peerId == null) {
        json(res, 503, { error: 'node_not_ready' })
        return
      }
      res.setHeader('Access-Control-Allow-Origin', '*')
      json(res, 200, { peerId: node.peerId, multiaddrs: bootstrapAddrs(req, node) })
    },
    ...init.routes,
  }
  const serveApp =
    init.appDir == null ? undefined : sirv(init.appDir, { single: true, etag: true, dev: false })
  const models = init.modelsDir == null ? undefined : modelsRoutes(init.modelsDir)
  if (models != null) routes['GET /models/manifest.json'] = models.manifest
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route =
      routes[`${req.method} ${url.pathname}`] ??
      prefixRoute(routes, `${req.method} ${url.pathname}`)
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v)
    if (route != null) {
      Promise.resolve(route(req, res, url)).catch((err: unknown) => {
        node.log.error('http route failed', { path: url.pathname, error: err as Error })
        if (!res.headersSent) json(res, 500, { error: (err as Error).message })
        else res.end()
      })
      return
    }
    const isGet = req.method === 'GET' || req.method === 'HEAD'
    if (models != null && isGet && url.pathname.startsWith('/models/')) {
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
      models.files(req, res, () => {
        json(res, 404, { error: 'no such model file' })
      })
      return
    }
    if (serveApp != null && isGet) {
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
      serveApp(req, res, () => {
        json(res, 404, { error: 'not found' })
      })
      return
    }
    json(res, 404, { error: 'not found' })
  }
}

/** "GET /tasks/*" answers "GET /tasks/<anything>". */
function prefixRoute(routes: Record<string, Route>, key: string): Route | undefined {
  for (const [pattern, route] of Object.entries(routes)) {
    if (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))) return route
  }
  return undefined
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

/** Reads a JSON request body of at most `limit` bytes. */
export async function readJson(req: IncomingMessage, limit = 2 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
}

export function isLoopback(req: IncomingMessage): boolean {
  const addr = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  return addr === '::1' || /^127\.\d+\.\d+\.\d+$/.test(addr)
}

/**
 * The relay's WebSocket address as the asking client reaches it (from the Host header), then
 * the addresses libp2p listens on: a tab at http://localhost:9000 gets /dns4/localhost/tcp/9000/ws.
 */
function bootstrapAddrs(req: IncomingMessage, node: P2PNode): string[] {
  const out: string[] = []
  const host = req.headers.host
  const secure = req.headers['x-forwarded-proto'] === 'https'
  const m = host == null ? null : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host)
  if (m != null) {
    const name = (m[1] as string).replace(/^\[|\]$/g, '')
    const port = m[2] ?? (secure ? '443' : '80')
    const proto = /^\d+\.\d+\.\d+\.\d+$/.test(name) ? 'ip4' : name.includes(':') ? 'ip6' : 'dns4'
    out.push(`/${proto}/${name}/tcp/${port}/${secure ? 'tls/ws' : 'ws'}/p2p/${node.peerId}`)
  }
  const listening: Multiaddr[] = node.libp2p.getMultiaddrs()
  for (const ma of listening) {
    const s = ma.toString()
    if (!out.includes(s)) out.push(s)
  }
  return out
}
