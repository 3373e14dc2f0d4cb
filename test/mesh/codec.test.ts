import fc from 'fast-check'
import { damaged } from '../damaged-bytes.js'
import * as lp from 'it-length-prefixed'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { Envelope, Frame } from '../../src/core/proto/mesh.js'
import { FRAME_VERSION, MAX_TTL } from '../../src/core/protocol.js'
import {
  decodeFrame,
  encodeFrame,
  FrameDecoder,
  FrameError,
  frameBody,
  MAX_FRAME_BYTES,
} from '../../src/mesh/codec.js'

const A = '12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy'
const B = '12D3KooWD8BiazQM3HLftb7DGXcLWdaStngccTQ5TYL7biDnpnMc'
const MAX = 4096

function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    id: '6f1c2f9e-3d4b-4a8e-9c7d-0123456789ab',
    from: A,
    to: B,
    timestamp: 1700000000000n,
    ttl: 10,
    hops: 0,
    topic: 'chat',
    payload: new TextEncoder().encode('hello'),
    kind: Envelope.Kind.DATA,
    traceparent: '',
    signature: new Uint8Array(0),
    ...over,
  }
}

/** The frame bytes without the length prefix, as FrameDecoder hands them to decodeFrame. */
function raw(frame: Frame): Uint8Array {
  return Frame.encode(frame)
}

function decodeAll(chunks: Array<Uint8Array | Uint8ArrayList>): Array<Frame | FrameError> {
  const decoder = new FrameDecoder(MAX)
  return chunks.flatMap((c) => [...decoder.push(c)])
}

/** One frame of each kind the mesh protocol has. */
function everyKind(): Array<Omit<Frame, 'version'>> {
  return [
    { envelope: envelope() },
    { ack: { id: envelope().id, status: 'LOOP' as never, delivered: true, reason: '' } },
    {
      heartbeat: {
        nodeId: 'a'.repeat(32),
        timestamp: 5n,
        peerListHash: new Uint8Array(8),
        seq: 7,
        version: '0.1.0',
      },
    },
    {
      heartbeatAck: {
        nodeId: 'b'.repeat(32),
        timestamp: 6n,
        peerListHash: new Uint8Array(8),
        seq: 7,
        version: '0.1.0',
      },
    },
    { peerListRequest: {} },
    { peerList: { peers: [A, B], hash: new Uint8Array(8) } },
    { goodbye: { reason: 'shutdown' } },
  ]
}

describe('mesh frame codec', () => {
  it('round-trips every kind of frame', () => {
    const bodies = everyKind()
    const decoded = decodeAll(bodies.map((b) => encodeFrame(b)))
    expect(decoded.map((f) => (f instanceof FrameError ? f.reason : frameBody(f)))).toEqual([
      'envelope',
      'ack',
      'heartbeat',
      'heartbeatAck',
      'peerListRequest',
      'peerList',
      'goodbye',
    ])
    const env = (decoded[0] as Frame).envelope as Envelope
    expect(new TextDecoder().decode(env.payload)).toBe('hello')
    expect(env.timestamp).toBe(1700000000000n)
  })

  it('reassembles frames split across chunks and splits chunks holding several frames', () => {
    const bytes = new Uint8ArrayList(
      encodeFrame({ envelope: envelope() }),
      encodeFrame({ goodbye: { reason: 'x' } }),
    ).subarray()
    const oneByteAtATime = decodeAll([...bytes].map((b) => Uint8Array.of(b)))
    expect(oneByteAtATime.map((f) => frameBody(f as Frame))).toEqual(['envelope', 'goodbye'])
    expect(decodeAll([bytes]).map((f) => frameBody(f as Frame))).toEqual(['envelope', 'goodbye'])
  })

  it('drops undecodable bytes as undecodable, without throwing', () => {
    const garbage = lp.encode.single(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))
    const [result] = decodeAll([garbage])
    expect(result).toBeInstanceOf(FrameError)
    expect((result as FrameError).reason).toBe('undecodable')
  })

  it('refuses a frame whose length prefix exceeds the cap before buffering it', () => {
    const huge = lp.encode.single(new Uint8Array(MAX_FRAME_BYTES + 1), { maxDataLength: Infinity })
    // only the first 8 bytes arrived: the prefix alone is enough to refuse it
    const decodePrefix = (): unknown[] => [...new FrameDecoder(MAX).push(huge.sublist(0, 8))]
    expect(decodePrefix).toThrowError(FrameError)
    expect(decodePrefix).toThrowError(/^oversized/)
  })

  it('drops frames of another version', () => {
    const result = decodeFrame(raw({ version: 2, goodbye: { reason: 'x' } }), MAX)
    expect((result as FrameError).reason).toBe('wrong_version')
  })

  it('drops frames with no body', () => {
    expect((decodeFrame(raw({ version: 1 }), MAX) as FrameError).reason).toBe('no_body')
  })

  it('keeps only the last body when the wire carries two (protobuf oneof)', () => {
    const two = new Uint8ArrayList(
      raw({ version: 1, peerListRequest: {} }),
      raw({ version: 1, goodbye: { reason: 'x' } }),
    )
    const frame = decodeFrame(two.subarray(), MAX)
    expect(frame).not.toBeInstanceOf(FrameError)
    expect(frameBody(frame as Frame)).toBe('goodbye')
    expect((frame as Frame).peerListRequest).toBeUndefined()
  })

  it.each([
    ['a non-UUID id', { id: 'not-a-uuid' }],
    ['a sender that is not a peer id', { from: 'alice' }],
    ['a recipient that is not a peer id', { to: 'QmNotEd25519' }],
    ['a ttl above the maximum', { ttl: MAX_TTL + 1 }],
    ['hops above the maximum', { hops: MAX_TTL + 1 }],
    ['an empty topic', { topic: '' }],
    ['a topic over 64 characters', { topic: 'x'.repeat(65) }],
    ['a payload over max_message_bytes', { payload: new Uint8Array(MAX + 1) }],
    ['a traceparent that is not W3C trace context', { traceparent: '01-abc' }],
  ])('drops an envelope with %s', (_what, over) => {
    const result = decodeFrame(
      raw({ version: 1, envelope: envelope(over as Partial<Envelope>) }),
      MAX,
    )
    expect(result).toBeInstanceOf(FrameError)
    expect((result as FrameError).reason).toBe('invalid_envelope')
  })

  it('accepts a payload of exactly max_message_bytes', () => {
    const result = decodeFrame(
      raw({ version: 1, envelope: envelope({ payload: new Uint8Array(MAX) }) }),
      MAX,
    )
    expect(result).not.toBeInstanceOf(FrameError)
  })

  it('drops invalid heartbeats, acks and peer lists', () => {
    const hb = {
      nodeId: 'xyz',
      timestamp: 1n,
      peerListHash: new Uint8Array(8),
      seq: 1,
      version: '0.1.0',
    }
    expect((decodeFrame(raw({ version: 1, heartbeat: hb }), MAX) as FrameError).reason).toBe(
      'invalid_heartbeat',
    )
    expect(
      (
        decodeFrame(
          raw({
            version: 1,
            ack: { id: 'x', status: 'ACCEPTED' as never, delivered: false, reason: '' },
          }),
          MAX,
        ) as FrameError
      ).reason,
    ).toBe('invalid_ack')
    const list = { peers: [A, 'nope'], hash: new Uint8Array(8) }
    expect((decodeFrame(raw({ version: 1, peerList: list }), MAX) as FrameError).reason).toBe(
      'invalid_peer_list',
    )
  })
})

describe('mesh frames under fuzzing (fast-check, 10,000 each)', () => {
  const RUNS = { numRuns: 10_000 }

  it('never throws on arbitrary bytes, and accepts only frames with a body that validates', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const out = decodeFrame(bytes, MAX)
        if (!(out instanceof FrameError)) expect(frameBody(out)).toBeDefined()
      }),
      RUNS,
    )
  })

  it('never throws on truncated and bit-flipped frames of every kind, prefix included', () => {
    const valid = everyKind().map((f) => encodeFrame(f).subarray())
    fc.assert(
      fc.property(damaged(valid), (copy) => {
        // a broken length prefix ends the stream (FrameError thrown); nothing else throws
        try {
          for (const f of new FrameDecoder(MAX).push(copy))
            expect(f instanceof FrameError || frameBody(f) != null).toBe(true)
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError)
        }
      }),
      RUNS,
    )
  })

  it('refuses envelopes with absurd TTLs and hop counts, foreign ids, bad topics, traceparents and signatures', () => {
    const bad = fc.oneof(
      fc.record({ ttl: fc.integer({ min: MAX_TTL + 1, max: 0xffffffff }) }),
      fc.record({ hops: fc.integer({ min: MAX_TTL + 1, max: 0xffffffff }) }),
      fc.record({ id: fc.string({ maxLength: 40 }) }),
      fc.record({ from: fc.string({ maxLength: 60 }) }),
      fc.record({ to: fc.string({ maxLength: 60 }) }),
      fc.record({ topic: fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 200 })) }),
      fc.record({ traceparent: fc.string({ minLength: 1, maxLength: 80 }) }),
      fc.record({ payload: fc.uint8Array({ minLength: MAX + 1, maxLength: MAX + 64 }) }),
      fc.record({
        signature: fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 63 }),
          fc.uint8Array({ minLength: 65, maxLength: 200 }),
        ),
      }),
    )
    fc.assert(
      fc.property(bad, (over: Partial<Envelope>) => {
        const env = envelope(over)
        // a generated value that happens to be well formed is not a malformed frame
        const wellFormed =
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(env.id) &&
          [env.from, env.to].every((p) => p === A || p === B) &&
          /^(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})?$/.test(env.traceparent)
        fc.pre(
          !wellFormed ||
            env.ttl > MAX_TTL ||
            env.hops > MAX_TTL ||
            env.topic.length === 0 ||
            env.topic.length > 64 ||
            env.payload.byteLength > MAX ||
            (env.signature.byteLength !== 0 && env.signature.byteLength !== 64),
        )
        const out = decodeFrame(raw({ version: FRAME_VERSION, envelope: env }), MAX)
        expect(out).toBeInstanceOf(FrameError)
        expect((out as FrameError).reason).toBe('invalid_envelope')
      }),
      RUNS,
    )
  })
})
