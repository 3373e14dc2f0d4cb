/**
 * GET /metrics of a Node host (FR21.2), in Prometheus text: libp2p's own connection, stream and
 * transport series and the process's (through @libp2p/prometheus-metrics, on one registry per
 * process: it keeps one metric map per process and would not keep two nodes of one process
 * apart), then the node's own p2p_ai_* families (NodeApi.metrics(): on a relay, with those its
 * tabs pushed, each under its node_id).
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client'
import { Registry } from 'prom-client'
import type { MetricFamily } from '../src/core/metrics.js'
import type { NodeApi } from '../src/core/node-api.js'
import type { Route } from './http-json.js'

export function createRegistry(): Registry {
  return new Registry()
}

/** The families in Prometheus text, written by prom-client (its escaping and layout). */
export async function familiesText(families: MetricFamily[]): Promise<string> {
  const registry = new Registry()
  for (const f of families) {
    const values: Array<MetricValue<string>> = f.samples.map((s) => ({
      metricName: s.name,
      labels: s.labels,
      value: s.value,
    }))
    const family = {
      name: f.name,
      help: f.help,
      type: f.type,
      values,
      aggregator: 'sum',
    } as unknown as MetricObjectWithValues<MetricValue<string>>
    // a family as prom-client's registry reads one: `name` and `get()`
    registry.registerMetric({ name: f.name, get: async () => family } as never)
  }
  return families.length === 0 ? '' : registry.metrics()
}

/** A Node host's whole exposition: libp2p's and the process's series, then the node's own. */
export async function metricsText(registry: Registry, node: NodeApi): Promise<string> {
  return (await registry.metrics()) + (await familiesText(await node.metrics()))
}

/** GET /metrics */
export function metricsRoutes(registry: Registry, node: NodeApi): Record<string, Route> {
  return {
    'GET /metrics': async (_req, res) => {
      const body = await metricsText(registry, node)
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(body)
    },
  }
}
