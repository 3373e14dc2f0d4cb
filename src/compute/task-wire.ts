/**
 * Frames of the task protocol (/p2p-ai/task/1.0.0): length-prefixed protobuf TaskFrames, capped
 * in size before they are buffered, and validated field by field before anything uses them.
 * Inbound bytes are untrusted: a frame that fails is a FrameError with its drop reason, counted
 * by the caller; only a broken length prefix ends the stream (it cannot be resynchronised).
 */
import * as lp from 'it-length-prefixed'
import type { Uint8ArrayList } from 'uint8arraylist'
import { FRAME_OVERHEAD_BYTES, MAX_PAYLOAD_BYTES, TASK_FRAME_VERSION } from '../core/protocol.js'
import { TaskFrame } from '../core/proto/task.js'
import type { Output, Span } from '../core/proto/task.js'
import type { ReturnedSpan, SpanRecord } from '../core/spans.js'
import { SPAN_NAMES } from '../core/spans.js'
import { Result } from '../core/proto/task.js'
import type { TaskOutput, TaskType } from '../core/tasks.js'
import { roundEmbeddingValue, TASK_TYPES } from '../core/tasks.js'
import { FrameError } from '../core/errors.js'
import type { FrameCodec } from '../mesh/framed-stream.js'
import { FrameSplitter } from '../mesh/frame-splitter.js'
import { MAX_INPUT_CHARS } from '../tasks/request.js'

export { TaskFrame }

/** The largest task frame either side sends or takes: 4 MiB of tasks or results, plus framing. */
export const MAX_TASK_FRAME_BYTES = MAX_PAYLOAD_BYTES + FRAME_OVERHEAD_BYTES
/** Most tasks in one assignment. */
export const MAX_TASKS_PER_ASSIGNMENT = 256
/** Largest embedding a result may carry (values). */
export const MAX_EMBEDDING_DIMS = 4096
const MAX_LABELS = 64
const MAX_TEXT = 256
const MAX_CANCEL = 1024
/** Most spans a result carries back (a task's spans on its executor: a handful). */
export const MAX_SPANS_PER_RESULT = 32
const MAX_TIMEOUT_MS = 3_600_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SHA256_HEX = /^([0-9a-f]{64})?$/
const TRACEPARENT = /^(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})?$/
const BODIES = ['assignment', 'answer', 'progress', 'result', 'cancel', 'keepalive'] as const
export type TaskFrameBody = (typeof BODIES)[number]

/** A frame as bytes ready for `stream.send`: varint length prefix + protobuf. */
export function encodeTaskFrame(frame: Omit<TaskFrame, 'version'>): Uint8ArrayList {
  return lp.encode.single(TaskFrame.encode({ version: TASK_FRAME_VERSION, ...frame }), {
    maxDataLength: MAX_TASK_FRAME_BYTES,
  })
}

/** How a FramedStream carries task frames. */
export const taskCodec: FrameCodec<Omit<TaskFrame, 'version'>> = {
  encode: (frame) => encodeTaskFrame(frame),
  decoder: () => new TaskFrameDecoder(),
}

/** Splits a byte stream into validated task frames (a TaskFrame or a FrameError each). */
export class TaskFrameDecoder extends FrameSplitter<TaskFrame> {
  constructor() {
    super(
      { maxFrameBytes: MAX_TASK_FRAME_BYTES, maxBufferBytes: MAX_TASK_FRAME_BYTES + 64 * 1024 },
      decodeTaskFrame,
    )
  }
}

/** Decodes and validates one frame's bytes (without the length prefix). */
export function decodeTaskFrame(bytes: Uint8Array | Uint8ArrayList): TaskFrame | FrameError {
  let frame: TaskFrame
  try {
    frame = TaskFrame.decode(bytes, {
      limits: {
        assignment: { tasks: MAX_TASKS_PER_ASSIGNMENT },
        result: { output: { scores: MAX_LABELS }, spans: MAX_SPANS_PER_RESULT },
        cancel: { taskIds: MAX_CANCEL },
      },
    })
  } catch (err) {
    return new FrameError('undecodable', (err as Error).message)
  }
  return validateTaskFrame(frame) ?? frame
}

/** Why a decoded frame is unacceptable, or undefined when it is valid. */
export function validateTaskFrame(frame: TaskFrame): FrameError | undefined {
  if (frame.version !== TASK_FRAME_VERSION)
    return new FrameError(
      'wrong_version',
      `task frame version ${frame.version}, this node speaks ${TASK_FRAME_VERSION}`,
    )
  if (!BODIES.some((b) => frame[b] != null))
    return new FrameError('no_body', 'frame carries no message')
  const bad = (reason: ConstructorParameters<typeof FrameError>[0], detail: string): FrameError =>
    new FrameError(reason, detail)
  const { assignment: a, answer, progress, result: r, cancel } = frame
  if (a != null) {
    if (!UUID.test(a.batchId)) return bad('invalid_assignment', 'batch_id is not a UUID')
    if (!(TASK_TYPES as readonly string[]).includes(a.taskType))
      return bad('invalid_assignment', `unknown task type ${JSON.stringify(a.taskType)}`)
    if (a.model.length === 0 || a.model.length > MAX_TEXT || a.dtype.length > 16)
      return bad('invalid_assignment', 'model or dtype missing or too long')
    if (!SHA256_HEX.test(a.modelHash))
      return bad('invalid_assignment', 'model_hash is not a SHA-256 in hex')
    if (a.timeoutMs === 0 || a.timeoutMs > MAX_TIMEOUT_MS)
      return bad('invalid_assignment', `timeout_ms must be 1-${MAX_TIMEOUT_MS}`)
    if (!TRACEPARENT.test(a.traceparent))
      return bad('invalid_assignment', 'traceparent is not W3C trace context')
    if (a.tasks.length === 0) return bad('invalid_assignment', 'no tasks')
    const ids = new Set<string>()
    for (const t of a.tasks) {
      if (!UUID.test(t.taskId) || ids.has(t.taskId))
        return bad('invalid_assignment', 'a task_id is not a UUID or repeats')
      if (!TRACEPARENT.test(t.traceparent))
        return bad('invalid_assignment', 'a traceparent is not W3C trace context')
      if (t.input.length > MAX_INPUT_CHARS)
        return bad('invalid_assignment', `an input is over ${MAX_INPUT_CHARS} characters`)
      ids.add(t.taskId)
    }
  }
  if (answer != null) {
    if (!UUID.test(answer.batchId)) return bad('invalid_answer', 'batch_id is not a UUID')
    if (answer.reason.length > MAX_TEXT) return bad('invalid_answer', 'reason too long')
    if (!SHA256_HEX.test(answer.modelHash))
      return bad('invalid_answer', 'model_hash is not a SHA-256 in hex')
  }
  if (progress != null) {
    if (!UUID.test(progress.taskId)) return bad('invalid_progress', 'task_id is not a UUID')
    if (progress.percent > 100) return bad('invalid_progress', 'percent above 100')
  }
  if (r != null) {
    if (!UUID.test(r.taskId)) return bad('invalid_result', 'task_id is not a UUID')
    if (!SHA256_HEX.test(r.modelHash))
      return bad('invalid_result', 'model_hash is not a SHA-256 in hex')
    if (r.signature.byteLength !== 64) return bad('invalid_result', 'signature is not 64 bytes')
    if (r.errorReason.length > MAX_TEXT || r.errorDetails.length > 4 * MAX_TEXT)
      return bad('invalid_result', 'error text too long')
    const problem = r.output == null ? undefined : outputProblem(r.output)
    if (problem != null) return bad('invalid_result', problem)
    const spanProblem = r.spans.map(spanProblemOf).find((p) => p != null)
    if (spanProblem != null) return bad('invalid_result', spanProblem)
    if ((r.status === Result.Status.COMPLETED) !== (r.output != null))
      return bad('invalid_result', 'an output comes with COMPLETED, and only with it')
  }
  if (cancel != null && !cancel.taskIds.every((id) => UUID.test(id)))
    return bad('invalid_cancel', 'a task_id is not a UUID')
  return undefined
}

function outputProblem(o: Output): string | undefined {
  const hasEmbedding = o.embedding.byteLength > 0
  const hasLabel = o.label.length > 0
  if (hasEmbedding === hasLabel) return 'output is an embedding or a label, exactly one'
  if (hasEmbedding) {
    if (o.embedding.byteLength % 4 !== 0 || o.embedding.byteLength > 4 * MAX_EMBEDDING_DIMS)
      return 'embedding is not float32 values (at most 4096)'
    const values = floats(o.embedding)
    if (!values.every(Number.isFinite)) return 'embedding has a value that is not finite'
    return undefined
  }
  if (o.label.length > MAX_TEXT) return 'label too long'
  if (!Number.isFinite(o.score)) return 'score is not finite'
  if (!o.scores.every((s) => s.label.length <= MAX_TEXT && Number.isFinite(s.score)))
    return 'a score is not finite, or its label too long'
  return undefined
}

function spanProblemOf(s: Span): string | undefined {
  if (s.traceId.byteLength !== 16 || s.spanId.byteLength !== 8)
    return 'a span has no 16-byte trace id or 8-byte span id'
  if (s.parentSpanId.byteLength !== 0 && s.parentSpanId.byteLength !== 8)
    return 'a span parent id is not 8 bytes'
  if (!(SPAN_NAMES as readonly string[]).includes(s.name)) return 'a span has an unknown name'
  if (!Number.isFinite(s.startMs) || !Number.isFinite(s.endMs) || s.endMs < s.startMs)
    return 'a span has no valid times'
  if (s.error.length > MAX_TEXT) return 'a span error is too long'
  return undefined
}

/** Finished spans as a result carries them (at most MAX_SPANS_PER_RESULT, the first). */
export function spansToWire(spans: readonly SpanRecord[]): Span[] {
  return spans.slice(0, MAX_SPANS_PER_RESULT).map((s) => ({
    traceId: fromHex(s.trace_id),
    spanId: fromHex(s.span_id),
    parentSpanId: fromHex(s.parent_span_id ?? ''),
    name: s.name,
    startMs: s.start_ms,
    endMs: s.end_ms,
    error: (s.error ?? '').slice(0, MAX_TEXT),
  }))
}

/** Validated wire spans as the submitter keeps them. */
export function spansFromWire(spans: readonly Span[]): ReturnedSpan[] {
  return spans.map((s) => ({
    trace_id: toHex(s.traceId),
    span_id: toHex(s.spanId),
    ...(s.parentSpanId.byteLength === 0 ? {} : { parent_span_id: toHex(s.parentSpanId) }),
    name: s.name,
    start_ms: s.startMs,
    end_ms: s.endMs,
    ...(s.error === '' ? {} : { error: s.error }),
  }))
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The body a valid frame carries. */
export function taskFrameBody(frame: TaskFrame): TaskFrameBody {
  const body = BODIES.find((b) => frame[b] != null)
  if (body == null) throw new FrameError('no_body', 'frame carries no message')
  return body
}

/** A task's output as it travels: an embedding as float32 bytes, a label with its scores. */
export function outputToWire(output: TaskOutput): Output {
  if ('embedding' in output) {
    const values = Float32Array.from(output.embedding)
    return {
      embedding: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      label: '',
      score: 0,
      scores: [],
    }
  }
  return {
    embedding: new Uint8Array(0),
    label: output.label,
    score: output.score,
    scores: output.scores.map((s) => ({ label: s.label, score: s.score })),
  }
}

/** A validated wire output as the task's output (embedding values to their 6 decimals). */
export function outputFromWire(output: Output, taskType: TaskType): TaskOutput {
  if (taskType === 'text_embedding') {
    const embedding = Array.from(floats(output.embedding), roundEmbeddingValue)
    return { embedding, dimensions: embedding.length }
  }
  return {
    label: output.label,
    score: output.score,
    scores: output.scores.map((s) => ({ label: s.label, score: s.score })),
  }
}

/** float32 little-endian values of `bytes` (a copy, so any alignment works). */
function floats(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(bytes.byteLength / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}
