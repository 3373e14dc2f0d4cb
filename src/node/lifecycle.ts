/**
 * Node lifecycle (FR1.2): INITIALIZING → REGISTERING → ACTIVE → SHUTTING_DOWN → STOPPED.
 * A start may be abandoned (INITIALIZING/REGISTERING → SHUTTING_DOWN); anything else is refused.
 */
import { TypedEventEmitter } from 'main-event'
import { InvalidTransitionError } from '../core/errors.js'
import type { StateTransition } from '../core/types.js'
import { NodeState } from '../core/types.js'
import type { Logger } from '../core/log.js'

const ALLOWED: Record<NodeState | 'NONE', readonly NodeState[]> = {
  NONE: [NodeState.INITIALIZING],
  INITIALIZING: [NodeState.REGISTERING, NodeState.SHUTTING_DOWN],
  REGISTERING: [NodeState.ACTIVE, NodeState.SHUTTING_DOWN],
  ACTIVE: [NodeState.SHUTTING_DOWN],
  SHUTTING_DOWN: [NodeState.STOPPED],
  STOPPED: [],
}

export interface LifecycleEvents {
  'state:change': CustomEvent<StateTransition>
}

export class Lifecycle extends TypedEventEmitter<LifecycleEvents> {
  private current: NodeState | null = null
  /** every transition so far, oldest first */
  readonly history: StateTransition[] = []

  constructor(private readonly log?: Logger) {
    super()
  }

  get state(): NodeState | null {
    return this.current
  }

  canTransition(to: NodeState): boolean {
    return ALLOWED[this.current ?? 'NONE'].includes(to)
  }

  /** Moves to `to` or throws InvalidTransitionError, leaving the state unchanged. */
  transition(to: NodeState): StateTransition {
    if (!this.canTransition(to)) throw new InvalidTransitionError(this.current, to)
    const t: StateTransition = { from: this.current, to, at: Date.now() }
    this.current = to
    this.history.push(t)
    this.log?.info('state transition', { from: t.from, to: t.to, at: new Date(t.at).toISOString() })
    this.safeDispatchEvent('state:change', { detail: t })
    return t
  }

  /** When the node last entered `state`, ms since the epoch. */
  enteredAt(state: NodeState): number | undefined {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const t = this.history[i] as StateTransition
      if (t.to === state) return t.at
    }
    return undefined
  }
}
