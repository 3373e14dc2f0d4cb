/**
 * The typed events of the node and its services (`noun:verb` names). The node re-dispatches its
 * services' events, so a page or a host listens in one place.
 */
import type { Alert } from './alerts.js'
import type { EngineCapabilities, ModelInfo, TaskStatusReport } from './tasks.js'
import type {
  HealthReport,
  MeshMessage,
  PeerInfo,
  PeerTransport,
  StateTransition,
} from './types.js'

export interface LifecycleEvents {
  'state:change': CustomEvent<StateTransition>
}

export interface MeshEvents {
  'peer:add': CustomEvent<PeerInfo>
  'peer:update': CustomEvent<PeerInfo>
  'peer:remove': CustomEvent<{ peerId: string; reason: string; transport: PeerTransport }>
  message: CustomEvent<MeshMessage>
  'topology:change': CustomEvent<void>
  'relay:change': CustomEvent<void>
}

export interface TaskEvents {
  'task:update': CustomEvent<TaskStatusReport>
  'models:update': CustomEvent<ModelInfo[]>
  capabilities: CustomEvent<EngineCapabilities>
}

export interface AlertEvents {
  /** an alert fired (once, until it clears) */
  'alert:fire': CustomEvent<Alert>
  /** a firing alert cleared */
  'alert:clear': CustomEvent<Alert>
}

/** Everything the mesh and the task engine report, plus the node's own lifecycle, health and alerts. */
export interface NodeEvents extends LifecycleEvents, MeshEvents, TaskEvents, AlertEvents {
  health: CustomEvent<HealthReport>
}
