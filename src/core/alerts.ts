/**
 * Alerts (FR22.1): the rules a node watches, and an alert as its API, its events, the CLI and
 * the page see it. Thresholds are config fields (`alert_*`, src/core/config.ts). Dependency-free.
 */

/** The conditions a node watches. prometheus/alerts.yml has the same ones over the metrics. */
export const AlertRule = {
  /** fewer direct mesh peers than alert_min_peers, once the node has been ACTIVE a while */
  PEERS_LOW: 'peers_low',
  /** a direct peer was declared DEAD (no answer to heartbeats, or unresponsive to routing) */
  PEER_DEAD: 'peer_dead',
  /** tasks that failed or timed out, over alert_task_failure_percent of those in the window */
  TASK_FAILURE_RATE: 'task_failure_rate',
  /** memory use over alert_memory_percent of max_memory_mb */
  MEMORY_HIGH: 'memory_high',
  /** the recent 95th percentile of task queue wait over alert_queue_wait_p95_ms */
  QUEUE_WAIT_HIGH: 'queue_wait_high',
  /** relays configured, none connected for alert_relay_unreachable_secs */
  RELAY_UNREACHABLE: 'relay_unreachable',
} as const
export type AlertRule = (typeof AlertRule)[keyof typeof AlertRule]
export const ALERT_RULES: readonly AlertRule[] = Object.values(AlertRule)

/** `warning` is logged at WARN, `critical` at ERROR (the Prometheus rules use the same labels). */
export type AlertSeverity = 'warning' | 'critical'

/** An alert is `firing` from when its condition is met until it has been clear long enough. */
export type AlertState = 'firing' | 'cleared'

export interface Alert {
  rule: AlertRule
  severity: AlertSeverity
  state: AlertState
  /** what is wrong, with the figures, and what to look at */
  message: string
  /** while firing, the latest value past the threshold; once cleared, the value it cleared at */
  value: number
  /** the value it fires beyond */
  threshold: number
  /** it clears once the value is back past this (and stays so for alert_clear_secs) */
  clear_threshold: number
  /** ISO timestamps */
  fired_at: string
  cleared_at?: string
}
