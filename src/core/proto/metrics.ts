import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MetricLabel {
  name: string
  value: string
}

export namespace MetricLabel {
  let _codec: Codec<MetricLabel>

  export const codec = (): Codec<MetricLabel> => {
    if (_codec == null) {
      _codec = message<MetricLabel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
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

  export interface MetricLabelNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface MetricLabelValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<MetricLabel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricLabel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricLabel>): MetricLabel {
    return decodeMessage(buf, MetricLabel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricLabel>): Generator<MetricLabelNameFieldEvent | MetricLabelValueFieldEvent> {
    return streamMessage(buf, MetricLabel.codec(), opts)
  }
}

export interface MetricSample {
  name: string
  labels: MetricLabel[]
  value: number
}

export namespace MetricSample {
  let _codec: Codec<MetricSample>

  export const codec = (): Codec<MetricSample> => {
    if (_codec == null) {
      _codec = message<MetricSample>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.labels != null && obj.labels.length > 0) {
          for (const value of obj.labels) {
            w.uint32(18)
            MetricLabel.codec().encode(value, w)
          }
        }

        if ((obj.value != null && obj.value !== 0)) {
          w.uint32(25)
          w.double(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          labels: [],
          value: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.labels != null && obj.labels.length === opts.limits.labels) {
                throw new MaxLengthError('Decode error - repeated field "labels" had too many elements')
              }

              obj.labels.push(MetricLabel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.labels$
              }))
              break
            }
            case 3: {
              obj.value = reader.double()
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
          labels: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.labels != null && obj.labels === opts.limits.labels) {
                throw new MaxLengthError('Streaming decode error - repeated field "labels" had too many elements')
              }

              for (const evt of MetricLabel.codec().stream(reader, reader.uint32(), `${prefix}.labels[]`, {
                limits: opts.limits?.labels$
              })) {
                yield {
                  ...evt,
                  index: obj.labels
                }
              }

              obj.labels++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.value`,
                value: reader.double()
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

  export interface MetricSampleNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface MetricSampleLabelsNameFieldEvent {
    field: '$.labels[].name'
    value: string
    index: number
  }

  export interface MetricSampleLabelsValueFieldEvent {
    field: '$.labels[].value'
    value: string
    index: number
  }

  export interface MetricSampleValueFieldEvent {
    field: '$.value'
    value: number
  }

  export function encode (obj: Partial<MetricSample>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricSample.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricSample>): MetricSample {
    return decodeMessage(buf, MetricSample.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricSample>): Generator<MetricSampleNameFieldEvent | MetricSampleLabelsNameFieldEvent | MetricSampleLabelsValueFieldEvent | MetricSampleValueFieldEvent> {
    return streamMessage(buf, MetricSample.codec(), opts)
  }
}

export interface MetricFamily {
  name: string
  help: string
  type: string
  samples: MetricSample[]
}

export namespace MetricFamily {
  let _codec: Codec<MetricFamily>

  export const codec = (): Codec<MetricFamily> => {
    if (_codec == null) {
      _codec = message<MetricFamily>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.help != null && obj.help !== '')) {
          w.uint32(18)
          w.string(obj.help)
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(26)
          w.string(obj.type)
        }

        if (obj.samples != null && obj.samples.length > 0) {
          for (const value of obj.samples) {
            w.uint32(34)
            MetricSample.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          help: '',
          type: '',
          samples: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.help = reader.string()
              break
            }
            case 3: {
              obj.type = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.samples != null && obj.samples.length === opts.limits.samples) {
                throw new MaxLengthError('Decode error - repeated field "samples" had too many elements')
              }

              obj.samples.push(MetricSample.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.samples$
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
          samples: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.help`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.samples != null && obj.samples === opts.limits.samples) {
                throw new MaxLengthError('Streaming decode error - repeated field "samples" had too many elements')
              }

              for (const evt of MetricSample.codec().stream(reader, reader.uint32(), `${prefix}.samples[]`, {
                limits: opts.limits?.samples$
              })) {
                yield {
                  ...evt,
                  index: obj.samples
                }
              }

              obj.samples++

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

  export interface MetricFamilyNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface MetricFamilyHelpFieldEvent {
    field: '$.help'
    value: string
  }

  export interface MetricFamilyTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface MetricFamilySamplesNameFieldEvent {
    field: '$.samples[].name'
    value: string
    index: number
  }

  export interface MetricFamilySamplesLabelsNameFieldEvent {
    field: '$.samples[].labels[].name'
    value: string
    index: number
  }

  export interface MetricFamilySamplesLabelsValueFieldEvent {
    field: '$.samples[].labels[].value'
    value: string
    index: number
  }

  export interface MetricFamilySamplesValueFieldEvent {
    field: '$.samples[].value'
    value: number
    index: number
  }

  export function encode (obj: Partial<MetricFamily>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricFamily.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricFamily>): MetricFamily {
    return decodeMessage(buf, MetricFamily.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricFamily>): Generator<MetricFamilyNameFieldEvent | MetricFamilyHelpFieldEvent | MetricFamilyTypeFieldEvent | MetricFamilySamplesNameFieldEvent | MetricFamilySamplesLabelsNameFieldEvent | MetricFamilySamplesLabelsValueFieldEvent | MetricFamilySamplesValueFieldEvent> {
    return streamMessage(buf, MetricFamily.codec(), opts)
  }
}

export interface MetricsPush {
  families: MetricFamily[]
}

export namespace MetricsPush {
  let _codec: Codec<MetricsPush>

  export const codec = (): Codec<MetricsPush> => {
    if (_codec == null) {
      _codec = message<MetricsPush>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.families != null && obj.families.length > 0) {
          for (const value of obj.families) {
            w.uint32(10)
            MetricFamily.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          families: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.families != null && obj.families.length === opts.limits.families) {
                throw new MaxLengthError('Decode error - repeated field "families" had too many elements')
              }

              obj.families.push(MetricFamily.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.families$
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
          families: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.families != null && obj.families === opts.limits.families) {
                throw new MaxLengthError('Streaming decode error - repeated field "families" had too many elements')
              }

              for (const evt of MetricFamily.codec().stream(reader, reader.uint32(), `${prefix}.families[]`, {
                limits: opts.limits?.families$
              })) {
                yield {
                  ...evt,
                  index: obj.families
                }
              }

              obj.families++

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

  export interface MetricsPushFamiliesNameFieldEvent {
    field: '$.families[].name'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesHelpFieldEvent {
    field: '$.families[].help'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesTypeFieldEvent {
    field: '$.families[].type'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesSamplesNameFieldEvent {
    field: '$.families[].samples[].name'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesSamplesLabelsNameFieldEvent {
    field: '$.families[].samples[].labels[].name'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesSamplesLabelsValueFieldEvent {
    field: '$.families[].samples[].labels[].value'
    value: string
    index: number
  }

  export interface MetricsPushFamiliesSamplesValueFieldEvent {
    field: '$.families[].samples[].value'
    value: number
    index: number
  }

  export function encode (obj: Partial<MetricsPush>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricsPush.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsPush>): MetricsPush {
    return decodeMessage(buf, MetricsPush.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsPush>): Generator<MetricsPushFamiliesNameFieldEvent | MetricsPushFamiliesHelpFieldEvent | MetricsPushFamiliesTypeFieldEvent | MetricsPushFamiliesSamplesNameFieldEvent | MetricsPushFamiliesSamplesLabelsNameFieldEvent | MetricsPushFamiliesSamplesLabelsValueFieldEvent | MetricsPushFamiliesSamplesValueFieldEvent> {
    return streamMessage(buf, MetricsPush.codec(), opts)
  }
}

export interface MetricsAck {
  accepted: boolean
  reason: string
}

export namespace MetricsAck {
  let _codec: Codec<MetricsAck>

  export const codec = (): Codec<MetricsAck> => {
    if (_codec == null) {
      _codec = message<MetricsAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(8)
          w.bool(obj.accepted)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          accepted: false,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.accepted = reader.bool()
              break
            }
            case 2: {
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
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            case 2: {
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

  export interface MetricsAckAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export interface MetricsAckReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<MetricsAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricsAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsAck>): MetricsAck {
    return decodeMessage(buf, MetricsAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsAck>): Generator<MetricsAckAcceptedFieldEvent | MetricsAckReasonFieldEvent> {
    return streamMessage(buf, MetricsAck.codec(), opts)
  }
}
