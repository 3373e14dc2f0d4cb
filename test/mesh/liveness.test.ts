import { afterEach, describe, expect, it, vi } from 'vitest'
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
    // b's health as a sees it change, from the first time it is anything but ALIVE (an ack
    // already on its way may still refresh ALIVE before b falls silent)
    const seen: string[] = []
    let listedWhileSlow: boolean | undefined
    // heartbeats a sends b: while b is SLOW they are probes, so a count (not a clock) shows
    // that a kept b as a SLOW neighbour for a while before declaring it DEAD
    const sends = [...(a.mesh.peers.get(b.id)?.links ?? [])].map((l) => vi.spyOn(l, 'send'))
    const heartbeatsSent = (): number =>
      sends.flatMap((s) => s.mock.calls).filter(([frame]) => frame.heartbeat != null).length
    const heartbeatsAt: Partial<Record<string, number>> = {}
    a.mesh.addEventListener('peer:update', (evt) => {
      const { peerId, health } = evt.detail
      if (peerId !== b.id || seen.at(-1) === health) return
      if (seen.length === 0 && health === 'ALIVE') return
      seen.push(health)
      heartbeatsAt[health] = heartbeatsSent()
      if (health === 'SLOW') listedWhileSlow = a.mesh.peers.has(b.id)
    })
    const removals: Array<{ reason: string; healthBefore: string[] }> = []
    a.mesh.addEventListener('peer:remove', (evt) => {
      if (evt.detail.peerId === b.id)
        removals.push({ reason: evt.detail.reason, healthBefore: [...seen] })
    })
    // b goes silent: it neither reads nor writes, on any of its links to a (so not even the
    // goodbye its stop() says goes out, nor the close of its streams, which a would take as
    // leaving), and its stop() ends its own heartbeats
    const silenced = [...(b.mesh.peers.get(a.id)?.links ?? [])]
    expect(silenced.length).toBeGreaterThan(0)
    for (const l of silenced) {
      l.stream.pause()
      vi.spyOn(l, 'send').mockReturnValue(false)
      vi.spyOn(l, 'close').mockResolvedValue()
    }
    await b.mesh.stop()
    // a liveness guard only (SLOW + DEAD take ~1.6 s with these timings); nothing is timed here
    await expect.poll(() => removals.length, { timeout: 15_000 }).toBeGreaterThan(0)
    // SLOW first, and still a neighbour while SLOW; then DEAD, and only then removed, as dead
    expect(removals[0]).toEqual({ reason: 'dead', healthBefore: ['SLOW', 'DEAD'] })
    expect(listedWhileSlow).toBe(true)
    // probed at least once while SLOW (one goes out in the very tick that marks it SLOW)
    expect((heartbeatsAt.DEAD ?? 0) - (heartbeatsAt.SLOW ?? 0)).toBeGreaterThanOrEqual(1)
    expect(a.mesh.peers.has(b.id)).toBe(false)
    expect(a.mesh.peers.neighbours()).not.toContain(b.id)
    // a hangs up on it, and the closing connection does not remove it a second time
    await expect
      .poll(() => a.libp2p.getConnections(b.libp2p.peerId).length, { timeout: 5000 })
      .toBe(0)
    expect(removals).toHaveLength(1)
    expect(seen).toEqual(['SLOW', 'DEAD'])
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
    const healths: string[] = []
    a.mesh.addEventListener('peer:update', (evt) => {
      if (evt.detail.peerId === b.id) healths.push(evt.detail.health)
    })
    const removals: string[] = []
    a.mesh.addEventListener('peer:remove', (evt) => {
      if (evt.detail.peerId === b.id) removals.push(evt.detail.reason)
    })
    b.mesh.goodbye('test')
    // a liveness guard only: with the default timings (3 s to SLOW, 10 s more to DEAD) only the
    // goodbye itself can remove b within it, and the reason says which path removed it
    await expect.poll(() => removals, { timeout: 5000, interval: 10 }).toEqual(['goodbye'])
    expect(a.mesh.peers.has(b.id)).toBe(false)
    // not through the liveness path: b was never SLOW
    expect(healths).not.toContain('SLOW')
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
