/**
 * A relay's side of /p2p-ai/metrics/1.0.0 (FR21.2): tabs push their metrics here every few
 * seconds, and the relay's /metrics shows them beside its own, each under its node id (derived
 * from the pushing connection's peer id, never taken from the push). At most `maxNodes` nodes
 * are kept: a newcomer beyond that drops the one heard from least recently, and the drop is
 * counted. A node not heard from for `staleMs` is forgotten.
 */
import type { Libp2p } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import type { Logger } from '../core/log.js'
import type { MetricFamily } from '../core/metrics.js'
import { nodeIdFromPeerId } from '../core/node-id.js'
import { MetricsAck, MetricsPush } from '../core/proto/metrics.js'
import { METRICS_PROTOCOL } from '../core/protocol.js'
import type { Startable } from '../core/startable.js'
import type { NodeFamilies } from './merge-families.js'
import type { PushRefusal } from './metrics-wire.js'
import { fromWire, PUSH_LIMITS } from './metrics-wire.js'

const TIMEOUT_MS = 5000

export interface MetricsInboxOptions {
  libp2p: Libp2p
  maxNodes: number
  /** a node whose last push is older is forgotten, ms. @default 60000 */
  staleMs?: number
  log: Logger
  now?: () => number
}

interface Entry {
  at: number
  families: MetricFamily[]
}

export class MetricsInbox implements Startable {
  /** insertion order is recency order: a push moves its node to the end */
  private readonly nodes = new Map<string, Entry>()
  private accepted = 0
  private readonly refusals = new Map<PushRefusal | 'undecodable', number>()
  private dropped = 0
  private readonly now: () => number
  private readonly staleMs: number

  constructor(private readonly opts: MetricsInboxOptions) {
    this.now = opts.now ?? Date.now
    this.staleMs = opts.staleMs ?? 60_000
  }

  async start(): Promise<void> {
    await this.opts.libp2p.handle(
      METRICS_PROTOCOL,
      async (stream, connection) => {
        const signal = AbortSignal.timeout(TIMEOUT_MS)
        try {
          const pb = pbStream(stream, { maxDataLength: PUSH_LIMITS.maxBytes })
          let reason: string
          try {
            const push = await pb.read(MetricsPush, {
              signal,
              limits: {
                families: PUSH_LIMITS.families,
                families$: {
                  samples: PUSH_LIMITS.samples,
                  samples$: { labels: PUSH_LIMITS.labels },
                },
              },
            })
            reason = this.receive(nodeIdFromPeerId(connection.remotePeer), push)
          } catch (err) {
            if (signal.aborted) throw err
            reason = this.refuse('undecodable')
          }
          await pb.write({ accepted: reason === '', reason }, MetricsAck, { signal })
          await stream.close({ signal })
        } catch (err) {
          this.opts.log.debug('metrics push failed', { error: err as Error })
          stream.abort(err as Error)
        }
      },
      { maxInboundStreams: 4 },
    )
  }

  async stop(): Promise<void> {
    await this.opts.libp2p.unhandle(METRICS_PROTOCOL).catch(() => {})
    this.nodes.clear()
  }

  /** Keeps a decoded push from `nodeId`; answers "" when kept, else the refusal's reason. */
  receive(nodeId: string, push: MetricsPush): string {
    const families = fromWire(push)
    if (typeof families === 'string') return this.refuse(families)
    this.accepted++
    this.nodes.delete(nodeId)
    this.nodes.set(nodeId, { at: this.now(), families })
    while (this.nodes.size > this.opts.maxNodes) {
      const oldest = this.nodes.keys().next().value as string
      this.nodes.delete(oldest)
      this.dropped++
      this.opts.log.warn('metrics of a node dropped: too many nodes push', {
        dropped_node_id: oldest,
        max: this.opts.maxNodes,
      })
    }
    return ''
  }

  /** The nodes heard from recently, with their families. */
  pushed(): NodeFamilies[] {
    const fresh = this.now() - this.staleMs
    for (const [id, e] of this.nodes) if (e.at < fresh) this.nodes.delete(id)
    return [...this.nodes].map(([nodeId, e]) => ({ nodeId, families: e.families }))
  }

  /** The inbox's own series: pushes by outcome, nodes kept, nodes dropped. */
  families(): MetricFamily[] {
    return [
      {
        name: 'p2p_ai_metrics_pushes_total',
        help: 'Metric pushes received from tabs, by outcome (accepted, or the refusal reason)',
        type: 'counter',
        samples: [
          {
            name: 'p2p_ai_metrics_pushes_total',
            labels: { outcome: 'accepted' },
            value: this.accepted,
          },
          ...[...this.refusals].map(([outcome, value]) => ({
            name: 'p2p_ai_metrics_pushes_total',
            labels: { outcome },
            value,
          })),
        ],
      },
      {
        name: 'p2p_ai_metrics_nodes',
        help: 'Nodes whose pushed metrics this relay shows',
        type: 'gauge',
        samples: [{ name: 'p2p_ai_metrics_nodes', labels: {}, value: this.nodes.size }],
      },
      {
        name: 'p2p_ai_metrics_nodes_dropped_total',
        help: 'Nodes whose metrics were dropped because more than metrics_max_nodes pushed',
        type: 'counter',
        samples: [{ name: 'p2p_ai_metrics_nodes_dropped_total', labels: {}, value: this.dropped }],
      },
    ]
  }

  private refuse(reason: PushRefusal | 'undecodable'): string {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1)
    return reason
  }
}
