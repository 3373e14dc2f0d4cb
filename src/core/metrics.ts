/**
 * Metrics as plain data (FR21.2): what a node reports of itself, what a tab pushes to a relay and
 * what the page's metrics panel draws. Every series of ours is named p2p_ai_* and carries the
 * reporting node's `node_id` label. A Node host renders them in Prometheus text (relay/metrics.ts).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram'

export interface MetricSample {
  /** the series: the family's name, or for a histogram `<family>_bucket`, `_sum` or `_count` */
  name: string
  labels: Record<string, string>
  value: number
}

export interface MetricFamily {
  name: string
  help: string
  type: MetricType
  samples: MetricSample[]
}

/** The prefix every family of ours has; a relay accepts pushed families with it only. */
export const METRIC_PREFIX = 'p2p_ai_'

/** Counts the bytes of one of our protocols' streams, as they go out and come in. */
export type CountBytes = (protocol: 'mesh' | 'task', direction: 'in' | 'out', bytes: number) => void

/** The error codes a failed send is counted under; any other error counts as "failed". */
export const MESSAGE_ERROR_OUTCOMES = [
  'no_route',
  'delivery_timeout',
  'message_too_large',
  'message_rejected',
] as const
/** How a routed message we sent ended: confirmed, or the error's code. */
export type MessageOutcome = 'delivered' | (typeof MESSAGE_ERROR_OUTCOMES)[number] | 'failed'
