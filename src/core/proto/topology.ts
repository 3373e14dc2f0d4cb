import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TopologyAnnouncement {
  nodeId: string
  version: string
  seq: bigint
  neighbours: Neighbour[]
  platform: string
  leaving: boolean
  multiaddrs: Uint8Array<ArrayBuffer>[]
  capabilities?: Capabilities
}

export namespace TopologyAnnouncement {
  let _codec: Codec<TopologyAnnouncement>

  export const codec = (): Codec<TopologyAnnouncement> => {
    if (_codec == null) {
      _codec = message<TopologyAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.nodeId != null && obj.nodeId !== '')) {
          w.uint32(10)
          w.string(obj.nodeId)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(18)
          w.string(obj.version)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if (obj.neighbours != null && obj.neighbours.length > 0) {
          for (const value of obj.neighbours) {
            w.uint32(34)
            Neighbour.codec().encode(value, w)
          }
        }

        if ((obj.platform != null && obj.platform !== '')) {
          w.uint32(42)
          w.string(obj.platform)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(48)
          w.bool(obj.leaving)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if (obj.capabilities != null) {
          w.uint32(66)
          Capabilities.codec().encode(obj.capabilities, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          nodeId: '',
          version: '',
          seq: 0n,
          neighbours: [],
          platform: '',
          leaving: false,
          multiaddrs: []
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
              obj.version = reader.string()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.neighbours != null && obj.neighbours.length === opts.limits.neighbours) {
                throw new MaxLengthError('Decode error - repeated field "neighbours" had too many elements')
              }

              obj.neighbours.push(Neighbour.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.neighbours$
              }))
              break
            }
            case 5: {
              obj.platform = reader.string()
              break
            }
            case 6: {
              obj.leaving = reader.bool()
              break
            }
            case 7: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
              break
            }
            case 8: {
              obj.capabilities = Capabilities.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.capabilities
              })
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
          neighbours: 0,
          multiaddrs: 0
        }

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
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.neighbours != null && obj.neighbours === opts.limits.neighbours) {
                throw new MaxLengthError('Streaming decode error - repeated field "neighbours" had too many elements')
              }

              for (const evt of Neighbour.codec().stream(reader, reader.uint32(), `${prefix}.neighbours[]`, {
                limits: opts.limits?.neighbours$
              })) {
                yield {
                  ...evt,
                  index: obj.neighbours
                }
              }

              obj.neighbours++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.platform`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.leaving`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

              break
            }
            case 8: {
              yield * Capabilities.codec().stream(reader, reader.uint32(), `${prefix}.capabilities`, {
                limits: opts.limits?.capabilities
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

  export interface TopologyAnnouncementNodeIdFieldEvent {
    field: '$.nodeId'
    value: string
  }

  export interface TopologyAnnouncementVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface TopologyAnnouncementSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface TopologyAnnouncementNeighboursPeerIdFieldEvent {
    field: '$.neighbours[].peerId'
    value: string
    index: number
  }

  export interface TopologyAnnouncementNeighboursTransportFieldEvent {
    field: '$.neighbours[].transport'
    value: string
    index: number
  }

  export interface TopologyAnnouncementPlatformFieldEvent {
    field: '$.platform'
    value: string
  }

  export interface TopologyAnnouncementLeavingFieldEvent {
    field: '$.leaving'
    value: boolean
  }

  export interface TopologyAnnouncementMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface TopologyAnnouncementCapabilitiesBackendFieldEvent {
    field: '$.capabilities.backend'
    value: string
  }

  export interface TopologyAnnouncementCapabilitiesThreadsFieldEvent {
    field: '$.capabilities.threads'
    value: number
  }

  export interface TopologyAnnouncementCapabilitiesTaskTypesFieldEvent {
    field: '$.capabilities.taskTypes[]'
    index: number
    value: string
  }

  export interface TopologyAnnouncementCapabilitiesEmbeddingsPerSecFieldEvent {
    field: '$.capabilities.embeddingsPerSec'
    value: number
  }

  export interface TopologyAnnouncementCapabilitiesMeasuringFieldEvent {
    field: '$.capabilities.measuring'
    value: boolean
  }

  export function encode (obj: Partial<TopologyAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TopologyAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologyAnnouncement>): TopologyAnnouncement {
    return decodeMessage(buf, TopologyAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologyAnnouncement>): Generator<TopologyAnnouncementNodeIdFieldEvent | TopologyAnnouncementVersionFieldEvent | TopologyAnnouncementSeqFieldEvent | TopologyAnnouncementNeighboursPeerIdFieldEvent | TopologyAnnouncementNeighboursTransportFieldEvent | TopologyAnnouncementPlatformFieldEvent | TopologyAnnouncementLeavingFieldEvent | TopologyAnnouncementMultiaddrsFieldEvent | TopologyAnnouncementCapabilitiesBackendFieldEvent | TopologyAnnouncementCapabilitiesThreadsFieldEvent | TopologyAnnouncementCapabilitiesTaskTypesFieldEvent | TopologyAnnouncementCapabilitiesEmbeddingsPerSecFieldEvent | TopologyAnnouncementCapabilitiesMeasuringFieldEvent> {
    return streamMessage(buf, TopologyAnnouncement.codec(), opts)
  }
}

export interface Capabilities {
  backend: string
  threads: number
  taskTypes: string[]
  embeddingsPerSec: number
  measuring: boolean
}

export namespace Capabilities {
  let _codec: Codec<Capabilities>

  export const codec = (): Codec<Capabilities> => {
    if (_codec == null) {
      _codec = message<Capabilities>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(10)
          w.string(obj.backend)
        }

        if ((obj.threads != null && obj.threads !== 0)) {
          w.uint32(16)
          w.uint32(obj.threads)
        }

        if (obj.taskTypes != null && obj.taskTypes.length > 0) {
          for (const value of obj.taskTypes) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.embeddingsPerSec != null && obj.embeddingsPerSec !== 0)) {
          w.uint32(32)
          w.uint32(obj.embeddingsPerSec)
        }

        if ((obj.measuring != null && obj.measuring !== false)) {
          w.uint32(40)
          w.bool(obj.measuring)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          backend: '',
          threads: 0,
          taskTypes: [],
          embeddingsPerSec: 0,
          measuring: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.backend = reader.string()
              break
            }
            case 2: {
              obj.threads = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.taskTypes != null && obj.taskTypes.length === opts.limits.taskTypes) {
                throw new MaxLengthError('Decode error - repeated field "taskTypes" had too many elements')
              }

              obj.taskTypes.push(reader.string())
              break
            }
            case 4: {
              obj.embeddingsPerSec = reader.uint32()
              break
            }
            case 5: {
              obj.measuring = reader.bool()
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
          taskTypes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.threads`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.taskTypes != null && obj.taskTypes === opts.limits.taskTypes) {
                throw new MaxLengthError('Streaming decode error - repeated field "taskTypes" had too many elements')
              }

              yield {
                field: `${prefix}.taskTypes[]`,
                index: obj.taskTypes,
                value: reader.string()
              }

              obj.taskTypes++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.embeddingsPerSec`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.measuring`,
                value: reader.bool()
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

  export interface CapabilitiesBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export interface CapabilitiesThreadsFieldEvent {
    field: '$.threads'
    value: number
  }

  export interface CapabilitiesTaskTypesFieldEvent {
    field: '$.taskTypes[]'
    index: number
    value: string
  }

  export interface CapabilitiesEmbeddingsPerSecFieldEvent {
    field: '$.embeddingsPerSec'
    value: number
  }

  export interface CapabilitiesMeasuringFieldEvent {
    field: '$.measuring'
    value: boolean
  }

  export function encode (obj: Partial<Capabilities>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Capabilities.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Capabilities {
    return decodeMessage(buf, Capabilities.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Generator<CapabilitiesBackendFieldEvent | CapabilitiesThreadsFieldEvent | CapabilitiesTaskTypesFieldEvent | CapabilitiesEmbeddingsPerSecFieldEvent | CapabilitiesMeasuringFieldEvent> {
    return streamMessage(buf, Capabilities.codec(), opts)
  }
}

export interface Neighbour {
  peerId: string
  transport: string
}

export namespace Neighbour {
  let _codec: Codec<Neighbour>

  export const codec = (): Codec<Neighbour> => {
    if (_codec == null) {
      _codec = message<Neighbour>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.transport != null && obj.transport !== '')) {
          w.uint32(18)
          w.string(obj.transport)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          transport: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.transport = reader.string()
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
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.transport`,
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

  export interface NeighbourPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface NeighbourTransportFieldEvent {
    field: '$.transport'
    value: string
  }

  export function encode (obj: Partial<Neighbour>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Neighbour.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Neighbour>): Neighbour {
    return decodeMessage(buf, Neighbour.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Neighbour>): Generator<NeighbourPeerIdFieldEvent | NeighbourTransportFieldEvent> {
    return streamMessage(buf, Neighbour.codec(), opts)
  }
}
