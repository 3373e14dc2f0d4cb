import { describe, expect, it } from 'vitest'
import { LOAD_TOPIC, PING_TOPIC } from '../../src/core/debug.js'
import { DeliveryTimeoutError, NoRouteError } from '../../src/core/errors.js'
import type { Delivery } from '../../src/core/types.js'
import { networkTest, resolveTarget, WINDOW } from '../../src/obs/network-test.js'
import { fakeNode, fakePeer } from './fake-node.js'

const sleep = async (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('network test', () => {
  it('pings, then moves payloads with a window in flight; RTT and throughput from what was confirmed', async () => {
    const self = await fakePeer()
    const target = await fakePeer()
    const sent: Array<{ to: string; topic: string; bytes: number }> = []
    let inFlight = 0
    let maxInFlight = 0
    const node = fakeNode({
      self,
      neighbours: [target],
      send: async (to, topic, payload): Promise<Delivery> => {
        sent.push({ to, topic, bytes: payload.byteLength })
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await sleep(topic === PING_TOPIC ? 5 : 10)
        inFlight--
        return { id: String(sent.length), hops: 2, rttMs: 5 }
      },
    })
    const r = await networkTest(node, target.nodeId, { count: 8, bytes: 1000 })
    expect(r.target).toEqual({ peer_id: target.peerId, node_id: target.nodeId })
    expect(r.hops).toBe(2)
    expect(sent.filter((s) => s.topic === PING_TOPIC)).toHaveLength(8)
    expect(sent.filter((s) => s.topic === LOAD_TOPIC).map((s) => s.bytes)).toEqual(
      Array(8).fill(1000),
    )
    expect(sent.every((s) => s.to === target.peerId)).toBe(true)
    expect(maxInFlight).toBe(WINDOW)
    expect(r.rtt.samples).toBe(8)
    expect(r.rtt.lost).toBe(0)
    expect(r.rtt.p50_ms).toBeGreaterThanOrEqual(4)
    expect(r.rtt.p99_ms).toBeGreaterThanOrEqual(r.rtt.p50_ms as number)
    expect(r.throughput.delivered).toBe(8)
    // 8 payloads of 1000 B, 4 at a time, 10 ms each: about 20 ms, so at most 400 kB/s
    expect(r.throughput.bytes_per_sec).toBeGreaterThan(0)
    expect(r.throughput.bytes_per_sec).toBeLessThanOrEqual(8000 / 0.02)
    const expected = 8000 / (r.throughput.duration_ms / 1000)
    expect(Math.abs(r.throughput.bytes_per_sec / expected - 1)).toBeLessThan(0.01)
  })

  it('counts unconfirmed messages as lost, and stops at any other failure', async () => {
    const self = await fakePeer()
    const target = await fakePeer()
    let n = 0
    const lossy = fakeNode({
      self,
      neighbours: [target],
      send: async (to): Promise<Delivery> => {
        if (n++ % 2 === 0) throw new DeliveryTimeoutError('x', to, 100)
        return { id: 'x', hops: 1, rttMs: 1 }
      },
    })
    const r = await networkTest(lossy, target.peerId, { count: 4, bytes: 10 })
    expect(r.rtt).toMatchObject({ sent: 4, lost: 2, loss_rate: 0.5, samples: 2 })
    expect(r.throughput).toMatchObject({ messages: 4, delivered: 2, lost: 2 })

    const unreachable = fakeNode({
      self,
      neighbours: [target],
      send: async (to) => {
        throw new NoRouteError(to)
      },
    })
    await expect(networkTest(unreachable, target.peerId)).rejects.toMatchObject({
      code: 'no_route',
    })
  })

  it('finds a node by node id or peer id, through the topology too', async () => {
    const self = await fakePeer()
    const near = await fakePeer()
    const far = await fakePeer()
    const node = fakeNode({ self, neighbours: [near], distant: [far] })
    expect(resolveTarget(node, near.nodeId)).toEqual({ peerId: near.peerId, nodeId: near.nodeId })
    expect(resolveTarget(node, far.nodeId)).toEqual({ peerId: far.peerId, nodeId: far.nodeId })
    expect(resolveTarget(node, far.peerId).peerId).toBe(far.peerId)
  })

  it('refuses an unknown node, a malformed id and options out of range, naming them', async () => {
    const self = await fakePeer()
    const near = await fakePeer()
    const stranger = await fakePeer()
    const node = fakeNode({ self, neighbours: [near], config: { max_message_bytes: 4096 } })
    await expect(networkTest(node, stranger.nodeId)).rejects.toMatchObject({
      code: 'unknown_node',
      name: 'DebugError',
    })
    await expect(networkTest(node, self.nodeId)).rejects.toMatchObject({ code: 'unknown_node' })
    await expect(networkTest(node, 'not-a-node')).rejects.toMatchObject({
      code: 'invalid_node_id',
      field: 'node',
    })
    for (const [options, field] of [
      [{ count: 0 }, 'count'],
      [{ count: 1001 }, 'count'],
      [{ count: 2.5 }, 'count'],
      [{ bytes: 4097 }, 'bytes'],
      [{ bytes: -1 }, 'bytes'],
      [{ timeoutMs: 10 }, 'timeoutMs'],
    ] as const)
      await expect(networkTest(node, near.nodeId, options)).rejects.toMatchObject({
        code: 'invalid_debug_option',
        field,
      })
  })
})
