import { describe, expect, it } from 'vitest'
import { buildMeshView } from '../../src/mesh/mesh-view.js'
import type { TopologyRecord } from '../../src/mesh/topology.js'
import type { MeshViewNode, PeerInfo } from '../../src/core/types.js'

const self: MeshViewNode = { peerId: 'S', kind: 'tab', self: true, state: 'ALIVE' }

function peer(peerId: string, health: PeerInfo['health'] = 'ALIVE'): PeerInfo {
  return {
    peerId,
    nodeId: `node-${peerId}`,
    transport: 'webrtc',
    health,
    remoteAddr: '',
    connectedAt: 0,
    messagesSent: 0,
    messagesReceived: 0,
    rttMs: 3,
  }
}

function record(
  peerId: string,
  neighbours: string[],
  extra: Partial<TopologyRecord> = {},
): TopologyRecord {
  return {
    peerId,
    neighbours,
    seq: 1n,
    updatedAt: 0,
    source: 'gossip',
    platform: 'browser',
    ...extra,
  }
}

describe('buildMeshView', () => {
  it('shows self, neighbours with their health, nodes beyond them, and the relays', () => {
    const view = buildMeshView({
      self,
      peers: [peer('A'), peer('B', 'SLOW')],
      records: [
        record('A', ['S', 'B', 'C'], {
          transports: { S: 'webrtc', B: 'webrtc', C: 'relay' },
          relays: ['R'],
        }),
        record('B', ['S', 'A']),
        record('C', ['A'], { platform: 'node', nodeId: 'c'.repeat(32), startedAt: 5 }),
      ],
      relays: ['R'],
    })
    const byId = new Map(view.nodes.map((n) => [n.peerId, n]))
    expect([...byId.keys()].sort()).toEqual(['A', 'B', 'C', 'R', 'S'])
    expect(byId.get('B')?.state).toBe('SLOW')
    expect(byId.get('A')?.nodeId).toBe('node-A')
    expect(byId.get('C')).toMatchObject({ kind: 'node', state: 'ALIVE', startedAt: 5 })
    expect(byId.get('R')?.kind).toBe('relay')
    const edges = view.edges.map((e) => `${e.a}-${e.b}:${e.transport}`).sort()
    expect(edges).toEqual([
      'A-B:webrtc',
      'A-C:relay',
      'A-R:websocket',
      'A-S:webrtc',
      'B-S:webrtc',
      'R-S:websocket',
    ])
  })

  it('drops a node that nobody shown lists any more, even while its own record lingers', () => {
    const view = buildMeshView({
      self,
      peers: [peer('A')],
      // D crashed: its last announcement still lists A, but A no longer lists D
      records: [record('A', ['S']), record('D', ['A'])],
      relays: [],
    })
    expect(view.nodes.map((n) => n.peerId).sort()).toEqual(['A', 'S'])
    expect(view.edges).toHaveLength(1)
  })

  it('keeps first-hand transports over what others report, and otherwise the better one', () => {
    const view = buildMeshView({
      self,
      peers: [{ ...peer('A'), transport: 'relay' }],
      records: [
        record('A', ['S', 'B'], { transports: { S: 'webrtc', B: 'relay' } }),
        record('B', ['A'], { transports: { A: 'webrtc' } }),
      ],
      relays: [],
    })
    const t = Object.fromEntries(view.edges.map((e) => [`${e.a}-${e.b}`, e.transport]))
    expect(t).toEqual({ 'A-S': 'relay', 'A-B': 'webrtc' })
  })
})
