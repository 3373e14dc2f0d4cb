/**
 * Encoding and validation of mesh frames. Inbound bytes are untrusted: the decoder caps frame
 * size before buffering, and validateFrame checks every field before anything else sees it.
 */
import * as lp from 'it-length-prefixed'
import type { Uint8ArrayList } from 'uint8arraylist'
import { SIGNATURE_BYTES } from './envelope-signature.js'
import { FrameSplitter } from './frame-splitter.js'
import {
  FRAME_OVERHEAD_BYTES,
  FRAME_VERSION,
  MAX_PAYLOAD_BYTES,
  MAX_TOPIC_LENGTH,
  MAX_TTL,
} from '../core/protocol.js'
import type { FrameDropReason } from '../core/errors.js'
import { FrameError } from '../core/errors.js'
import { Frame } from '../core/proto/mesh.js'

export { Frame, FrameError }
export type { Ack, Envelope, Heartbeat, PeerList } from '../core/proto/mesh.js'

/** Why an inbound frame was dropped (src/core/errors.ts); counted per reason. */
export type DropReason = FrameDropReason

export const MAX_PEER_LIST = 1024
const MAX_REASON = 256
/** W3C trace context (version 00), or "" for none */
export const TRACEPARENT = /^(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})?$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** base58btc Ed25519 peer ids (identity multihash of the public key) */
const PEER_ID = /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/
const NODE_ID = /^[0-9a-f]{32}$/
const BODIES = [
  'envelope',
  'ack',
  'heartbeat',
  'heartbeatAck',
  'peerListRequest',
  'peerList',
  'goodbye',
] as const
export type FrameBody = (typeof BODIES)[number]

export function isPeerIdString(value: string): boolean {
  return PEER_ID.test(value)
}

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** A frame as bytes ready for `stream.send`: varint length prefix + protobuf. */
export function encodeFrame(frame: Omit<Frame, 'version'>): Uint8ArrayList {
  return lp.encode.single(Frame.encode({ version: FRAME_VERSION, ...frame }), {
    maxDataLength: MAX_FRAME_BYTES,
  })
}

/** The largest frame on any mesh stream, whatever either node's max_message_bytes. */
export const MAX_FRAME_BYTES = MAX_PAYLOAD_BYTES + FRAME_OVERHEAD_BYTES
/** Room for a frame plus the coalesced batch it arrived in (Link sends ~64 KiB batches). */
const MAX_BUFFER_BYTES = MAX_FRAME_BYTES + 256 * 1024

/**
 * Splits a byte stream into validated frames: a Frame or a FrameError per frame; an oversized
 * or corrupt length prefix throws, since the stream cannot be resynchronised.
 */
export class FrameDecoder extends FrameSplitter<Frame> {
  constructor(maxMessageBytes: number) {
    super({ maxFrameBytes: MAX_FRAME_BYTES, maxBufferBytes: MAX_BUFFER_BYTES }, (bytes) =>
      decodeFrame(bytes, maxMessageBytes),
    )
  }
}

/** Decodes and validates one frame's bytes (without the length prefix). */
export function decodeFrame(
  bytes: Uint8Array | Uint8ArrayList,
  maxMessageBytes: number,
): Frame | FrameError {
  let frame: Frame
  try {
    frame = Frame.decode(bytes, { limits: { peerList: { peers: MAX_PEER_LIST } } })
  } catch (err) {
    return new FrameError('undecodable', (err as Error).message)
  }
  const problem = validateFrame(frame, maxMessageBytes)
  return problem == null ? frame : new FrameError(problem.reason, problem.detail, frame)
}

/** Returns why a decoded frame is unacceptable, or undefined when it is valid. */
export function validateFrame(frame: Frame, maxMessageBytes: number): FrameError | undefined {
  if (frame.version !== FRAME_VERSION) {
    return new FrameError(
      'wrong_version',
      `frame version ${frame.version}, this node speaks ${FRAME_VERSION}`,
    )
  }
  // the generated decoder enforces protobuf oneof semantics: at most one body survives
  if (!BODIES.some((b) => frame[b] != null))
    return new FrameError('no_body', 'frame carries no message')
  const { envelope: e, ack, heartbeat, heartbeatAck, peerList, goodbye } = frame
  if (e != null) {
    if (!UUID.test(e.id)) return new FrameError('invalid_envelope', 'id is not a UUID')
    if (!PEER_ID.test(e.from) || !PEER_ID.test(e.to)) {
      return new FrameError('invalid_envelope', 'from/to is not a peer id')
    }
    if (e.ttl > MAX_TTL || e.hops > MAX_TTL) {
      return new FrameError('invalid_envelope', `ttl ${e.ttl} / hops ${e.hops} above ${MAX_TTL}`)
    }
    if (e.topic.length === 0 || e.topic.length > MAX_TOPIC_LENGTH) {
      return new FrameError('invalid_envelope', 'topic must be 1-64 characters')
    }
    if (e.payload.byteLength > maxMessageBytes) {
      return new FrameError(
        'invalid_envelope',
        `payload ${e.payload.byteLength} > ${maxMessageBytes}`,
      )
    }
    if (!TRACEPARENT.test(e.traceparent))
      return new FrameError('invalid_envelope', 'traceparent is not W3C trace context')
    if (e.signature.byteLength !== 0 && e.signature.byteLength !== SIGNATURE_BYTES)
      return new FrameError('invalid_envelope', `signature of ${e.signature.byteLength} bytes`)
  }
  if (ack != null && !UUID.test(ack.id)) return new FrameError('invalid_ack', 'id is not a UUID')
  const hb = heartbeat ?? heartbeatAck
  if (hb != null) {
    if (!NODE_ID.test(hb.nodeId))
      return new FrameError('invalid_heartbeat', 'node_id is not 32 hex chars')
    if (hb.peerListHash.byteLength > 32)
      return new FrameError('invalid_heartbeat', 'peer_list_hash too long')
    if (hb.version.length > 32) return new FrameError('invalid_heartbeat', 'version too long')
  }
  if (peerList != null) {
    if (!peerList.peers.every((p) => PEER_ID.test(p))) {
      return new FrameError('invalid_peer_list', 'an entry is not a peer id')
    }
    if (peerList.hash.byteLength > 32) return new FrameError('invalid_peer_list', 'hash too long')
  }
  if (goodbye != null && goodbye.reason.length > MAX_REASON) {
    return new FrameError('invalid_goodbye', 'reason too long')
  }
  return undefined
}

/** Which body a valid frame carries. */
export function frameBody(frame: Frame): FrameBody {
  const body = BODIES.find((b) => frame[b] != null)
  if (body == null) throw new FrameError('no_body', 'frame carries no message')
  return body
}
