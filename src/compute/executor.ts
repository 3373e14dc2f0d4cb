/**
 * Serving other nodes' tasks (mesh compute, the executor's side of /p2p-ai/task/1.0.0). A peer
 * opens a stream and sends assignments; each is answered at once: REJECTED when this node does
 * not serve (serve_tasks: false) or runs another model or other weights, BUSY when that peer
 * already has max_remote_queued_per_peer tasks waiting here, else ACCEPTED. Accepted tasks join
 * this node's task engine, taking turns with every other submitter's (round-robin), kept apart
 * from this node's own tasks (served_for). Each outcome goes back on the stream, signed with this
 * node's identity key, after a progress frame when it starts running. A cancel drops tasks not
 * started; a stream that closes cancels its tasks. While it holds a submitter's tasks it says
 * so every second (keepalive), so that the submitter can tell a frozen node from a busy one.
 * Malformed frames are dropped and counted; a broken length prefix ends that stream only.
 */
import type { Connection, Libp2p, PrivateKey, Stream } from '@libp2p/interface'
import type { FrameDropReason, FrameError } from '../core/errors.js'
import { errorCode } from '../core/errors.js'
import type { CountBytes } from '../core/metrics.js'
import type { Logger } from '../core/log.js'
import { nodeIdFromPeerId } from '../core/node-id.js'
import { TASK_PROTOCOL } from '../core/protocol.js'
import type { Assignment } from '../core/proto/task.js'
import { Answer, Result } from '../core/proto/task.js'
import type { Startable } from '../core/startable.js'
import type { TaskStatusReport, TaskType } from '../core/tasks.js'
import { TaskStatus } from '../core/tasks.js'
import { FramedStream } from '../mesh/framed-stream.js'
import type { Admission } from '../mesh/membership.js'
import { admittedOnly } from '../mesh/membership.js'
import type { TaskService } from '../tasks/task-service.js'
import type { TaskTracer } from '../obs/tracing.js'
import { signResult } from './result-signature.js'
import type { TaskFrame } from './task-wire.js'
import { outputToWire, spansToWire, taskCodec, taskFrameBody } from './task-wire.js'

type TaskStream = FramedStream<Omit<TaskFrame, 'version'>>

/** How often an executor tells a submitter it still holds its tasks, ms. */
export const KEEPALIVE_MS = 1000

export interface ExecutorOptions {
  libp2p: Libp2p
  tasks: TaskService
  /** this node's identity key: results are signed with it */
  privateKey: PrivateKey
  /** serve other nodes' tasks at all (config serve_tasks) */
  serve: boolean
  /** most tasks of one peer waiting here at once (config max_remote_queued_per_peer) */
  maxQueuedPerPeer: number
  log: Logger
  /** counts the bytes of task streams (metrics) */
  countBytes?: CountBytes
  /** this node's tracer: a served task's spans go back with its result */
  tracer?: TaskTracer
  /** may a peer's next task frame through (its rate limit)? */
  admit?: (peerId: string) => boolean
  /** a closed mesh: has this peer proved it knows the key? none: everyone may */
  admitted?: Admission
}

/** What the executor has done, for status, metrics and tests. */
export interface ExecutorStats {
  accepted: number
  busy: number
  rejected: number
  /** results sent back */
  served: number
  /** inbound frames refused, by reason */
  dropped: Partial<Record<FrameDropReason, number>>
}

interface Served {
  stream: TaskStream
  modelHash: string
}

export class TaskExecutor implements Startable {
  readonly stats: ExecutorStats = { accepted: 0, busy: 0, rejected: 0, served: 0, dropped: {} }
  private readonly streams = new Set<TaskStream>()
  /** task id → where its result goes */
  private readonly serving = new Map<string, Served>()
  private running = false
  private keepalive?: ReturnType<typeof setInterval>
  private readonly lastDropLog = new Map<string, number>()

  constructor(private readonly opts: ExecutorOptions) {}

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    this.keepalive = setInterval(() => {
      this.sayAlive()
    }, KEEPALIVE_MS)
    this.opts.tasks.addEventListener('task:update', this.onUpdate)
    await this.opts.libp2p.handle(
      TASK_PROTOCOL,
      admittedOnly(this.opts.admitted, (stream, connection) => {
        this.attach(stream, connection)
      }),
      { maxInboundStreams: 8 },
    )
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearInterval(this.keepalive)
    this.opts.tasks.removeEventListener('task:update', this.onUpdate)
    await this.opts.libp2p.unhandle(TASK_PROTOCOL).catch(() => {})
    for (const s of [...this.streams]) s.abort('node_shutting_down')
  }

  private attach(stream: Stream, connection: Connection): void {
    if (!this.running) {
      stream.abort(new Error('node_shutting_down'))
      return
    }
    const s: TaskStream = new FramedStream(
      stream,
      connection,
      taskCodec,
      {
        onFrame: (frame, from) => {
          this.onFrame(frame as TaskFrame, from)
        },
        onDrop: (error) => {
          this.drop(error, connection)
        },
        onClose: (from) => {
          this.onClose(from)
        },
        onBytes: (direction, bytes) => {
          this.opts.countBytes?.('task', direction, bytes)
        },
      },
      { admit: this.opts.admit },
    )
    this.streams.add(s)
  }

  private onFrame(frame: TaskFrame, s: TaskStream): void {
    try {
      switch (taskFrameBody(frame)) {
        case 'assignment':
          this.assign(frame.assignment as Assignment, s)
          return
        case 'cancel':
          for (const id of frame.cancel?.taskIds ?? []) {
            if (this.serving.get(id)?.stream !== s) continue
            this.serving.delete(id)
            this.opts.tasks.cancel(id)
            this.opts.tracer?.takeServed(id)
          }
          return
        default:
          // answers, progress and results travel the other way: a confused peer, not an attack
          this.opts.log.debug('ignored a task frame sent the wrong way', { peer: s.peerId })
      }
    } catch (err) {
      this.opts.log.error('error handling a task frame', { peer: s.peerId, error: err as Error })
    }
  }

  private assign(a: Assignment, s: TaskStream): void {
    const answer = (status: Answer.Status, reason = '', modelHash = '', retryAfterMs = 0): void => {
      s.send({ answer: { batchId: a.batchId, status, reason, retryAfterMs, modelHash } })
    }
    const refuse = (reason: string, modelHash = ''): void => {
      this.stats.rejected++
      this.opts.log.info('task assignment refused', { peer: s.peerId, reason })
      answer(Answer.Status.REJECTED, reason, modelHash)
    }
    if (!this.opts.serve) return refuse('not_serving')
    const ours = this.opts.tasks.modelFor(a.taskType as TaskType)
    if (ours.model !== a.model || ours.dtype !== a.dtype) return refuse('model_unavailable')
    const hash = ours.hash ?? ''
    if (a.modelHash !== '' && hash !== '' && a.modelHash !== hash)
      return refuse('model_mismatch', hash)
    const waiting = this.opts.tasks.queuedFor(s.peerId)
    if (waiting + a.tasks.length > this.opts.maxQueuedPerPeer) {
      this.stats.busy++
      answer(Answer.Status.BUSY, 'queue_full', hash, 1000)
      return
    }
    this.stats.accepted++
    answer(Answer.Status.ACCEPTED, '', hash)
    const servedFor = { peerId: s.peerId, nodeId: nodeIdFromPeerId(s.connection.remotePeer) }
    for (const t of a.tasks) {
      // registered first: a refused input is final within submit(), and its result must go back
      this.serving.set(t.taskId, { stream: s, modelHash: hash })
      try {
        this.opts.tasks.submit(
          {
            task_id: t.taskId,
            task_type: a.taskType,
            input: t.input,
            timeout_seconds: a.timeoutMs / 1000,
          },
          { servedFor, traceparent: traceparentOf(t.traceparent, a.traceparent) },
        )
      } catch (err) {
        // not a task at all here (a task id this node already runs): say so for that task
        this.serving.delete(t.taskId)
        void this.sendResult(s, {
          taskId: t.taskId,
          status: Result.Status.FAILED,
          errorReason: 'engine_failed',
          errorDetails: `${errorCode(err) ?? 'refused'}: ${(err as Error).message}`,
          modelHash: hash,
          executionMs: 0,
        })
      }
    }
  }

  private readonly onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
    const r = evt.detail
    const served = this.serving.get(r.task_id)
    if (served == null) return
    if (r.status === TaskStatus.RUNNING) {
      // its submitter shows it running here (a task requeued after a worker restart says so again)
      served.stream.send({ progress: { taskId: r.task_id, percent: r.progress_percent } })
      return
    }
    if (
      r.status !== TaskStatus.COMPLETED &&
      r.status !== TaskStatus.FAILED &&
      r.status !== TaskStatus.TIMEOUT
    )
      return
    this.serving.delete(r.task_id)
    const completed = r.status === TaskStatus.COMPLETED && r.output_data != null
    void this.sendResult(
      served.stream,
      {
        taskId: r.task_id,
        status: completed
          ? Result.Status.COMPLETED
          : r.status === TaskStatus.TIMEOUT
            ? Result.Status.TIMEOUT
            : Result.Status.FAILED,
        output: completed ? outputToWire(r.output_data!) : undefined,
        errorReason: completed ? '' : (r.error_reason ?? 'engine_failed'),
        errorDetails: completed ? '' : (r.error_details ?? ''),
        modelHash: served.modelHash,
        executionMs: Math.round(r.execution_time_ms ?? 0),
      },
      r.traceparent,
    )
  }

  /** Signs and sends a result, with this node's spans of the task (not signed: telemetry). */
  private async sendResult(
    s: TaskStream,
    result: Omit<Result, 'signature' | 'spans'>,
    traceparent?: string,
  ): Promise<void> {
    const tracer = this.opts.tracer
    if (traceparent != null && traceparent !== '')
      tracer?.begin(result.taskId, 'result', traceparent, { served: true })
    const signature = await signResult(this.opts.privateKey, result)
    tracer?.end(result.taskId, 'result')
    const spans = spansToWire(tracer?.takeServed(result.taskId) ?? [])
    if (s.send({ result: { ...result, signature, spans } })) this.stats.served++
  }

  /** Tells every submitter whose tasks it holds that it is still there. */
  private sayAlive(): void {
    const held = new Map<TaskStream, number>()
    for (const served of this.serving.values())
      held.set(served.stream, (held.get(served.stream) ?? 0) + 1)
    for (const [stream, n] of held) stream.send({ keepalive: { held: n } })
  }

  private onClose(s: TaskStream): void {
    this.streams.delete(s)
    for (const [id, served] of this.serving) {
      if (served.stream !== s) continue
      this.serving.delete(id)
      this.opts.tasks.cancel(id, 'its submitter went away')
      this.opts.tracer?.takeServed(id)
    }
  }

  private drop(error: FrameError, connection: Connection): void {
    this.stats.dropped[error.reason] = (this.stats.dropped[error.reason] ?? 0) + 1
    // counted always, logged at most once a second per reason (a flood must not flood the log)
    const now = Date.now()
    if (now - (this.lastDropLog.get(error.reason) ?? 0) < 1000) return
    this.lastDropLog.set(error.reason, now)
    this.opts.log.warn('dropped malformed task frame', {
      peer: connection.remotePeer.toString(),
      reason: error.reason,
      detail: error.detail,
    })
  }
}

/** A task's own trace context, else its assignment's; undefined when neither has one. */
function traceparentOf(task: string, assignment: string): string | undefined {
  if (task !== '') return task
  return assignment === '' ? undefined : assignment
}
