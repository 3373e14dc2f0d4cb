/**
 * Prometheus metrics of a Node host (FR21.2, first slice): libp2p's own connection, stream and
 * transport series (through @libp2p/prometheus-metrics, on the same registry) and ours, named
 * p2p_ai_*, read from the node at each scrape. A Node host runs one node per process, so one
 * registry per process; @libp2p/prometheus-metrics keeps one metric map per process and would
 * not keep two nodes of one process apart.
 */
import { Counter, Gauge, Registry } from 'prom-client'
import type { NodeApi } from '../src/core/node-api.js'
import type { Route } from './http-json.js'

export function createRegistry(): Registry {
  return new Registry()
}

/** Registers the node's own series on `registry`; their values are read when scraped. */
export function registerNodeMetrics(node: NodeApi, registry: Registry): void {
  const registers = [registry]
  new Gauge({
    name: 'p2p_ai_node_info',
    help: 'This node: its id, role and version (always 1)',
    labelNames: ['node_id', 'role', 'version'],
    registers,
    collect() {
      this.reset()
      const meta = node.metadata()
      this.set({ node_id: node.nodeId ?? '', role: node.role, version: meta.version }, 1)
    },
  })
  new Gauge({
    name: 'p2p_ai_uptime_seconds',
    help: 'Seconds since the node started',
    registers,
    collect() {
      this.set(node.metadata().uptime_seconds ?? 0)
    },
  })
  new Gauge({
    name: 'p2p_ai_peers',
    help: 'Direct mesh peers, by transport and health',
    labelNames: ['transport', 'health'],
    registers,
    collect() {
      this.reset()
      for (const p of node.peers()) this.inc({ transport: p.transport, health: p.health })
    },
  })
  new Gauge({
    name: 'p2p_ai_relays_connected',
    help: 'Relays this node is connected to',
    registers,
    collect() {
      this.set(node.relayStatus().connected.length)
    },
  })
  new Gauge({
    name: 'p2p_ai_memory_bytes',
    help: 'Resident memory of the process, bytes',
    registers,
    collect() {
      this.set(process.memoryUsage().rss)
    },
  })
  // counters since the task engine started: set from its own totals at each scrape
  const total = (
    name: string,
    help: string,
    read: (n: NodeApi) => Array<[Record<string, string>, number]>,
    labelNames: string[] = [],
  ): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset()
        for (const [labels, value] of read(node)) this.inc(labels, value)
      },
    })
  }
  total(
    'p2p_ai_tasks_total',
    'Tasks that ended on this node, by final status',
    (n) => {
      const s = n.tasks?.stats()
      return s == null
        ? []
        : [
            [{ status: 'completed' }, s.completed],
            [{ status: 'failed' }, s.failed],
            [{ status: 'timeout' }, s.timed_out],
          ]
    },
    ['status'],
  )
  total('p2p_ai_inference_calls_total', 'Inference calls made', (n) => [
    [{}, n.tasks?.stats().inference_calls ?? 0],
  ])
  total('p2p_ai_inference_inputs_total', 'Inputs carried by inference calls', (n) => [
    [{}, n.tasks?.stats().inference_inputs ?? 0],
  ])
  total('p2p_ai_inference_seconds_total', 'Time spent in inference calls, seconds', (n) => [
    [{}, (n.tasks?.stats().inference_ms ?? 0) / 1000],
  ])
}

/** GET /metrics: the registry in Prometheus text format. */
export function metricsRoutes(registry: Registry): Record<string, Route> {
  return {
    'GET /metrics': async (_req, res) => {
      const body = await registry.metrics()
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(body)
    },
  }
}
