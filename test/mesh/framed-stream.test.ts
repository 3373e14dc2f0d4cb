/**
 * A peer cannot hold a framed stream open for nothing: a partial frame that stops making
 * progress resets the stream, and a peer that closes its side gets ours closed. Real libp2p
 * streams (a connected pair), fake timers for the stall clock.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FrameError } from '../../src/core/errors.js'
import { Envelope } from '../../src/core/proto/mesh.js'
import type { Frame } from '../../src/mesh/codec.js'
import { encodeFrame, FrameDecoder } from '../../src/mesh/codec.js'
import { FramedStream } from '../../src/mesh/framed-stream.js'
import { taskCodec } from '../../src/compute/task-wire.js'

const PEER = '12D3KooWGRUVh7XGmNQJ2qaJ5bB3KQjP4LMq8hvFRfnVZ8ZUz5Qp'
const STALL_MS = 5000

const frame = (): Omit<Frame, 'version'> => ({
  envelope: {
    id: '11111111-2222-4333-8444-555555555555',
    from: PEER,
    to: PEER,
    timestamp: 1n,
    ttl: 3,
    hops: 0,
    topic: 'chat',
    payload: new Uint8Array(100).fill(7),
    kind: Envelope.Kind.DATA,
    traceparent: '',
    signature: new Uint8Array(0),
  },
})

interface Seen {
  frames: number
  drops: string[]
  closed: boolean
}

/** Our end of a connected pair as a FramedStream of mesh frames; `peer` is the other end, raw. */
async function framedPair(): Promise<{
  ours: FramedStream<Omit<Frame, 'version'>>
  peer: Stream
  seen: Seen
}> {
  const [peer, local] = await streamPair()
  const seen: Seen = { frames: 0, drops: [], closed: false }
  const connection = { remotePeer: peerIdFromString(PEER) } as unknown as Connection
  const ours = new FramedStream(
    local,
    connection,
    { encode: (f) => encodeFrame(f), decoder: () => new FrameDecoder(1024 * 1024) },
    {
      onFrame: () => {
        seen.frames++
      },
      onDrop: (err: FrameError) => {
        seen.drops.push(err.reason)
      },
      onClose: () => {
        seen.closed = true
      },
    },
    { stallMs: STALL_MS },
  )
  return { ours, peer, seen }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('FramedStream against a peer that stops mid-frame', () => {
  it('resets the stream when a partial frame gets no more bytes for stallMs, and counts it', async () => {
    const { ours, peer, seen } = await framedPair()
    const bytes = encodeFrame(frame()).subarray()
    peer.send(bytes.subarray(0, 20))
    await vi.advanceTimersByTimeAsync(STALL_MS - 100)
    expect(seen.drops).toEqual([])
    expect(ours.isOpen).toBe(true)
    await vi.advanceTimersByTimeAsync(200)
    expect(seen.drops).toEqual(['stalled'])
    expect(seen.closed).toBe(true)
    expect(ours.stream.status).toBe('aborted')
  })

  it('waits as long as the frame keeps arriving, and never times out a stream between frames', async () => {
    const { ours, peer, seen } = await framedPair()
    const bytes = encodeFrame(frame()).subarray()
    // a byte every 0.8 stall periods: slow, but never stalled
    for (let i = 0; i < bytes.byteLength; i += 10) {
      peer.send(bytes.subarray(i, i + 10))
      await vi.advanceTimersByTimeAsync(STALL_MS * 0.8)
    }
    expect(seen.frames).toBe(1)
    // whole frames only: idle for a long time is fine
    await vi.advanceTimersByTimeAsync(STALL_MS * 10)
    expect(seen.drops).toEqual([])
    expect(ours.isOpen).toBe(true)
  })

  it('closes its side when the peer closes its own, and drops the frame the peer left unfinished', async () => {
    const { ours, peer, seen } = await framedPair()
    const bytes = encodeFrame(frame()).subarray()
    peer.send(bytes)
    peer.send(bytes.subarray(0, 30))
    await peer.close()
    await vi.advanceTimersByTimeAsync(10)
    expect(seen.frames).toBe(1)
    expect(seen.drops).toEqual(['truncated'])
    expect(seen.closed).toBe(true)
    expect(ours.stream.status).toBe('closed')
    expect(peer.status).toBe('closed')
  })

  it('closes quietly when the peer half-closes between frames', async () => {
    const { peer, seen } = await framedPair()
    peer.send(encodeFrame(frame()).subarray())
    await peer.close()
    await vi.advanceTimersByTimeAsync(10)
    expect(seen).toEqual({ frames: 1, drops: [], closed: true })
  })
})

describe('the task protocol decoder counts what it holds back', () => {
  it('pending is the bytes of the unfinished frame, 0 between frames', () => {
    const decoder = taskCodec.decoder()
    const bytes = taskCodec
      .encode({ cancel: { taskIds: ['11111111-2222-4333-8444-555555555555'] } })
      .subarray()
    expect([...decoder.push(bytes.subarray(0, 2))]).toHaveLength(0)
    expect(decoder.pending).toBe(2)
    expect([...decoder.push(bytes.subarray(2))]).toHaveLength(1)
    expect(decoder.pending).toBe(0)
  })
})
