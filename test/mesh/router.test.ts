import { MAX_PAYLOAD_BYTES, MESH_PROTOCOL } from '../../src/core/protocol.js'
import { Envelope } from '../../src/core/proto/mesh.js'
import * as lp from 'it-length-prefixed'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeFrame, MAX_FRAME_BYTES } from '../../src/mesh/codec.js'
import { signEnvelope } from '../../src/mesh/envelope-signature.js'
import type { TestNode } from './harness.js'
import { inbox, line, link, testNode, text, waitForRoute } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

function envelopeFrom(
  a: TestNode,
  b: TestNode,
  id: string,
  over: Partial<Envelope> = {},
): Envelope {
  return {
    id,
    from: a.id,
    to: b.id,
    timestamp: BigInt(Date.now()),
    ttl: 10,
    hops: 0,
    topic: 'chat',
    payload: text('raw'),
    kind: Envelope.Kind.DATA,
    traceparent: '',
    signature: new Uint8Array(0),
    ...over,
  }
}

describe('routed messages', () => {
  it('delivers directly to a neighbour in one hop, with sender, recipient, id and payload', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    const got = inbox(b)
    const d = await a.mesh.send(b.id, 'chat', text('hello'))
    expect(d.hops).toBe(1)
    expect(d.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(got).toEqual([{ from: a.id, text: 'hello', hops: 1 }])
    expect(a.mesh.peers.get(b.id)?.messagesSent).toBe(1)
    expect(b.mesh.peers.get(a.id)?.messagesReceived).toBe(1)
  })

  it('reaches a node with no direct connection hop by hop, and the sender learns the hop count', async () => {
    nodes = await line(5)
    const [a, , , , e] = nodes as TestNode[] as [TestNode, TestNode, TestNode, TestNode, TestNode]
    await waitForRoute(a, e)
    const got = inbox(e)
    const d = await a.mesh.send(e.id, 'chat', text('far away'))
    expect(d.hops).toBe(4)
    expect(got).toEqual([{ from: a.id, text: 'far away', hops: 4 }])
    // b forwarded the message one way and its receipt the other
    expect(nodes[1]?.mesh.stats.router.forwarded).toBe(2)
  })

  it('carries the W3C traceparent it is given hop by hop to the recipient, and refuses a bad one', async () => {
    nodes = await line(3)
    const [a, , c] = nodes as [TestNode, TestNode, TestNode]
    await waitForRoute(a, c)
    const got: Array<string | undefined> = []
    c.mesh.addEventListener('message', (evt) => got.push(evt.detail.traceparent))
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    expect((await a.mesh.send(c.id, 'chat', text('traced'), { traceparent: tp })).hops).toBe(2)
    await a.mesh.send(c.id, 'chat', text('plain'))
    expect(got).toEqual([tp, undefined])
    await expect(
      a.mesh.send(c.id, 'chat', text('x'), { traceparent: 'not-trace-context' }),
    ).rejects.toMatchObject({ code: 'invalid_traceparent' })
  })

  it('drops a message whose TTL runs out, and it never arrives', async () => {
    nodes = await line(4)
    const [a, , c, d] = nodes as [TestNode, TestNode, TestNode, TestNode]
    await waitForRoute(a, d)
    const got = inbox(d)
    await expect(
      a.mesh.send(d.id, 'chat', text('too far'), { ttl: 2, timeoutMs: 1500 }),
    ).rejects.toMatchObject({
      name: 'DeliveryTimeoutError',
    })
    expect(got).toEqual([])
    expect(c.mesh.stats.router.ttl_expired).toBe(1)
  })

  it('fails fast with NoRouteError for a node nobody knows', async () => {
    nodes = await line(2)
    const stranger = await testNode()
    nodes.push(stranger)
    await expect(nodes[0]?.mesh.send(stranger.id, 'chat', text('?'))).rejects.toMatchObject({
      name: 'NoRouteError',
    })
  })

  it('delivers a retransmitted message once and acknowledges it as a duplicate', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    const got = inbox(b)
    const frame = { envelope: envelopeFrom(a, b, '11111111-2222-4333-8444-555555555555') }
    const linkAB = a.mesh.peers.bestLink(b.id)
    linkAB?.send(frame)
    linkAB?.send(frame)
    await expect.poll(() => b.mesh.stats.router.duplicate ?? 0).toBe(1)
    expect(got).toHaveLength(1)
  })

  it('detects a routing loop: the same message from another neighbour is refused', async () => {
    nodes = [await testNode(), await testNode(), await testNode()]
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    await link(a, b)
    await link(a, c)
    await link(b, c)
    const got = inbox(c)
    const env = envelopeFrom(a, c, '99999999-2222-4333-8444-555555555555')
    a.mesh.peers.bestLink(c.id)?.send({ envelope: env })
    await expect.poll(() => got.length).toBe(1)
    // b hands c the same message: a loop (or a second path), not a second delivery
    b.mesh.peers.bestLink(c.id)?.send({ envelope: { ...env, hops: 2 } })
    await expect.poll(() => c.mesh.stats.router.loop ?? 0).toBe(1)
    expect(got).toHaveLength(1)
  })

  it('retries an unacknowledged hop on another path', async () => {
    // a has two ways to d: via b and via c; the one a tries first stops reading
    const timing = { ackTimeoutMs: 400, maxRetries: 1 }
    nodes = [
      await testNode({ timing }),
      await testNode({ timing }),
      await testNode({ timing }),
      await testNode({ timing }),
    ]
    const [a, b, c, d] = nodes as [TestNode, TestNode, TestNode, TestNode]
    await link(a, b)
    await link(a, c)
    await link(b, d)
    await link(c, d)
    await waitForRoute(a, d)
    await expect
      .poll(() => a.mesh.topology.nextHops(a.id, a.mesh.peers.neighbours(), d.id).length)
      .toBe(2)
    // equal ways are taken in peer id order: the silent one is the one every message tries first
    const firstChoice = a.mesh.topology.nextHops(a.id, a.mesh.peers.neighbours(), d.id)[0]
    const [silent, other] = firstChoice === b.id ? [b, c] : [c, b]
    silent.mesh.peers.bestLink(a.id)?.stream.pause() // it no longer reads what a sends: no acks
    const got = inbox(d)
    for (let i = 0; i < 11; i++) {
      const retried = a.mesh.stats.router.retried ?? 0
      const delivery = await a.mesh.send(d.id, 'chat', text(`m${i}`), { timeoutMs: 5000 })
      expect(delivery.hops).toBe(2)
      // its first attempt went unanswered and was retried (a late ack on the retry adds one)
      expect((a.mesh.stats.router.retried ?? 0) - retried).toBeGreaterThanOrEqual(1)
    }
    expect(got.map((m) => m.text)).toEqual(Array.from({ length: 11 }, (_, i) => `m${i}`))
    // the retries went the other way: it carried every message, and its receipt back to a ...
    expect(other.mesh.stats.router.forwarded).toBe(22)
    expect(silent.mesh.stats.router.forwarded ?? 0).toBe(0)
    // ... and the silent one never got a second attempt (two unanswered would have dropped it)
    expect(a.mesh.peers.has(silent.id)).toBe(true)
    expect(a.mesh.stats.router.gave_up ?? 0).toBe(0)
  })

  it('retries a silent neighbour 3 times, then removes it from the active peers', async () => {
    const timing = { ackTimeoutMs: 300 }
    nodes = await line(2, { timing })
    const [a, b] = nodes as [TestNode, TestNode]
    b.mesh.peers.bestLink(a.id)?.stream.pause() // b stops reading: no acks
    const started = Date.now()
    await expect(
      a.mesh.send(b.id, 'chat', text('anyone?'), { timeoutMs: 10_000 }),
    ).rejects.toMatchObject({ name: 'NoRouteError' })
    // first attempt + 3 retries, each after waiting 300 ms for its ack
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 300)
    expect(a.mesh.stats.router.retried).toBe(4)
    expect(a.mesh.stats.router.gave_up).toBe(1)
    expect(a.mesh.peers.has(b.id)).toBe(false)
  })

  it('drops malformed input, counts it, and keeps working', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    const got = inbox(b)
    const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, MESH_PROTOCOL)
    stream.send(lp.encode.single(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))) // not protobuf
    stream.send(encodeFrame({ envelope: envelopeFrom(a, b, 'not-a-uuid') })) // invalid field
    await expect.poll(() => b.mesh.stats.dropped.undecodable ?? 0).toBe(1)
    await expect.poll(() => b.mesh.stats.dropped.invalid_envelope ?? 0).toBe(1)
    // a length prefix over the cap: the stream is reset, the node is fine
    const bad = await a.libp2p.dialProtocol(b.libp2p.peerId, MESH_PROTOCOL)
    bad.send(lp.encode.single(new Uint8Array(MAX_FRAME_BYTES + 1), { maxDataLength: Infinity }))
    await expect.poll(() => b.mesh.stats.dropped.oversized ?? 0).toBe(1)
    const d = await a.mesh.send(b.id, 'chat', text('still fine'))
    expect(d.hops).toBe(1)
    expect(got.map((m) => m.text)).toEqual(['still fine'])
  })

  it('resets a mesh stream left with a partial frame, closes one the peer half-closed, and keeps the link', async () => {
    nodes = await line(2, { timing: { stallMs: 300 } })
    const [a, b] = nodes as [TestNode, TestNode]
    const links = (): number => b.mesh.peers.get(a.id)?.links.size ?? 0
    expect(links()).toBe(1)
    const idle = await a.libp2p.dialProtocol(b.libp2p.peerId, MESH_PROTOCOL)
    const bytes = encodeFrame({
      envelope: envelopeFrom(a, b, '55555555-2222-4333-8444-555555555555'),
    })
    idle.send(bytes.sublist(0, 20))
    await expect.poll(() => b.mesh.stats.dropped.stalled ?? 0).toBe(1)
    await expect.poll(() => idle.status).toBe('reset')
    const half = await a.libp2p.dialProtocol(b.libp2p.peerId, MESH_PROTOCOL)
    await expect.poll(links).toBe(2)
    await half.close()
    await expect.poll(() => half.status).toBe('closed')
    await expect.poll(links).toBe(1)
    expect(b.mesh.stats.dropped.truncated ?? 0).toBe(0)
    expect((await a.mesh.send(b.id, 'chat', text('still linked'))).hops).toBe(1)
  })

  it("refuses at once a payload over the recipient's max_message_bytes, and keeps the link", async () => {
    const a = await testNode()
    const b = await testNode({ config: { max_message_bytes: 64 * 1024 } })
    nodes = [a, b]
    await link(a, b)
    await expect(a.mesh.send(b.id, 'chat', new Uint8Array(100 * 1024))).rejects.toMatchObject({
      name: 'MessageRejectedError',
      by: b.id,
      reason: `payload ${100 * 1024} > ${64 * 1024}`,
    })
    // at once: b refused the one attempt it got, and a took that answer without retrying
    expect(b.mesh.stats.dropped.invalid_envelope).toBe(1)
    expect(a.mesh.stats.router.retried ?? 0).toBe(0)
    expect(a.mesh.stats.router.gave_up ?? 0).toBe(0)
    expect(a.mesh.peers.has(b.id)).toBe(true)
    expect((await a.mesh.send(b.id, 'chat', new Uint8Array(1024))).hops).toBe(1)
  })

  it('refuses a message whose first hop claims another sender', async () => {
    nodes = await line(3)
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    const got = inbox(b)
    // a, linked to b, says the message is from c and comes straight from its sender
    a.mesh.peers
      .bestLink(b.id)
      ?.send({ envelope: envelopeFrom(c, b, '22222222-2222-4333-8444-555555555555') })
    await expect.poll(() => b.mesh.stats.router.rejected ?? 0).toBe(1)
    expect(got).toEqual([])
  })

  it('a forwarder can neither forge nor alter a routed message: its recipient checks the signature', async () => {
    nodes = await line(3)
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    const got = inbox(c)
    // b passes messages to c as if it had forwarded them from a (hops 2)
    const viaB = (envelope: Envelope): void => {
      b.mesh.peers.bestLink(c.id)?.send({ envelope })
    }
    const id = '66666666-2222-4333-8444-555555555555'
    const claimed = envelopeFrom(a, c, id, { hops: 2, payload: text('pay b') })
    viaB(claimed) // unsigned
    viaB({ ...(await signEnvelope(b.privateKey, claimed)) }) // signed, but not by a
    const real = await signEnvelope(a.privateKey, envelopeFrom(a, c, id, { hops: 2 }))
    viaB({ ...real, payload: text('pay b') }) // a's signature, altered payload
    await expect.poll(() => c.mesh.stats.router.forged ?? 0).toBe(3)
    expect(got).toEqual([])
    // the forgeries did not shadow the real message: same id, a's signature, delivered
    viaB(real)
    await expect.poll(() => got).toEqual([{ from: a.id, text: 'raw', hops: 2 }])
    // and a's own messages to c are signed: they arrive over b; one to b, its neighbour, needs none
    const onWire = vi.spyOn(a.mesh.peers.bestLink(b.id)!, 'send')
    const signatureTo = (to: string): number | undefined =>
      onWire.mock.calls.map(([f]) => f.envelope).find((e) => e?.to === to)?.signature.byteLength
    await waitForRoute(a, c)
    expect((await a.mesh.send(c.id, 'chat', text('signed'))).hops).toBe(2)
    expect(signatureTo(c.id)).toBe(64)
    await a.mesh.send(b.id, 'chat', text('direct'))
    expect(signatureTo(b.id)).toBe(0)
    expect(got.map((m) => m.text)).toEqual(['raw', 'signed'])
    expect(c.mesh.stats.router.forged).toBe(3)
  })

  it("refuses a replay from beyond the replay window, even with its sender's signature", async () => {
    nodes = await line(3)
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    const got = inbox(c)
    const old = await signEnvelope(
      a.privateKey,
      envelopeFrom(a, c, '77777777-2222-4333-8444-555555555555', {
        hops: 2,
        timestamp: BigInt(Date.now() - 11 * 60_000),
      }),
    )
    b.mesh.peers.bestLink(c.id)?.send({ envelope: old })
    await expect.poll(() => c.mesh.stats.router.stale ?? 0).toBe(1)
    expect(got).toEqual([])
  })

  it('drops an envelope that arrives with TTL 0, even at its recipient, and keeps the link', async () => {
    nodes = await line(2)
    const [a, b] = nodes as [TestNode, TestNode]
    const got = inbox(b)
    const linkAB = a.mesh.peers.bestLink(b.id)
    linkAB?.send({
      envelope: envelopeFrom(a, b, '33333333-2222-4333-8444-555555555555', { ttl: 0 }),
    })
    await expect.poll(() => b.mesh.stats.router.ttl_expired ?? 0).toBe(1)
    expect(got).toEqual([])
    linkAB?.send({
      envelope: envelopeFrom(a, b, '44444444-2222-4333-8444-555555555555', { ttl: 1 }),
    })
    await expect.poll(() => got.length).toBe(1)
  })

  it('carries the largest payload the protocol allows (4 MiB)', async () => {
    nodes = await line(2, { config: { max_message_bytes: MAX_PAYLOAD_BYTES } })
    const [a, b] = nodes as [TestNode, TestNode]
    const got: number[] = []
    b.mesh.addEventListener('message', (evt) => got.push(evt.detail.payload.byteLength))
    expect((await a.mesh.send(b.id, 'bulk', new Uint8Array(MAX_PAYLOAD_BYTES).fill(1))).hops).toBe(
      1,
    )
    expect(got).toEqual([MAX_PAYLOAD_BYTES])
  })

  it('checks the hop budget before sending', async () => {
    nodes = await line(2)
    await expect(
      nodes[0]?.mesh.send(nodes[1]?.id as string, 'chat', text('x'), { ttl: 17 }),
    ).rejects.toThrow(/ttl must be 1-16/)
    await expect(
      nodes[0]?.mesh.send(nodes[1]?.id as string, 'chat', text('x'), { ttl: 0 }),
    ).rejects.toThrow(/ttl must be 1-16/)
  })

  it('rejects payloads over max_message_bytes before sending', async () => {
    nodes = await line(2, { config: { max_message_bytes: 2048 } })
    await expect(
      nodes[0]?.mesh.send(nodes[1]?.id as string, 'chat', new Uint8Array(2049)),
    ).rejects.toMatchObject({
      name: 'MessageTooLargeError',
    })
  })
})
