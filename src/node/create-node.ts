/**
 * createNode(): one node, tab or Node process, peer or relay, assembled from the host's adapters
 * as two lists of parts, one per start phase (src/core/startable.ts): each list starts in order
 * and stops in reverse, and a part that fails to start stops what had started.
 *
 *   INITIALIZING  storage · identity
 *   REGISTERING   libp2p · health (self-verification) · mesh (peer) · tasks (peer) | relay (relay)
 *                 · alerts
 *   ACTIVE        …
 *   SHUTTING_DOWN parts take no new work, operations get their grace period, parts stop last first
 */
import type { Libp2p } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { settledWithin } from '../core/abort.js'
import type { Alert } from '../core/alerts.js'
import type { ResolvedConfig } from '../core/config.js'
import {
  errorCodeIn,
  InvalidTransitionError,
  NotActiveError,
  ShuttingDownError,
} from '../core/errors.js'
import type { NodeEvents } from '../core/events.js'
import type { LogContext, Logger } from '../core/log.js'
import type {
  NodeApi,
  Readiness,
  RelayStatus,
  SendOptions,
  StopOptions,
  StopResult,
} from '../core/node-api.js'
import type { MetricFamily } from '../core/metrics.js'
import { MESSAGE_ERROR_OUTCOMES } from '../core/metrics.js'
import type { AbortOptions, Part } from '../core/startable.js'
import { PartList } from '../core/startable.js'
import type {
  Delivery,
  HealthReport,
  MeshView,
  MeshViewNode,
  NodeMetadata,
  NodeRole,
  PeerInfo,
  StartupDiagnostics,
} from '../core/types.js'
import { NodeState } from '../core/types.js'
import { VERSION } from '../core/version.js'
import type { MeshService, MeshServices } from '../mesh/mesh-service.js'
import { buildMeshView } from '../mesh/mesh-view.js'
import { AlertService } from '../obs/alert-service.js'
import { createLogger } from '../obs/logger.js'
import { mergeFamilies } from '../obs/merge-families.js'
import { NodeMetrics } from '../obs/node-metrics.js'
import type { TaskService } from '../tasks/task-service.js'
import type { Assembly, EventSource } from './assemble.js'
import { assemble } from './assemble.js'
import { HealthService } from './health-service.js'
import type { NodeHost } from './host.js'
import type { Identity } from './identity.js'
import { initializingParts, logConfig } from './initializing.js'
import { ipOf } from '../mesh/transport-kind.js'
import { Lifecycle } from './lifecycle.js'
import { OperationTracker } from './operations.js'

export interface CreateNodeOptions {
  host: NodeHost
  config: ResolvedConfig
  role?: NodeRole
}

/** Grace period for in-flight operations on stop (FR1.5). */
export const STOP_GRACE_MS = 5000

export class P2PNode extends TypedEventEmitter<NodeEvents> implements NodeApi {
  readonly role: NodeRole
  readonly log: Logger
  /** fields on every log line: the node id, once the identity is loaded */
  private readonly logContext: LogContext = {}
  readonly lifecycle: Lifecycle
  readonly operations = new OperationTracker()
  private readonly nodeMetrics: NodeMetrics
  private readonly healthService: HealthService
  private readonly alertService: AlertService
  private readonly initializing: PartList
  private identity?: Identity
  private assembly?: Omit<Assembly, 'parts'> & { parts: PartList }
  private readonly lastRefusalLog = new Map<string, number>()
  private diagnostics?: StartupDiagnostics
  private readonly startAbort = new AbortController()
  private starting?: Promise<StartupDiagnostics>
  private stopping?: Promise<StopResult>

  constructor(private readonly opts: CreateNodeOptions) {
    super()
    this.role = opts.role ?? 'peer'
    this.log = createLogger({
      level: opts.config.config.log_level,
      sinks: opts.host.logSinks,
      component: 'node',
      context: this.logContext,
    })
    this.lifecycle = new Lifecycle(this.log.child('lifecycle'))
    this.forward(this.lifecycle, ['state:change'])
    this.healthService = new HealthService({
      host: opts.host,
      identity: () => this.identity,
      maxMemoryMb: this.config.max_memory_mb,
      intervalMs: this.config.health_check_interval_secs * 1000,
      log: this.log,
      onReport: (report) => this.safeDispatchEvent('health', { detail: report }),
    })
    this.nodeMetrics = new NodeMetrics({
      nodeId: () => this.nodeId,
      role: this.role,
      version: VERSION,
      uptimeSeconds: () => this.metadata().uptime_seconds ?? 0,
      peers: () => this.peers(),
      relaysConnected: () => this.relayStatus().connected.length,
      memoryBytes: () => opts.host.memoryBytes(),
      memoryLimitBytes: this.config.max_memory_mb * 1024 * 1024,
      taskStats: () => this.tasks?.stats(),
      routerEvents: () => this.mesh?.stats.router,
      meshDrops: () => this.mesh?.stats.dropped,
    })
    this.addEventListener('task:update', (evt) => {
      this.nodeMetrics.recordTask(evt.detail)
    })
    this.addEventListener('peer:remove', (evt) => {
      this.nodeMetrics.recordPeerRemoval(evt.detail.reason)
    })
    this.alertService = new AlertService({
      node: this,
      config: this.config,
      meshMember: this.role === 'peer',
      memoryBytes: () => opts.host.memoryBytes(),
      log: this.log.child('alerts'),
      onChange: (alert) => {
        this.safeDispatchEvent(alert.state === 'firing' ? 'alert:fire' : 'alert:clear', {
          detail: alert,
        })
      },
    })
    this.initializing = this.partList(
      initializingParts(opts.host, this.log, (identity) => {
        this.identity = identity
        this.logContext.node_id = identity.nodeId
      }),
    )
  }

  get config(): ResolvedConfig['config'] {
    return this.opts.config.config
  }

  get host(): NodeHost {
    return this.opts.host
  }

  get state(): NodeState | null {
    return this.lifecycle.state
  }

  get peerId(): string | undefined {
    return this.identity?.peerId.toString()
  }

  get nodeId(): string | undefined {
    return this.identity?.nodeId
  }

  /** The libp2p node, once assembled. */
  get libp2p(): Libp2p<MeshServices> {
    if (this.assembly == null) throw new NotActiveError(this.state ?? 'not started')
    return this.assembly.libp2p
  }

  /** The AI task engine (peers whose host runs inference), once assembled. */
  get tasks(): TaskService | undefined {
    return this.assembly?.tasks
  }

  /** The mesh (peer role only), once assembled. */
  get mesh(): MeshService | undefined {
    return this.assembly?.mesh
  }

  get startupDiagnostics(): StartupDiagnostics | undefined {
    return this.diagnostics
  }

  get lastHealthReport(): HealthReport | undefined {
    return this.healthService.last
  }

  async start(options: AbortOptions = {}): Promise<StartupDiagnostics> {
    // checked before anything: a second start must not tear down the running node
    if (this.state != null) throw new InvalidTransitionError(this.state, NodeState.INITIALIZING)
    const signal =
      options.signal == null
        ? this.startAbort.signal
        : AbortSignal.any([this.startAbort.signal, options.signal])
    this.starting = this.run(signal)
    return this.starting
  }

  private async run(signal: AbortSignal): Promise<StartupDiagnostics> {
    const t0 = performance.now()
    const since = (): number => Math.round((performance.now() - t0) * 10) / 10
    const diag: StartupDiagnostics = {
      time_to_initializing: 0,
      time_to_registering: 0,
      time_to_active: 0,
      components_initialized: [],
      any_errors_during_startup: [],
    }
    this.diagnostics = diag
    try {
      this.lifecycle.transition(NodeState.INITIALIZING)
      diag.time_to_initializing = since()
      logConfig(this.opts.config, this.log)
      diag.components_initialized.push('config')
      await this.initializing.start({ signal })
      signal.throwIfAborted()
      this.lifecycle.transition(NodeState.REGISTERING)
      diag.time_to_registering = since()
      this.assembly = await this.assemble(this.identity as Identity)
      await this.assembly.parts.start({ signal })
      signal.throwIfAborted()
      this.lifecycle.transition(NodeState.ACTIVE)
      diag.time_to_active = since()
      this.log.info('node active', { ms: diag.time_to_active })
      return diag
    } catch (err) {
      diag.any_errors_during_startup.push((err as Error).message)
      this.log.error('startup failed', { error: err as Error })
      // a stop() already under way (it aborted this start) finishes the shutdown itself; else
      // this start shuts the node down, and that shutdown must not wait for this start
      if (this.stopping == null) {
        this.starting = undefined
        await this.stop({ graceMs: 0 }).catch(() => {})
      }
      throw err
    }
  }

  /**
   * Graceful stop (FR1.5): take no new work, give operations `graceMs`, stop every part (goodbye
   * to peers, storage flushed), release everything. Resolves `clean: false` when operations had to
   * be cut off. A stop during start ends the start (it rejects with ShuttingDownError).
   */
  async stop(options: StopOptions = {}): Promise<StopResult> {
    if (this.state == null || this.state === NodeState.STOPPED)
      return { clean: true, durationMs: 0 }
    this.stopping ??= this.shutdown(options)
    return this.stopping
  }

  private async shutdown({ graceMs = STOP_GRACE_MS, signal }: StopOptions): Promise<StopResult> {
    const started = Date.now()
    this.lifecycle.transition(NodeState.SHUTTING_DOWN)
    this.startAbort.abort(new ShuttingDownError('the node was stopped while starting'))
    // the start ends once what it had started is stopped (bounded by the caller's signal)
    if (this.starting != null) await settledWithin(this.starting, Infinity, signal)
    const parts = this.assembly?.parts
    // finish what is in flight (peers still answer), then say goodbye: the other order would
    // make peers hang up on messages that could have completed
    parts?.beforeStop()
    const clean = await this.operations.drain(graceMs, () => parts?.busy === true, signal)
    if (!clean)
      this.log.warn('operations did not finish within the grace period; stopping them', { graceMs })
    await parts?.stop({ signal })
    await this.initializing.stop({ signal })
    this.lifecycle.transition(NodeState.STOPPED)
    const durationMs = Date.now() - started
    this.log.info('node stopped', { clean, ms: durationMs })
    return { clean, durationMs }
  }

  goodbye(): void {
    this.assembly?.mesh?.goodbye('page closed')
  }

  async health(): Promise<HealthReport> {
    return this.healthService.check()
  }

  metadata(): NodeMetadata {
    const base: NodeMetadata = {
      version: VERSION,
      state: this.state ?? NodeState.INITIALIZING,
      timestamp: new Date().toISOString(),
    }
    const activeAt = this.activeSince()
    if (activeAt == null || this.identity == null) return base
    return {
      ...base,
      node_id: this.identity.nodeId,
      peer_id: this.identity.peerId.toString(),
      uptime_seconds: Math.floor((Date.now() - activeAt) / 1000),
      platform: this.opts.host.platform,
      role: this.role,
    }
  }

  readiness(): Readiness {
    const ready = this.state === NodeState.ACTIVE
    return {
      ready,
      status: ready ? 'node_ready' : 'node_not_ready',
      state: this.state,
      timestamp: new Date().toISOString(),
    }
  }

  activeSince(): number | undefined {
    return this.state === NodeState.ACTIVE ? this.lifecycle.enteredAt(NodeState.ACTIVE) : undefined
  }

  alerts(): Alert[] {
    return this.alertService.alerts()
  }

  peers(): PeerInfo[] {
    const dispatcher = this.assembly?.dispatcher
    return (this.mesh?.list() ?? []).map((p) =>
      dispatcher == null || p.compute == null
        ? p
        : {
            ...p,
            compute: {
              ...p.compute,
              skipped_until: dispatcher.skippedUntil(p.peerId),
              reputation: dispatcher.reputation.score(p.nodeId),
            },
          },
    )
  }

  knownNodes(): string[] {
    const ids = new Set([
      ...this.peers().map((p) => p.peerId),
      ...(this.mesh?.topology.all() ?? []).map((r) => r.peerId),
    ])
    ids.delete(this.peerId ?? '')
    return [...ids]
  }

  topology(): MeshView {
    const caps = this.tasks?.capabilities()
    const self: MeshViewNode = {
      peerId: this.peerId ?? '',
      nodeId: this.nodeId,
      kind:
        this.role === 'relay' ? 'relay' : this.opts.host.platform === 'browser' ? 'tab' : 'node',
      self: true,
      state: 'ALIVE',
      version: VERSION,
      startedAt: this.activeSince(),
      backend: caps?.backend,
      embeddingsPerSec:
        caps == null ? undefined : caps.measuring === true ? 0 : caps.embeddings_per_sec,
      queueDepth: this.tasks?.load().queued,
    }
    const mesh = this.mesh
    if (mesh == null) return { nodes: [self], edges: [] }
    return buildMeshView({
      self,
      peers: this.peers(),
      records: mesh.topology.all(),
      relays: mesh.relays.status().connected,
    })
  }

  relayStatus(): RelayStatus {
    return { connected: this.mesh?.relays.status().connected ?? [] }
  }

  listenAddresses(): string[] {
    return this.assembly?.libp2p.getMultiaddrs().map((ma) => ma.toString()) ?? []
  }

  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options?: SendOptions,
  ): Promise<Delivery> {
    const mesh = this.mesh
    if (this.state !== NodeState.ACTIVE || mesh == null)
      throw new NotActiveError(this.state ?? 'not started')
    return this.operations.run(async (signal) => {
      try {
        const delivery = await mesh.send(to, topic, payload, {
          ...options,
          signal: options?.signal == null ? signal : AbortSignal.any([signal, options.signal]),
        })
        this.nodeMetrics.recordMessage('delivered', delivery.rttMs)
        return delivery
      } catch (err) {
        this.nodeMetrics.recordMessage(errorCodeIn(err, MESSAGE_ERROR_OUTCOMES) ?? 'failed')
        throw err
      }
    })
  }

  /** This node's metric families; a relay's also hold those its tabs pushed (FR21.2). */
  async metrics(): Promise<MetricFamily[]> {
    const own = await this.nodeMetrics.families()
    const inbox = this.assembly?.inbox
    if (inbox == null) return own
    return mergeFamilies(own, [
      { nodeId: this.nodeId ?? '', families: inbox.families() },
      ...inbox.pushed(),
    ]).families
  }

  /** The REGISTERING parts: what makes the node a member of the mesh (src/node/assemble.ts). */
  private async assemble(
    identity: Identity,
  ): Promise<Omit<Assembly, 'parts'> & { parts: PartList }> {
    const assembly = await assemble({
      role: this.role,
      host: this.opts.host,
      config: this.config,
      identity,
      log: this.log,
      health: this.healthService,
      metrics: this.nodeMetrics,
      alerts: this.alertService,
      forward: (source, types) => {
        this.forward(source, types)
      },
      gate: {
        isDenied: (peer) => this.config.deny_peers.includes(peer),
        isBanned: (peer) => this.assembly?.mesh?.isBanned(peer) ?? false,
        isNonMember: (peer) => this.assembly?.mesh?.isNonMember(peer) ?? false,
        isShuttingDown: () => this.stopping != null,
        hasRoomFor: (peer) => this.assembly?.mesh?.hasRoomFor(peer) ?? true,
        refused: (peer, reason) => {
          this.nodeMetrics.recordRefusal(reason)
          // at most a line a second per reason: a flood of refusals is not a flood of logs
          const now = Date.now()
          if (now - (this.lastRefusalLog.get(reason) ?? 0) < 1000) return
          this.lastRefusalLog.set(reason, now)
          this.log.info('connection refused', { peer, reason })
        },
        connectionsFrom: (from) => {
          const all = this.assembly?.libp2p.getConnections() ?? []
          return 'ip' in from
            ? all.filter((c) => ipOf(c.remoteAddr) === from.ip).length
            : all.filter((c) => c.remotePeer.toString() === from.peerId).length
        },
      },
    })
    return { ...assembly, parts: this.partList(assembly.parts) }
  }

  private partList(parts: Part[]): PartList {
    return new PartList(parts, {
      started: (name) => {
        this.diagnostics?.components_initialized.push(name)
        this.log.debug('part started', { part: name })
      },
      stopped: (name) => {
        this.log.debug('part stopped', { part: name })
      },
      stopFailed: (part, error) => {
        this.log.error('part failed to stop', { part, error: error as Error })
      },
    })
  }

  /** Re-dispatches a service's events as the node's own. */
  private forward(source: EventSource, types: Array<keyof NodeEvents>): void {
    for (const type of types) {
      source.addEventListener(type, (evt) => {
        this.safeDispatchEvent(type, { detail: (evt as CustomEvent<unknown>).detail as never })
      })
    }
  }
}

export function createNode(options: CreateNodeOptions): P2PNode {
  return new P2PNode(options)
}
