/**
 * The submitter's side of /p2p-ai/task/1.0.0 with one executor: one stream, kept open, carrying
 * assignments out and answers, progress and results back. It knows which tasks are out there and
 * takes nothing else: an answer to a batch it did not send, a result for a task it did not
 * assign (or a second one: a replay), a result signed by any key but the executor's, or one
 * whose weights or output do not fit the task is dropped and counted; a bad one also fails the
 * attempt. What happens to a task next is the dispatcher's call, through the handlers.
 */
import type { Connection, PublicKey, Stream } from '@libp2p/interface'
import { v4 as uuid } from 'uuid'
import type { FrameDropReason, FrameError } from '../core/errors.js'
import { TASK_PROTOCOL } from '../core/protocol.js'
import type { Answer, Result } from '../core/proto/task.js'
import { Answer as AnswerMsg, Result as ResultMsg } from '../core/proto/task.js'
import type { TaskErrorReason } from '../core/tasks.js'
import { TASK_ERROR_REASONS, TaskStatus } from '../core/tasks.js'
import { FramedStream } from '../mesh/framed-stream.js'
import type { PlacedTask, RemoteOutcome } from '../tasks/placement.js'
import { verifyResult } from './result-signature.js'
import type { TaskFrame } from './task-wire.js'
import { outputFromWire, spansFromWire, taskCodec, taskFrameBody } from './task-wire.js'

type TaskStream = FramedStream<Omit<TaskFrame, 'version'>>

/** Why an attempt on this executor ended without a result to keep. */
export type LinkFailure = 'busy' | 'rejected' | 'disconnected' | 'bad_result' | 'node_failed'

export interface ExecutorLinkHandlers {
  /** the executor started running the task */
  running(task: PlacedTask): void
  /** a verified outcome: the task ends with it */
  result(task: PlacedTask, outcome: RemoteOutcome): void
  /** the attempt failed; `retryAfterMs` is a BUSY executor's hint */
  failed(tasks: PlacedTask[], why: LinkFailure, detail: string, retryAfterMs?: number): void
  /** a frame refused, by reason */
  dropped(reason: FrameDropReason, detail: string): void
  /** bytes out and in on the stream (metrics) */
  bytes?(direction: 'in' | 'out', bytes: number): void
}

interface Out {
  task: PlacedTask
  batchId: string
}

/** Outcomes of a task that say nothing against the node that ran it: they end the task. */
const FINAL_REASONS: ReadonlySet<string> = new Set<TaskErrorReason>([
  'input_empty',
  'invalid_input_type',
  'input_exceeds_max_length',
  'inference_failed',
  'timeout',
])

export class ExecutorLink {
  readonly peerId: string
  private readonly out = new Map<string, Out>()
  /** when the executor last sent anything, or we last gave it work (ms since the epoch) */
  lastActive = Date.now()
  private readonly batches = new Map<string, { tasks: PlacedTask[]; modelHash: string }>()
  private closed = false

  private readonly stream: TaskStream

  private constructor(
    raw: Stream,
    connection: Connection,
    private readonly publicKey: PublicKey,
    readonly nodeId: string,
    private readonly handlers: ExecutorLinkHandlers,
  ) {
    this.stream = new FramedStream(raw, connection, taskCodec, {
      onFrame: (frame) => {
        this.onFrame(frame as TaskFrame)
      },
      onDrop: (error: FrameError) => {
        handlers.dropped(error.reason, error.detail ?? '')
      },
      onClose: () => {
        this.onClose()
      },
      onBytes: handlers.bytes,
    })
    this.peerId = this.stream.peerId
  }

  /** Opens the protocol's stream on `connection` (fails when the executor does not speak it). */
  static async open(
    connection: Connection,
    nodeId: string,
    handlers: ExecutorLinkHandlers,
    signal?: AbortSignal,
  ): Promise<ExecutorLink> {
    const publicKey = connection.remotePeer.publicKey
    if (publicKey == null) throw new Error('the executor has no public key in its peer id')
    const raw = await connection.newStream(TASK_PROTOCOL, { signal })
    return new ExecutorLink(raw, connection, publicKey, nodeId, handlers)
  }

  get isOpen(): boolean {
    return !this.closed && this.stream.isOpen
  }

  /** Tasks out on this executor (assigned, not yet ended). */
  get inflight(): number {
    return this.out.size
  }

  has(taskId: string): boolean {
    return this.out.has(taskId)
  }

  /** Sends one batch of tasks of one model; false when the stream cannot take it. */
  assign(tasks: PlacedTask[], modelHash: string): boolean {
    const first = tasks[0]
    if (first == null) return true
    const batchId = uuid()
    const sent = this.stream.send({
      assignment: {
        batchId,
        taskType: first.taskType,
        model: first.spec.model,
        dtype: first.spec.dtype,
        modelHash,
        timeoutMs: Math.max(1, Math.round(first.timeoutMs)),
        traceparent: first.traceparent,
        tasks: tasks.map((t) => ({ taskId: t.taskId, input: t.input, traceparent: t.traceparent })),
      },
    })
    if (!sent) return false
    if (this.out.size === 0) this.lastActive = Date.now()
    this.batches.set(batchId, { tasks, modelHash })
    for (const task of tasks) this.out.set(task.taskId, { task, batchId })
    return true
  }

  /** Takes tasks back: the executor is told to drop them, and their results are no longer taken. */
  withdraw(taskIds: string[]): PlacedTask[] {
    const taken: PlacedTask[] = []
    for (const id of taskIds) {
      const o = this.out.get(id)
      if (o == null) continue
      this.out.delete(id)
      taken.push(o.task)
    }
    if (taken.length > 0 && this.isOpen)
      this.stream.send({ cancel: { taskIds: taken.map((t) => t.taskId) } })
    return taken
  }

  /** Ends the stream; tasks still out fail their attempt as `disconnected`. */
  close(): void {
    this.stream.stream.abort(new Error('closed by the submitter'))
    this.onClose()
  }

  private onFrame(frame: TaskFrame): void {
    this.lastActive = Date.now()
    switch (taskFrameBody(frame)) {
      case 'keepalive':
        return
      case 'answer':
        this.onAnswer(frame.answer as Answer)
        return
      case 'progress': {
        const o = this.out.get(frame.progress?.taskId ?? '')
        if (o != null) this.handlers.running(o.task)
        return
      }
      case 'result':
        void this.onResult(frame.result as Result)
        return
      default:
        this.handlers.dropped('unexpected_answer', 'an assignment or cancel sent to a submitter')
    }
  }

  private onAnswer(answer: Answer): void {
    const batch = this.batches.get(answer.batchId)
    if (batch == null) {
      this.handlers.dropped('unexpected_answer', `no batch ${answer.batchId} was sent`)
      return
    }
    if (answer.status === AnswerMsg.Status.ACCEPTED) {
      if (batch.modelHash === '') batch.modelHash = answer.modelHash
      return
    }
    this.batches.delete(answer.batchId)
    const refused = batch.tasks.filter((t) => this.out.get(t.taskId)?.batchId === answer.batchId)
    for (const t of refused) this.out.delete(t.taskId)
    if (refused.length === 0) return
    const busy = answer.status === AnswerMsg.Status.BUSY
    this.handlers.failed(
      refused,
      busy ? 'busy' : 'rejected',
      answer.reason,
      busy ? answer.retryAfterMs : undefined,
    )
  }

  private async onResult(r: Result): Promise<void> {
    const trace = { receivedAt: Date.now(), spans: spansFromWire(r.spans) }
    const o = this.out.get(r.taskId)
    if (o == null) {
      this.handlers.dropped('unexpected_result', `task ${r.taskId} is not out on this node`)
      return
    }
    // taken at once: a replay of the same result arriving meanwhile is unexpected
    this.out.delete(r.taskId)
    const { task } = o
    const expectedHash = this.batches.get(o.batchId)?.modelHash ?? ''
    this.forgetBatchIfDone(o.batchId)
    if (!(await verifyResult(this.publicKey, r, r.signature))) {
      this.handlers.dropped(
        'bad_signature',
        `result for ${r.taskId} is not signed by ${this.peerId}`,
      )
      this.handlers.failed([task], 'bad_result', 'bad signature')
      return
    }
    if (expectedHash !== '' && r.modelHash !== expectedHash) {
      this.handlers.failed([task], 'bad_result', 'computed with other weights than announced')
      return
    }
    const by = [this.nodeId]
    if (r.status === ResultMsg.Status.COMPLETED) {
      const output = r.output == null ? undefined : outputFromWire(r.output, task.taskType)
      const fits = output != null && 'embedding' in output === (task.taskType === 'text_embedding')
      if (!fits || output == null) {
        this.handlers.failed([task], 'bad_result', 'the output does not fit the task type')
        return
      }
      this.handlers.result(task, {
        status: TaskStatus.COMPLETED,
        output,
        executionMs: r.executionMs,
        executedBy: by,
        trace,
      })
      return
    }
    if (!FINAL_REASONS.has(r.errorReason) && r.status !== ResultMsg.Status.TIMEOUT) {
      // the node could not run it (its engine failed, it is stopping): another node may
      this.handlers.failed([task], 'node_failed', `${r.errorReason}: ${r.errorDetails}`)
      return
    }
    const reason = (TASK_ERROR_REASONS as readonly string[]).includes(r.errorReason)
      ? (r.errorReason as TaskErrorReason)
      : 'inference_failed'
    this.handlers.result(task, {
      status: r.status === ResultMsg.Status.TIMEOUT ? TaskStatus.TIMEOUT : TaskStatus.FAILED,
      reason,
      details: r.errorDetails,
      executionMs: r.executionMs,
      executedBy: by,
      trace,
    })
  }

  private forgetBatchIfDone(batchId: string): void {
    for (const o of this.out.values()) if (o.batchId === batchId) return
    this.batches.delete(batchId)
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    const lost = [...this.out.values()].map((o) => o.task)
    this.out.clear()
    this.batches.clear()
    if (lost.length > 0) this.handlers.failed(lost, 'disconnected', 'the stream closed')
  }
}
