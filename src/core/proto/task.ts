import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TaskFrame {
  version: number
  assignment?: Assignment
  answer?: Answer
  progress?: Progress
  result?: Result
  cancel?: Cancel
  keepalive?: Keepalive
}

export namespace TaskFrame {
  let _codec: Codec<TaskFrame>

  export const codec = (): Codec<TaskFrame> => {
    if (_codec == null) {
      _codec = message<TaskFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.keepalive != null) {
          obj.cancel = undefined
          obj.result = undefined
          obj.progress = undefined
          obj.answer = undefined
          obj.assignment = undefined
        }

        if (obj.cancel != null) {
          obj.keepalive = undefined
          obj.result = undefined
          obj.progress = undefined
          obj.answer = undefined
          obj.assignment = undefined
        }

        if (obj.result != null) {
          obj.keepalive = undefined
          obj.cancel = undefined
          obj.progress = undefined
          obj.answer = undefined
          obj.assignment = undefined
        }

        if (obj.progress != null) {
          obj.keepalive = undefined
          obj.cancel = undefined
          obj.result = undefined
          obj.answer = undefined
          obj.assignment = undefined
        }

        if (obj.answer != null) {
          obj.keepalive = undefined
          obj.cancel = undefined
          obj.result = undefined
          obj.progress = undefined
          obj.assignment = undefined
        }

        if (obj.assignment != null) {
          obj.keepalive = undefined
          obj.cancel = undefined
          obj.result = undefined
          obj.progress = undefined
          obj.answer = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.assignment != null) {
          w.uint32(18)
          Assignment.codec().encode(obj.assignment, w)
        }

        if (obj.answer != null) {
          w.uint32(26)
          Answer.codec().encode(obj.answer, w)
        }

        if (obj.progress != null) {
          w.uint32(34)
          Progress.codec().encode(obj.progress, w)
        }

        if (obj.result != null) {
          w.uint32(42)
          Result.codec().encode(obj.result, w)
        }

        if (obj.cancel != null) {
          w.uint32(50)
          Cancel.codec().encode(obj.cancel, w)
        }

        if (obj.keepalive != null) {
          w.uint32(58)
          Keepalive.codec().encode(obj.keepalive, w)
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
              obj.assignment = Assignment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.assignment
              })
              break
            }
            case 3: {
              obj.answer = Answer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.answer
              })
              break
            }
            case 4: {
              obj.progress = Progress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.progress
              })
              break
            }
            case 5: {
              obj.result = Result.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 6: {
              obj.cancel = Cancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            case 7: {
              obj.keepalive = Keepalive.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keepalive
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.keepalive != null) {
          delete obj.cancel
          delete obj.result
          delete obj.progress
          delete obj.answer
          delete obj.assignment
        }

        if (obj.cancel != null) {
          delete obj.keepalive
          delete obj.result
          delete obj.progress
          delete obj.answer
          delete obj.assignment
        }

        if (obj.result != null) {
          delete obj.keepalive
          delete obj.cancel
          delete obj.progress
          delete obj.answer
          delete obj.assignment
        }

        if (obj.progress != null) {
          delete obj.keepalive
          delete obj.cancel
          delete obj.result
          delete obj.answer
          delete obj.assignment
        }

        if (obj.answer != null) {
          delete obj.keepalive
          delete obj.cancel
          delete obj.result
          delete obj.progress
          delete obj.assignment
        }

        if (obj.assignment != null) {
          delete obj.keepalive
          delete obj.cancel
          delete obj.result
          delete obj.progress
          delete obj.answer
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
              yield * Assignment.codec().stream(reader, reader.uint32(), `${prefix}.assignment`, {
                limits: opts.limits?.assignment
              })

              break
            }
            case 3: {
              yield * Answer.codec().stream(reader, reader.uint32(), `${prefix}.answer`, {
                limits: opts.limits?.answer
              })

              break
            }
            case 4: {
              yield * Progress.codec().stream(reader, reader.uint32(), `${prefix}.progress`, {
                limits: opts.limits?.progress
              })

              break
            }
            case 5: {
              yield * Result.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 6: {
              yield * Cancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
              })

              break
            }
            case 7: {
              yield * Keepalive.codec().stream(reader, reader.uint32(), `${prefix}.keepalive`, {
                limits: opts.limits?.keepalive
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

  export interface TaskFrameVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskFrameAssignmentBatchIdFieldEvent {
    field: '$.assignment.batchId'
    value: string
  }

  export interface TaskFrameAssignmentTaskTypeFieldEvent {
    field: '$.assignment.taskType'
    value: string
  }

  export interface TaskFrameAssignmentModelFieldEvent {
    field: '$.assignment.model'
    value: string
  }

  export interface TaskFrameAssignmentDtypeFieldEvent {
    field: '$.assignment.dtype'
    value: string
  }

  export interface TaskFrameAssignmentModelHashFieldEvent {
    field: '$.assignment.modelHash'
    value: string
  }

  export interface TaskFrameAssignmentTimeoutMsFieldEvent {
    field: '$.assignment.timeoutMs'
    value: number
  }

  export interface TaskFrameAssignmentTraceparentFieldEvent {
    field: '$.assignment.traceparent'
    value: string
  }

  export interface TaskFrameAssignmentTasksTaskIdFieldEvent {
    field: '$.assignment.tasks[].taskId'
    value: string
    index: number
  }

  export interface TaskFrameAssignmentTasksInputFieldEvent {
    field: '$.assignment.tasks[].input'
    value: string
    index: number
  }

  export interface TaskFrameAssignmentTasksTraceparentFieldEvent {
    field: '$.assignment.tasks[].traceparent'
    value: string
    index: number
  }

  export interface TaskFrameAnswerBatchIdFieldEvent {
    field: '$.answer.batchId'
    value: string
  }

  export interface TaskFrameAnswerStatusFieldEvent {
    field: '$.answer.status'
    value: Answer.Status
  }

  export interface TaskFrameAnswerReasonFieldEvent {
    field: '$.answer.reason'
    value: string
  }

  export interface TaskFrameAnswerRetryAfterMsFieldEvent {
    field: '$.answer.retryAfterMs'
    value: number
  }

  export interface TaskFrameAnswerModelHashFieldEvent {
    field: '$.answer.modelHash'
    value: string
  }

  export interface TaskFrameProgressTaskIdFieldEvent {
    field: '$.progress.taskId'
    value: string
  }

  export interface TaskFrameProgressPercentFieldEvent {
    field: '$.progress.percent'
    value: number
  }

  export interface TaskFrameResultTaskIdFieldEvent {
    field: '$.result.taskId'
    value: string
  }

  export interface TaskFrameResultStatusFieldEvent {
    field: '$.result.status'
    value: Result.Status
  }

  export interface TaskFrameResultOutputEmbeddingFieldEvent {
    field: '$.result.output.embedding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskFrameResultOutputLabelFieldEvent {
    field: '$.result.output.label'
    value: string
  }

  export interface TaskFrameResultOutputScoreFieldEvent {
    field: '$.result.output.score'
    value: number
  }

  export interface TaskFrameResultOutputScoresLabelFieldEvent {
    field: '$.result.output.scores[].label'
    value: string
    index: number
  }

  export interface TaskFrameResultOutputScoresScoreFieldEvent {
    field: '$.result.output.scores[].score'
    value: number
    index: number
  }

  export interface TaskFrameResultErrorReasonFieldEvent {
    field: '$.result.errorReason'
    value: string
  }

  export interface TaskFrameResultErrorDetailsFieldEvent {
    field: '$.result.errorDetails'
    value: string
  }

  export interface TaskFrameResultModelHashFieldEvent {
    field: '$.result.modelHash'
    value: string
  }

  export interface TaskFrameResultExecutionMsFieldEvent {
    field: '$.result.executionMs'
    value: number
  }

  export interface TaskFrameResultSignatureFieldEvent {
    field: '$.result.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskFrameResultSpansTraceIdFieldEvent {
    field: '$.result.spans[].traceId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TaskFrameResultSpansSpanIdFieldEvent {
    field: '$.result.spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TaskFrameResultSpansParentSpanIdFieldEvent {
    field: '$.result.spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TaskFrameResultSpansNameFieldEvent {
    field: '$.result.spans[].name'
    value: string
    index: number
  }

  export interface TaskFrameResultSpansStartMsFieldEvent {
    field: '$.result.spans[].startMs'
    value: number
    index: number
  }

  export interface TaskFrameResultSpansEndMsFieldEvent {
    field: '$.result.spans[].endMs'
    value: number
    index: number
  }

  export interface TaskFrameResultSpansErrorFieldEvent {
    field: '$.result.spans[].error'
    value: string
    index: number
  }

  export interface TaskFrameCancelTaskIdsFieldEvent {
    field: '$.cancel.taskIds[]'
    index: number
    value: string
  }

  export interface TaskFrameKeepaliveHeldFieldEvent {
    field: '$.keepalive.held'
    value: number
  }

  export function encode (obj: Partial<TaskFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): TaskFrame {
    return decodeMessage(buf, TaskFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFrame>): Generator<TaskFrameVersionFieldEvent | TaskFrameAssignmentBatchIdFieldEvent | TaskFrameAssignmentTaskTypeFieldEvent | TaskFrameAssignmentModelFieldEvent | TaskFrameAssignmentDtypeFieldEvent | TaskFrameAssignmentModelHashFieldEvent | TaskFrameAssignmentTimeoutMsFieldEvent | TaskFrameAssignmentTraceparentFieldEvent | TaskFrameAssignmentTasksTaskIdFieldEvent | TaskFrameAssignmentTasksInputFieldEvent | TaskFrameAssignmentTasksTraceparentFieldEvent | TaskFrameAnswerBatchIdFieldEvent | TaskFrameAnswerStatusFieldEvent | TaskFrameAnswerReasonFieldEvent | TaskFrameAnswerRetryAfterMsFieldEvent | TaskFrameAnswerModelHashFieldEvent | TaskFrameProgressTaskIdFieldEvent | TaskFrameProgressPercentFieldEvent | TaskFrameResultTaskIdFieldEvent | TaskFrameResultStatusFieldEvent | TaskFrameResultOutputEmbeddingFieldEvent | TaskFrameResultOutputLabelFieldEvent | TaskFrameResultOutputScoreFieldEvent | TaskFrameResultOutputScoresLabelFieldEvent | TaskFrameResultOutputScoresScoreFieldEvent | TaskFrameResultErrorReasonFieldEvent | TaskFrameResultErrorDetailsFieldEvent | TaskFrameResultModelHashFieldEvent | TaskFrameResultExecutionMsFieldEvent | TaskFrameResultSignatureFieldEvent | TaskFrameResultSpansTraceIdFieldEvent | TaskFrameResultSpansSpanIdFieldEvent | TaskFrameResultSpansParentSpanIdFieldEvent | TaskFrameResultSpansNameFieldEvent | TaskFrameResultSpansStartMsFieldEvent | TaskFrameResultSpansEndMsFieldEvent | TaskFrameResultSpansErrorFieldEvent | TaskFrameCancelTaskIdsFieldEvent | TaskFrameKeepaliveHeldFieldEvent> {
    return streamMessage(buf, TaskFrame.codec(), opts)
  }
}

export interface Assignment {
  batchId: string
  taskType: string
  model: string
  dtype: string
  modelHash: string
  timeoutMs: number
  traceparent: string
  tasks: AssignedTask[]
}

export namespace Assignment {
  let _codec: Codec<Assignment>

  export const codec = (): Codec<Assignment> => {
    if (_codec == null) {
      _codec = message<Assignment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.batchId != null && obj.batchId !== '')) {
          w.uint32(10)
          w.string(obj.batchId)
        }

        if ((obj.taskType != null && obj.taskType !== '')) {
          w.uint32(18)
          w.string(obj.taskType)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(26)
          w.string(obj.model)
        }

        if ((obj.dtype != null && obj.dtype !== '')) {
          w.uint32(34)
          w.string(obj.dtype)
        }

        if ((obj.modelHash != null && obj.modelHash !== '')) {
          w.uint32(42)
          w.string(obj.modelHash)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.traceparent != null && obj.traceparent !== '')) {
          w.uint32(58)
          w.string(obj.traceparent)
        }

        if (obj.tasks != null && obj.tasks.length > 0) {
          for (const value of obj.tasks) {
            w.uint32(66)
            AssignedTask.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          batchId: '',
          taskType: '',
          model: '',
          dtype: '',
          modelHash: '',
          timeoutMs: 0,
          traceparent: '',
          tasks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.batchId = reader.string()
              break
            }
            case 2: {
              obj.taskType = reader.string()
              break
            }
            case 3: {
              obj.model = reader.string()
              break
            }
            case 4: {
              obj.dtype = reader.string()
              break
            }
            case 5: {
              obj.modelHash = reader.string()
              break
            }
            case 6: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 7: {
              obj.traceparent = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.tasks != null && obj.tasks.length === opts.limits.tasks) {
                throw new MaxLengthError('Decode error - repeated field "tasks" had too many elements')
              }

              obj.tasks.push(AssignedTask.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tasks$
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
          tasks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.batchId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.taskType`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.dtype`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.modelHash`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.tasks != null && obj.tasks === opts.limits.tasks) {
                throw new MaxLengthError('Streaming decode error - repeated field "tasks" had too many elements')
              }

              for (const evt of AssignedTask.codec().stream(reader, reader.uint32(), `${prefix}.tasks[]`, {
                limits: opts.limits?.tasks$
              })) {
                yield {
                  ...evt,
                  index: obj.tasks
                }
              }

              obj.tasks++

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

  export interface AssignmentBatchIdFieldEvent {
    field: '$.batchId'
    value: string
  }

  export interface AssignmentTaskTypeFieldEvent {
    field: '$.taskType'
    value: string
  }

  export interface AssignmentModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface AssignmentDtypeFieldEvent {
    field: '$.dtype'
    value: string
  }

  export interface AssignmentModelHashFieldEvent {
    field: '$.modelHash'
    value: string
  }

  export interface AssignmentTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface AssignmentTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export interface AssignmentTasksTaskIdFieldEvent {
    field: '$.tasks[].taskId'
    value: string
    index: number
  }

  export interface AssignmentTasksInputFieldEvent {
    field: '$.tasks[].input'
    value: string
    index: number
  }

  export interface AssignmentTasksTraceparentFieldEvent {
    field: '$.tasks[].traceparent'
    value: string
    index: number
  }

  export function encode (obj: Partial<Assignment>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Assignment.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Assignment>): Assignment {
    return decodeMessage(buf, Assignment.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Assignment>): Generator<AssignmentBatchIdFieldEvent | AssignmentTaskTypeFieldEvent | AssignmentModelFieldEvent | AssignmentDtypeFieldEvent | AssignmentModelHashFieldEvent | AssignmentTimeoutMsFieldEvent | AssignmentTraceparentFieldEvent | AssignmentTasksTaskIdFieldEvent | AssignmentTasksInputFieldEvent | AssignmentTasksTraceparentFieldEvent> {
    return streamMessage(buf, Assignment.codec(), opts)
  }
}

export interface AssignedTask {
  taskId: string
  input: string
  traceparent: string
}

export namespace AssignedTask {
  let _codec: Codec<AssignedTask>

  export const codec = (): Codec<AssignedTask> => {
    if (_codec == null) {
      _codec = message<AssignedTask>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.input != null && obj.input !== '')) {
          w.uint32(18)
          w.string(obj.input)
        }

        if ((obj.traceparent != null && obj.traceparent !== '')) {
          w.uint32(26)
          w.string(obj.traceparent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          input: '',
          traceparent: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.input = reader.string()
              break
            }
            case 3: {
              obj.traceparent = reader.string()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.input`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.traceparent`,
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

  export interface AssignedTaskTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface AssignedTaskInputFieldEvent {
    field: '$.input'
    value: string
  }

  export interface AssignedTaskTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export function encode (obj: Partial<AssignedTask>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AssignedTask.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AssignedTask>): AssignedTask {
    return decodeMessage(buf, AssignedTask.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AssignedTask>): Generator<AssignedTaskTaskIdFieldEvent | AssignedTaskInputFieldEvent | AssignedTaskTraceparentFieldEvent> {
    return streamMessage(buf, AssignedTask.codec(), opts)
  }
}

export interface Answer {
  batchId: string
  status: Answer.Status
  reason: string
  retryAfterMs: number
  modelHash: string
}

export namespace Answer {
  export enum Status {
    ACCEPTED = 'ACCEPTED',
    BUSY = 'BUSY',
    REJECTED = 'REJECTED'
  }

  enum __StatusValues {
    ACCEPTED = 0,
    BUSY = 1,
    REJECTED = 2
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<Answer>

  export const codec = (): Codec<Answer> => {
    if (_codec == null) {
      _codec = message<Answer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.batchId != null && obj.batchId !== '')) {
          w.uint32(10)
          w.string(obj.batchId)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(16)
          Answer.Status.codec().encode(obj.status, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.retryAfterMs)
        }

        if ((obj.modelHash != null && obj.modelHash !== '')) {
          w.uint32(42)
          w.string(obj.modelHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          batchId: '',
          status: Status.ACCEPTED,
          reason: '',
          retryAfterMs: 0,
          modelHash: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.batchId = reader.string()
              break
            }
            case 2: {
              obj.status = Answer.Status.codec().decode(reader)
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            case 4: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 5: {
              obj.modelHash = reader.string()
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
                field: `${prefix}.batchId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.status`,
                value: Answer.Status.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.modelHash`,
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

  export interface AnswerBatchIdFieldEvent {
    field: '$.batchId'
    value: string
  }

  export interface AnswerStatusFieldEvent {
    field: '$.status'
    value: Answer.Status
  }

  export interface AnswerReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface AnswerRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface AnswerModelHashFieldEvent {
    field: '$.modelHash'
    value: string
  }

  export function encode (obj: Partial<Answer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Answer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Answer>): Answer {
    return decodeMessage(buf, Answer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Answer>): Generator<AnswerBatchIdFieldEvent | AnswerStatusFieldEvent | AnswerReasonFieldEvent | AnswerRetryAfterMsFieldEvent | AnswerModelHashFieldEvent> {
    return streamMessage(buf, Answer.codec(), opts)
  }
}

export interface Progress {
  taskId: string
  percent: number
}

export namespace Progress {
  let _codec: Codec<Progress>

  export const codec = (): Codec<Progress> => {
    if (_codec == null) {
      _codec = message<Progress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.percent != null && obj.percent !== 0)) {
          w.uint32(16)
          w.uint32(obj.percent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          percent: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.percent = reader.uint32()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.percent`,
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

  export interface ProgressTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface ProgressPercentFieldEvent {
    field: '$.percent'
    value: number
  }

  export function encode (obj: Partial<Progress>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Progress.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Progress>): Progress {
    return decodeMessage(buf, Progress.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Progress>): Generator<ProgressTaskIdFieldEvent | ProgressPercentFieldEvent> {
    return streamMessage(buf, Progress.codec(), opts)
  }
}

export interface Result {
  taskId: string
  status: Result.Status
  output?: Output
  errorReason: string
  errorDetails: string
  modelHash: string
  executionMs: number
  signature: Uint8Array<ArrayBuffer>
  spans: Span[]
}

export namespace Result {
  export enum Status {
    COMPLETED = 'COMPLETED',
    FAILED = 'FAILED',
    TIMEOUT = 'TIMEOUT'
  }

  enum __StatusValues {
    COMPLETED = 0,
    FAILED = 1,
    TIMEOUT = 2
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<Result>

  export const codec = (): Codec<Result> => {
    if (_codec == null) {
      _codec = message<Result>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(16)
          Result.Status.codec().encode(obj.status, w)
        }

        if (obj.output != null) {
          w.uint32(26)
          Output.codec().encode(obj.output, w)
        }

        if ((obj.errorReason != null && obj.errorReason !== '')) {
          w.uint32(34)
          w.string(obj.errorReason)
        }

        if ((obj.errorDetails != null && obj.errorDetails !== '')) {
          w.uint32(42)
          w.string(obj.errorDetails)
        }

        if ((obj.modelHash != null && obj.modelHash !== '')) {
          w.uint32(50)
          w.string(obj.modelHash)
        }

        if ((obj.executionMs != null && obj.executionMs !== 0)) {
          w.uint32(56)
          w.uint32(obj.executionMs)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if (obj.spans != null && obj.spans.length > 0) {
          for (const value of obj.spans) {
            w.uint32(74)
            Span.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          status: Status.COMPLETED,
          errorReason: '',
          errorDetails: '',
          modelHash: '',
          executionMs: 0,
          signature: uint8ArrayAlloc(0),
          spans: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.status = Result.Status.codec().decode(reader)
              break
            }
            case 3: {
              obj.output = Output.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.output
              })
              break
            }
            case 4: {
              obj.errorReason = reader.string()
              break
            }
            case 5: {
              obj.errorDetails = reader.string()
              break
            }
            case 6: {
              obj.modelHash = reader.string()
              break
            }
            case 7: {
              obj.executionMs = reader.uint32()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
              break
            }
            case 9: {
              if (opts.limits?.spans != null && obj.spans.length === opts.limits.spans) {
                throw new MaxLengthError('Decode error - repeated field "spans" had too many elements')
              }

              obj.spans.push(Span.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spans$
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
          spans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.status`,
                value: Result.Status.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield * Output.codec().stream(reader, reader.uint32(), `${prefix}.output`, {
                limits: opts.limits?.output
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.errorReason`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.errorDetails`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.modelHash`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.executionMs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              if (opts.limits?.spans != null && obj.spans === opts.limits.spans) {
                throw new MaxLengthError('Streaming decode error - repeated field "spans" had too many elements')
              }

              for (const evt of Span.codec().stream(reader, reader.uint32(), `${prefix}.spans[]`, {
                limits: opts.limits?.spans$
              })) {
                yield {
                  ...evt,
                  index: obj.spans
                }
              }

              obj.spans++

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

  export interface ResultTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface ResultStatusFieldEvent {
    field: '$.status'
    value: Result.Status
  }

  export interface ResultOutputEmbeddingFieldEvent {
    field: '$.output.embedding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultOutputLabelFieldEvent {
    field: '$.output.label'
    value: string
  }

  export interface ResultOutputScoreFieldEvent {
    field: '$.output.score'
    value: number
  }

  export interface ResultOutputScoresLabelFieldEvent {
    field: '$.output.scores[].label'
    value: string
    index: number
  }

  export interface ResultOutputScoresScoreFieldEvent {
    field: '$.output.scores[].score'
    value: number
    index: number
  }

  export interface ResultErrorReasonFieldEvent {
    field: '$.errorReason'
    value: string
  }

  export interface ResultErrorDetailsFieldEvent {
    field: '$.errorDetails'
    value: string
  }

  export interface ResultModelHashFieldEvent {
    field: '$.modelHash'
    value: string
  }

  export interface ResultExecutionMsFieldEvent {
    field: '$.executionMs'
    value: number
  }

  export interface ResultSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultSpansTraceIdFieldEvent {
    field: '$.spans[].traceId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResultSpansSpanIdFieldEvent {
    field: '$.spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResultSpansParentSpanIdFieldEvent {
    field: '$.spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResultSpansNameFieldEvent {
    field: '$.spans[].name'
    value: string
    index: number
  }

  export interface ResultSpansStartMsFieldEvent {
    field: '$.spans[].startMs'
    value: number
    index: number
  }

  export interface ResultSpansEndMsFieldEvent {
    field: '$.spans[].endMs'
    value: number
    index: number
  }

  export interface ResultSpansErrorFieldEvent {
    field: '$.spans[].error'
    value: string
    index: number
  }

  export function encode (obj: Partial<Result>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Result.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Result {
    return decodeMessage(buf, Result.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Generator<ResultTaskIdFieldEvent | ResultStatusFieldEvent | ResultOutputEmbeddingFieldEvent | ResultOutputLabelFieldEvent | ResultOutputScoreFieldEvent | ResultOutputScoresLabelFieldEvent | ResultOutputScoresScoreFieldEvent | ResultErrorReasonFieldEvent | ResultErrorDetailsFieldEvent | ResultModelHashFieldEvent | ResultExecutionMsFieldEvent | ResultSignatureFieldEvent | ResultSpansTraceIdFieldEvent | ResultSpansSpanIdFieldEvent | ResultSpansParentSpanIdFieldEvent | ResultSpansNameFieldEvent | ResultSpansStartMsFieldEvent | ResultSpansEndMsFieldEvent | ResultSpansErrorFieldEvent> {
    return streamMessage(buf, Result.codec(), opts)
  }
}

export interface Span {
  traceId: Uint8Array<ArrayBuffer>
  spanId: Uint8Array<ArrayBuffer>
  parentSpanId: Uint8Array<ArrayBuffer>
  name: string
  startMs: number
  endMs: number
  error: string
}

export namespace Span {
  let _codec: Codec<Span>

  export const codec = (): Codec<Span> => {
    if (_codec == null) {
      _codec = message<Span>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.traceId != null && obj.traceId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.traceId)
        }

        if ((obj.spanId != null && obj.spanId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.spanId)
        }

        if ((obj.parentSpanId != null && obj.parentSpanId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.parentSpanId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(34)
          w.string(obj.name)
        }

        if ((obj.startMs != null && obj.startMs !== 0)) {
          w.uint32(41)
          w.double(obj.startMs)
        }

        if ((obj.endMs != null && obj.endMs !== 0)) {
          w.uint32(49)
          w.double(obj.endMs)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(58)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          traceId: uint8ArrayAlloc(0),
          spanId: uint8ArrayAlloc(0),
          parentSpanId: uint8ArrayAlloc(0),
          name: '',
          startMs: 0,
          endMs: 0,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.traceId = reader.bytes()
              break
            }
            case 2: {
              obj.spanId = reader.bytes()
              break
            }
            case 3: {
              obj.parentSpanId = reader.bytes()
              break
            }
            case 4: {
              obj.name = reader.string()
              break
            }
            case 5: {
              obj.startMs = reader.double()
              break
            }
            case 6: {
              obj.endMs = reader.double()
              break
            }
            case 7: {
              obj.error = reader.string()
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
                field: `${prefix}.traceId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.spanId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parentSpanId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.startMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.endMs`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.error`,
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

  export interface SpanTraceIdFieldEvent {
    field: '$.traceId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanSpanIdFieldEvent {
    field: '$.spanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanParentSpanIdFieldEvent {
    field: '$.parentSpanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface SpanStartMsFieldEvent {
    field: '$.startMs'
    value: number
  }

  export interface SpanEndMsFieldEvent {
    field: '$.endMs'
    value: number
  }

  export interface SpanErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<Span>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Span.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Span {
    return decodeMessage(buf, Span.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Generator<SpanTraceIdFieldEvent | SpanSpanIdFieldEvent | SpanParentSpanIdFieldEvent | SpanNameFieldEvent | SpanStartMsFieldEvent | SpanEndMsFieldEvent | SpanErrorFieldEvent> {
    return streamMessage(buf, Span.codec(), opts)
  }
}

export interface Output {
  embedding: Uint8Array<ArrayBuffer>
  label: string
  score: number
  scores: LabelScore[]
}

export namespace Output {
  let _codec: Codec<Output>

  export const codec = (): Codec<Output> => {
    if (_codec == null) {
      _codec = message<Output>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.embedding != null && obj.embedding.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.embedding)
        }

        if ((obj.label != null && obj.label !== '')) {
          w.uint32(18)
          w.string(obj.label)
        }

        if ((obj.score != null && obj.score !== 0)) {
          w.uint32(29)
          w.float(obj.score)
        }

        if (obj.scores != null && obj.scores.length > 0) {
          for (const value of obj.scores) {
            w.uint32(34)
            LabelScore.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          embedding: uint8ArrayAlloc(0),
          label: '',
          score: 0,
          scores: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.embedding = reader.bytes()
              break
            }
            case 2: {
              obj.label = reader.string()
              break
            }
            case 3: {
              obj.score = reader.float()
              break
            }
            case 4: {
              if (opts.limits?.scores != null && obj.scores.length === opts.limits.scores) {
                throw new MaxLengthError('Decode error - repeated field "scores" had too many elements')
              }

              obj.scores.push(LabelScore.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scores$
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
          scores: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.embedding`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.label`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.score`,
                value: reader.float()
              }
              break
            }
            case 4: {
              if (opts.limits?.scores != null && obj.scores === opts.limits.scores) {
                throw new MaxLengthError('Streaming decode error - repeated field "scores" had too many elements')
              }

              for (const evt of LabelScore.codec().stream(reader, reader.uint32(), `${prefix}.scores[]`, {
                limits: opts.limits?.scores$
              })) {
                yield {
                  ...evt,
                  index: obj.scores
                }
              }

              obj.scores++

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

  export interface OutputEmbeddingFieldEvent {
    field: '$.embedding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OutputLabelFieldEvent {
    field: '$.label'
    value: string
  }

  export interface OutputScoreFieldEvent {
    field: '$.score'
    value: number
  }

  export interface OutputScoresLabelFieldEvent {
    field: '$.scores[].label'
    value: string
    index: number
  }

  export interface OutputScoresScoreFieldEvent {
    field: '$.scores[].score'
    value: number
    index: number
  }

  export function encode (obj: Partial<Output>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Output.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Output>): Output {
    return decodeMessage(buf, Output.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Output>): Generator<OutputEmbeddingFieldEvent | OutputLabelFieldEvent | OutputScoreFieldEvent | OutputScoresLabelFieldEvent | OutputScoresScoreFieldEvent> {
    return streamMessage(buf, Output.codec(), opts)
  }
}

export interface LabelScore {
  label: string
  score: number
}

export namespace LabelScore {
  let _codec: Codec<LabelScore>

  export const codec = (): Codec<LabelScore> => {
    if (_codec == null) {
      _codec = message<LabelScore>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.label != null && obj.label !== '')) {
          w.uint32(10)
          w.string(obj.label)
        }

        if ((obj.score != null && obj.score !== 0)) {
          w.uint32(21)
          w.float(obj.score)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          label: '',
          score: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.label = reader.string()
              break
            }
            case 2: {
              obj.score = reader.float()
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
                field: `${prefix}.label`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.score`,
                value: reader.float()
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

  export interface LabelScoreLabelFieldEvent {
    field: '$.label'
    value: string
  }

  export interface LabelScoreScoreFieldEvent {
    field: '$.score'
    value: number
  }

  export function encode (obj: Partial<LabelScore>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LabelScore.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LabelScore>): LabelScore {
    return decodeMessage(buf, LabelScore.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LabelScore>): Generator<LabelScoreLabelFieldEvent | LabelScoreScoreFieldEvent> {
    return streamMessage(buf, LabelScore.codec(), opts)
  }
}

export interface Cancel {
  taskIds: string[]
}

export namespace Cancel {
  let _codec: Codec<Cancel>

  export const codec = (): Codec<Cancel> => {
    if (_codec == null) {
      _codec = message<Cancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.taskIds != null && obj.taskIds.length > 0) {
          for (const value of obj.taskIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.taskIds != null && obj.taskIds.length === opts.limits.taskIds) {
                throw new MaxLengthError('Decode error - repeated field "taskIds" had too many elements')
              }

              obj.taskIds.push(reader.string())
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
          taskIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.taskIds != null && obj.taskIds === opts.limits.taskIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "taskIds" had too many elements')
              }

              yield {
                field: `${prefix}.taskIds[]`,
                index: obj.taskIds,
                value: reader.string()
              }

              obj.taskIds++

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

  export interface CancelTaskIdsFieldEvent {
    field: '$.taskIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Cancel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Cancel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Cancel {
    return decodeMessage(buf, Cancel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Generator<CancelTaskIdsFieldEvent> {
    return streamMessage(buf, Cancel.codec(), opts)
  }
}

export interface Keepalive {
  held: number
}

export namespace Keepalive {
  let _codec: Codec<Keepalive>

  export const codec = (): Codec<Keepalive> => {
    if (_codec == null) {
      _codec = message<Keepalive>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.held != null && obj.held !== 0)) {
          w.uint32(8)
          w.uint32(obj.held)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          held: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.held = reader.uint32()
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
                field: `${prefix}.held`,
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

  export interface KeepaliveHeldFieldEvent {
    field: '$.held'
    value: number
  }

  export function encode (obj: Partial<Keepalive>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Keepalive.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Keepalive>): Keepalive {
    return decodeMessage(buf, Keepalive.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Keepalive>): Generator<KeepaliveHeldFieldEvent> {
    return streamMessage(buf, Keepalive.codec(), opts)
  }
}
