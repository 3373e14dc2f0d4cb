/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Frame {
  version: number
  envelope?: Envelope
  ack?: Ack
  heartbeat?: Heartbeat
  heartbeatAck?: Heartbeat
  peerListRequest?: PeerListRequest
  peerList?: PeerList
  goodbye?: Goodbye
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.goodbye != null) {
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.heartbeatAck = undefined
          obj.heartbeat = undefined
          obj.ack = undefined
          obj.envelope = undefined
        }

        if (obj.peerList != null) {
          obj.goodbye = undefined
          obj.peerListRequest = undefined
          obj.heartbeatAck = undefined
          obj.heartbeat = undefined
          obj.ack = undefined
          obj.envelope = undefined
        }

        if (obj.peerListRequest != null) {
          obj.goodbye = undefined
          obj.peerList = undefined
          obj.heartbeatAck = undefined
          obj.heartbeat = undefined
          obj.ack = undefined
          obj.envelope = undefined
        }

        if (obj.heartbeatAck != null) {
          obj.goodbye = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.heartbeat = undefined
          obj.ack = undefined
          obj.envelope = undefined
        }

        if (obj.heartbeat != null) {
          obj.goodbye = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.heartbeatAck = undefined
          obj.ack = undefined
          obj.envelope = undefined
        }

        if (obj.ack != null) {
          obj.goodbye = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.heartbeatAck = undefined
          obj.heartbeat = undefined
          obj.envelope = undefined
        }

        if (obj.envelope != null) {
          obj.goodbye = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.heartbeatAck = undefined
          obj.heartbeat = undefined
          obj.ack = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.envelope != null) {
          w.uint32(18)
          Envelope.codec().encode(obj.envelope, w)
        }

        if (obj.ack != null) {
          w.uint32(26)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(34)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (obj.heartbeatAck != null) {
          w.uint32(42)
          Heartbeat.codec().encode(obj.heartbeatAck, w)
        }

        if (obj.peerListRequest != null) {
          w.uint32(50)
          PeerListRequest.codec().encode(obj.peerListRequest, w)
        }

        if (obj.peerList != null) {
          w.uint32(58)
          PeerList.codec().encode(obj.peerList, w)
        }

        if (obj.goodbye != null) {
          w.uint32(66)
          Goodbye.codec().encode(obj.goodbye, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.envelope = Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelope
              })
              break
            }
            case 3: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 4: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 5: {
              obj.heartbeatAck = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeatAck
              })
              break
            }
            case 6: {
              obj.peerListRequest = PeerListRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peerListRequest
              })
              break
            }
            case 7: {
              obj.peerList = PeerList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peerList
              })
              break
            }
            case 8: {
              obj.goodbye = Goodbye.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.goodbye
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.goodbye != null) {
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.heartbeatAck
          delete obj.heartbeat
          delete obj.ack
          delete obj.envelope
        }

        if (obj.peerList != null) {
          delete obj.goodbye
          delete obj.peerListRequest
          delete obj.heartbeatAck
          delete obj.heartbeat
          delete obj.ack
          delete obj.envelope
        }

        if (obj.peerListRequest != null) {
          delete obj.goodbye
          delete obj.peerList
          delete obj.heartbeatAck
          delete obj.heartbeat
          delete obj.ack
          delete obj.envelope
        }

        if (obj.heartbeatAck != null) {
          delete obj.goodbye
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.heartbeat
          delete obj.ack
          delete obj.envelope
        }

        if (obj.heartbeat != null) {
          delete obj.goodbye
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.heartbeatAck
          delete obj.ack
          delete obj.envelope
        }

        if (obj.ack != null) {
          delete obj.goodbye
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.heartbeatAck
          delete obj.heartbeat
          delete obj.envelope
        }

        if (obj.envelope != null) {
          delete obj.goodbye
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.heartbeatAck
          delete obj.heartbeat
          delete obj.ack
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelope`, {
                limits: opts.limits?.envelope
              })

              break
            }
            case 3: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 4: {
              yield * Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                limits: opts.limits?.heartbeat
              })

              break
            }
            case 5: {
              yield * Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeatAck`, {
                limits: opts.limits?.heartbeatAck
              })

              break
            }
            case 6: {
              yield * PeerListRequest.codec().stream(reader, reader.uint32(), `${prefix}.peerListRequest`, {
                limits: opts.limits?.peerListRequest
              })

              break
            }
            case 7: {
              yield * PeerList.codec().stream(reader, reader.uint32(), `${prefix}.peerList`, {
                limits: opts.limits?.peerList
              })

              break
            }
            case 8: {
              yield * Goodbye.codec().stream(reader, reader.uint32(), `${prefix}.goodbye`, {
                limits: opts.limits?.goodbye
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrameVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface FrameEnvelopeIdFieldEvent {
    field: '$.envelope.id'
    value: string
  }

  export interface FrameEnvelopeFromFieldEvent {
    field: '$.envelope.from'
    value: string
  }

  export interface FrameEnvelopeToFieldEvent {
    field: '$.envelope.to'
    value: string
  }

  export interface FrameEnvelopeTimestampFieldEvent {
    field: '$.envelope.timestamp'
    value: bigint
  }

  export interface FrameEnvelopeTtlFieldEvent {
    field: '$.envelope.ttl'
    value: number
  }

  export interface FrameEnvelopeHopsFieldEvent {
    field: '$.envelope.hops'
    value: number
  }

  export interface FrameEnvelopeTopicFieldEvent {
    field: '$.envelope.topic'
    value: string
  }

  export interface FrameEnvelopePayloadFieldEvent {
    field: '$.envelope.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameEnvelopeKindFieldEvent {
    field: '$.envelope.kind'
    value: Envelope.Kind
  }

  export interface FrameEnvelopeTraceparentFieldEvent {
    field: '$.envelope.traceparent'
    value: string
  }

  export interface FrameEnvelopeSignatureFieldEvent {
    field: '$.envelope.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameAckIdFieldEvent {
    field: '$.ack.id'
    value: string
  }

  export interface FrameAckStatusFieldEvent {
    field: '$.ack.status'
    value: Ack.Status
  }

  export interface FrameAckDeliveredFieldEvent {
    field: '$.ack.delivered'
    value: boolean
  }

  export interface FrameAckReasonFieldEvent {
    field: '$.ack.reason'
    value: string
  }

  export interface FrameHeartbeatNodeIdFieldEvent {
    field: '$.heartbeat.nodeId'
    value: string
  }

  export interface FrameHeartbeatTimestampFieldEvent {
    field: '$.heartbeat.timestamp'
    value: bigint
  }

  export interface FrameHeartbeatPeerListHashFieldEvent {
    field: '$.heartbeat.peerListHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHeartbeatSeqFieldEvent {
    field: '$.heartbeat.seq'
    value: number
  }

  export interface FrameHeartbeatVersionFieldEvent {
    field: '$.heartbeat.version'
    value: string
  }

  export interface FrameHeartbeatAckNodeIdFieldEvent {
    field: '$.heartbeatAck.nodeId'
    value: string
  }

  export interface FrameHeartbeatAckTimestampFieldEvent {
    field: '$.heartbeatAck.timestamp'
    value: bigint
  }

  export interface FrameHeartbeatAckPeerListHashFieldEvent {
    field: '$.heartbeatAck.peerListHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHeartbeatAckSeqFieldEvent {
    field: '$.heartbeatAck.seq'
    value: number
  }

  export interface FrameHeartbeatAckVersionFieldEvent {
    field: '$.heartbeatAck.version'
    value: string
  }

  export interface FramePeerListPeersFieldEvent {
    field: '$.peerList.peers[]'
    index: number
    value: string
  }

  export interface FramePeerListHashFieldEvent {
    field: '$.peerList.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameGoodbyeReasonFieldEvent {
    field: '$.goodbye.reason'
    value: string
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameVersionFieldEvent | FrameEnvelopeIdFieldEvent | FrameEnvelopeFromFieldEvent | FrameEnvelopeToFieldEvent | FrameEnvelopeTimestampFieldEvent | FrameEnvelopeTtlFieldEvent | FrameEnvelopeHopsFieldEvent | FrameEnvelopeTopicFieldEvent | FrameEnvelopePayloadFieldEvent | FrameEnvelopeKindFieldEvent | FrameEnvelopeTraceparentFieldEvent | FrameEnvelopeSignatureFieldEvent | FrameAckIdFieldEvent | FrameAckStatusFieldEvent | FrameAckDeliveredFieldEvent | FrameAckReasonFieldEvent | FrameHeartbeatNodeIdFieldEvent | FrameHeartbeatTimestampFieldEvent | FrameHeartbeatPeerListHashFieldEvent | FrameHeartbeatSeqFieldEvent | FrameHeartbeatVersionFieldEvent | FrameHeartbeatAckNodeIdFieldEvent | FrameHeartbeatAckTimestampFieldEvent | FrameHeartbeatAckPeerListHashFieldEvent | FrameHeartbeatAckSeqFieldEvent | FrameHeartbeatAckVersionFieldEvent | FramePeerListPeersFieldEvent | FramePeerListHashFieldEvent | FrameGoodbyeReasonFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}

export interface Envelope {
  id: string
  from: string
  to: string
  timestamp: bigint
  ttl: number
  hops: number
  topic: string
  payload: Uint8Array<ArrayBuffer>
  kind: Envelope.Kind
  traceparent: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  export enum Kind {
    DATA = 'DATA',
    RECEIPT = 'RECEIPT'
  }

  enum __KindValues {
    DATA = 0,
    RECEIPT = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(18)
          w.string(obj.from)
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(26)
          w.string(obj.to)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(32)
          w.uint64(obj.timestamp)
        }

        if ((obj.ttl != null && obj.ttl !== 0)) {
          w.uint32(40)
          w.uint32(obj.ttl)
        }

        if ((obj.hops != null && obj.hops !== 0)) {
          w.uint32(48)
          w.uint32(obj.hops)
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(58)
          w.string(obj.topic)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.payload)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(72)
          Envelope.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.traceparent != null && obj.traceparent !== '')) {
          w.uint32(82)
          w.string(obj.traceparent)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          from: '',
          to: '',
          timestamp: 0n,
          ttl: 0,
          hops: 0,
          topic: '',
          payload: uint8ArrayAlloc(0),
          kind: Kind.DATA,
          traceparent: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.from = reader.string()
              break
            }
            case 3: {
              obj.to = reader.string()
              break
            }
            case 4: {
              obj.timestamp = reader.uint64()
              break
            }
            case 5: {
              obj.ttl = reader.uint32()
              break
            }
            case 6: {
              obj.hops = reader.uint32()
              break
            }
            case 7: {
              obj.topic = reader.string()
              break
            }
            case 8: {
              obj.payload = reader.bytes()
              break
            }
            case 9: {
              obj.kind = Envelope.Kind.codec().decode(reader)
              break
            }
            case 10: {
              obj.traceparent = reader.string()
              break
            }
            case 11: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.to`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ttl`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.hops`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.kind`,
                value: Envelope.Kind.codec().decode(reader)
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface EnvelopeFromFieldEvent {
    field: '$.from'
    value: string
  }

  export interface EnvelopeToFieldEvent {
    field: '$.to'
    value: string
  }

  export interface EnvelopeTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface EnvelopeTtlFieldEvent {
    field: '$.ttl'
    value: number
  }

  export interface EnvelopeHopsFieldEvent {
    field: '$.hops'
    value: number
  }

  export interface EnvelopeTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeKindFieldEvent {
    field: '$.kind'
    value: Envelope.Kind
  }

  export interface EnvelopeTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeIdFieldEvent | EnvelopeFromFieldEvent | EnvelopeToFieldEvent | EnvelopeTimestampFieldEvent | EnvelopeTtlFieldEvent | EnvelopeHopsFieldEvent | EnvelopeTopicFieldEvent | EnvelopePayloadFieldEvent | EnvelopeKindFieldEvent | EnvelopeTraceparentFieldEvent | EnvelopeSignatureFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface Ack {
  id: string
  status: Ack.Status
  delivered: boolean
  reason: string
}

export namespace Ack {
  export enum Status {
    ACCEPTED = 'ACCEPTED',
    DUPLICATE = 'DUPLICATE',
    NO_ROUTE = 'NO_ROUTE',
    TTL_EXPIRED = 'TTL_EXPIRED',
    LOOP = 'LOOP',
    REJECTED = 'REJECTED',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    ACCEPTED = 0,
    DUPLICATE = 1,
    NO_ROUTE = 2,
    TTL_EXPIRED = 3,
    LOOP = 4,
    REJECTED = 5,
    BUSY = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(16)
          Ack.Status.codec().encode(obj.status, w)
        }

        if ((obj.delivered != null && obj.delivered !== false)) {
          w.uint32(24)
          w.bool(obj.delivered)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(34)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          status: Status.ACCEPTED,
          delivered: false,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.status = Ack.Status.codec().decode(reader)
              break
            }
            case 3: {
              obj.delivered = reader.bool()
              break
            }
            case 4: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.status`,
                value: Ack.Status.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.delivered`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AckIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface AckStatusFieldEvent {
    field: '$.status'
    value: Ack.Status
  }

  export interface AckDeliveredFieldEvent {
    field: '$.delivered'
    value: boolean
  }

  export interface AckReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckIdFieldEvent | AckStatusFieldEvent | AckDeliveredFieldEvent | AckReasonFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface Heartbeat {
  nodeId: string
  timestamp: bigint
  peerListHash: Uint8Array<ArrayBuffer>
  seq: number
  version: string
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(10)
          w.string(obj.nodeId)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(16)
          w.uint64(obj.timestamp)
        }

        if ((obj.peerListHash != null && obj.peerListHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.peerListHash)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(32)
          w.uint32(obj.seq)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(42)
          w.string(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          nodeId: '',
          timestamp: 0n,
          peerListHash: uint8ArrayAlloc(0),
          seq: 0,
          version: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.nodeId = reader.string()
              break
            }
            case 2: {
              obj.timestamp = reader.uint64()
              break
            }
            case 3: {
              obj.peerListHash = reader.bytes()
              break
            }
            case 4: {
              obj.seq = reader.uint32()
              break
            }
            case 5: {
              obj.version = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.nodeId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.peerListHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeartbeatNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface HeartbeatTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface HeartbeatPeerListHashFieldEvent {
    field: '$.peerListHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HeartbeatSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface HeartbeatVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export function encode (obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Generator<HeartbeatNodeIdFieldEvent | HeartbeatTimestampFieldEvent | HeartbeatPeerListHashFieldEvent | HeartbeatSeqFieldEvent | HeartbeatVersionFieldEvent> {
    return streamMessage(buf, Heartbeat.codec(), opts)
  }
}

export interface PeerListRequest {}

export namespace PeerListRequest {
  let _codec: Codec<PeerListRequest>

  export const codec = (): Codec<PeerListRequest> => {
    if (_codec == null) {
      _codec = message<PeerListRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<PeerListRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerListRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerListRequest>): PeerListRequest {
    return decodeMessage(buf, PeerListRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerListRequest>): Generator<{}> {
    return streamMessage(buf, PeerListRequest.codec(), opts)
  }
}

export interface PeerList {
  peers: string[]
  hash: Uint8Array<ArrayBuffer>
}

export namespace PeerList {
  let _codec: Codec<PeerList>

  export const codec = (): Codec<PeerList> => {
    if (_codec == null) {
      _codec = message<PeerList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peers: [],
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
              break
            }
            case 2: {
              obj.hash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              yield {
                field: `${prefix}.peers[]`,
                index: obj.peers,
                value: reader.string()
              }

              obj.peers++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PeerListPeersFieldEvent {
    field: '$.peers[]'
    index: number
    value: string
  }

  export interface PeerListHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PeerList>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerList.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerList>): PeerList {
    return decodeMessage(buf, PeerList.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerList>): Generator<PeerListPeersFieldEvent | PeerListHashFieldEvent> {
    return streamMessage(buf, PeerList.codec(), opts)
  }
}

export interface Goodbye {
  reason: string
}

export namespace Goodbye {
  let _codec: Codec<Goodbye>

  export const codec = (): Codec<Goodbye> => {
    if (_codec == null) {
      _codec = message<Goodbye>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GoodbyeReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Goodbye>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Goodbye.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Goodbye>): Goodbye {
    return decodeMessage(buf, Goodbye.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Goodbye>): Generator<GoodbyeReasonFieldEvent> {
    return streamMessage(buf, Goodbye.codec(), opts)
  }
}

export interface Receipt {
  id: string
  hops: number
  receivedAt: bigint
}

export namespace Receipt {
  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.hops != null && obj.hops !== 0)) {
          w.uint32(16)
          w.uint32(obj.hops)
        }

        if ((obj.receivedAt != null && obj.receivedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.receivedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          hops: 0,
          receivedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.hops = reader.uint32()
              break
            }
            case 3: {
              obj.receivedAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.hops`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.receivedAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReceiptIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ReceiptHopsFieldEvent {
    field: '$.hops'
    value: number
  }

  export interface ReceiptReceivedAtFieldEvent {
    field: '$.receivedAt'
    value: bigint
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptIdFieldEvent | ReceiptHopsFieldEvent | ReceiptReceivedAtFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}
