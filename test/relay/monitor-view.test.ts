import { describe, expect, it } from 'vitest'
import type { TaskRecord } from '../../src/core/tasks.js'
import type { PeerInfo } from '../../src/core/types.js'
import type { MonitorFrame } from '../../relay/monitor-view.js'
import { alertsOf, renderMonitor } from '../../relay/monitor-view.js'
import type { NodeStatus } from '../../relay/node-routes.js'

const AT = Date.parse('2026-12-01T02:00:00Z')

const status: NodeStatus = {
  node_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  peer_id: '12D3KooWSelf',
  version: '0.1.0',
  state: 'ACTIVE',
  uptime_seconds: 125,
  connected_peers: 2,
  memory_bytes: 150 * 1048576,
  max_memory_mb: 512,
  cpu_percent: 3.5,
  tasks_completed: 7,
  task_stats: {
    completed: 7,
    failed: 1,
    timed_out: 0,
    inference_calls: 4,
    inference_inputs: 8,
    inference_ms: 90,
    queued: 0,
    running: 0,
  },
  last_health_check: { status: 'PASS', timestamp: '2026-12-01T01:59:55Z' },
  relays_connected: 1,
  port: 9100,
  pid: 42,
  timestamp: '2026-12-01T02:00:00Z',
}

const peer = (nodeId: string, health: PeerInfo['health']): PeerInfo => ({
  peerId: `12D3KooW${nodeId}`,
  nodeId,
  transport: 'websocket',
  health,
  remoteAddr: '/ip4/127.0.0.1/tcp/9000/ws',
  connectedAt: AT - 60_000,
  lastHeartbeat: AT - 3000,
  rttMs: 1.25,
  messagesSent: 10,
  messagesReceived: 12,
})

const task = {
  task_id: 't-1',
  task_type: 'text_embedding',
  status: 'COMPLETED',
  execution_time_ms: 42,
} as TaskRecord

function frame(more: Partial<MonitorFrame> = {}): MonitorFrame {
  return {
    at: AT,
    port: 9100,
    status,
    peers: [peer('n1', 'ALIVE'), peer('n2', 'SLOW')],
    tasks: [task],
    ...more,
  }
}

describe('node monitor frame', () => {
  it('shows state, health, memory, tasks, each peer and recent tasks', () => {
    const text = renderMonitor(frame())
    expect(text).toContain(`node monitor: ${status.node_id} on port 9100  2026-12-01T02:00:00Z`)
    expect(text).toContain('State ACTIVE   Uptime 2m 5s   Peers 2   Relays 1')
    expect(text).toContain('Health PASS 5s ago   Memory 150 / 512 MB   CPU 3.5 %')
    expect(text).toContain('Tasks  7 completed, 1 failed, 0 timed out, 4 inference calls')
    expect(text).toContain('Peers (2)')
    expect(text).toMatch(/n1\s+websocket\s+ALIVE\s+1\.3 ms\s+10\/12\s+3s ago/)
    expect(text).toMatch(/n2\s+websocket\s+SLOW/)
    expect(text).toMatch(/t-1\s+text_embedding\s+COMPLETED\s+42 ms/)
    expect(text.endsWith('Ctrl-C to quit')).toBe(true)
  })

  it('leaves the alerts out when the node has none to tell, and lists them when it has', () => {
    expect(renderMonitor(frame())).not.toContain('Alerts')
    expect(renderMonitor(frame({ alerts: [] }))).toContain('Alerts (0)\n  none firing')
    const text = renderMonitor(
      frame({
        alerts: [
          {
            name: 'low_peers',
            severity: 'warn',
            message: 'fewer than 2 peers',
            since: '2026-12-01T01:58:00Z',
          },
        ],
      }),
    )
    expect(text).toContain(
      'Alerts (1)\n  [WARN] low_peers: fewer than 2 peers (since 2026-12-01T01:58:00Z)',
    )
  })

  it('says when there are no peers, and when the node cannot be read', () => {
    expect(renderMonitor(frame({ peers: [] }))).toContain('Peers (0)\n  No connected peers')
    const down = renderMonitor({ at: AT, port: 9100, error: 'no running node on port 9100' })
    expect(down).toContain('!! node unreachable: no running node on port 9100')
    expect(down).not.toContain('State')
  })

  it('keeps to the width, and prints no terminal escape a peer could slip in', () => {
    const text = renderMonitor(
      frame({ tasks: [{ ...task, task_type: 'x\u001b[2Jy' } as unknown as TaskRecord] }),
      40,
    )
    expect(text.split('\n').every((l) => l.length <= 40)).toBe(true)
    expect(text).not.toContain('\u001b')
    // a terminal that tells no width still gets a readable frame
    expect(renderMonitor(frame(), 0)).toContain('State ACTIVE')
  })

  it('reads the alerts of the shapes a node may answer', () => {
    expect(alertsOf([{ name: 'dead_peer', severity: 'error' }])).toEqual([
      { name: 'dead_peer', severity: 'error', message: undefined, since: undefined },
    ])
    expect(
      alertsOf({ alerts: [{ rule: 'memory_high', message: 'memory 90 %', fired_at: 'x' }] }),
    ).toEqual([{ name: 'memory_high', severity: undefined, message: 'memory 90 %', since: 'x' }])
    expect(alertsOf({ active: [] })).toEqual([])
    expect(alertsOf(undefined)).toBeUndefined()
    expect(alertsOf({ error: 'nothing at /alerts', code: 'not_found' })).toBeUndefined()
  })
})
