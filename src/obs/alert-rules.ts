/**
 * The alert rules (FR22.1) as pure judgements: from what the node measured, each rule says
 * `fire` (past the fire threshold), `clear` (back past the clear threshold, or no data) or
 * `hold` (in between: a firing alert stays, a quiet one stays quiet). The gap between the two
 * thresholds, and the time a condition must stay clear (src/obs/alert-service.ts), keep an alert
 * from flapping around its threshold.
 */
import type { AlertSeverity } from '../core/alerts.js'
import { AlertRule } from '../core/alerts.js'
import type { NodeConfig } from '../core/config.js'

/** What the rules look at, gathered by the alert service at each evaluation. */
export interface AlertInputs {
  /** ms since the node became ACTIVE; undefined before */
  activeMs?: number
  /** a peer of the mesh (a relay has no mesh: no peer or relay rule applies to it) */
  meshMember: boolean
  /** direct mesh peers that are not DEAD */
  peers: number
  /** peers declared DEAD since the previous evaluation, or listed DEAD now */
  deadPeers: string[]
  /** relays are configured (a node that has none cannot miss them) */
  relaysConfigured: number
  /** ms without any relay connected (0 while one is), counted from when the node became ACTIVE */
  relayDownMs: number
  /** memory in use over max_memory_mb; undefined where the platform cannot tell */
  memoryRatio?: number
  /** tasks that ended in the failure-rate window, and how many of them failed or timed out */
  taskWindow?: { ended: number; failed: number }
  /** recent p95 of task queue wait, ms; undefined without data */
  queueWaitP95Ms?: number
}

export type AlertLevel = 'fire' | 'hold' | 'clear'

export interface Verdict {
  level: AlertLevel
  value: number
  message: string
}

export interface RuleSpec {
  rule: AlertRule
  severity: AlertSeverity
  /** the value it fires beyond (below it for peers_low) */
  threshold: number
  /** the value it must come back past to clear */
  clearThreshold: number
  judge(inputs: AlertInputs): Verdict
}

export type AlertConfig = Pick<
  NodeConfig,
  | 'max_memory_mb'
  | 'alert_grace_secs'
  | 'alert_min_peers'
  | 'alert_task_failure_percent'
  | 'alert_task_window_secs'
  | 'alert_task_min_count'
  | 'alert_memory_percent'
  | 'alert_queue_wait_p95_ms'
  | 'alert_relay_unreachable_secs'
>

/** memory_high clears this many points below its threshold (85 % → 80 %, the health WARN level) */
export const MEMORY_CLEAR_POINTS = 5
/** queue_wait_high clears below this share of its limit */
export const QUEUE_WAIT_CLEAR_RATIO = 0.8
/** task_failure_rate clears at this share of its threshold (10 % → 5 %) */
export const FAILURE_CLEAR_RATIO = 0.5

const round1 = (x: number): number => Math.round(x * 10) / 10
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** A value that fires above `threshold` and clears at or below `clear`; no value: clear. */
function above(value: number | undefined, threshold: number, clear: number): AlertLevel {
  if (value == null) return 'clear'
  return value > threshold ? 'fire' : value <= clear ? 'clear' : 'hold'
}

/** The rules, with their thresholds from the config. */
export function alertRules(c: AlertConfig): RuleSpec[] {
  const failureClear = c.alert_task_failure_percent * FAILURE_CLEAR_RATIO
  const memoryClear = Math.max(c.alert_memory_percent - MEMORY_CLEAR_POINTS, 0)
  const queueClear = Math.round(c.alert_queue_wait_p95_ms * QUEUE_WAIT_CLEAR_RATIO)
  const windowMin = round1(c.alert_task_window_secs / 60)
  return [
    {
      rule: AlertRule.PEERS_LOW,
      severity: 'warning',
      threshold: c.alert_min_peers,
      clearThreshold: c.alert_min_peers,
      judge: (i) => {
        const settled = i.activeMs != null && i.activeMs >= c.alert_grace_secs * 1000
        const low = i.meshMember && settled && i.peers < c.alert_min_peers
        return {
          level: low ? 'fire' : 'clear',
          value: i.peers,
          message: `${plural(i.peers, 'mesh peer')}, fewer than ${c.alert_min_peers}: messages and tasks have few routes; check that other nodes are up and reach the relay`,
        }
      },
    },
    {
      rule: AlertRule.PEER_DEAD,
      severity: 'warning',
      threshold: 0,
      clearThreshold: 0,
      judge: (i) => ({
        level: i.deadPeers.length > 0 ? 'fire' : 'clear',
        value: i.deadPeers.length,
        message: `${i.deadPeers.length === 1 ? 'peer' : 'peers'} ${i.deadPeers.join(', ')} stopped answering and ${i.deadPeers.length === 1 ? 'was' : 'were'} declared DEAD; check ${i.deadPeers.length === 1 ? 'that node' : 'those nodes'} and the network between`,
      }),
    },
    {
      rule: AlertRule.TASK_FAILURE_RATE,
      severity: 'critical',
      threshold: c.alert_task_failure_percent,
      clearThreshold: failureClear,
      judge: (i) => {
        const { ended, failed } = i.taskWindow ?? { ended: 0, failed: 0 }
        const rate = ended === 0 ? 0 : round1((failed / ended) * 100)
        // too few tasks for a rate: one failed task out of one is not 100 %
        const enough = ended >= c.alert_task_min_count
        return {
          level: enough ? above(rate, c.alert_task_failure_percent, failureClear) : 'clear',
          value: rate,
          message: `${failed} of ${plural(ended, 'task')} failed or timed out in the last ${windowMin} min (${rate} %, limit ${c.alert_task_failure_percent} %); see their error_reason in "task list"`,
        }
      },
    },
    {
      rule: AlertRule.MEMORY_HIGH,
      severity: 'critical',
      threshold: c.alert_memory_percent,
      clearThreshold: memoryClear,
      judge: (i) => {
        const pct = i.memoryRatio == null ? undefined : round1(i.memoryRatio * 100)
        const mb = Math.round((i.memoryRatio ?? 0) * c.max_memory_mb)
        return {
          level: above(pct, c.alert_memory_percent, memoryClear),
          value: pct ?? 0,
          message: `memory at ${pct ?? '?'} % of max_memory_mb (${mb} of ${c.max_memory_mb} MB, limit ${c.alert_memory_percent} %): lighten the load or raise max_memory_mb`,
        }
      },
    },
    {
      rule: AlertRule.QUEUE_WAIT_HIGH,
      severity: 'warning',
      threshold: c.alert_queue_wait_p95_ms,
      clearThreshold: queueClear,
      judge: (i) => ({
        level: above(i.queueWaitP95Ms, c.alert_queue_wait_p95_ms, queueClear),
        value: Math.round(i.queueWaitP95Ms ?? 0),
        message: `tasks waited ${Math.round(i.queueWaitP95Ms ?? 0)} ms in the queue (p95, limit ${c.alert_queue_wait_p95_ms} ms): this node is overloaded; add nodes or send fewer tasks`,
      }),
    },
    {
      rule: AlertRule.RELAY_UNREACHABLE,
      severity: 'critical',
      threshold: c.alert_relay_unreachable_secs,
      clearThreshold: 0,
      judge: (i) => {
        const secs = Math.floor(i.relayDownMs / 1000)
        const watched = i.meshMember && i.relaysConfigured > 0 && i.activeMs != null
        return {
          level: !watched
            ? 'clear'
            : above(i.relayDownMs, c.alert_relay_unreachable_secs * 1000, 0),
          value: secs,
          message: `no relay connected for ${secs} s (${plural(i.relaysConfigured, 'relay')} configured): new nodes cannot find this one; check that the relay runs and is reachable`,
        }
      },
    },
  ]
}
