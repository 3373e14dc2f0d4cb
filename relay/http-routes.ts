/**
 * HTTP on a Node host's port: health and readiness probes, the relay's bootstrap document, the
 * node's control routes for the CLI, the models folder, and (on a relay) the built app. Every
 * answer that is not a file is JSON; errors are `{error, code, field?}` with the status of their
 * code (relay/http-status.ts). Unknown routes are 404 JSON: only files of the app (and `/`, the
 * page) are served from the app folder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import sirv from 'sirv'
import { errorCode, HttpError } from '../src/core/errors.js'
import type { NodeApi } from '../src/core/node-api.js'
import type { Route } from './http-json.js'
import { json, sendError } from './http-json.js'
import { modelsRoutes } from './models.js'

export interface HttpRoutesInit {
  node: NodeApi
  /** the built app to serve at / (relay only) */
  appDir?: string
  /** a models folder to serve at /models/ (with /models/manifest.json) */
  modelsDir?: string
  /** extra routes by "METHOD /path"; a trailing "*" matches a prefix */
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
      if (node.peerId == null) throw new HttpError('node_not_ready', 'the node is still starting')
      res.setHeader('Access-Control-Allow-Origin', '*')
      json(res, 200, { peerId: node.peerId, multiaddrs: bootstrapAddrs(req, node) })
    },
    ...init.routes,
  }
  const serveApp = init.appDir == null ? undefined : sirv(init.appDir, { etag: true, dev: false })
  const models = init.modelsDir == null ? undefined : modelsRoutes(init.modelsDir)
  if (models != null) routes['GET /models/manifest.json'] = models.manifest
  const notFound = (res: ServerResponse, path: string): void => {
    sendError(res, new HttpError('not_found', `nothing at ${path}`))
  }
  return (req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v)
    const url = URL.parse(req.url ?? '/', 'http://localhost')
    if (url == null) {
      sendError(res, new HttpError('not_found', 'not a path'))
      return
    }
    const method = req.method ?? 'GET'
    const route = findRoute(routes, method, url.pathname)
    if (route != null) {
      Promise.resolve(route(req, res, url)).catch((err: unknown) => {
        if (errorCode(err) == null)
          node.log.error('http route failed', { path: url.pathname, error: err as Error })
        if (!res.headersSent) sendError(res, err)
        else res.end()
      })
      return
    }
    const isGet = method === 'GET' || method === 'HEAD'
    const allowed = methodsFor(routes, url.pathname)
    if (allowed.length > 0 && !allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '))
      sendError(
        res,
        new HttpError('method_not_allowed', `${method} is not allowed on ${url.pathname}`),
      )
      return
    }
    if (models != null && isGet && url.pathname.startsWith('/models/')) {
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
      models.files(req, res, () => {
        notFound(res, url.pathname)
      })
      return
    }
    if (serveApp != null && isGet) {
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
      serveApp(req, res, () => {
        notFound(res, url.pathname)
      })
      return
    }
    notFound(res, url.pathname)
  }
}

/** The route for "METHOD /path": exact, else a "METHOD /prefix*" pattern. */
function findRoute(routes: Record<string, Route>, method: string, path: string): Route | undefined {
  const key = `${method} ${path}`
  if (Object.hasOwn(routes, key)) return routes[key]
  for (const [pattern, route] of Object.entries(routes)) {
    if (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))) return route
  }
  return undefined
}

/** Methods that have a route for `path`. */
function methodsFor(routes: Record<string, Route>, path: string): string[] {
  const out = new Set<string>()
  for (const pattern of Object.keys(routes)) {
    const [method, p = ''] = pattern.split(' ')
    if (p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))))
      out.add(method as string)
  }
  return [...out]
}

export function isLoopback(req: IncomingMessage): boolean {
  const addr = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  return addr === '::1' || /^127\.\d+\.\d+\.\d+$/.test(addr)
}

/**
 * The relay's WebSocket address as the asking client reaches it (from the Host header), then
 * the addresses libp2p listens on: a tab at http://localhost:9000 gets /dns4/localhost/tcp/9000/ws,
 * one at https://mesh.test:9000 (a relay with TLS, or behind a TLS proxy) /dns4/mesh.test/tcp/9000/tls/ws.
 */
function bootstrapAddrs(req: IncomingMessage, node: NodeApi): string[] {
  const out: string[] = []
  const host = req.headers.host
  const secure =
    (req.socket as { encrypted?: boolean }).encrypted === true ||
    req.headers['x-forwarded-proto'] === 'https'
  const m = host == null ? null : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host)
  if (m != null) {
    const name = (m[1] as string).replace(/^\[|\]$/g, '')
    const port = m[2] ?? (secure ? '443' : '80')
    const proto = /^\d+\.\d+\.\d+\.\d+$/.test(name) ? 'ip4' : name.includes(':') ? 'ip6' : 'dns4'
    out.push(`/${proto}/${name}/tcp/${port}/${secure ? 'tls/ws' : 'ws'}/p2p/${node.peerId}`)
  }
  for (const s of node.listenAddresses()) {
    if (!out.includes(s)) out.push(s)
  }
  return out
}
