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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
