import type { PeerInfo } from '../core/types.js'
import type { NodeApi } from '../core/node-api.js'
import { formatAge, shortId } from './format.js'
import { useNow, usePeers } from './hooks.js'

/** The mesh neighbours of this node, with how they are reached and how healthy they are. */
export function PeerTable({ node }: { node: NodeApi }) {
  const peers = usePeers(node)
  const now = useNow()
  return (
    <section className="card" aria-label="peers">
      <h2>
        Peers <span data-testid="peer-count">{peers.length}</span>
      </h2>
      {peers.length === 0 ? (
        <p className="muted">
          No peers yet. Open this page in another tab or browser to grow the mesh.
        </p>
      ) : (
        <table className="peers">
          <thead>
            <tr>
              <th>Node</th>
              <th>Transport</th>
              <th>Health</th>
              <th>Sent / received</th>
              <th>RTT</th>
              <th>Last heartbeat</th>
              <th>Backend</th>
              <th>Speed</th>
              <th>Queue</th>
              <th>Tasks</th>
              <th>Reputation</th>
            </tr>
          </thead>
          <tbody>
            {peers.map((p: PeerInfo) => (
              <tr
                key={p.peerId}
                data-testid="peer-row"
                data-peer-id={p.peerId}
                data-node-id={p.nodeId}
                data-transport={p.transport}
                data-health={p.health}
              >
                <td className="mono" title={p.peerId}>
                  {shortId(p.nodeId)}
                </td>
                <td>{p.transport}</td>
                <td className={`health health-${p.health.toLowerCase()}`}>{p.health}</td>
                <td>
                  {p.messagesSent} / {p.messagesReceived}
                </td>
                <td>{p.rttMs == null ? '–' : `${p.rttMs} ms`}</td>
                <td>{p.lastHeartbeat == null ? '–' : `${formatAge(now - p.lastHeartbeat)} ago`}</td>
                <td>{p.compute?.backend ?? '–'}</td>
                <td data-testid="peer-speed">
                  {p.compute == null
                    ? '–'
                    : p.compute.embeddings_per_sec > 0
                      ? `${p.compute.embeddings_per_sec}/s`
                      : 'measuring'}
                </td>
                <td data-testid="peer-queue">
                  {p.compute?.queue_depth == null
                    ? '–'
                    : `${p.compute.queue_depth} (${p.compute.est_wait_ms ?? 0} ms)`}
                </td>
                <td data-testid="peer-serving">{serving(p, now)}</td>
                <td data-testid="peer-reputation" data-reputation={p.compute?.reputation}>
                  {p.compute?.reputation == null ? '–' : p.compute.reputation.toFixed(2)}
                  {p.compute?.reputation != null && p.compute.reputation < 0.5
                    ? ' (untrusted)'
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** Whether tasks go to the peer: it serves, and this node does not skip it after failures. */
function serving(p: PeerInfo, now: number): string {
  const c = p.compute
  if (c == null) return '–'
  if (!c.serving) return 'not serving'
  if (c.skipped_until != null && c.skipped_until > now)
    return `skipped ${formatAge(c.skipped_until - now)}`
  return `serves (${c.tasks_served ?? 0} run)`
}
