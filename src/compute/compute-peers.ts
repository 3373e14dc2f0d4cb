/**
 * The mesh as mesh compute sees it: the direct neighbours that could run tasks, with what they
 * announced (speed, task types, whether they serve, their wait while it is fresh), the
 * connection to reach them on, and word when one goes. Built from the MeshService's peer table
 * and topology; tests give their own.
 */
import type { Connection } from '@libp2p/interface'
import type { MeshService } from '../mesh/mesh-service.js'

export interface ComputePeer {
  peerId: string
  nodeId: string
  /** the last heartbeat round trip, ms */
  rttMs?: number
  /** its measured speed (0: unknown yet) */
  embeddingsPerSec: number
  taskTypes: readonly string[]
  /** takes other nodes' tasks (serve_tasks), as far as it said */
  serving: boolean
  /** the wait a new task would have there, ms, from a recent announcement */
  estWaitMs?: number
  /** a direct connection to it (relayed circuits are not used for tasks) */
  connection: Connection
}

export interface ComputePeers {
  list(): ComputePeer[]
  /** called when a neighbour goes: `dead` when the mesh declared it DEAD */
  onGone(listener: (peerId: string, reason: 'dead' | 'gone') => void): void
}

/** The mesh's neighbours as compute peers. */
export function meshComputePeers(mesh: MeshService): ComputePeers {
  return {
    list: () => {
      const out: ComputePeer[] = []
      for (const info of mesh.list()) {
        const compute = info.compute
        if (compute == null || info.health === 'DEAD' || info.transport === 'relay') continue
        const link = mesh.peers.bestLink(info.peerId)
        if (link == null) continue
        out.push({
          peerId: info.peerId,
          nodeId: info.nodeId,
          rttMs: info.rttMs,
          embeddingsPerSec: compute.embeddings_per_sec,
          taskTypes: compute.task_types,
          serving: compute.serving,
          estWaitMs: compute.est_wait_ms,
          connection: link.connection,
        })
      }
      return out
    },
    onGone: (listener) => {
      mesh.peers.addEventListener('peer:remove', (evt) => {
        const { peerId, reason } = evt.detail
        listener(peerId, reason === 'dead' ? 'dead' : 'gone')
      })
    },
  }
}
