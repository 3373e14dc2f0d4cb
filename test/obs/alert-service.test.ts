/**
 * The alert rules (FR22.1) on a fake node with the test's own clock: each rule fires once (one
 * event, one log line at WARN or ERROR), stays firing while its condition holds or sits between
 * its fire and clear thresholds, and clears (INFO) only once the condition has been clear for
 * alert_clear_secs: values going back and forth around a threshold do not make it flap.
 */
import { TypedEventEmitter } from 'main-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Alert } from '../../src/core/alerts.js'
import type { NodeConfig } from '../../src/core/config.js'
import type { NodeEvents } from '../../src/core/events.js'
import type { LogEntry } from '../../src/core/log.js'
import type { TaskApi } from '../../src/core/node-api.js'
import type { TaskStats } from '../../src/core/tasks.js'
import type { PeerHealth, PeerInfo } from '../../src/core/types.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import { AlertService } from '../../src/obs/alert-service.js'
import { createLogger } from '../../src/obs/logger.js'

const S = 1000
const MB = 1024 * 1024

class FakeNode extends TypedEventEmitter<NodeEvents> {
  active: number | undefined = 0
  peerList: PeerInfo[] = []
  relays: string[] = []
  stats?: TaskStats

  activeSince(): number | undefined {
    return this.active
  }

  peers(): PeerInfo[] {
    return this.peerList
  }

  relayStatus(): { connected: string[] } {
    return { connected: this.relays }
  }

  get tasks(): TaskApi | undefined {
    const stats = this.stats
    return stats == null ? undefined : ({ stats: () => stats } as unknown as TaskApi)
  }

  setPeers(n: number, health: PeerHealth = 'ALIVE'): void {
    this.peerList = Array.from({ length: n }, (_, i) => peer(`peer-${i}`, health))
  }
}

function peer(peerId: string, health: PeerHealth = 'ALIVE'): PeerInfo {
  return {
    peerId,
    nodeId: peerId,
    transport: 'webrtc',
    health,
    remoteAddr: '',
    connectedAt: 0,
    messagesSent: 0,
    messagesReceived: 0,
  }
}

function stats(completed: number, failed = 0, timedOut = 0, p95?: number): TaskStats {
  return {
    completed,
    failed,
    timed_out: timedOut,
    inference_calls: 0,
    inference_inputs: 0,
    inference_ms: 0,
    queued: 0,
    running: 0,
    queue_wait_p95_ms: p95,
  }
}

function setup(
  config: Partial<NodeConfig> = {},
  opts: { meshMember?: boolean; peers?: number; clock?: () => number } = {},
) {
  const node = new FakeNode()
  node.setPeers(opts.peers ?? 3)
  const logs: LogEntry[] = []
  const events: Alert[] = []
  const memory: { bytes?: number } = {}
  const clock = { t: 0 }
  const service = new AlertService({
    node,
    config: { ...DEFAULT_CONFIG, max_memory_mb: 100, ...config },
    meshMember: opts.meshMember ?? true,
    memoryBytes: () => memory.bytes,
    log: createLogger({ level: 'DEBUG', sinks: [(e) => logs.push(e)], component: 'node:alerts' }),
    onChange: (a) => events.push(a),
    now: opts.clock ?? (() => clock.t),
  })
  /** evaluates at each of `times` (seconds) */
  const at = (...times: number[]): void => {
    for (const t of times) {
      clock.t = t * S
      service.evaluate()
    }
  }
  const alertLogs = (rule: string): Array<[string, string]> =>
    logs.filter((l) => l.alert === rule).map((l) => [l.level, l.msg])
  const firing = (): string[] =>
    service
      .alerts()
      .filter((a) => a.state === 'firing')
      .map((a) => a.rule)
  return { node, service, logs, events, memory, at, alertLogs, firing }
}

const seq = (from: number, to: number, step = 5): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

afterEach(() => {
  vi.useRealTimers()
})

describe('peers_low', () => {
  it('waits for the grace period, fires once, and clears once the peers have been back for alert_clear_secs', () => {
    const t = setup({}, { peers: 1 })
    t.at(...seq(0, 55))
    expect(t.events).toEqual([]) // within alert_grace_secs (60) of ACTIVE
    t.at(...seq(60, 120))
    expect(t.events.map((e) => [e.rule, e.state, e.severity, e.value, e.threshold])).toEqual([
      ['peers_low', 'firing', 'warning', 1, 2],
    ])
    expect(t.events[0]?.message).toMatch(/^1 mesh peer, fewer than 2: /)
    expect(t.alertLogs('peers_low')).toEqual([['WARN', 'alert fired']])
    t.node.setPeers(2)
    t.at(125, 150) // clear for 25 s: not yet
    expect(t.firing()).toEqual(['peers_low'])
    t.at(155) // clear for 30 s
    expect(t.firing()).toEqual([])
    expect(t.events.map((e) => [e.rule, e.state])).toEqual([
      ['peers_low', 'firing'],
      ['peers_low', 'cleared'],
    ])
    expect(t.alertLogs('peers_low')).toEqual([
      ['WARN', 'alert fired'],
      ['INFO', 'alert cleared'],
    ])
    const [cleared] = t.service.alerts()
    expect(cleared).toMatchObject({
      rule: 'peers_low',
      state: 'cleared',
      value: 2,
      fired_at: new Date(60 * S).toISOString(),
      cleared_at: new Date(155 * S).toISOString(),
    })
  })

  it('does not flap while the peer count goes back and forth around the minimum', () => {
    const t = setup({}, { peers: 1 })
    for (const time of seq(60, 600)) {
      t.node.setPeers(time % 10 === 0 ? 1 : 2) // never clear for 30 s in a row
      t.at(time)
    }
    expect(t.events.map((e) => e.state)).toEqual(['firing'])
    expect(t.firing()).toEqual(['peers_low'])
  })

  it('counts DEAD peers out, and never fires on a relay or with alert_min_peers 0', () => {
    const t = setup({}, { peers: 3 })
    t.node.setPeers(3, 'DEAD')
    t.at(60)
    expect(t.firing()).toContain('peers_low')
    const relay = setup({}, { meshMember: false, peers: 0 })
    relay.at(...seq(0, 600))
    expect(relay.events).toEqual([])
    const off = setup({ alert_min_peers: 0 }, { peers: 0 })
    off.at(...seq(0, 600))
    expect(off.events).toEqual([])
  })

  it('does not fire before the node is ACTIVE', () => {
    const t = setup({ alert_grace_secs: 0 }, { peers: 0 })
    t.node.active = undefined
    t.at(...seq(0, 300))
    expect(t.events).toEqual([])
  })
})

describe('peer_dead', () => {
  it('fires once when peers are declared DEAD, not when one says goodbye, and clears after alert_clear_secs', () => {
    vi.useFakeTimers()
    const t = setup()
    t.service.start() // listens to peer removals
    t.node.safeDispatchEvent('peer:remove', { detail: { peerId: 'p-gone', reason: 'goodbye' } })
    t.node.safeDispatchEvent('peer:remove', {
      detail: { peerId: 'p-closed', reason: 'connection closed' },
    })
    t.at(5)
    expect(t.events).toEqual([])
    t.node.safeDispatchEvent('peer:remove', { detail: { peerId: 'p-b', reason: 'dead' } })
    t.node.safeDispatchEvent('peer:remove', { detail: { peerId: 'p-a', reason: 'unresponsive' } })
    t.at(10)
    expect(t.events.map((e) => [e.rule, e.state, e.value])).toEqual([['peer_dead', 'firing', 2]])
    expect(t.events[0]?.message).toMatch(/^peers p-a, p-b stopped answering/)
    // another death while firing: no second event, the hold starts again
    t.at(15, 20)
    t.node.safeDispatchEvent('peer:remove', { detail: { peerId: 'p-c', reason: 'dead' } })
    t.at(25, 30, 55)
    expect(t.firing()).toEqual(['peer_dead'])
    t.at(60)
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'cleared'])
    t.service.stop()
  })

  it('fires on a peer listed DEAD', () => {
    const t = setup()
    t.node.peerList = [peer('p-1'), peer('p-2', 'DEAD')]
    t.at(5)
    expect(t.service.firing('peer_dead')).toMatchObject({ value: 1 })
  })
})

describe('task_failure_rate', () => {
  it('needs alert_task_min_count tasks: one failed task of one is not 100 %', () => {
    const t = setup()
    t.node.stats = stats(0)
    t.at(0)
    t.node.stats = stats(0, 1)
    t.at(5)
    t.node.stats = stats(5, 3, 1) // 4 of 9
    t.at(10)
    expect(t.events).toEqual([])
  })

  it('fires above 10 % (ERROR), holds between 5 and 10 %, clears at 5 % or below', () => {
    const t = setup()
    t.node.stats = stats(0)
    t.at(0)
    t.node.stats = stats(16, 2, 2) // 4 of 20: 20 %
    t.at(5)
    expect(t.events.map((e) => [e.rule, e.severity, e.value])).toEqual([
      ['task_failure_rate', 'critical', 20],
    ])
    expect(t.alertLogs('task_failure_rate')).toEqual([['ERROR', 'alert fired']])
    t.node.stats = stats(46, 2, 2) // 4 of 50: 8 %
    t.at(...seq(10, 120))
    expect(t.firing()).toEqual(['task_failure_rate'])
    expect(t.service.firing('task_failure_rate')?.value).toBe(20) // the last value past the threshold
    t.node.stats = stats(76, 2, 2) // 4 of 80: 5 %
    t.at(125, 150)
    expect(t.firing()).toEqual(['task_failure_rate'])
    t.at(155)
    expect(t.events.map((e) => [e.state, e.value])).toEqual([
      ['firing', 20],
      ['cleared', 5],
    ])
  })

  it('counts only the last alert_task_window_secs: old failures age out', () => {
    const t = setup()
    t.node.stats = stats(0)
    t.at(0)
    t.node.stats = stats(8, 4) // 4 of 12
    t.at(...seq(5, 300))
    expect(t.firing()).toEqual(['task_failure_rate'])
    t.at(305) // the failures at 0-5 s are now older than the window: nothing ended since
    t.at(...seq(310, 335))
    expect(t.firing()).toEqual([])
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'cleared'])
  })
})

describe('memory_high', () => {
  it('fires above 85 % of max_memory_mb, holds down to 80 %, clears below it', () => {
    const t = setup({ alert_clear_secs: 10 })
    const pct = (p: number): void => {
      t.memory.bytes = p * MB // max_memory_mb 100
    }
    pct(80)
    t.at(0)
    pct(86)
    t.at(5)
    // back and forth across 85 %: one alert
    for (const time of seq(10, 200)) {
      pct(time % 10 === 0 ? 84 : 87)
      t.at(time)
    }
    pct(82)
    t.at(...seq(205, 300))
    expect(t.events.map((e) => [e.rule, e.state, e.severity, e.value])).toEqual([
      ['memory_high', 'firing', 'critical', 86],
    ])
    expect(t.events[0]?.message).toMatch(/^memory at 86 % of max_memory_mb \(86 of 100 MB/)
    pct(80)
    t.at(305, 310)
    expect(t.firing()).toEqual(['memory_high'])
    t.at(315)
    expect(t.events.map((e) => [e.state, e.value])).toEqual([
      ['firing', 86],
      ['cleared', 80],
    ])
    expect(t.alertLogs('memory_high')).toEqual([
      ['ERROR', 'alert fired'],
      ['INFO', 'alert cleared'],
    ])
  })

  it('says nothing where memory cannot be measured', () => {
    const t = setup()
    t.at(...seq(0, 100))
    expect(t.events).toEqual([])
  })
})

describe('queue_wait_high', () => {
  it('fires above alert_queue_wait_p95_ms, holds down to 80 % of it, clears below', () => {
    const t = setup({ alert_queue_wait_p95_ms: 10_000, alert_clear_secs: 0 })
    t.node.stats = stats(0)
    t.at(0) // no data yet
    t.node.stats = stats(0, 0, 0, 12_000)
    t.at(5)
    t.node.stats = stats(0, 0, 0, 9_000)
    t.at(10)
    t.node.stats = stats(0, 0, 0, 11_000)
    t.at(15)
    expect(t.events.map((e) => [e.rule, e.state, e.severity, e.value])).toEqual([
      ['queue_wait_high', 'firing', 'warning', 12_000],
    ])
    t.node.stats = stats(0, 0, 0, 8_000)
    t.at(20)
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'cleared'])
    expect(t.events[1]).toMatchObject({ threshold: 10_000, clear_threshold: 8_000 })
  })

  it('no data (queue_wait_p95_ms undefined) clears', () => {
    const t = setup({ alert_queue_wait_p95_ms: 10_000, alert_clear_secs: 0 })
    t.node.stats = stats(0, 0, 0, 20_000)
    t.at(0)
    t.node.stats = stats(0)
    t.at(5)
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'cleared'])
  })
})

describe('relay_unreachable', () => {
  it('fires once no relay has been connected for alert_relay_unreachable_secs, clears once one is', () => {
    const t = setup({ relays: ['http://127.0.0.1:9000'] })
    t.node.relays = ['relay-1']
    t.at(0, 5)
    t.node.relays = []
    t.at(...seq(10, 65))
    expect(t.events).toEqual([]) // down 60 s: not over the limit yet
    t.at(70)
    expect(t.events.map((e) => [e.rule, e.severity, e.value])).toEqual([
      ['relay_unreachable', 'critical', 65],
    ])
    t.node.relays = ['relay-1']
    t.at(75, 90)
    t.node.relays = [] // a blip: the hold starts again
    t.at(95)
    t.node.relays = ['relay-1']
    t.at(...seq(100, 125))
    expect(t.firing()).toEqual(['relay_unreachable'])
    t.at(130)
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'cleared'])
  })

  it('counts from when the node became ACTIVE, and watches only a mesh peer with relays configured', () => {
    const t = setup({ relays: ['http://127.0.0.1:9000'] })
    t.node.active = 100 * S
    t.at(100, 150, 160)
    expect(t.events).toEqual([])
    t.at(161)
    expect(t.firing()).toEqual(['relay_unreachable'])
    const none = setup({ relays: [] })
    none.at(...seq(0, 600))
    expect(none.firing()).toEqual([])
    const relay = setup({ relays: ['http://127.0.0.1:9000'] }, { meshMember: false })
    relay.at(...seq(0, 600))
    expect(relay.firing()).toEqual([])
  })
})

describe('AlertService', () => {
  it('evaluates every alert_check_interval_secs between start and stop', () => {
    vi.useFakeTimers()
    const t = setup(
      { alert_check_interval_secs: 2, alert_grace_secs: 0 },
      { peers: 0, clock: () => Date.now() },
    )
    t.node.active = Date.now()
    t.service.start()
    vi.advanceTimersByTime(1999)
    expect(t.events).toEqual([])
    vi.advanceTimersByTime(1)
    expect(t.firing()).toEqual(['peers_low'])
    t.service.stop()
    t.node.setPeers(2)
    vi.advanceTimersByTime(120_000)
    expect(t.firing()).toEqual(['peers_low'])
    // stopped: peer removals are no longer listened to
    t.node.safeDispatchEvent('peer:remove', { detail: { peerId: 'p', reason: 'dead' } })
    t.service.start()
    vi.advanceTimersByTime(2000)
    expect(t.service.firing('peer_dead')).toBeUndefined()
  })

  it('stops evaluating once the node shuts down (beforeStop): nothing clears on the way out', () => {
    vi.useFakeTimers()
    const t = setup(
      { alert_check_interval_secs: 1, alert_grace_secs: 0, alert_clear_secs: 0 },
      { peers: 0, clock: () => Date.now() },
    )
    t.node.active = Date.now()
    t.service.start()
    vi.advanceTimersByTime(1000)
    expect(t.firing()).toEqual(['peers_low'])
    t.service.beforeStop()
    t.node.active = undefined // SHUTTING_DOWN
    vi.advanceTimersByTime(10_000)
    expect(t.events.map((e) => e.state)).toEqual(['firing'])
    t.service.stop()
  })

  it('keeps cleared alerts for an hour, newest first, after the firing ones', () => {
    const t = setup({ alert_clear_secs: 0 }, { peers: 0 })
    t.at(60)
    t.node.setPeers(2)
    t.at(65)
    t.memory.bytes = 90 * MB
    t.at(70)
    expect(t.service.alerts().map((a) => [a.rule, a.state])).toEqual([
      ['memory_high', 'firing'],
      ['peers_low', 'cleared'],
    ])
    expect(t.service.alerts((65 + 3599) * S).map((a) => a.rule)).toEqual([
      'memory_high',
      'peers_low',
    ])
    expect(t.service.alerts((65 + 3600) * S).map((a) => a.rule)).toEqual(['memory_high'])
  })

  it('hands out copies: a caller cannot change an alert', () => {
    const t = setup({}, { peers: 0 })
    t.at(60)
    const [a] = t.service.alerts()
    ;(a as Alert).state = 'cleared'
    expect(t.firing()).toEqual(['peers_low'])
  })
})
