/**
 * Alerts (FR22.1) as a part of the node: every alert_check_interval_secs it gathers what the
 * rules look at (src/obs/alert-rules.ts) and judges each. An alert fires once, when its rule says
 * `fire` (an event, and a log line at WARN or ERROR by severity); it stays firing while its
 * condition holds or sits between the fire and clear thresholds; it clears (an event, a log line
 * at INFO) once the rule has said `clear` at every evaluation for alert_clear_secs.
 */
import type { Alert, AlertRule } from '../core/alerts.js'
import type { NodeConfig } from '../core/config.js'
import type { NodeEvents } from '../core/events.js'
import type { Logger } from '../core/log.js'
import type { NodeApi } from '../core/node-api.js'
import type { Startable } from '../core/startable.js'
import type { AlertInputs, RuleSpec, Verdict } from './alert-rules.js'
import { alertRules } from './alert-rules.js'
import { FailureWindow } from './failure-window.js'

/** What the service reads from the node. */
export type AlertedNode = Pick<
  NodeApi,
  'activeSince' | 'peers' | 'relayStatus' | 'tasks' | 'addEventListener' | 'removeEventListener'
>

export type AlertServiceConfig = Pick<
  NodeConfig,
  'relays' | 'alert_check_interval_secs' | 'alert_clear_secs'
> &
  Parameters<typeof alertRules>[0]

export interface AlertServiceOptions {
  node: AlertedNode
  config: AlertServiceConfig
  /** a peer of the mesh; a relay has no mesh peers or relays to miss */
  meshMember: boolean
  /** bytes in use, or undefined where the platform cannot tell (the health check's probe) */
  memoryBytes(): number | undefined
  log: Logger
  /** an alert fired or cleared */
  onChange(alert: Alert): void
  /** the clock, ms since the epoch. @default Date.now */
  now?: () => number
}

/** Cleared alerts kept for alerts(), newest first. */
export const CLEARED_KEPT = 20
/** A cleared alert is listed this long after it cleared, ms. */
export const CLEARED_KEPT_MS = 60 * 60 * 1000

/** Peer removals that mean the peer stopped answering (not a goodbye or a closed connection). */
const DEATHS = new Set(['dead', 'unresponsive'])

interface RuleState {
  spec: RuleSpec
  firing?: Alert
  /** since when the rule has said `clear` at every evaluation, while firing */
  clearSince?: number
}

export class AlertService implements Startable {
  private readonly rules: RuleState[]
  private readonly window: FailureWindow
  private cleared: Alert[] = []
  private deaths = new Set<string>()
  private lastRelayAt?: number
  private timer?: ReturnType<typeof setInterval>
  private readonly now: () => number

  constructor(private readonly opts: AlertServiceOptions) {
    this.now = opts.now ?? Date.now
    this.rules = alertRules(opts.config).map((spec) => ({ spec }))
    this.window = new FailureWindow(opts.config.alert_task_window_secs * 1000)
  }

  private readonly onPeerRemove = (evt: NodeEvents['peer:remove']): void => {
    if (DEATHS.has(evt.detail.reason)) this.deaths.add(evt.detail.peerId)
  }

  start(): void {
    if (this.timer != null) return
    this.opts.node.addEventListener('peer:remove', this.onPeerRemove)
    // the failure rate's baseline: tasks that ended before the alerts started do not count
    const stats = this.opts.node.tasks?.stats()
    this.window.reset()
    if (stats != null) this.window.add(this.now(), stats)
    this.timer = setInterval(() => {
      try {
        this.evaluate()
      } catch (err) {
        this.opts.log.error('alert evaluation failed', { error: err as Error })
      }
    }, this.opts.config.alert_check_interval_secs * 1000)
  }

  /** A node shutting down is no news: no evaluation (and no clearing) from here on. */
  beforeStop(): void {
    clearInterval(this.timer)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.opts.node.removeEventListener('peer:remove', this.onPeerRemove)
  }

  /** Firing alerts in the order they fired, then those cleared in the last hour, newest first. */
  alerts(now = this.now()): Alert[] {
    this.cleared = this.cleared.filter(
      (a) => now - Date.parse(a.cleared_at ?? '') < CLEARED_KEPT_MS,
    )
    const firing = this.rules
      .map((r) => r.firing)
      .filter((a): a is Alert => a != null)
      .sort((a, b) => a.fired_at.localeCompare(b.fired_at))
    return [...firing, ...this.cleared].map((a) => ({ ...a }))
  }

  /** Judges every rule now (the timer calls it). */
  evaluate(now = this.now()): void {
    const inputs = this.gather(now)
    for (const state of this.rules) this.apply(state, state.spec.judge(inputs), now)
  }

  /** What the rules look at, read from the node now. */
  private gather(now: number): AlertInputs {
    const { node, config } = this.opts
    const activeSince = node.activeSince()
    const peers = node.peers()
    const dead = new Set([
      ...this.deaths,
      ...peers.filter((p) => p.health === 'DEAD').map((p) => p.peerId),
    ])
    this.deaths.clear()
    const relays = node.relayStatus().connected.length
    if (relays > 0) this.lastRelayAt = now
    const relaySince = Math.max(this.lastRelayAt ?? 0, activeSince ?? now)
    const stats = node.tasks?.stats()
    const memory = this.opts.memoryBytes()
    return {
      activeMs: activeSince == null ? undefined : now - activeSince,
      meshMember: this.opts.meshMember,
      peers: peers.length - peers.filter((p) => p.health === 'DEAD').length,
      deadPeers: [...dead].sort(),
      relaysConfigured: config.relays.length,
      relayDownMs: relays > 0 ? 0 : Math.max(now - relaySince, 0),
      memoryRatio: memory == null ? undefined : memory / (config.max_memory_mb * 1024 * 1024),
      taskWindow: stats == null ? undefined : this.window.add(now, stats),
      queueWaitP95Ms: stats?.queue_wait_p95_ms,
    }
  }

  private apply(state: RuleState, verdict: Verdict, now: number): void {
    const { spec } = state
    const alert = state.firing
    if (alert == null) {
      if (verdict.level === 'fire') this.fire(state, verdict, now)
      return
    }
    if (verdict.level === 'fire') {
      alert.value = verdict.value
      alert.message = verdict.message
    }
    if (verdict.level !== 'clear') {
      state.clearSince = undefined
      return
    }
    state.clearSince ??= now
    if (now - state.clearSince < this.opts.config.alert_clear_secs * 1000) return
    state.firing = undefined
    state.clearSince = undefined
    const cleared: Alert = {
      ...alert,
      state: 'cleared',
      value: verdict.value,
      cleared_at: new Date(now).toISOString(),
    }
    this.cleared = [cleared, ...this.cleared].slice(0, CLEARED_KEPT)
    this.opts.log.info('alert cleared', {
      alert: spec.rule,
      value: verdict.value,
      clear_threshold: spec.clearThreshold,
      fired_at: alert.fired_at,
    })
    this.opts.onChange({ ...cleared })
  }

  private fire(state: RuleState, verdict: Verdict, now: number): void {
    const { spec } = state
    const alert: Alert = {
      rule: spec.rule,
      severity: spec.severity,
      state: 'firing',
      message: verdict.message,
      value: verdict.value,
      threshold: spec.threshold,
      clear_threshold: spec.clearThreshold,
      fired_at: new Date(now).toISOString(),
    }
    state.firing = alert
    state.clearSince = undefined
    const fields = {
      alert: spec.rule,
      severity: spec.severity,
      value: verdict.value,
      threshold: spec.threshold,
      detail: verdict.message,
    }
    if (spec.severity === 'critical') this.opts.log.error('alert fired', fields)
    else this.opts.log.warn('alert fired', fields)
    this.opts.onChange({ ...alert })
  }

  /** The firing alert of `rule`, if any. */
  firing(rule: AlertRule): Alert | undefined {
    const alert = this.rules.find((r) => r.spec.rule === rule)?.firing
    return alert == null ? undefined : { ...alert }
  }
}
