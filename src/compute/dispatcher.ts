/**
 * Mesh compute's submitting side: where this node's tasks run (the TaskPlacer of its task
 * engine). Tasks submitted in one turn are placed together by earliest estimated completion
 * (src/compute/scheduler.ts) over this node and its direct neighbours that serve tasks; those
 * for one executor travel as one assignment on one kept stream (src/compute/executor-link.ts),
 * with at most `maxInflightPerPeer` out there at once.
 *
 * No task is lost: when an executor answers BUSY or refuses, its stream closes, the mesh declares
 * it DEAD, its attempt passes its deadline, or its result fails verification, the attempt is
 * recorded and the task placed again, elsewhere or here; the node is skipped for a while
 * (src/compute/skip-list.ts). After 3 failed attempts the task is FAILED (attempts_exhausted).
 */
import type { FrameDropReason } from '../core/errors.js'
import type { CountBytes } from '../core/metrics.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { AttemptOutcome, EngineCapabilities, TaskType } from '../core/tasks.js'
import { TaskStatus } from '../core/tasks.js'
import type { PlacedTask, RemoteOutcome, RunReplica, TaskPlacer } from '../tasks/placement.js'
import type { ComputePeer, ComputePeers } from './compute-peers.js'
import type { LinkFailure } from './executor-link.js'
import { ExecutorLink } from './executor-link.js'
import { ReplicaSet } from './replicas.js'
import { Reputation } from './reputation.js'
import type { Candidate } from './scheduler.js'
import { LOCAL, placeTasks } from './scheduler.js'
import { SkipList } from './skip-list.js'
import { MAX_TASKS_PER_ASSIGNMENT } from './task-wire.js'

/** Failed attempts after which a task is FAILED (attempts_exhausted). */
export const MAX_FAILED_ATTEMPTS = 3
/** Time an attempt may take beyond its execution limit and its expected wait, ms. */
const ATTEMPT_SLACK_MS = 10_000
/** ms per task assumed for a node whose speed is not measured yet */
const UNMEASURED_TASK_MS = 20
/**
 * An executor holding our tasks says so every second (keepalive); silent this long (while this
 * node itself was not frozen: a stalled event loop delays the keepalives too), it is taken
 * for gone (frozen, or dead without its connection closing: a SIGKILLed node's WebRTC
 * connection stays up for about 10 s, the mesh's DEAD takes up to 23 s).
 */
export const SILENT_MS = 5000
/** Time a task stream may take to open (data channel, protocol negotiation), ms. */
const OPEN_STREAM_MS = 10_000

/** This node's own engine, as the dispatcher weighs it against its neighbours. */
export interface LocalEngine {
  nodeId: string
  capabilities(): EngineCapabilities | undefined
  load(): { est_wait_ms: number }
  /** the weights' hash of the model this node runs for a task type, once loaded */
  modelHash(type: TaskType): string
  /** runs a replica here (verification by agreement) */
  runReplica: RunReplica
}

export interface DispatcherOptions {
  local: LocalEngine
  peers: ComputePeers
  /** most tasks out on one executor at once */
  maxInflightPerPeer: number
  log: Logger
  /** the clock of skips. @default Date.now */
  now?: () => number
  /** how long an attempt may take beyond its execution limit and expected wait, ms. @default 10000 */
  attemptSlackMs?: number
  /** how long an executor holding our tasks may stay silent, ms. @default SILENT_MS */
  silentMs?: number
  /** counts the bytes of task streams (metrics) */
  countBytes?: CountBytes
}

export interface DispatcherStats {
  /** tasks sent to other nodes, counting each attempt */
  sent: number
  /** attempts that ended without a result, by outcome */
  failedAttempts: Partial<Record<AttemptOutcome, number>>
  /** results accepted from other nodes */
  results: number
  /** tasks placed on this node */
  local: number
  /** inbound frames refused, by reason */
  dropped: Partial<Record<FrameDropReason, number>>
}

interface Out {
  task: PlacedTask
  link: ExecutorLink
  timer: ReturnType<typeof setTimeout>
}

export class TaskDispatcher implements TaskPlacer, Startable {
  readonly stats: DispatcherStats = {
    sent: 0,
    failedAttempts: {},
    results: 0,
    local: 0,
    dropped: {},
  }
  /** what this node thinks of the nodes that ran replicas for it */
  readonly reputation = new Reputation()
  private readonly skips: SkipList
  private readonly links = new Map<string, ExecutorLink>()
  private readonly opening = new Map<string, Promise<ExecutorLink | undefined>>()
  private readonly out = new Map<string, Out>()
  private pending: PlacedTask[] = []
  private scheduled = false
  /** tasks waiting for room on the node they asked for */
  private waiting: PlacedTask[] = []
  private running = false
  private watchdog?: ReturnType<typeof setInterval>
  private lastSilenceCheck = 0
  private readonly lastDropLog = new Map<string, number>()

  constructor(private readonly opts: DispatcherOptions) {
    this.skips = new SkipList(opts.now)
    opts.peers.onGone((peerId, reason) => {
      this.lostPeer(peerId, reason === 'dead' ? 'dead' : 'disconnected')
    })
  }

  /** Places the tasks that came before it started (resumed by the task engine). */
  start(): void {
    this.running = true
    const silent = this.opts.silentMs ?? SILENT_MS
    const every = Math.min(1000, silent / 2)
    this.lastSilenceCheck = Date.now()
    this.watchdog ??= setInterval(() => {
      this.checkSilence(silent, every)
    }, every)
    this.schedule()
  }

  /** Takes every task back: executors are told to drop them; their owner ends them. */
  stop(): void {
    this.running = false
    clearInterval(this.watchdog)
    this.watchdog = undefined
    for (const o of this.out.values()) clearTimeout(o.timer)
    this.out.clear()
    this.pending = []
    this.waiting = []
    for (const link of this.links.values()) link.close()
    this.links.clear()
  }

  /** Tasks waiting for placement or out on other nodes. */
  get busy(): boolean {
    return this.pending.length > 0 || this.waiting.length > 0 || this.out.size > 0
  }

  /** Until when a node is skipped after failures (ms since the epoch), if it is. */
  skippedUntil(peerId: string): number | undefined {
    return this.skips.skippedUntil(peerId)
  }

  place(task: PlacedTask): { reason: 'no_capable_node'; details: string } | undefined {
    const p = task.placement
    if (p !== 'auto' && p !== 'remote' && p !== 'local' && p !== this.opts.local.nodeId) {
      const peer = this.opts.peers.list().find((c) => c.nodeId === p)
      if (peer == null || !this.capable(peer, task.taskType))
        return {
          reason: 'no_capable_node',
          details: `node ${p} is not a direct neighbour that serves ${task.taskType} tasks`,
        }
    }
    if (task.replicas > 1)
      new ReplicaSet(task, {
        nodeId: this.opts.local.nodeId,
        enqueue: (replica) => {
          this.enqueue(replica)
        },
        runLocally: this.opts.local.runReplica,
        reputation: this.reputation,
        log: this.opts.log,
      }).start()
    else this.enqueue(task)
    return undefined
  }

  withdraw(taskId: string): void {
    this.pending = this.pending.filter((t) => t.taskId !== taskId)
    this.waiting = this.waiting.filter((t) => t.taskId !== taskId)
    const o = this.out.get(taskId)
    if (o == null) return
    clearTimeout(o.timer)
    this.out.delete(taskId)
    o.link.withdraw([taskId])
  }

  private enqueue(task: PlacedTask): void {
    if (task.settled) return
    this.pending.push(task)
    this.schedule()
  }

  private schedule(): void {
    if (!this.running || this.scheduled || this.pending.length === 0) return
    this.scheduled = true
    // a burst submitted in one turn is placed together
    setTimeout(() => {
      this.scheduled = false
      this.placePending()
    }, 0)
  }

  private placePending(): void {
    const tasks = this.pending.filter((t) => !t.settled)
    this.pending = []
    const byModel = new Map<string, PlacedTask[]>()
    for (const t of tasks) {
      if (t.failedAttempts >= MAX_FAILED_ATTEMPTS) {
        this.exhausted(t)
        continue
      }
      const key = `${t.spec.model}\n${t.spec.dtype}\n${t.taskType}`
      byModel.set(key, [...(byModel.get(key) ?? []), t])
    }
    const peers = this.opts.peers.list()
    for (const group of byModel.values()) {
      // a replica keeps off its siblings' nodes: placed on its own
      for (const t of group.filter((x) => x.avoid != null)) this.placeReplica(t, peers)
      const plain = group.filter((x) => x.avoid == null)
      if (plain.length > 0) this.placeGroup(plain, peers)
    }
  }

  private placeReplica(t: PlacedTask, peers: ComputePeer[]): void {
    const avoid = t.avoid ?? new Set<string>()
    const allowed = peers.filter((p) => !avoid.has(p.nodeId))
    const usable = allowed.filter((p) => this.usable(p, t.taskType))
    const candidates = this.candidates(usable, new Map()).filter(
      (c) => c.id !== LOCAL || !avoid.has(this.opts.local.nodeId),
    )
    const [id] = placeTasks(candidates, 1).keys()
    const nodeId =
      id === LOCAL ? this.opts.local.nodeId : allowed.find((p) => p.peerId === id)?.nodeId
    if (nodeId != null) t.chosen?.(nodeId)
    if (id == null)
      t.settle({
        status: TaskStatus.FAILED,
        reason: 'no_capable_node',
        details: 'no other node can run this replica',
        executedBy: [],
      })
    else if (id === LOCAL) this.local(t)
    else void this.send(id, [t])
  }

  private placeGroup(tasks: PlacedTask[], peers: ComputePeer[]): void {
    const type = (tasks[0] as PlacedTask).taskType
    const usable = peers.filter((p) => this.usable(p, type))
    const byPeer = new Map<string, PlacedTask[]>()
    const add = (id: string, t: PlacedTask): void => {
      byPeer.set(id, [...(byPeer.get(id) ?? []), t])
    }
    // a task asked for a node goes there first; after a failed attempt it is placed like any
    const free: PlacedTask[] = []
    const remoteOnly: PlacedTask[] = []
    for (const t of tasks) {
      if (t.placement === 'remote') {
        remoteOnly.push(t)
        continue
      }
      const asked = t.triedOn.length === 0 && t.placement !== 'auto' ? t.placement : undefined
      const wanted = asked == null ? undefined : usable.find((p) => p.nodeId === asked)
      if (asked === this.opts.local.nodeId) add(LOCAL, t)
      else if (wanted == null) free.push(t)
      else if (this.room(wanted.peerId, byPeer) > 0) add(wanted.peerId, t)
      else {
        // the node asked for is full: the task waits for a result to free room there
        this.waiting.push(t)
      }
    }
    const candidates = this.candidates(usable, byPeer)
    let at = 0
    for (const [id, n] of placeTasks(candidates, free.length))
      for (const t of free.slice(at, (at += n))) add(id, t)
    // what found no place (every node full) runs here
    for (const t of free.slice(at)) add(LOCAL, t)
    // remote: the other nodes only; here when none can take it at all, else they wait for room
    const others = this.candidates(usable, byPeer).filter((c) => c.id !== LOCAL)
    at = 0
    for (const [id, n] of placeTasks(others, remoteOnly.length))
      for (const t of remoteOnly.slice(at, (at += n))) add(id, t)
    const unplaced = remoteOnly.slice(at)
    if (others.length === 0) for (const t of unplaced) add(LOCAL, t)
    else this.waiting.push(...unplaced)
    for (const [id, group] of byPeer) {
      if (id === LOCAL) for (const t of group) this.local(t)
      else void this.send(id, group)
    }
  }

  private candidates(peers: ComputePeer[], already: Map<string, PlacedTask[]>): Candidate[] {
    const caps = this.opts.local.capabilities()
    const localSpeed = caps == null || caps.measuring === true ? 0 : caps.embeddings_per_sec
    const out: Candidate[] = [
      {
        id: LOCAL,
        perTaskMs: localSpeed > 0 ? 1000 / localSpeed : UNMEASURED_TASK_MS,
        waitMs: this.opts.local.load().est_wait_ms,
        rttMs: 0,
        room: Infinity,
      },
    ]
    for (const p of peers) {
      if (p.embeddingsPerSec <= 0) continue
      const perTaskMs = 1000 / p.embeddingsPerSec
      const ours = this.opts.maxInflightPerPeer - this.room(p.peerId, already)
      out.push({
        id: p.peerId,
        perTaskMs,
        // its announcement may not count our latest tasks yet, nor an old one the latest
        waitMs: Math.max(p.estWaitMs ?? 0, ours * perTaskMs),
        rttMs: p.rttMs ?? 0,
        room: this.opts.maxInflightPerPeer - ours,
      })
    }
    return out
  }

  /** How many more tasks may go out to a node now, counting those being placed on it. */
  private room(peerId: string, placing: Map<string, PlacedTask[]>): number {
    const out = (this.links.get(peerId)?.inflight ?? 0) + (placing.get(peerId)?.length ?? 0)
    return this.opts.maxInflightPerPeer - out
  }

  /** A node to send work to now: it serves the type, is not skipped, and is trusted. */
  private usable(p: ComputePeer, type: TaskType): boolean {
    return (
      this.capable(p, type) && !this.skips.skipped(p.peerId) && this.reputation.trusted(p.nodeId)
    )
  }

  private capable(p: ComputePeer, type: TaskType): boolean {
    return p.serving && p.taskTypes.includes(type)
  }

  private local(task: PlacedTask): void {
    this.stats.local++
    task.runLocally()
  }

  private async send(peerId: string, tasks: PlacedTask[]): Promise<void> {
    const link = await this.link(peerId)
    const live = tasks.filter((t) => !t.settled)
    if (link == null || !this.running) {
      for (const t of live) this.enqueue(t)
      return
    }
    const modelHash = this.opts.local.modelHash((live[0] as PlacedTask).taskType)
    const peer = this.opts.peers.list().find((p) => p.peerId === peerId)
    const perTaskMs = peer == null || peer.embeddingsPerSec <= 0 ? 0 : 1000 / peer.embeddingsPerSec
    for (let i = 0; i < live.length; i += MAX_TASKS_PER_ASSIGNMENT) {
      const batch = live.slice(i, i + MAX_TASKS_PER_ASSIGNMENT)
      for (const t of batch) t.attemptStarted(link.nodeId)
      if (!link.assign(batch, modelHash)) {
        this.attemptFailed(batch, link, 'disconnected', 'the stream would not take the assignment')
        continue
      }
      this.stats.sent += batch.length
      // its wait there, its own run, and slack: past that, it is sent elsewhere
      const expected = (peer?.estWaitMs ?? 0) + (link.inflight + 1) * perTaskMs
      const slack = this.opts.attemptSlackMs ?? ATTEMPT_SLACK_MS
      const limit = (batch[0] as PlacedTask).timeoutMs + 2 * expected + slack
      for (const t of batch) {
        const timer = setTimeout(() => {
          this.deadlinePassed(t.taskId)
        }, limit)
        this.out.set(t.taskId, { task: t, link, timer })
      }
    }
  }

  /** The open stream to an executor, opened on first use; undefined when it cannot be. */
  private async link(peerId: string): Promise<ExecutorLink | undefined> {
    const open = this.links.get(peerId)
    if (open?.isOpen === true) return open
    const inProgress = this.opening.get(peerId)
    if (inProgress != null) return inProgress
    const opening = this.openLink(peerId).finally(() => this.opening.delete(peerId))
    this.opening.set(peerId, opening)
    return opening
  }

  private async openLink(peerId: string): Promise<ExecutorLink | undefined> {
    const peer = this.opts.peers.list().find((p) => p.peerId === peerId)
    if (peer == null) return undefined
    try {
      const link = await ExecutorLink.open(
        peer.connection,
        peer.nodeId,
        {
          running: (task) => {
            if (this.out.get(task.taskId)?.link === link) task.running(link.nodeId)
          },
          result: (task, outcome) => {
            this.onResult(task, link, outcome)
          },
          failed: (tasks, why, detail, retryAfterMs) => {
            this.onFailed(tasks, link, why, detail, retryAfterMs)
          },
          bytes: (direction, bytes) => {
            this.opts.countBytes?.('task', direction, bytes)
          },
          dropped: (reason, detail) => {
            this.drop(reason, peerId, detail)
          },
        },
        AbortSignal.timeout(OPEN_STREAM_MS),
      )
      this.links.set(peerId, link)
      return link
    } catch (err) {
      this.opts.log.info('could not open a task stream', { peer: peerId, error: err as Error })
      this.skips.failed(peerId)
      return undefined
    }
  }

  private onResult(task: PlacedTask, link: ExecutorLink, outcome: RemoteOutcome): void {
    const o = this.out.get(task.taskId)
    if (o?.link !== link) return
    clearTimeout(o.timer)
    this.out.delete(task.taskId)
    this.skips.succeeded(link.peerId)
    if (outcome.status === TaskStatus.COMPLETED) this.stats.results++
    task.settle(outcome)
    this.freedRoom()
  }

  private onFailed(
    tasks: PlacedTask[],
    link: ExecutorLink,
    why: LinkFailure,
    detail: string,
    retryAfterMs?: number,
  ): void {
    const mine = tasks.filter((t) => this.out.get(t.taskId)?.link === link)
    if (mine.length === 0) return
    this.attemptFailed(mine, link, why, detail, retryAfterMs)
  }

  private attemptFailed(
    tasks: PlacedTask[],
    link: ExecutorLink,
    outcome: AttemptOutcome,
    detail: string,
    retryAfterMs?: number,
  ): void {
    for (const t of tasks) {
      const o = this.out.get(t.taskId)
      if (o?.link === link) {
        clearTimeout(o.timer)
        this.out.delete(t.taskId)
      }
    }
    this.stats.failedAttempts[outcome] = (this.stats.failedAttempts[outcome] ?? 0) + tasks.length
    if (outcome === 'busy') this.skips.busy(link.peerId, Math.max(retryAfterMs ?? 0, 1000))
    else {
      const ms = this.skips.failed(link.peerId)
      this.opts.log.info('task attempt failed; skipping the node', {
        peer: link.peerId,
        outcome,
        detail,
        tasks: tasks.length,
        skip_ms: ms,
      })
    }
    for (const t of tasks) {
      t.attemptEnded(link.nodeId, outcome)
      this.enqueue(t)
    }
    this.freedRoom()
  }

  /** Tasks came back from a node: those waiting for room get another turn. */
  private freedRoom(): void {
    if (this.waiting.length === 0) return
    this.pending.push(...this.waiting.splice(0))
    this.schedule()
  }

  private deadlinePassed(taskId: string): void {
    const o = this.out.get(taskId)
    if (o == null) return
    o.link.withdraw([taskId])
    this.attemptFailed([o.task], o.link, 'deadline', 'no result before the attempt deadline')
  }

  /** Executors holding our tasks that went silent lose them (and their stream). */
  private checkSilence(silentMs: number, intervalMs: number): void {
    const now = Date.now()
    const since = now - this.lastSilenceCheck
    this.lastSilenceCheck = now
    // this node was frozen itself (a busy tab, a loaded machine): the executors' keepalives may
    // be waiting in its own queue, so judge nobody on this round
    if (since > 2 * intervalMs) return
    for (const [peerId, link] of this.links)
      if (link.inflight > 0 && now - link.lastActive > silentMs)
        this.lostPeer(peerId, 'dead', `silent for ${now - link.lastActive} ms while holding tasks`)
  }

  private lostPeer(
    peerId: string,
    outcome: 'dead' | 'disconnected',
    detail = `the mesh lost the node (${outcome})`,
  ): void {
    const link = this.links.get(peerId)
    if (link == null) return
    this.links.delete(peerId)
    const tasks = [...this.out.values()].filter((o) => o.link === link).map((o) => o.task)
    if (tasks.length > 0) this.attemptFailed(tasks, link, outcome, detail)
    link.close()
  }

  private exhausted(task: PlacedTask): void {
    task.settle({
      status: TaskStatus.FAILED,
      reason: 'attempts_exhausted',
      details: `${task.failedAttempts} attempts failed (on ${[...new Set(task.triedOn)].join(', ')})`,
      executedBy: [],
    })
  }

  private drop(reason: FrameDropReason, peerId: string, detail: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1
    const now = Date.now()
    if (now - (this.lastDropLog.get(reason) ?? 0) < 1000) return
    this.lastDropLog.set(reason, now)
    this.opts.log.warn('dropped a task frame', { peer: peerId, reason, detail })
  }
}
