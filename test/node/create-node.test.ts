/**
 * createNode() end to end on one machine: real storage, identity, libp2p (over the in-memory
 * transport), health, task engine (with a fake inference engine) and mesh. Checks the order parts
 * start and stop in, the rollback of a failed start, a stop during start and a second start.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidTransitionError, PartStartError } from '../../src/core/errors.js'
import type { P2PNode } from '../../src/node/create-node.js'
import { createNode } from '../../src/node/create-node.js'
import type { NodeRole } from '../../src/core/types.js'
import type { ResultsStore } from '../../src/store/results-store.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import { tempDirs } from '../store/temp-dirs.js'
import type { TestHost, TestHostOptions } from './test-host.js'
import { added, deferred, partLog, rejectionOf, resources, testHost, within } from './test-host.js'

const newDir = tempDirs('p2p-ai-create-node-')
let nodes: P2PNode[] = []

// registered after tempDirs' hook, so it runs before it: nodes stop, then their dirs go. A stop
// that hangs fails the test whose node it is, not every test after it.
afterEach(async () => {
  const stopping = nodes.map(async (n) => within(n.stop({ graceMs: 0 }), 'stop()'))
  nodes = []
  const failed = (await Promise.allSettled(stopping)).find((r) => r.status === 'rejected')
  if (failed != null) throw failed.reason
})

async function setup(
  opts: TestHostOptions = {},
  role: NodeRole = 'peer',
): Promise<TestHost & { node: P2PNode }> {
  const t = testHost(await newDir(), opts)
  const node = createNode({ host: t.host, config: t.config, role })
  nodes.push(node)
  return { ...t, node }
}

const PEER_PARTS = [
  'storage',
  'identity',
  'libp2p',
  'health',
  'mesh',
  'tracing',
  'tasks',
  'executor',
  'dispatcher',
  'load',
  'alerts',
]

describe('createNode', () => {
  it('starts a peer with inference part by part, in order, to ACTIVE', async () => {
    const { node, logs } = await setup({ inference: true })
    const diag = await node.start()
    expect(node.state).toBe('ACTIVE')
    expect(diag.components_initialized).toEqual(['config', ...PEER_PARTS])
    expect(diag.any_errors_during_startup).toEqual([])
    expect(partLog(logs, 'part started')).toEqual(PEER_PARTS)
    expect(partLog(logs, 'part stopped')).toEqual([])
    expect(node.nodeId).toEqual(expect.any(String))
    expect(node.metadata()).toMatchObject({
      state: 'ACTIVE',
      role: 'peer',
      platform: 'node',
      node_id: node.nodeId,
      peer_id: node.peerId,
    })
    expect(node.readiness()).toMatchObject({ ready: true, status: 'node_ready', state: 'ACTIVE' })
    expect(node.libp2p.status).toBe('started')
    expect(node.listenAddresses()[0]).toMatch(/^\/memory\/create-node-/)
    expect(node.tasks).toBeDefined()
    expect(node.mesh).toBeDefined()
  })

  it('stops every part in reverse, closes libp2p and storage, and stops once', async () => {
    const { node, logs, storage, engine, results } = await setup({ inference: true })
    await node.start()
    const result = await node.stop()
    expect(result.clean).toBe(true)
    expect(node.state).toBe('STOPPED')
    expect(partLog(logs, 'part stopped')).toEqual([...PEER_PARTS].reverse())
    expect(node.libp2p.status).toBe('stopped')
    expect(storage.calls).toEqual(['flush', 'close'])
    await expect(storage.get('health', 'x')).rejects.toThrow(/closed/)
    expect(engine.calls).toEqual(['start', 'stop'])
    await expect(results[0]?.get('x')).rejects.toThrow(/closed/)
    expect(node.readiness()).toMatchObject({ ready: false, state: 'STOPPED' })

    const again = await node.stop()
    expect(again).toEqual({ clean: true, durationMs: 0 })
    expect(partLog(logs, 'part stopped')).toHaveLength(PEER_PARTS.length)
    expect(storage.calls).toEqual(['flush', 'close'])
  })

  it('rolls back when the third part (libp2p) fails to start', async () => {
    const broken = {
      start: (): void => {
        throw new Error('broken service')
      },
      stop: (): void => {},
    }
    const { node, logs, storage } = await setup({ services: { broken: () => broken } })
    const err = await rejectionOf(node.start())
    expect(err).toBeInstanceOf(PartStartError)
    expect(err).toMatchObject({ part: 'libp2p', code: 'part_start_failed' })
    expect((err as Error).message).toMatch(/broken service/)
    expect(partLog(logs, 'part started')).toEqual(['storage', 'identity'])
    // the failing part releases what it took, then the started ones stop, last first
    expect(partLog(logs, 'part stopped')).toEqual(['libp2p', 'identity', 'storage'])
    expect(node.libp2p.status).toBe('stopped')
    expect(storage.calls).toEqual(['flush', 'close'])
    expect(node.state).toBe('STOPPED')
    const diag = node.startupDiagnostics
    expect(diag?.components_initialized).toEqual(['config', 'storage', 'identity'])
    expect(diag?.any_errors_during_startup).toEqual([expect.stringMatching(/^libp2p.*broken/)])
  })

  it('rolls back when a later part (tasks: the results store) fails to start', async () => {
    const before = resources()
    const openResults = async (): Promise<ResultsStore> => {
      throw new Error('disk on fire')
    }
    const { node, logs, storage, engine } = await setup({ inference: { openResults } })
    const err = await rejectionOf(node.start())
    expect(err).toBeInstanceOf(PartStartError)
    expect(err).toMatchObject({ part: 'tasks', code: 'part_start_failed' })
    expect((err as Error).message).toMatch(/disk on fire/)
    expect(partLog(logs, 'part started')).toEqual([
      'storage',
      'identity',
      'libp2p',
      'health',
      'mesh',
      'tracing',
    ])
    expect(partLog(logs, 'part stopped')).toEqual([
      'tasks',
      'tracing',
      'mesh',
      'health',
      'libp2p',
      'identity',
      'storage',
    ])
    expect(node.libp2p.status).toBe('stopped')
    expect(storage.calls).toEqual(['flush', 'close'])
    expect(engine.calls).toEqual([])
    expect(node.state).toBe('STOPPED')
    expect(node.startupDiagnostics?.any_errors_during_startup).toEqual([
      expect.stringMatching(/disk on fire/),
    ])
    // no timer (health checks, libp2p) or handle outlives the node (the task engine's stop leaves
    // a timer of up to 1 s, its SETTLE_MS race, hence the wait)
    await expect.poll(() => added(before), { timeout: 3000 }).toEqual([])
  })

  it('a stop during start ends the start and stops what had started', async () => {
    const held = deferred<ResultsStore>()
    let asked = false
    const openResults = async (): Promise<ResultsStore> => {
      asked = true
      return held.promise
    }
    const { node, logs, storage } = await setup({ inference: { openResults } })
    const startErr = rejectionOf(node.start())
    await expect.poll(() => asked).toBe(true)
    expect(node.state).toBe('REGISTERING')

    let stopped = false
    const stopping = node.stop().finally(() => {
      stopped = true
    })
    expect(node.state).toBe('SHUTTING_DOWN')
    await new Promise((r) => setTimeout(r, 50))
    expect(stopped).toBe(false) // it waits for the start to give up
    const store = await SqliteResultsStore.open(storage.location)
    held.resolve(store)

    expect(await startErr).toMatchObject({ code: 'node_shutting_down' })
    await within(stopping, 'stop()')
    expect(node.state).toBe('STOPPED')
    expect(partLog(logs, 'part started')).toEqual([
      'storage',
      'identity',
      'libp2p',
      'health',
      'mesh',
      'tracing',
    ])
    expect(partLog(logs, 'part stopped')).toEqual([
      'tasks',
      'tracing',
      'mesh',
      'health',
      'libp2p',
      'identity',
      'storage',
    ])
    expect(node.libp2p.status).toBe('stopped')
    expect(storage.calls).toEqual(['flush', 'close'])
    await expect(store.get('x')).rejects.toThrow(/closed/) // the late store was closed too
  })

  it('alerts (FR22.1): a lone peer fires peers_low once as a node event, listed by alerts()', async () => {
    const t = testHost(await newDir())
    Object.assign(t.config.config, {
      alert_check_interval_secs: 1,
      alert_grace_secs: 0,
      alert_min_peers: 1,
    })
    const node = createNode({ host: t.host, config: t.config })
    nodes.push(node)
    const fired: string[] = []
    node.addEventListener('alert:fire', (evt) => fired.push(evt.detail.rule))
    await node.start()
    await expect.poll(() => fired, { timeout: 5000 }).toEqual(['peers_low'])
    await new Promise((r) => setTimeout(r, 1100)) // another evaluation: no second event
    expect(fired).toEqual(['peers_low'])
    expect(node.alerts()).toMatchObject([
      { rule: 'peers_low', state: 'firing', severity: 'warning', value: 0, threshold: 1 },
    ])
    expect(t.logs.entries.filter((e) => e.msg === 'alert fired')).toMatchObject([
      { level: 'WARN', component: 'node:alerts', alert: 'peers_low' },
    ])
  })

  it('refuses a second start and leaves the running node as it was', async () => {
    const { node, logs } = await setup()
    const diag = await node.start()
    const initialized = [...diag.components_initialized]
    const err = await node.start().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidTransitionError)
    expect(err).toMatchObject({ code: 'invalid_transition', from: 'ACTIVE' })
    expect(node.state).toBe('ACTIVE')
    expect(node.libp2p.status).toBe('started')
    expect(node.startupDiagnostics).toBe(diag)
    expect(diag.components_initialized).toEqual(initialized)
    expect(partLog(logs, 'part started')).toEqual([
      'storage',
      'identity',
      'libp2p',
      'health',
      'mesh',
      'alerts',
    ])
    expect(partLog(logs, 'part stopped')).toEqual([])
    expect(node.readiness().ready).toBe(true)
  })

  it('starts a relay as libp2p, health and relay (no tasks, no mesh)', async () => {
    const { node, logs } = await setup({}, 'relay')
    const diag = await node.start()
    expect(node.state).toBe('ACTIVE')
    const relayParts = [
      'storage',
      'identity',
      'libp2p',
      'health',
      'relay',
      'metrics-inbox',
      'alerts',
    ]
    expect(diag.components_initialized).toEqual(['config', ...relayParts])
    expect(partLog(logs, 'part started')).toEqual(relayParts)
    expect(node.metadata()).toMatchObject({ role: 'relay', state: 'ACTIVE' })
    expect(node.mesh).toBeUndefined()
    expect(node.tasks).toBeUndefined()
    expect(node.libp2p.getProtocols()).toContain('/libp2p/circuit/relay/0.2.0/hop')
    await node.stop()
    expect(partLog(logs, 'part stopped')).toEqual([...relayParts].reverse())
  })
})
