/**
 * The whole mesh as one node knows it, for the dashboard: itself, its direct neighbours (with
 * their health), and every node reachable through the neighbour lists that nodes gossip, plus
 * the relays they announce. A node is shown only while some shown node lists it: the stale
 * announcement of a node that crashed (kept until pruned) does not keep it on the map once its
 * neighbours dropped it.
 */
import type {
  MeshView,
  MeshViewEdge,
  MeshViewNode,
  NodeKind,
  PeerInfo,
  PeerTransport,
} from '../core/types.js'
import type { TopologyRecord } from './topology.js'
import { transportRank } from './transport-kind.js'

export interface MeshViewInput {
  self: MeshViewNode
  /** this node's direct neighbours */
  peers: readonly PeerInfo[]
  /** everything gossiped (TopologyTable.all()) */
  records: readonly TopologyRecord[]
  /** relays this node is connected to */
  relays: readonly string[]
}

const TRANSPORTS: readonly PeerTransport[] = ['webrtc', 'relay', 'websocket', 'other']

function asTransport(value: string | undefined): PeerTransport {
  return TRANSPORTS.includes(value as PeerTransport) ? (value as PeerTransport) : 'other'
}

function kindOf(platform: string | undefined): NodeKind {
  return platform === 'node' ? 'node' : 'tab'
}

function fromRecord(record: TopologyRecord): Omit<MeshViewNode, 'state' | 'self' | 'rttMs'> {
  const caps = record.capabilities
  return {
    peerId: record.peerId,
    nodeId: record.nodeId,
    kind: kindOf(record.platform),
    version: record.version,
    startedAt: record.startedAt,
    backend: caps?.backend,
    embeddingsPerSec: caps == null ? undefined : caps.measuring ? 0 : caps.embeddings_per_sec,
    queueDepth: caps?.load?.queue_depth,
  }
}

/** A known transport beats an unknown one ("other"); of two known ones, the more direct. */
function better(x: PeerTransport, than: PeerTransport): boolean {
  if (x === 'other') return false
  return than === 'other' || transportRank(x) < transportRank(than)
}

export function buildMeshView(input: MeshViewInput): MeshView {
  const records = new Map(input.records.map((r) => [r.peerId, r]))
  const selfId = input.self.peerId
  const nodes = new Map<string, MeshViewNode>([[selfId, input.self]])
  // this node's own links are first-hand; of two gossiped reports, the better transport wins
  const edges = new Map<string, MeshViewEdge & { firstHand: boolean }>()
  const link = (x: string, y: string, transport: PeerTransport, firstHand: boolean): void => {
    if (x === y) return
    const [a, b] = x < y ? [x, y] : [y, x]
    const existing = edges.get(`${a} ${b}`)
    if (existing == null || (!existing.firstHand && better(transport, existing.transport)))
      edges.set(`${a} ${b}`, { a, b, transport, firstHand })
  }

  for (const peer of input.peers) {
    const record = records.get(peer.peerId)
    nodes.set(peer.peerId, {
      ...(record == null ? { peerId: peer.peerId, kind: 'tab' as const } : fromRecord(record)),
      nodeId: peer.nodeId,
      version: peer.version ?? record?.version,
      self: false,
      state: peer.health,
      rttMs: peer.rttMs,
    })
    link(selfId, peer.peerId, peer.transport, true)
  }

  // walk the gossiped neighbour lists outwards from what this node sees itself
  const queue = [...nodes.keys()]
  for (let i = 0; i < queue.length; i++) {
    const record = records.get(queue[i] as string)
    if (record == null || record.peerId === selfId) continue
    for (const n of record.neighbours) {
      if (nodes.has(n)) continue
      const known = records.get(n)
      if (known == null) continue
      nodes.set(n, { ...fromRecord(known), self: false, state: 'ALIVE' })
      queue.push(n)
    }
  }

  const relays = new Set(input.relays)
  for (const relay of input.relays) link(selfId, relay, 'websocket', true)
  for (const id of nodes.keys()) {
    const record = records.get(id)
    if (record == null || id === selfId) continue
    for (const n of record.neighbours) {
      if (!nodes.has(n)) continue
      link(id, n, asTransport(record.transports?.[n]), false)
    }
    for (const relay of record.relays ?? []) {
      relays.add(relay)
      link(id, relay, 'websocket', false)
    }
  }
  for (const relay of relays) {
    if (!nodes.has(relay))
      nodes.set(relay, { peerId: relay, kind: 'relay', self: false, state: 'ALIVE' })
  }
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()].map(({ a, b, transport }) => ({ a, b, transport })),
  }
}
