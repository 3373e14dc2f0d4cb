/**
 * The services that make a node a member of the mesh, built from its identity and host, and
 * listed in start order (REGISTERING): libp2p · health · mesh (a peer) · tasks and executor (a
 * peer whose host runs inference: its own tasks, and other nodes') | relay (a relay). Building
 * starts nothing: the list does, in order. The alerts come last: they watch everything else.
 */
import type { Libp2p } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import type { NodeConfig } from '../core/config.js'
import type { NodeEvents } from '../core/events.js'
import type { Logger } from '../core/log.js'
import type { Part, Startable } from '../core/startable.js'
import type { NodeRole } from '../core/types.js'
import type { GatePolicy } from '../mesh/libp2p-options.js'
import { libp2pOptions } from '../mesh/libp2p-options.js'
import type { MeshServices } from '../mesh/mesh-service.js'
import { MeshService } from '../mesh/mesh-service.js'
import type { RelayServices } from '../mesh/relay-role.js'
import { RelayRole } from '../mesh/relay-role.js'
import { meshComputePeers } from '../compute/compute-peers.js'
import { TaskDispatcher } from '../compute/dispatcher.js'
import { TaskExecutor } from '../compute/executor.js'
import { LoadAnnouncer } from '../compute/load-announcer.js'
import { TaskService } from '../tasks/task-service.js'
import { MetricsInbox } from '../obs/metrics-inbox.js'
import { MetricsPusher } from '../obs/metrics-pusher.js'
import type { NodeMetrics } from '../obs/node-metrics.js'
import { TaskTracer } from '../obs/tracing.js'
import type { HealthService } from './health-service.js'
import type { InferenceHost, NodeHost } from './host.js'
import type { Identity } from './identity.js'

/** Something whose events the node re-dispatches as its own. */
export type EventSource = {
  addEventListener(type: string, listener: (evt: Event) => void): void
}

export interface AssembleInit {
  role: NodeRole
  host: NodeHost
  config: NodeConfig
  identity: Identity
  log: Logger
  health: HealthService
  /** the node's own metrics: the task engine records into them, a tab pushes them */
  metrics: NodeMetrics
  /** the alert rules (FR22.1), judged once the rest is up */
  alerts: Startable
  /** the connection gater's questions, answered by the node */
  gate: GatePolicy
  /** makes a service's events the node's own */
  forward(source: EventSource, types: Array<keyof NodeEvents>): void
}

/** A node's services once built, and its REGISTERING parts in start order. */
export interface Assembly {
  libp2p: Libp2p<MeshServices>
  mesh?: MeshService
  tasks?: TaskService
  /** where this node's tasks run (a peer with inference) */
  dispatcher?: TaskDispatcher
  /** the metrics tabs pushed (a relay) */
  inbox?: MetricsInbox
  parts: Part[]
}

export async function assemble(init: AssembleInit): Promise<Assembly> {
  const { role, host, config, identity, log } = init
  const libp2p = (await createLibp2p({
    ...libp2pOptions({
      role,
      platform: host.platform,
      config,
      privateKey: identity.privateKey,
      listen: host.listen,
      announce: host.announce,
      tls: host.tls,
      services: host.services,
      transports: host.transports,
      metrics: host.metrics,
      rtcExtras: host.rtcExtras,
      dialable: host.dialable,
      gate: init.gate,
    }),
    start: false,
  })) as unknown as Libp2p<MeshServices>
  const peer = role === 'peer'
  const mesh = peer ? meshService(init, libp2p) : undefined
  const tracer = peer && host.inference != null ? taskTracer(init, host.inference) : undefined
  const tasks =
    peer && host.inference != null
      ? await taskService(init, host.inference, mesh, tracer)
      : undefined
  const relay =
    role === 'relay'
      ? new RelayRole(
          libp2p as unknown as Libp2p<RelayServices>,
          config.relay_max_reservations,
          log.child('relay'),
        )
      : undefined
  const parts: Part[] = [
    { name: 'libp2p', service: libp2p },
    { name: 'health', service: init.health },
  ]
  // the mesh first: joining does not wait for the inference worker to spin up
  if (mesh != null) parts.push({ name: 'mesh', service: mesh })
  // the tracer before the tasks: it takes their last spans when they stop
  if (tracer != null) parts.push({ name: 'tracing', service: tracer })
  if (tasks != null) parts.push({ name: 'tasks', service: tasks })
  let dispatcher: TaskDispatcher | undefined
  if (tasks != null) {
    const executor = new TaskExecutor({
      libp2p,
      tasks,
      privateKey: identity.privateKey,
      serve: config.serve_tasks,
      maxQueuedPerPeer: config.max_remote_queued_per_peer,
      admit: mesh == null ? undefined : (peerId) => mesh.admit('task', peerId),
      admitted: mesh?.admission,
      log: log.child('compute'),
      countBytes: init.metrics.countBytes,
      tracer,
    })
    parts.push({ name: 'executor', service: executor })
    if (mesh != null) {
      dispatcher = new TaskDispatcher({
        local: {
          nodeId: identity.nodeId,
          capabilities: () => tasks.capabilities(),
          load: () => tasks.load(),
          modelHash: (type) => tasks.modelFor(type).hash ?? '',
          runReplica: async (spec, input, timeoutMs) => tasks.runReplica(spec, input, timeoutMs),
        },
        peers: meshComputePeers(mesh),
        maxInflightPerPeer: config.max_inflight_per_peer,
        log: log.child('compute'),
        countBytes: init.metrics.countBytes,
      })
      tasks.usePlacer(dispatcher)
      parts.push({ name: 'dispatcher', service: dispatcher })
      parts.push({
        name: 'load',
        service: new LoadAnnouncer({
          tasks,
          executor,
          serving: config.serve_tasks,
          announce: (load) => {
            mesh.advertiseLoad(load)
          },
        }),
      })
    }
  }
  if (relay != null) parts.push({ name: 'relay', service: relay })
  const inbox =
    role === 'relay'
      ? new MetricsInbox({
          libp2p,
          maxNodes: config.metrics_max_nodes,
          log: log.child('metrics'),
        })
      : undefined
  if (inbox != null) parts.push({ name: 'metrics-inbox', service: inbox })
  // a tab serves no /metrics: it pushes its own to its relays (a Node host is scraped)
  if (mesh != null && host.platform === 'browser' && config.metrics_push_interval_secs > 0)
    parts.push({
      name: 'metrics-push',
      service: new MetricsPusher({
        libp2p,
        intervalMs: config.metrics_push_interval_secs * 1000,
        relays: () => mesh.relays.status().connected,
        families: async () => init.metrics.families(),
        log: log.child('metrics'),
      }),
    })
  parts.push({ name: 'alerts', service: init.alerts })
  return { libp2p, mesh, tasks, dispatcher, inbox, parts }
}

function meshService(init: AssembleInit, libp2p: Libp2p<MeshServices>): MeshService {
  const mesh = new MeshService({
    libp2p,
    privateKey: init.identity.privateKey,
    nodeId: init.identity.nodeId,
    platform: init.host.platform,
    config: init.config,
    log: init.log.child('mesh'),
    countBytes: init.metrics.countBytes,
    dialable: init.host.dialable,
  })
  init.forward(mesh, [
    'peer:add',
    'peer:update',
    'peer:remove',
    'message',
    'topology:change',
    'relay:change',
  ])
  return mesh
}

/** This node's own tracer (its spans in the host's span store, and OTLP when configured). */
function taskTracer(init: AssembleInit, inference: InferenceHost): TaskTracer {
  return new TaskTracer({
    nodeId: init.identity.nodeId,
    log: init.log.child('trace'),
    openStore: inference.openSpans?.bind(inference),
    otlpEndpoint: init.config.otlp_endpoint,
  })
}

async function taskService(
  init: AssembleInit,
  inference: InferenceHost,
  mesh: MeshService | undefined,
  tracer: TaskTracer | undefined,
): Promise<TaskService> {
  const { config, host } = init
  const tasks = new TaskService({
    nodeId: init.identity.nodeId,
    engine: inference.createEngine(),
    runtime: {
      source: await inference.modelSource(config.model_source),
      preferWebGpu: inference.preferWebGpu,
      threads: config.inference_threads,
    },
    openStore: async () => inference.openResults(),
    models: config.models,
    maxConcurrent: config.max_concurrent_tasks,
    maxBatch: config.max_batch_size,
    maxStoredResults: config.max_stored_results,
    resultExpiryHours: config.result_expiry_hours,
    log: init.log.child('tasks'),
    memoryBytes: () => host.memoryBytes(),
    maxMemoryMb: config.max_memory_mb,
    onInferenceCall: (inputs, ms) => {
      init.metrics.recordInferenceCall(inputs, ms)
    },
    tracer,
    // joining comes first: model loading and the speed test compete with the WebRTC dials
    warmUp: async (signal) => {
      if (config.model_warmup === 'on_demand') return false
      if (config.model_warmup === 'after_join') await mesh?.joined({ signal })
      return true
    },
  })
  tasks.addEventListener('capabilities', (evt) => {
    mesh?.advertise(evt.detail)
  })
  init.forward(tasks, ['task:update', 'models:update', 'capabilities'])
  return tasks
}
