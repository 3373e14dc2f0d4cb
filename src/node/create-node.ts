/**
 * createNode(): one node, tab or Node process, peer or relay, assembled from the host's
 * adapters. It owns the lifecycle (FR1.2), health (FR1.3), graceful stop (FR1.5), metadata
 * (FR1.7), readiness and startup diagnostics (FR1.8); the mesh does the networking.
 */
import type { Libp2p } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import { TypedEventEmitter } from 'main-event'
import {
  InvalidTransitionError,
  NotActiveError,
  SelfVerificationError,
  ShuttingDownError,
} from '../core/errors.js'
import type {
  Delivery,
  HealthReport,
  NodeMetadata,
  NodeRole,
  PeerInfo,
  StartupDiagnostics,
  StateTransition,
} from '../core/types.js'
import { NodeState } from '../core/types.js'
import type { RelayStatus } from '../core/node-api.js'
import { VERSION } from '../core/version.js'
import type { MeshServices } from '../mesh/mesh-service.js'
import { MeshService } from '../mesh/mesh-service.js'
import { libp2pOptions } from '../mesh/libp2p-options.js'
import type { RelayServices } from '../mesh/relay-role.js'
import { RelayRole } from '../mesh/relay-role.js'
import { createLogger } from '../obs/logger.js'
import { Namespaces } from '../store/storage.js'
import { runHealthChecks } from './health.js'
import type { InferenceHost, NodeHost } from './host.js'
import type { Identity } from './identity.js'
import { loadOrCreateIdentity } from './identity.js'
import { Lifecycle } from './lifecycle.js'
import { TaskService } from '../tasks/task-service.js'
import { OperationTracker } from './operations.js'
import type { MeshEvents, TaskEvents } from '../core/events.js'
import type { SendOptions } from '../core/node-api.js'
import type { Logger } from '../core/log.js'
import type { ResolvedConfig } from '../core/config.js'

/** Everything the mesh and the task engine report, plus the node's own lifecycle and health. */
export interface NodeEvents extends MeshEvents, TaskEvents {
  'state:change': CustomEvent<StateTransition>
  health: CustomEvent<HealthReport>
}

export interface CreateNodeOptions {
  host: NodeHost
  config: ResolvedConfig
  role?: NodeRole
}

export interface StopResult {
  /** false when operations had to be cut off after the grace period */
  clean: boolean
  durationMs: number
}

export interface Readiness {
  ready: boolean
  status: 'node_ready' | 'node_not_ready'
  state: NodeState | null
  timestamp: string
}

/** Grace period for in-flight operations on stop (FR1.5). */
export const STOP_GRACE_MS = 5000

export class P2PNode extends TypedEventEmitter<NodeEvents> {
  readonly role: NodeRole
  readonly log: Logger
  readonly lifecycle: Lifecycle
  readonly operations = new OperationTracker()
  private identity?: Identity
  private p2p?: Libp2p<MeshServices>
  private meshService?: MeshService
  private relayRole?: RelayRole
  private taskService?: TaskService
  private shuttingDown = false
  private healthTimer?: ReturnType<typeof setInterval>
  private lastHealth?: HealthReport
  private diagnostics?: StartupDiagnostics

  constructor(private readonly opts: CreateNodeOptions) {
    super()
    this.role = opts.role ?? 'peer'
    this.log = createLogger({
      level: opts.config.config.log_level,
      sinks: opts.host.logSinks,
      ns: 'node',
    })
    this.lifecycle = new Lifecycle(this.log.child('lifecycle'))
    this.lifecycle.addEventListener('state:change', (evt) => {
      this.safeDispatchEvent('state:change', { detail: evt.detail })
    })
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

  /** The libp2p node, once started. */
  get libp2p(): Libp2p<MeshServices> {
    if (this.p2p == null) throw new NotActiveError(this.state ?? 'not started')
    return this.p2p
  }

  /** The mesh (peer role only), once started. */
  /** The AI task engine (peers whose host runs inference), once started. */
  get tasks(): TaskService | undefined {
    return this.taskService
  }

  get mesh(): MeshService | undefined {
    return this.meshService
  }

  get startupDiagnostics(): StartupDiagnostics | undefined {
    return this.diagnostics
  }

  get lastHealthReport(): HealthReport | undefined {
    return this.lastHealth
  }

  async start(): Promise<StartupDiagnostics> {
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
    const { host, config } = this.opts
    // checked before the try: a second start must not tear down the running node
    if (this.state != null) throw new InvalidTransitionError(this.state, NodeState.INITIALIZING)
    try {
      this.lifecycle.transition(NodeState.INITIALIZING)
      diag.time_to_initializing = since()
      for (const w of config.warnings) this.log.warn(w)
      for (const key of Object.keys(config.config) as Array<keyof typeof config.config>) {
        if (config.sources[key] !== 'default') {
          this.log.info('configuration value', {
            key,
            value: config.config[key],
            source: config.sources[key],
          })
        }
      }
      diag.components_initialized.push('config')
      this.identity = await loadOrCreateIdentity(host.identityStore)
      this.log.info(this.identity.generated ? 'generated node identity' : 'loaded node identity', {
        node_id: this.identity.nodeId,
        peer_id: this.identity.peerId.toString(),
        location: host.identityStore.location,
      })
      diag.components_initialized.push('identity')

      this.lifecycle.transition(NodeState.REGISTERING)
      diag.time_to_registering = since()
      this.p2p = (await createLibp2p(
        libp2pOptions({
          role: this.role,
          platform: host.platform,
          config: config.config,
          privateKey: this.identity.privateKey,
          listen: host.listen,
          announce: host.announce,
          services: host.services,
          rtcExtras: host.rtcExtras,
          gate: {
            isDenied: (peer) => this.config.deny_peers.includes(peer),
            isShuttingDown: () => this.shuttingDown,
            hasRoomFor: (peer) =>
              this.meshService == null ||
              this.meshService.peers.has(peer) ||
              this.meshService.peers.size < this.config.max_peers,
            refused: (peer, reason) => {
              this.log.info('connection refused', { peer, reason })
            },
          },
        }),
      )) as unknown as Libp2p<MeshServices>
      diag.components_initialized.push('libp2p')
      this.throwIfStopping()
      const report = await this.health()
      if (report.status === 'FAIL') {
        throw new SelfVerificationError(
          report.failing ?? 'unknown',
          report.checks.find((c) => c.status === 'FAIL')?.reason,
        )
      }
      diag.components_initialized.push('storage', 'health')
      this.throwIfStopping()
      if (this.role === 'peer') {
        this.meshService = new MeshService({
          libp2p: this.p2p,
          nodeId: this.identity.nodeId,
          platform: host.platform,
          config: config.config,
          log: this.log.child('mesh'),
        })
        this.forwardMeshEvents(this.meshService)
      }
      if (this.role === 'relay') {
        this.relayRole = new RelayRole(
          this.p2p as unknown as Libp2p<RelayServices>,
          config.config.relay_max_reservations,
          this.log.child('relay'),
        )
      }
      if (this.role === 'peer' && host.inference != null) {
        // the engine starts now; its models load in the background
        this.taskService = await this.createTaskService(host.inference)
        await this.taskService.start()
        diag.components_initialized.push('tasks')
        this.throwIfStopping()
      }
      this.lifecycle.transition(NodeState.ACTIVE)
      diag.time_to_active = since()
      await this.meshService?.start()
      if (this.meshService != null) diag.components_initialized.push('mesh')
      await this.relayRole?.start()
      if (this.relayRole != null) diag.components_initialized.push('relay')

      this.healthTimer = setInterval(() => {
        void this.health().catch(() => {})
      }, config.config.health_check_interval_secs * 1000)
      this.log.info('node active', { node_id: this.identity.nodeId, ms: diag.time_to_active })
      return diag
    } catch (err) {
      diag.any_errors_during_startup.push((err as Error).message)
      this.log.error('startup failed', { error: err as Error })
      if (this.state === NodeState.SHUTTING_DOWN || this.state === NodeState.STOPPED) {
        // stop() ran while we were starting and could not see what we had just created
        await this.meshService?.stop().catch(() => {})
        await Promise.resolve(this.p2p?.stop()).catch(() => {})
      } else {
        await this.stop({ graceMs: 0 }).catch(() => {})
      }
      throw err
    }
  }

  /** A stop() that arrived while start() was awaiting something ends the start. */
  private throwIfStopping(): void {
    if (this.shuttingDown) throw new ShuttingDownError()
  }

  /**
   * Graceful stop (FR1.5): refuse new connections, say goodbye, give operations `graceMs`, flush
   * storage, release everything. Resolves `clean: false` when operations had to be cut off.
   */
  async stop(options: { graceMs?: number } = {}): Promise<StopResult> {
    const started = Date.now()
    if (
      this.state === NodeState.STOPPED ||
      this.state === NodeState.SHUTTING_DOWN ||
      this.state == null
    ) {
      return { clean: true, durationMs: 0 }
    }
    this.lifecycle.transition(NodeState.SHUTTING_DOWN)
    this.shuttingDown = true
    clearInterval(this.healthTimer)
    // finish what is in flight (peers still answer), then say goodbye: the other order would
    // make peers hang up on messages that could have completed
    this.meshService?.beginShutdown()
    const graceMs = options.graceMs ?? STOP_GRACE_MS
    const clean = await this.operations.drain(
      graceMs,
      () => this.meshService?.busy === true || this.taskService?.busy === true,
    )
    if (!clean)
      this.log.warn('operations did not finish within the grace period; stopping them', { graceMs })
    this.meshService?.goodbye('shutdown')

    await this.relayRole?.stop()
    await this.taskService?.stop().catch((err: unknown) => {
      this.log.error('task engine stop failed', { error: err as Error })
    })
    await this.meshService?.stop().catch((err: unknown) => {
      this.log.error('mesh stop failed', { error: err as Error })
    })
    await Promise.resolve(this.p2p?.stop()).catch((err: unknown) => {
      this.log.error('libp2p stop failed', { error: err as Error })
    })
    await this.opts.host.storage.flush()
    await this.opts.host.storage.close()
    this.lifecycle.transition(NodeState.STOPPED)
    const durationMs = Date.now() - started
    this.log.info('node stopped', { clean, ms: durationMs })
    return { clean, durationMs }
  }

  /** Synchronous goodbye to peers, for a tab's `pagehide`. */
  goodbye(): void {
    this.meshService?.goodbye('page closed')
  }

  async health(): Promise<HealthReport> {
    const identity = this.identity
    const { host } = this.opts
    const report = await runHealthChecks(
      {
        config: async () => host.configProbe(),
        storage: async () => {
          // a key of its own: tabs of one browser profile share one database
          const nonce = Math.random().toString(36).slice(2)
          const key = `probe-${this.nodeId ?? 'starting'}-${nonce}`
          await host.storage.put(Namespaces.health, key, { nonce })
          const back = (await host.storage.get(Namespaces.health, key)) as
            { nonce?: string } | undefined
          await host.storage.delete(Namespaces.health, key)
          if (back?.nonce !== nonce) throw new Error('read back a different value than written')
        },
        crypto: async () => {
          if (identity == null) throw new Error('no identity loaded')
          const message = crypto.getRandomValues(new Uint8Array(32))
          const signature = await identity.privateKey.sign(message)
          if (!(await identity.privateKey.publicKey.verify(message, signature)))
            throw new Error('signature did not verify')
        },
        memoryBytes: () => host.memoryBytes(),
      },
      { maxMemoryMb: this.config.max_memory_mb },
    )
    this.lastHealth = report
    const memory = report.checks.find((c) => c.name === 'memory')
    if (memory?.status === 'FAIL')
      this.log.error('ALERT memory threshold exceeded', { detail: memory.detail })
    if (report.status === 'FAIL')
      this.log.warn('health check failed', { failing: report.failing, checks: report.checks })
    this.safeDispatchEvent('health', { detail: report })
    return report
  }

  /** FR1.7: complete once ACTIVE; version, state and timestamp only before that. */
  metadata(): NodeMetadata {
    const base: NodeMetadata = {
      version: VERSION,
      state: this.state ?? NodeState.INITIALIZING,
      timestamp: new Date().toISOString(),
    }
    const activeAt = this.lifecycle.enteredAt(NodeState.ACTIVE)
    if (this.state !== NodeState.ACTIVE || activeAt == null || this.identity == null) return base
    return {
      ...base,
      node_id: this.identity.nodeId,
      peer_id: this.identity.peerId.toString(),
      uptime_seconds: Math.floor((Date.now() - activeAt) / 1000),
      platform: this.opts.host.platform,
      role: this.role,
    }
  }

  /** FR1.8 readiness: ready exactly when ACTIVE. */
  readiness(): Readiness {
    const ready = this.state === NodeState.ACTIVE
    return {
      ready,
      status: ready ? 'node_ready' : 'node_not_ready',
      state: this.state,
      timestamp: new Date().toISOString(),
    }
  }

  peers(): PeerInfo[] {
    return this.meshService?.list() ?? []
  }

  /** Peer ids of every node this one knows of (neighbours and beyond, from the topology). */
  knownNodes(): string[] {
    const ids = new Set([
      ...this.peers().map((p) => p.peerId),
      ...(this.meshService?.topology.all() ?? []).map((r) => r.peerId),
    ])
    ids.delete(this.peerId ?? '')
    return [...ids]
  }

  relayStatus(): RelayStatus {
    return { connected: this.meshService?.relays.status().connected ?? [] }
  }

  listenAddresses(): string[] {
    return this.p2p?.getMultiaddrs().map((ma) => ma.toString()) ?? []
  }

  activeSince(): number | undefined {
    return this.state === NodeState.ACTIVE ? this.lifecycle.enteredAt(NodeState.ACTIVE) : undefined
  }

  /** Sends a routed message to any node of the mesh (FR10.3). */
  async send(
    to: string,
    topic: string,
    payload: Uint8Array,
    options?: SendOptions,
  ): Promise<Delivery> {
    if (this.state !== NodeState.ACTIVE || this.meshService == null)
      throw new NotActiveError(this.state ?? 'not started')
    return this.operations.run(async (signal) =>
      (this.meshService as MeshService).send(to, topic, payload, {
        ...options,
        signal: options?.signal == null ? signal : AbortSignal.any([signal, options.signal]),
      }),
    )
  }

  private async createTaskService(inference: InferenceHost): Promise<TaskService> {
    const config = this.config
    const service = new TaskService({
      nodeId: this.nodeId as string,
      engine: inference.createEngine(),
      runtime: {
        source: await inference.modelSource(config.model_source),
        preferWebGpu: inference.preferWebGpu,
      },
      store: await inference.openResults(),
      models: config.models,
      maxConcurrent: config.max_concurrent_tasks,
      maxBatch: config.max_batch_size,
      maxStoredResults: config.max_stored_results,
      resultExpiryHours: config.result_expiry_hours,
      log: this.log.child('tasks'),
      memoryBytes: () => this.opts.host.memoryBytes(),
      maxMemoryMb: config.max_memory_mb,
    })
    service.addEventListener('capabilities', (evt) => {
      this.meshService?.advertise(evt.detail)
    })
    for (const type of ['task:update', 'models:update', 'capabilities'] as const) {
      service.addEventListener(type, (evt) => {
        this.safeDispatchEvent(type, { detail: (evt as CustomEvent<unknown>).detail as never })
      })
    }
    return service
  }

  private forwardMeshEvents(mesh: MeshService): void {
    for (const type of [
      'peer:add',
      'peer:update',
      'peer:remove',
      'message',
      'topology:change',
      'relay:change',
    ] as const) {
      mesh.addEventListener(type, (evt) => {
        this.safeDispatchEvent(type, { detail: (evt as CustomEvent<unknown>).detail as never })
      })
    }
  }
}

export function createNode(options: CreateNodeOptions): P2PNode {
  return new P2PNode(options)
}
