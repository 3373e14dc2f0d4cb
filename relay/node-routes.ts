/**
 * HTTP routes of a headless peer, read by `p2p-ai-agents node status|peers|send|messages` and
 * `p2p-ai-agents alerts`;
 * answered on loopback only (the probes /healthz, /readyz, /metadata stay public).
 */
import { HttpError } from '../src/core/errors.js'
import type { NodeApi } from '../src/core/node-api.js'
import type { MeshMessage } from '../src/core/types.js'
import { field, json, readObject, sendError } from './http-json.js'
import type { Route } from './http-json.js'
import { isLoopback } from './http-routes.js'
import { taskRoutes } from './task-routes.js'
import type { DebugHostParts } from './debug-routes.js'
import { debugRoutes, nodeDebugTools } from './debug-routes.js'
import { LOAD_TOPIC, PING_TOPIC } from '../src/core/debug.js'
import type { TaskStats } from '../src/core/tasks.js'

export interface NodeStatus {
  node_id?: string
  peer_id?: string
  version: string
  state: string
  uptime_seconds?: number
  connected_peers: number
  memory_bytes: number
  max_memory_mb: number
  cpu_percent: number
  tasks_completed: number
  /** the task engine's counters, when this node runs tasks */
  task_stats?: TaskStats
  last_health_check?: { status: string; timestamp: string; failing?: string }
  relays_connected: number
  port: number
  pid: number
  timestamp: string
}

const MESSAGE_HISTORY = 200

export function nodeRoutes(node: NodeApi, parts: DebugHostParts): Record<string, Route> {
  const received: Array<MeshMessage & { text: string }> = []
  node.addEventListener('message', (evt) => {
    // a network test's pings and payloads are not messages for the operator
    if (evt.detail.topic === PING_TOPIC || evt.detail.topic === LOAD_TOPIC) return
    received.push({ ...evt.detail, text: new TextDecoder().decode(evt.detail.payload) })
    if (received.length > MESSAGE_HISTORY) received.shift()
  })
  let lastCpu = process.cpuUsage()
  let lastAt = performance.now()
  const cpuPercent = (): number => {
    const now = performance.now()
    const usage = process.cpuUsage(lastCpu)
    const pct = ((usage.user + usage.system) / 1000 / Math.max(now - lastAt, 1)) * 100
    lastCpu = process.cpuUsage()
    lastAt = now
    return Math.round(pct * 10) / 10
  }
  const routes: Record<string, Route> = {
    ...taskRoutes(node),
    ...debugRoutes(nodeDebugTools(node, parts)),
    'GET /status': (_req, res) => {
      const meta = node.metadata()
      const health = node.lastHealthReport
      const status: NodeStatus = {
        node_id: node.nodeId,
        peer_id: node.peerId,
        version: meta.version,
        state: meta.state,
        uptime_seconds: meta.uptime_seconds,
        connected_peers: node.peers().length,
        memory_bytes: process.memoryUsage().rss,
        max_memory_mb: node.config.max_memory_mb,
        cpu_percent: cpuPercent(),
        tasks_completed: node.tasks?.stats().completed ?? 0,
        task_stats: node.tasks?.stats(),
        last_health_check:
          health == null
            ? undefined
            : { status: health.status, timestamp: health.timestamp, failing: health.failing },
        relays_connected: node.relayStatus().connected.length,
        port: node.config.network_port,
        pid: process.pid,
        timestamp: meta.timestamp,
      }
      json(res, 200, status)
    },
    'GET /peers': (_req, res) => {
      json(res, 200, node.peers())
    },
    // FR22.1: firing alerts, then those cleared in the last hour (each with its state)
    'GET /alerts': (_req, res) => {
      json(res, 200, node.alerts())
    },
    'GET /messages': (_req, res) => {
      json(
        res,
        200,
        received.map(({ payload: _payload, ...m }) => m),
      )
    },
    'POST /send': async (req, res) => {
      const body = await readObject(req)
      const to = field(body, 'to', 'string', { required: true }) as string
      const text = field(body, 'text', 'string', { required: true }) as string
      const topic = field(body, 'topic', 'string') ?? 'chat'
      json(res, 200, await node.send(to, topic, new TextEncoder().encode(text)))
    },
  }
  // the node's inbox, peers and sending are for its operator: this machine only
  return allLoopbackOnly(routes)
}

/** The relay's own operator routes: its debug tools (loopback only, like a node's). */
export function relayRoutes(node: NodeApi, parts: DebugHostParts): Record<string, Route> {
  return allLoopbackOnly(debugRoutes(nodeDebugTools(node, parts)))
}

function allLoopbackOnly(routes: Record<string, Route>): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [key, loopbackOnly(route)]),
  )
}

/**
 * From this machine, and not from a web page: a page the operator visits could otherwise post to
 * 127.0.0.1 (no preflight for a simple request) or read it through DNS rebinding.
 */
function loopbackOnly(route: Route): Route {
  return (req, res, url) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '')
    if (!isLoopback(req) || !['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      sendError(res, new HttpError('loopback_only', 'only answered on this machine (127.0.0.1)'))
      return
    }
    if (req.headers.origin != null) {
      sendError(res, new HttpError('cross_origin_refused', 'not answered to web pages'))
      return
    }
    if (
      req.method === 'POST' &&
      !(req.headers['content-type'] ?? '').startsWith('application/json')
    ) {
      sendError(
        res,
        new HttpError('unsupported_media_type', 'send JSON (Content-Type: application/json)'),
      )
      return
    }
    return route(req, res, url)
  }
}
