import { afterEach, describe, expect, it } from 'vitest'
import type { TestNode } from './harness.js'
import { line } from './harness.js'
import { freshLoad } from '../../src/mesh/topology.js'
import { refreshIntervalMs } from '../../src/mesh/topology-gossip.js'
import { TOPOLOGY_TOPIC } from '../../src/core/protocol.js'
import type { Dialable } from '../../src/mesh/dialable.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

describe('topology announcements', () => {
  it('carry neighbours and what AI work a node can take', async () => {
    nodes = await line(3)
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    a.mesh.advertise({
      backend: 'wasm',
      threads: 2,
      task_types: ['text_embedding'],
      embeddings_per_sec: 0,
      measuring: true,
    })
    await expect
      .poll(() => c.mesh.topology.get(a.id)?.capabilities, { timeout: 10_000 })
      .toEqual({
        backend: 'wasm',
        threads: 2,
        task_types: ['text_embedding'],
        embeddings_per_sec: 0,
        measuring: true,
      })
    expect(c.mesh.topology.get(a.id)?.neighbours).toEqual([b.id])
    // once measured, the speed replaces "measuring"
    a.mesh.advertise({
      backend: 'wasm',
      threads: 2,
      task_types: ['text_embedding'],
      embeddings_per_sec: 881,
      measuring: false,
    })
    await expect
      .poll(() => c.mesh.topology.get(a.id)?.capabilities, { timeout: 10_000 })
      .toMatchObject({ embeddings_per_sec: 881, measuring: false })
    // and its live load, fresh while recent
    const load = {
      models: [
        { model: 'local/universal-sentence-encoder-lite', dtype: 'q8', hash: 'ab'.repeat(32) },
      ],
      queue_depth: 12,
      calls_in_flight: 2,
      est_wait_ms: 340,
      tasks_served: 7,
      serving: true,
    }
    a.mesh.advertiseLoad(load)
    await expect
      .poll(() => c.mesh.topology.get(a.id)?.capabilities?.load, { timeout: 10_000 })
      .toEqual(load)
    const record = c.mesh.topology.get(a.id)!
    expect(freshLoad(record)).toEqual(load)
    expect(freshLoad(record, record.updatedAt + 60_000)).toBeUndefined()
  })

  it('say when their author will announce again: later in a larger mesh', async () => {
    nodes = await line(2, { config: { announce_interval_secs: 10 } })
    const [a, b] = nodes as [TestNode, TestNode]
    await expect.poll(() => b.mesh.topology.get(a.id)?.refreshMs, { timeout: 10_000 }).toBe(10_000)
    // a comes to know 40 more nodes (b and itself make 42): 10 s x 42 / 30
    for (let i = 0; i < 40; i++) a.mesh.topology.applyAnnouncement(`far-${i}`, 1n, [])
    a.mesh.advertise({
      backend: 'wasm',
      threads: 1,
      task_types: ['text_embedding'],
      embeddings_per_sec: 1,
      measuring: false,
    })
    await expect
      .poll(() => b.mesh.topology.get(a.id)?.refreshMs, { timeout: 10_000 })
      .toBe(refreshIntervalMs(10_000, 42))
    expect(refreshIntervalMs(10_000, 42)).toBe(14_000)
  })

  it('tell everyone when a node leaves', async () => {
    nodes = await line(3)
    const [a, , c] = nodes as [TestNode, TestNode, TestNode]
    await expect.poll(() => c.mesh.topology.get(a.id) != null, { timeout: 10_000 }).toBe(true)
    a.mesh.goodbye('test')
    await expect.poll(() => c.mesh.topology.get(a.id), { timeout: 5000 }).toBeUndefined()
  })

  it('carry where to dial their author: a node that learns of another this way links to it', async () => {
    // the product announces and dials relayed WebRTC addresses; these nodes, memory ones
    const memory: Dialable = (ma) => ma.getComponents().some((c) => c.name === 'memory')
    nodes = await line(3, { dialable: memory })
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    expect(a.mesh.peers.has(c.id)).toBe(false)
    // a and c are linked to b only; each hears the other's announcement through b, and dials
    await expect
      .poll(() => a.mesh.peers.has(c.id) && c.mesh.peers.has(a.id), { timeout: 15_000 })
      .toBe(true)
    expect(b.mesh.peers.neighbours().sort()).toEqual([a.id, c.id].sort())
  })

  it('are not dialled at addresses the node does not take (by default, only relayed WebRTC)', async () => {
    nodes = await line(3)
    const [a, , c] = nodes as [TestNode, TestNode, TestNode]
    await expect.poll(() => c.mesh.topology.get(a.id) != null, { timeout: 10_000 }).toBe(true)
    expect(a.mesh.peers.has(c.id)).toBe(false)
  })

  it('go out once per change when every subscriber got the first, not again once settled', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    await expect.poll(() => b.mesh.topology.get(a.id) != null, { timeout: 10_000 }).toBe(true)
    // let the link's own announcements (and their follow-ups) pass
    await new Promise((resolve) => setTimeout(resolve, 3500))
    const heard: bigint[] = []
    b.libp2p.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === TOPOLOGY_TOPIC && evt.detail.type === 'signed')
        heard.push(evt.detail.sequenceNumber)
    })
    a.mesh.advertise({
      backend: 'wasm',
      threads: 1,
      task_types: ['text_embedding'],
      embeddings_per_sec: 10,
      measuring: false,
    })
    await expect.poll(() => heard.length, { timeout: 10_000 }).toBe(1)
    // the follow-up would go out 2.5 s after the change: b was reached, so it does not
    await new Promise((resolve) => setTimeout(resolve, 4000))
    expect(heard).toHaveLength(1)
  })
})
