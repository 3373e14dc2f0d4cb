import { afterEach, describe, expect, it } from 'vitest'
import { agentVersion } from '../../src/core/version.js'
import { createLogger, MemorySink } from '../../src/obs/logger.js'
import type { TestNode } from './harness.js'
import { link, testNode } from './harness.js'
import { multiaddr } from '@multiformats/multiaddr'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

const fast = { heartbeatIntervalMs: 300, slowAfterMs: 300, deadAfterMs: 1000, probeIntervalMs: 100 }

describe('heartbeats and peer health', () => {
  it('marks a peer that stops answering SLOW, then DEAD, then removes it', async () => {
    nodes = [await testNode({ timing: fast }), await testNode({ timing: fast })]
    const [a, b] = nodes as [TestNode, TestNode]
    await link(a, b)
    const seen: string[] = []
    a.mesh.addEventListener('peer:update', (evt) => {
      if (evt.detail.peerId === b.id && seen.at(-1) !== evt.detail.health)
        seen.push(evt.detail.health)
    })
    const removed = new Promise<string>((resolve) => {
      a.mesh.addEventListener('peer:remove', (evt) => {
        resolve(evt.detail.reason)
      })
    })
    // b goes silent: it neither reads nor writes
    b.mesh.peers.bestLink(a.id)?.stream.pause()
    await b.mesh.stop()
    const started = Date.now()
    expect(await removed).toBe('dead')
    expect(seen).toEqual(['SLOW', 'DEAD'])
    // SLOW within interval + slowAfter, DEAD deadAfter later
    expect(Date.now() - started).toBeLessThan(
      fast.heartbeatIntervalMs + fast.slowAfterMs + fast.deadAfterMs + 500,
    )
  })

  it('records the last heartbeat and round-trip time of a live peer', async () => {
    nodes = [await testNode({ timing: fast }), await testNode({ timing: fast })]
    const [a, b] = nodes as [TestNode, TestNode]
    await link(a, b)
    await expect
      .poll(() => a.mesh.list().find((p) => p.peerId === b.id)?.lastHeartbeat)
      .toBeGreaterThan(0)
    const info = a.mesh.list().find((p) => p.peerId === b.id)
    expect(info?.health).toBe('ALIVE')
    expect(info?.version).toBe('0.1.0')
    expect(info?.rttMs).toBeGreaterThanOrEqual(0)
  })

  it('syncs the peer list when a heartbeat hash differs from what it holds', async () => {
    nodes = [
      await testNode({ timing: fast }),
      await testNode({ timing: fast }),
      await testNode({ timing: fast }),
    ]
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    await link(a, b)
    await link(b, c)
    await expect.poll(() => a.mesh.topology.get(b.id)?.neighbours).toEqual([a.id, c.id].sort())
    // a's view of b goes wrong, in a way gossip cannot repair (a far-future sequence number):
    // only the heartbeat hash mismatch and the peer-list request it triggers can
    const syncs = a.mesh.stats.peerListSyncs
    a.mesh.topology.applyAnnouncement(b.id, BigInt(Number.MAX_SAFE_INTEGER), [])
    await expect.poll(() => a.mesh.stats.peerListSyncs, { timeout: 3000 }).toBeGreaterThan(syncs)
    await expect
      .poll(() => a.mesh.topology.get(b.id)?.neighbours, { timeout: 3000 })
      .toEqual([a.id, c.id].sort())
  })

  it('warns when it has fewer than 2 peers, and looks harder', async () => {
    const logs = new MemorySink()
    const lonely = await testNode({ log: createLogger({ level: 'INFO', sinks: [logs.sink] }) })
    nodes = [lonely]
    await expect
      .poll(() => logs.entries.find((e) => e.msg.startsWith('fewer than 2 mesh peers')), {
        timeout: 3000,
      })
      .toMatchObject({ level: 'WARN', peers: 0 })
  })

  it('hangs up on a peer whose mesh link is lost, so it is redialled rather than left outside the mesh', async () => {
    nodes = [await testNode(), await testNode()]
    const [a, b] = nodes as [TestNode, TestNode]
    await link(a, b)
    a.mesh.peers.bestLink(b.id)?.abort('test')
    await expect
      .poll(() => a.libp2p.getConnections(b.libp2p.peerId).length, { timeout: 3000 })
      .toBe(0)
    expect(a.mesh.peers.has(b.id)).toBe(false)
  })

  it('removes a peer at once when it says goodbye', async () => {
    nodes = [await testNode(), await testNode()]
    const [a, b] = nodes as [TestNode, TestNode]
    await link(a, b)
    const started = Date.now()
    b.mesh.goodbye('test')
    await expect.poll(() => a.mesh.peers.has(b.id), { timeout: 2000, interval: 10 }).toBe(false)
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('refuses a peer of an incompatible version and logs why', async () => {
    const future = await testNode({
      userAgent: agentVersion('node', 'peer').replace('/0.1.0', '/0.2.0'),
    })
    const a = await testNode()
    nodes = [a, future]
    await a.libp2p.dial(multiaddr(future.addr)).catch(() => {})
    await expect.poll(() => a.mesh.stats.incompatible, { timeout: 5000 }).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 300))
    expect(a.mesh.peers.has(future.id)).toBe(false)
    expect(
      a.libp2p.getConnections().filter((c) => c.remotePeer.equals(future.libp2p.peerId)),
    ).toEqual([])
  })
})
