/**
 * The task protocol's frames: valid frames round-trip; every rule of validation refuses with its
 * drop reason; and no sequence of bytes makes the decoder throw or accept garbage (fast-check).
 */
import fc from 'fast-check'
import { damaged } from '../damaged-bytes.js'
import { describe, expect, it } from 'vitest'
import { FrameError } from '../../src/core/errors.js'
import type { Span } from '../../src/core/proto/task.js'
import { Answer, Result, TaskFrame } from '../../src/core/proto/task.js'
import type { SpanRecord } from '../../src/core/spans.js'
import {
  decodeTaskFrame,
  encodeTaskFrame,
  MAX_TASK_FRAME_BYTES,
  outputFromWire,
  outputToWire,
  spansFromWire,
  spansToWire,
  TaskFrameDecoder,
  taskFrameBody,
} from '../../src/compute/task-wire.js'

const ID = '7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b'
const ID2 = '0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9'
const HASH = 'ab'.repeat(32)
const SIG = new Uint8Array(64).fill(1)

const assignment = (over: Partial<NonNullable<TaskFrame['assignment']>> = {}): TaskFrame => ({
  version: 1,
  assignment: {
    batchId: ID,
    taskType: 'text_embedding',
    model: 'local/universal-sentence-encoder-lite',
    dtype: 'q8',
    modelHash: HASH,
    timeoutMs: 30_000,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tasks: [
      { taskId: ID, input: 'A man is eating food.', traceparent: '' },
      { taskId: ID2, input: 'A man is eating bread.', traceparent: '' },
    ],
    ...over,
  },
})

const result = (over: Partial<NonNullable<TaskFrame['result']>> = {}): TaskFrame => ({
  version: 1,
  result: {
    taskId: ID,
    status: Result.Status.COMPLETED,
    output: outputToWire({ embedding: [0.1, -0.2, 0.3], dimensions: 3 }),
    errorReason: '',
    errorDetails: '',
    modelHash: HASH,
    executionMs: 12,
    signature: SIG,
    spans: [],
    ...over,
  },
})

/** Decodes a frame the way a stream would: length-prefixed bytes through the decoder. */
function throughDecoder(frame: TaskFrame): TaskFrame | FrameError {
  const { version: _v, ...body } = frame
  const out = [...new TaskFrameDecoder().push(encodeTaskFrame(body).subarray())]
  expect(out).toHaveLength(1)
  return out[0] as TaskFrame | FrameError
}

function reasonOf(x: TaskFrame | FrameError): string | undefined {
  return x instanceof FrameError ? x.reason : undefined
}

const span = (over: Partial<Span> = {}): Span => ({
  traceId: new Uint8Array(16).fill(0xab),
  spanId: new Uint8Array(8).fill(0xcd),
  parentSpanId: new Uint8Array(8).fill(0xef),
  name: 'inference',
  startMs: 1_700_000_000_000.25,
  endMs: 1_700_000_000_012.5,
  error: '',
  ...over,
})

describe('task frames', () => {
  it('carry a task traceparent and the executor spans with a result, ids as hex', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const a = throughDecoder(assignment({ tasks: [{ taskId: ID, input: 'a', traceparent: tp }] }))
    expect((a as TaskFrame).assignment?.tasks[0]?.traceparent).toBe(tp)
    const records: SpanRecord[] = [
      {
        task_id: ID,
        trace_id: 'ab'.repeat(16),
        span_id: 'cd'.repeat(8),
        parent_span_id: 'ef'.repeat(8),
        name: 'queue',
        node_id: 'n',
        start_ms: 1_700_000_000_000.25,
        end_ms: 1_700_000_000_001.75,
      },
      {
        task_id: ID,
        trace_id: 'ab'.repeat(16),
        span_id: '12'.repeat(8),
        name: 'inference',
        node_id: 'n',
        start_ms: 1_700_000_000_002,
        end_ms: 1_700_000_000_009,
        error: 'timeout',
      },
    ]
    const r = throughDecoder(result({ spans: spansToWire(records) })) as TaskFrame
    expect(spansFromWire(r.result?.spans ?? [])).toEqual(
      records.map(({ task_id: _t, node_id: _n, ...rest }) => rest),
    )
  })

  it('round-trip an assignment, an answer, progress, a result and a cancel', () => {
    const frames: TaskFrame[] = [
      assignment(),
      {
        version: 1,
        answer: {
          batchId: ID,
          status: Answer.Status.BUSY,
          reason: 'queue_full',
          retryAfterMs: 500,
          modelHash: HASH,
        },
      },
      { version: 1, progress: { taskId: ID, percent: 40 } },
      result(),
      { version: 1, cancel: { taskIds: [ID, ID2] } },
    ]
    for (const f of frames) {
      const back = throughDecoder(f)
      expect(back).not.toBeInstanceOf(FrameError)
      expect(back).toEqual(f)
      expect(taskFrameBody(back as TaskFrame)).toBe(Object.keys(f).find((k) => k !== 'version'))
    }
  })

  it.each([
    ['a batch id that is not a UUID', assignment({ batchId: 'nope' }), 'invalid_assignment'],
    ['an unknown task type', assignment({ taskType: 'translation' }), 'invalid_assignment'],
    ['no model', assignment({ model: '' }), 'invalid_assignment'],
    [
      'a model hash that is not hex SHA-256',
      assignment({ modelHash: 'xyz' }),
      'invalid_assignment',
    ],
    ['a zero timeout', assignment({ timeoutMs: 0 }), 'invalid_assignment'],
    ['a timeout over an hour', assignment({ timeoutMs: 3_600_001 }), 'invalid_assignment'],
    ['a malformed traceparent', assignment({ traceparent: '01-zz' }), 'invalid_assignment'],
    ['no tasks', assignment({ tasks: [] }), 'invalid_assignment'],
    [
      'a repeated task id',
      assignment({
        tasks: [
          { taskId: ID, input: 'a', traceparent: '' },
          { taskId: ID, input: 'b', traceparent: '' },
        ],
      }),
      'invalid_assignment',
    ],
    [
      'an input over 100,000 characters',
      assignment({ tasks: [{ taskId: ID, input: 'x'.repeat(100_001), traceparent: '' }] }),
      'invalid_assignment',
    ],
    [
      'a result without a 64-byte signature',
      result({ signature: new Uint8Array(10) }),
      'invalid_result',
    ],
    ['a COMPLETED result without output', result({ output: undefined }), 'invalid_result'],
    [
      'a FAILED result with an output',
      result({ status: Result.Status.FAILED, errorReason: 'engine_failed' }),
      'invalid_result',
    ],
    [
      'an embedding that is not float32 values',
      result({ output: { embedding: new Uint8Array(5), label: '', score: 0, scores: [] } }),
      'invalid_result',
    ],
    [
      'an embedding with a NaN',
      result({
        output: {
          embedding: new Uint8Array(new Float32Array([1, NaN]).buffer),
          label: '',
          score: 0,
          scores: [],
        },
      }),
      'invalid_result',
    ],
    [
      'an output with both an embedding and a label',
      result({
        output: { embedding: new Uint8Array(4), label: 'POSITIVE', score: 1, scores: [] },
      }),
      'invalid_result',
    ],
    [
      'a task traceparent that is not W3C trace context',
      assignment({ tasks: [{ taskId: ID, input: 'a', traceparent: 'not-a-traceparent' }] }),
      'invalid_assignment',
    ],
    [
      'a span with a short trace id',
      result({ spans: [span({ traceId: new Uint8Array(8).fill(1) })] }),
      'invalid_result',
    ],
    ['a span of an unknown name', result({ spans: [span({ name: 'mine' })] }), 'invalid_result'],
    [
      'a span that ends before it starts',
      result({ spans: [span({ startMs: 2000, endMs: 1000 })] }),
      'invalid_result',
    ],
    [
      'progress over 100 %',
      { version: 1, progress: { taskId: ID, percent: 101 } },
      'invalid_progress',
    ],
    [
      'a cancel of something not a UUID',
      { version: 1, cancel: { taskIds: ['x'] } },
      'invalid_cancel',
    ],
    ['an empty frame', { version: 1 }, 'no_body'],
  ] as Array<[string, TaskFrame, string]>)('refuses %s', (_what, frame, reason) => {
    expect(reasonOf(throughDecoder(frame))).toBe(reason)
  })

  it('refuses a frame of another version', () => {
    const v2 = TaskFrame.encode({ version: 2, progress: { taskId: ID, percent: 1 } })
    expect(reasonOf(decodeTaskFrame(v2))).toBe('wrong_version')
  })

  it('refuses more than 256 tasks in one assignment', () => {
    const tasks = Array.from({ length: 257 }, (_, i) => ({
      taskId: `7d0b6c5e-2f7e-4a8e-9a52-${i.toString(16).padStart(12, '0')}`,
      input: 'x',
      traceparent: '',
    }))
    expect(reasonOf(throughDecoder(assignment({ tasks })))).toBe('undecodable')
  })

  it('ends the stream on a length prefix over the frame cap, before buffering it', () => {
    const prefix = new Uint8Array([0xff, 0xff, 0xff, 0x7f]) // 268 MB
    expect(MAX_TASK_FRAME_BYTES).toBeLessThan(268_000_000)
    expect(() => [...new TaskFrameDecoder().push(prefix)]).toThrow(FrameError)
  })

  it('carries embeddings as float32 and classification scores as they are', () => {
    const embedding = { embedding: [0.123456, -0.5, 1], dimensions: 3 }
    expect(outputFromWire(outputToWire(embedding), 'text_embedding')).toEqual(embedding)
    const label = {
      label: 'POSITIVE',
      score: 0.75,
      scores: [
        { label: 'POSITIVE', score: 0.75 },
        { label: 'NEGATIVE', score: 0.25 },
      ],
    }
    expect(outputFromWire(outputToWire(label), 'classification')).toEqual(label)
  })
})

describe('task frames under fuzzing (fast-check)', () => {
  it('never throws on arbitrary bytes, and accepts only frames that validate', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const out = decodeTaskFrame(bytes)
        if (!(out instanceof FrameError)) expect(taskFrameBody(out)).toBeDefined()
      }),
      { numRuns: 10_000 },
    )
  })

  it('never throws on truncated and bit-flipped valid frames', () => {
    const valid = [assignment(), result()].map((f) => {
      const { version: _v, ...body } = f
      return encodeTaskFrame(body).subarray()
    })
    fc.assert(
      fc.property(damaged(valid), (copy) => {
        // as a stream: a broken prefix throws FrameError (the stream ends); nothing else throws
        try {
          for (const f of new TaskFrameDecoder().push(copy))
            expect(f instanceof FrameError || taskFrameBody(f) != null).toBe(true)
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError)
        }
      }),
      { numRuns: 10_000 },
    )
  })
})
