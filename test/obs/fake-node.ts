/** A NodeApi stand-in for the debug tools' unit tests: what they read, nothing more. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import type { NodeConfig } from '../../src/core/config.js'
import type { NodeEvents } from '../../src/core/events.js'
import type { NodeApi, TaskApi } from '../../src/core/node-api.js'
import { nodeIdFromPeerId } from '../../src/core/node-id.js'
import type { Delivery, PeerInfo } from '../../src/core/types.js'
import { resolveConfig } from '../../src/node/config.js'
import { silentLogger } from '../../src/obs/logger.js'

export interface FakePeer {
  peerId: string
  nodeId: string
  key: PrivateKey
}

export async function fakePeer(): Promise<FakePeer> {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  return { peerId, nodeId: nodeIdFromPeerId(peerId), key }
}

export function peerInfo(p: FakePeer): PeerInfo {
  return {
    peerId: p.peerId,
    nodeId: p.nodeId,
    transport: 'websocket',
    health: 'ALIVE',
    remoteAddr: '/ip4/127.0.0.1/tcp/9001/ws',
    connectedAt: Date.now() - 5000,
    lastHeartbeat: Date.now() - 1000,
    rttMs: 1.5,
    messagesSent: 3,
    messagesReceived: 4,
  }
}

export interface FakeNodeInit {
  self: FakePeer
  neighbours?: FakePeer[]
  /** nodes known through the gossiped topology only */
  distant?: FakePeer[]
  config?: Partial<NodeConfig>
  send?: NodeApi['send']
  tasks?: TaskApi
}

export type FakeNode = NodeApi & { events: TypedEventEmitter<NodeEvents> }

export function fakeNode(init: FakeNodeInit): FakeNode {
  const events = new TypedEventEmitter<NodeEvents>()
  const config = { ...resolveConfig([], { storage_path: '/tmp/x' }).config, ...init.config }
  const neighbours = init.neighbours ?? []
  const node = {
    events,
    role: 'peer',
    state: 'ACTIVE',
    nodeId: init.self.nodeId,
    peerId: init.self.peerId,
    config,
    log: silentLogger,
    startupDiagnostics: undefined,
    lastHealthReport: undefined,
    tasks: init.tasks,
    health: async () => ({
      status: 'PASS',
      checks: [],
      durationMs: 1,
      timestamp: new Date().toISOString(),
    }),
    metadata: () => ({ version: '0.1.0', state: 'ACTIVE', timestamp: new Date().toISOString() }),
    readiness: () => ({ ready: true, status: 'node_ready', state: 'ACTIVE', timestamp: '' }),
    peers: () => neighbours.map(peerInfo),
    knownNodes: () => [...neighbours, ...(init.distant ?? [])].map((p) => p.peerId),
    topology: () => ({
      nodes: [
        {
          peerId: init.self.peerId,
          nodeId: init.self.nodeId,
          kind: 'node',
          self: true,
          state: 'ALIVE',
        },
        ...[...neighbours, ...(init.distant ?? [])].map((p) => ({
          peerId: p.peerId,
          kind: 'node',
          self: false,
          state: 'ALIVE',
        })),
      ],
      edges: [],
    }),
    relayStatus: () => ({ connected: [] }),
    listenAddresses: () => ['/ip4/127.0.0.1/tcp/9000/ws'],
    alerts: () => [],
    metrics: async () => [],
    send: init.send ?? (async (): Promise<Delivery> => ({ id: 'm', hops: 1, rttMs: 1 })),
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    dispatchEvent: events.dispatchEvent.bind(events),
    safeDispatchEvent: events.safeDispatchEvent.bind(events),
    listenerCount: events.listenerCount.bind(events),
  }
  return node as unknown as FakeNode
}
