import { NodeState } from '../core/types.js'
import type { NodeApi } from '../core/node-api.js'
import { useNodeState, useNow, useRelayCount } from './hooks.js'
import { formatAge } from './format.js'

/** Who this tab is: node id, peer id, state, uptime, relay connection. */
export function NodeCard({ node }: { node: NodeApi }) {
  const state = useNodeState(node)
  const relays = useRelayCount(node)
  const now = useNow()
  const activeAt = node.activeSince()
  return (
    <section className="card node-card" aria-label="this node">
      <h2>This node</h2>
      <dl>
        <dt>Node ID</dt>
        <dd data-testid="node-id" className="mono">
          {node.nodeId ?? '…'}
        </dd>
        <dt>Peer ID</dt>
        <dd data-testid="peer-id" className="mono small">
          {node.peerId ?? '…'}
        </dd>
        <dt>State</dt>
        <dd
          data-testid="node-state"
          data-state={state ?? ''}
          className={`state state-${(state ?? '').toLowerCase()}`}
        >
          {state ?? 'starting'}
        </dd>
        <dt>Uptime</dt>
        <dd data-testid="node-uptime">
          {state === NodeState.ACTIVE && activeAt != null ? formatAge(now - activeAt) : '–'}
        </dd>
        <dt>Relay</dt>
        <dd data-testid="relay-status" data-connected={relays > 0}>
          {relays > 0 ? 'connected' : 'connecting…'}
        </dd>
      </dl>
    </section>
  )
}
