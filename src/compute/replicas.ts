/**
 * Verification by agreement (BOINC's replicated jobs): a task with `replicas: k` runs on k
 * distinct nodes, each replica placed like a task of its own (src/compute/dispatcher.ts) but
 * never on a node a sibling runs on. Once every replica is back, the largest group of results
 * that agree (src/compute/agreement.ts) wins if it is a majority: the task takes its result and
 * names its nodes; nodes outside it lose reputation. Without a majority, one more replica runs,
 * up to k + 2; then the task is FAILED (no_agreement). A replica that fails is replaced within
 * the same budget.
 */
import { v4 as uuid } from 'uuid'
import type { Logger } from '../core/log.js'
import type { AttemptOutcome, TaskErrorReason, TaskOutput } from '../core/tasks.js'
import { TaskStatus } from '../core/tasks.js'
import type { PlacedTask, RemoteOutcome, RunReplica } from '../tasks/placement.js'
import { agreementCosine, largestAgreeing } from './agreement.js'
import type { Reputation } from './reputation.js'

/** Outcomes of a replica that say the input itself cannot run: every replica would fail so. */
const INPUT_FAILURES: ReadonlySet<TaskErrorReason> = new Set([
  'input_empty',
  'invalid_input_type',
  'input_exceeds_max_length',
  'inference_failed',
])

/** Attempt outcomes of a replica that count against its tries. */
const FAILED: ReadonlySet<AttemptOutcome> = new Set([
  'rejected',
  'disconnected',
  'dead',
  'deadline',
  'bad_result',
  'node_failed',
])

export interface ReplicaHost {
  /** this node's id: a replica run here is this node's */
  nodeId: string
  /** places a replica like a task (its `avoid` keeps it off its siblings' nodes) */
  enqueue(replica: PlacedTask): void
  runLocally: RunReplica
  reputation: Reputation
  log: Logger
}

interface Returned {
  nodeId: string
  output: TaskOutput
  executionMs: number
}

export class ReplicaSet {
  private readonly results: Returned[] = []
  /** node ids a replica ran or runs on */
  private readonly used = new Set<string>()
  private launched = 0
  private running = 0

  constructor(
    private readonly task: PlacedTask,
    private readonly host: ReplicaHost,
  ) {}

  /** Most replicas this task may take: k + 2. */
  get budget(): number {
    return this.task.replicas + 2
  }

  start(): void {
    for (let i = 0; i < this.task.replicas; i++) this.launch()
  }

  private launch(): void {
    this.launched++
    this.running++
    this.host.enqueue(this.replica())
  }

  /** One replica, as the dispatcher places it; its attempts are recorded on the task. */
  private replica(): PlacedTask {
    const task = this.task
    const tried: string[] = []
    let failed = 0
    let done = false
    const settle = (o: RemoteOutcome): void => {
      if (done) return
      done = true
      this.returned(o)
    }
    return {
      taskId: uuid(),
      taskType: task.taskType,
      input: task.input,
      spec: task.spec,
      timeoutMs: task.timeoutMs,
      placement: 'auto',
      replicas: 1,
      avoid: this.used,
      chosen: (nodeId) => {
        this.used.add(nodeId)
      },
      traceparent: task.traceparent,
      get settled() {
        return done || task.settled
      },
      get failedAttempts() {
        return failed
      },
      get triedOn() {
        return tried
      },
      runLocally: () => {
        if (done || task.settled) return
        const self = this.host.nodeId
        this.used.add(self)
        tried.push(self)
        task.attemptStarted(self)
        void this.host.runLocally(task.spec, task.input, task.timeoutMs).then(settle)
      },
      attemptStarted: (nodeId) => {
        this.used.add(nodeId)
        tried.push(nodeId)
        task.attemptStarted(nodeId)
      },
      running: (nodeId) => {
        task.running(nodeId)
      },
      attemptEnded: (nodeId, outcome) => {
        if (FAILED.has(outcome)) failed++
        task.attemptEnded(nodeId, outcome, { requeue: false })
      },
      settle,
    }
  }

  private returned(o: RemoteOutcome): void {
    this.running--
    if (this.task.settled) return
    const nodeId = o.executedBy[0] ?? ''
    if (o.status === TaskStatus.COMPLETED) {
      this.results.push({ nodeId, output: o.output, executionMs: o.executionMs })
    } else {
      if (nodeId !== '') this.task.attemptEnded(nodeId, 'failed', { requeue: false })
      if (INPUT_FAILURES.has(o.reason) || o.status === TaskStatus.TIMEOUT) {
        // the input cannot run anywhere: the task ends as its replica did
        this.task.settle(o)
        return
      }
      if (o.reason !== 'no_capable_node' && this.launched < this.budget) {
        this.launch()
        return
      }
      if (
        o.reason === 'no_capable_node' &&
        this.results.length + this.running < this.task.replicas
      ) {
        if (this.running === 0)
          this.task.settle({
            status: TaskStatus.FAILED,
            reason: 'no_capable_node',
            details: `${this.task.replicas} replicas need ${this.task.replicas} distinct nodes; ${this.used.size} could run it`,
            executedBy: [],
          })
        return
      }
    }
    if (this.running === 0) this.decide()
  }

  private decide(): void {
    const k = this.task.replicas
    const group = largestAgreeing(this.results, agreementCosine(this.task.spec.dtype))
    const majority = Math.floor(this.results.length / 2) + 1
    if (this.results.length >= k && group.length >= majority) {
      const agreed = new Set(group.map((r) => r.nodeId))
      for (const r of this.results) {
        const with_ = agreed.has(r.nodeId)
        if (with_) this.host.reputation.agreed(r.nodeId)
        else this.host.reputation.disagreed(r.nodeId)
        this.task.attemptEnded(r.nodeId, with_ ? 'completed' : 'disagreed', { requeue: false })
      }
      const dissent = this.results.filter((r) => !agreed.has(r.nodeId)).map((r) => r.nodeId)
      if (dissent.length > 0)
        this.host.log.warn('replicas disagreed: the majority wins', {
          task_id: this.task.taskId,
          agreed: [...agreed].join(','),
          disagreed: dissent.join(','),
        })
      const first = group[0] as Returned
      this.task.settle({
        status: TaskStatus.COMPLETED,
        output: first.output,
        executionMs: Math.max(...group.map((r) => r.executionMs)),
        executedBy: [...agreed],
      })
      return
    }
    if (this.launched < this.budget) {
      this.launch()
      return
    }
    for (const r of this.results) this.task.attemptEnded(r.nodeId, 'disagreed', { requeue: false })
    this.task.settle({
      status: TaskStatus.FAILED,
      reason: 'no_agreement',
      details: `no majority of ${this.results.length} replicas agreed (largest group ${group.length})`,
      executedBy: [],
    })
  }
}
