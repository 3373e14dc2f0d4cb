/**
 * The mesh as mesh compute sees it: the direct neighbours that could run tasks, with what they
 * announced (speed, task types, whether they serve, their load while it is fresh), the
 * connection to reach them on, and word when one goes. Built from the MeshService's peer table
 * and topology; tests give their own.
 */
import type { Connection } from '@libp2p/interface'
import type { EngineLoad } from '../core/tasks.js'
import type { MeshService } from '../mesh/mesh-service.js'
import { freshLoad } from '../mesh/topology.js'

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
  /** its announced load, when recent enough to go by */
  load?: EngineLoad
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
      for (const info of mesh.peers.list()) {
        if (info.health === 'DEAD' || info.transport === 'relay') continue
        const record = mesh.topology.get(info.peerId)
        const caps = record?.capabilities
        const link = mesh.peers.bestLink(info.peerId)
        if (caps == null || record == null || link == null) continue
        out.push({
          peerId: info.peerId,
          nodeId: info.nodeId,
          rttMs: info.rttMs,
          embeddingsPerSec: caps.measuring ? 0 : caps.embeddings_per_sec,
          taskTypes: caps.task_types,
          serving: caps.load?.serving ?? true,
          load: freshLoad(record),
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
