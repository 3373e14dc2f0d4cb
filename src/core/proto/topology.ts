/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
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
  startedAt: bigint
  relays: string[]
  refreshSecs: number
  memberTag: Uint8Array<ArrayBuffer>
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

        if ((obj.startedAt != null && obj.startedAt !== 0n)) {
          w.uint32(72)
          w.uint64(obj.startedAt)
        }

        if (obj.relays != null && obj.relays.length > 0) {
          for (const value of obj.relays) {
            w.uint32(82)
            w.string(value)
          }
        }

        if ((obj.refreshSecs != null && obj.refreshSecs !== 0)) {
          w.uint32(88)
          w.uint32(obj.refreshSecs)
        }

        if ((obj.memberTag != null && obj.memberTag.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.memberTag)
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
          multiaddrs: [],
          startedAt: 0n,
          relays: [],
          refreshSecs: 0,
          memberTag: uint8ArrayAlloc(0)
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
            case 9: {
              obj.startedAt = reader.uint64()
              break
            }
            case 10: {
              if (opts.limits?.relays != null && obj.relays.length === opts.limits.relays) {
                throw new MaxLengthError('Decode error - repeated field "relays" had too many elements')
              }

              obj.relays.push(reader.string())
              break
            }
            case 11: {
              obj.refreshSecs = reader.uint32()
              break
            }
            case 12: {
              obj.memberTag = reader.bytes()
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
          multiaddrs: 0,
          relays: 0
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
            case 9: {
              yield {
                field: `${prefix}.startedAt`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              if (opts.limits?.relays != null && obj.relays === opts.limits.relays) {
                throw new MaxLengthError('Streaming decode error - repeated field "relays" had too many elements')
              }

              yield {
                field: `${prefix}.relays[]`,
                index: obj.relays,
                value: reader.string()
              }

              obj.relays++

              break
            }
            case 11: {
              yield {
                field: `${prefix}.refreshSecs`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.memberTag`,
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

  export interface TopologyAnnouncementCapabilitiesLoadModelsModelFieldEvent {
    field: '$.capabilities.load.models[].model'
    value: string
    index: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadModelsDtypeFieldEvent {
    field: '$.capabilities.load.models[].dtype'
    value: string
    index: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadModelsHashFieldEvent {
    field: '$.capabilities.load.models[].hash'
    value: string
    index: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadQueueDepthFieldEvent {
    field: '$.capabilities.load.queueDepth'
    value: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadCallsInFlightFieldEvent {
    field: '$.capabilities.load.callsInFlight'
    value: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadEstWaitMsFieldEvent {
    field: '$.capabilities.load.estWaitMs'
    value: number
  }

  export interface TopologyAnnouncementCapabilitiesLoadTasksServedFieldEvent {
    field: '$.capabilities.load.tasksServed'
    value: bigint
  }

  export interface TopologyAnnouncementCapabilitiesLoadServingFieldEvent {
    field: '$.capabilities.load.serving'
    value: boolean
  }

  export interface TopologyAnnouncementStartedAtFieldEvent {
    field: '$.startedAt'
    value: bigint
  }

  export interface TopologyAnnouncementRelaysFieldEvent {
    field: '$.relays[]'
    index: number
    value: string
  }

  export interface TopologyAnnouncementRefreshSecsFieldEvent {
    field: '$.refreshSecs'
    value: number
  }

  export interface TopologyAnnouncementMemberTagFieldEvent {
    field: '$.memberTag'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TopologyAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TopologyAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologyAnnouncement>): TopologyAnnouncement {
    return decodeMessage(buf, TopologyAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologyAnnouncement>): Generator<TopologyAnnouncementNodeIdFieldEvent | TopologyAnnouncementVersionFieldEvent | TopologyAnnouncementSeqFieldEvent | TopologyAnnouncementNeighboursPeerIdFieldEvent | TopologyAnnouncementNeighboursTransportFieldEvent | TopologyAnnouncementPlatformFieldEvent | TopologyAnnouncementLeavingFieldEvent | TopologyAnnouncementMultiaddrsFieldEvent | TopologyAnnouncementCapabilitiesBackendFieldEvent | TopologyAnnouncementCapabilitiesThreadsFieldEvent | TopologyAnnouncementCapabilitiesTaskTypesFieldEvent | TopologyAnnouncementCapabilitiesEmbeddingsPerSecFieldEvent | TopologyAnnouncementCapabilitiesMeasuringFieldEvent | TopologyAnnouncementCapabilitiesLoadModelsModelFieldEvent | TopologyAnnouncementCapabilitiesLoadModelsDtypeFieldEvent | TopologyAnnouncementCapabilitiesLoadModelsHashFieldEvent | TopologyAnnouncementCapabilitiesLoadQueueDepthFieldEvent | TopologyAnnouncementCapabilitiesLoadCallsInFlightFieldEvent | TopologyAnnouncementCapabilitiesLoadEstWaitMsFieldEvent | TopologyAnnouncementCapabilitiesLoadTasksServedFieldEvent | TopologyAnnouncementCapabilitiesLoadServingFieldEvent | TopologyAnnouncementStartedAtFieldEvent | TopologyAnnouncementRelaysFieldEvent | TopologyAnnouncementRefreshSecsFieldEvent | TopologyAnnouncementMemberTagFieldEvent> {
    return streamMessage(buf, TopologyAnnouncement.codec(), opts)
  }
}

export interface Capabilities {
  backend: string
  threads: number
  taskTypes: string[]
  embeddingsPerSec: number
  measuring: boolean
  load?: Load
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

        if (obj.load != null) {
          w.uint32(50)
          Load.codec().encode(obj.load, w)
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
            case 6: {
              obj.load = Load.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.load
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
            case 6: {
              yield * Load.codec().stream(reader, reader.uint32(), `${prefix}.load`, {
                limits: opts.limits?.load
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

  export interface CapabilitiesLoadModelsModelFieldEvent {
    field: '$.load.models[].model'
    value: string
    index: number
  }

  export interface CapabilitiesLoadModelsDtypeFieldEvent {
    field: '$.load.models[].dtype'
    value: string
    index: number
  }

  export interface CapabilitiesLoadModelsHashFieldEvent {
    field: '$.load.models[].hash'
    value: string
    index: number
  }

  export interface CapabilitiesLoadQueueDepthFieldEvent {
    field: '$.load.queueDepth'
    value: number
  }

  export interface CapabilitiesLoadCallsInFlightFieldEvent {
    field: '$.load.callsInFlight'
    value: number
  }

  export interface CapabilitiesLoadEstWaitMsFieldEvent {
    field: '$.load.estWaitMs'
    value: number
  }

  export interface CapabilitiesLoadTasksServedFieldEvent {
    field: '$.load.tasksServed'
    value: bigint
  }

  export interface CapabilitiesLoadServingFieldEvent {
    field: '$.load.serving'
    value: boolean
  }

  export function encode (obj: Partial<Capabilities>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Capabilities.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Capabilities {
    return decodeMessage(buf, Capabilities.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Generator<CapabilitiesBackendFieldEvent | CapabilitiesThreadsFieldEvent | CapabilitiesTaskTypesFieldEvent | CapabilitiesEmbeddingsPerSecFieldEvent | CapabilitiesMeasuringFieldEvent | CapabilitiesLoadModelsModelFieldEvent | CapabilitiesLoadModelsDtypeFieldEvent | CapabilitiesLoadModelsHashFieldEvent | CapabilitiesLoadQueueDepthFieldEvent | CapabilitiesLoadCallsInFlightFieldEvent | CapabilitiesLoadEstWaitMsFieldEvent | CapabilitiesLoadTasksServedFieldEvent | CapabilitiesLoadServingFieldEvent> {
    return streamMessage(buf, Capabilities.codec(), opts)
  }
}

export interface Load {
  models: LoadedModel[]
  queueDepth: number
  callsInFlight: number
  estWaitMs: number
  tasksServed: bigint
  serving: boolean
}

export namespace Load {
  let _codec: Codec<Load>

  export const codec = (): Codec<Load> => {
    if (_codec == null) {
      _codec = message<Load>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(10)
            LoadedModel.codec().encode(value, w)
          }
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(16)
          w.uint32(obj.queueDepth)
        }

        if ((obj.callsInFlight != null && obj.callsInFlight !== 0)) {
          w.uint32(24)
          w.uint32(obj.callsInFlight)
        }

        if ((obj.estWaitMs != null && obj.estWaitMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.estWaitMs)
        }

        if ((obj.tasksServed != null && obj.tasksServed !== 0n)) {
          w.uint32(40)
          w.uint64(obj.tasksServed)
        }

        if ((obj.serving != null && obj.serving !== false)) {
          w.uint32(48)
          w.bool(obj.serving)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          models: [],
          queueDepth: 0,
          callsInFlight: 0,
          estWaitMs: 0,
          tasksServed: 0n,
          serving: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(LoadedModel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.models$
              }))
              break
            }
            case 2: {
              obj.queueDepth = reader.uint32()
              break
            }
            case 3: {
              obj.callsInFlight = reader.uint32()
              break
            }
            case 4: {
              obj.estWaitMs = reader.uint32()
              break
            }
            case 5: {
              obj.tasksServed = reader.uint64()
              break
            }
            case 6: {
              obj.serving = reader.bool()
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
          models: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              for (const evt of LoadedModel.codec().stream(reader, reader.uint32(), `${prefix}.models[]`, {
                limits: opts.limits?.models$
              })) {
                yield {
                  ...evt,
                  index: obj.models
                }
              }

              obj.models++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.callsInFlight`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.estWaitMs`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tasksServed`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.serving`,
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

  export interface LoadModelsModelFieldEvent {
    field: '$.models[].model'
    value: string
    index: number
  }

  export interface LoadModelsDtypeFieldEvent {
    field: '$.models[].dtype'
    value: string
    index: number
  }

  export interface LoadModelsHashFieldEvent {
    field: '$.models[].hash'
    value: string
    index: number
  }

  export interface LoadQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export interface LoadCallsInFlightFieldEvent {
    field: '$.callsInFlight'
    value: number
  }

  export interface LoadEstWaitMsFieldEvent {
    field: '$.estWaitMs'
    value: number
  }

  export interface LoadTasksServedFieldEvent {
    field: '$.tasksServed'
    value: bigint
  }

  export interface LoadServingFieldEvent {
    field: '$.serving'
    value: boolean
  }

  export function encode (obj: Partial<Load>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Load.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Load>): Load {
    return decodeMessage(buf, Load.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Load>): Generator<LoadModelsModelFieldEvent | LoadModelsDtypeFieldEvent | LoadModelsHashFieldEvent | LoadQueueDepthFieldEvent | LoadCallsInFlightFieldEvent | LoadEstWaitMsFieldEvent | LoadTasksServedFieldEvent | LoadServingFieldEvent> {
    return streamMessage(buf, Load.codec(), opts)
  }
}

export interface LoadedModel {
  model: string
  dtype: string
  hash: string
}

export namespace LoadedModel {
  let _codec: Codec<LoadedModel>

  export const codec = (): Codec<LoadedModel> => {
    if (_codec == null) {
      _codec = message<LoadedModel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(10)
          w.string(obj.model)
        }

        if ((obj.dtype != null && obj.dtype !== '')) {
          w.uint32(18)
          w.string(obj.dtype)
        }

        if ((obj.hash != null && obj.hash !== '')) {
          w.uint32(26)
          w.string(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          model: '',
          dtype: '',
          hash: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.model = reader.string()
              break
            }
            case 2: {
              obj.dtype = reader.string()
              break
            }
            case 3: {
              obj.hash = reader.string()
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
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.dtype`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hash`,
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

  export interface LoadedModelModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface LoadedModelDtypeFieldEvent {
    field: '$.dtype'
    value: string
  }

  export interface LoadedModelHashFieldEvent {
    field: '$.hash'
    value: string
  }

  export function encode (obj: Partial<LoadedModel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LoadedModel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoadedModel>): LoadedModel {
    return decodeMessage(buf, LoadedModel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LoadedModel>): Generator<LoadedModelModelFieldEvent | LoadedModelDtypeFieldEvent | LoadedModelHashFieldEvent> {
    return streamMessage(buf, LoadedModel.codec(), opts)
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

export interface TopologySyncRequest {}

export namespace TopologySyncRequest {
  let _codec: Codec<TopologySyncRequest>

  export const codec = (): Codec<TopologySyncRequest> => {
    if (_codec == null) {
      _codec = message<TopologySyncRequest>((obj, w, opts = {}) => {
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

  export function encode (obj: Partial<TopologySyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TopologySyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologySyncRequest>): TopologySyncRequest {
    return decodeMessage(buf, TopologySyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologySyncRequest>): Generator<{}> {
    return streamMessage(buf, TopologySyncRequest.codec(), opts)
  }
}

export interface TopologySnapshot {
  announcements: SignedAnnouncement[]
}

export namespace TopologySnapshot {
  let _codec: Codec<TopologySnapshot>

  export const codec = (): Codec<TopologySnapshot> => {
    if (_codec == null) {
      _codec = message<TopologySnapshot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.announcements != null && obj.announcements.length > 0) {
          for (const value of obj.announcements) {
            w.uint32(10)
            SignedAnnouncement.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          announcements: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.announcements != null && obj.announcements.length === opts.limits.announcements) {
                throw new MaxLengthError('Decode error - repeated field "announcements" had too many elements')
              }

              obj.announcements.push(SignedAnnouncement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.announcements$
              }))
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
          announcements: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.announcements != null && obj.announcements === opts.limits.announcements) {
                throw new MaxLengthError('Streaming decode error - repeated field "announcements" had too many elements')
              }

              for (const evt of SignedAnnouncement.codec().stream(reader, reader.uint32(), `${prefix}.announcements[]`, {
                limits: opts.limits?.announcements$
              })) {
                yield {
                  ...evt,
                  index: obj.announcements
                }
              }

              obj.announcements++

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

  export interface TopologySnapshotAnnouncementsFromFieldEvent {
    field: '$.announcements[].from'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TopologySnapshotAnnouncementsSeqnoFieldEvent {
    field: '$.announcements[].seqno'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TopologySnapshotAnnouncementsDataFieldEvent {
    field: '$.announcements[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TopologySnapshotAnnouncementsSignatureFieldEvent {
    field: '$.announcements[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TopologySnapshotAnnouncementsAgeMsFieldEvent {
    field: '$.announcements[].ageMs'
    value: number
    index: number
  }

  export function encode (obj: Partial<TopologySnapshot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TopologySnapshot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologySnapshot>): TopologySnapshot {
    return decodeMessage(buf, TopologySnapshot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TopologySnapshot>): Generator<TopologySnapshotAnnouncementsFromFieldEvent | TopologySnapshotAnnouncementsSeqnoFieldEvent | TopologySnapshotAnnouncementsDataFieldEvent | TopologySnapshotAnnouncementsSignatureFieldEvent | TopologySnapshotAnnouncementsAgeMsFieldEvent> {
    return streamMessage(buf, TopologySnapshot.codec(), opts)
  }
}

export interface SignedAnnouncement {
  from: Uint8Array<ArrayBuffer>
  seqno: Uint8Array<ArrayBuffer>
  data: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  ageMs: number
}

export namespace SignedAnnouncement {
  let _codec: Codec<SignedAnnouncement>

  export const codec = (): Codec<SignedAnnouncement> => {
    if (_codec == null) {
      _codec = message<SignedAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.from)
        }

        if ((obj.seqno != null && obj.seqno.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.seqno)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if ((obj.ageMs != null && obj.ageMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.ageMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: uint8ArrayAlloc(0),
          seqno: uint8ArrayAlloc(0),
          data: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          ageMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.bytes()
              break
            }
            case 2: {
              obj.seqno = reader.bytes()
              break
            }
            case 3: {
              obj.data = reader.bytes()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            case 5: {
              obj.ageMs = reader.uint32()
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
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seqno`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ageMs`,
                value: reader.uint32()
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

  export interface SignedAnnouncementFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAnnouncementSeqnoFieldEvent {
    field: '$.seqno'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAnnouncementDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAnnouncementSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedAnnouncementAgeMsFieldEvent {
    field: '$.ageMs'
    value: number
  }

  export function encode (obj: Partial<SignedAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): SignedAnnouncement {
    return decodeMessage(buf, SignedAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): Generator<SignedAnnouncementFromFieldEvent | SignedAnnouncementSeqnoFieldEvent | SignedAnnouncementDataFieldEvent | SignedAnnouncementSignatureFieldEvent | SignedAnnouncementAgeMsFieldEvent> {
    return streamMessage(buf, SignedAnnouncement.codec(), opts)
  }
}
