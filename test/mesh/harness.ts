/**
 * Real libp2p nodes over the in-memory transport, each running the MeshService, for testing
 * routing, acks, heartbeats and validation without browsers. Only the transport differs from
 * the product (no WebRTC in a unit test); everything above it is the same code.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { expect } from 'vitest'
import { agentVersion } from '../../src/core/version.js'
import type { MeshServices, MeshTiming } from '../../src/mesh/mesh-service.js'
import { MeshService } from '../../src/mesh/mesh-service.js'
import type { Dialable } from '../../src/mesh/dialable.js'
import { nodeIdFromPeerId } from '../../src/node/identity.js'
import { silentLogger } from '../../src/obs/logger.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import type { NodeConfig } from '../../src/core/config.js'
import type { Logger } from '../../src/core/log.js'

export interface TestNode {
  libp2p: Libp2p<MeshServices>
  /** its identity key, to sign envelopes as it would */
  privateKey: PrivateKey
  mesh: MeshService
  id: string
  addr: string
  stop(): Promise<void>
}

export interface TestNodeOptions {
  config?: Partial<NodeConfig>
  timing?: MeshTiming
  /** libp2p agent version to announce, to play an incompatible node */
  userAgent?: string
  /** where the mesh logs (silent by default) */
  log?: Logger
  /** which addresses to announce and dial (the product's default: relayed WebRTC only) */
  dialable?: Dialable
}

let counter = 0

/** The libp2p services a mesh node runs (many nodes share one IP here). */
function meshServices() {
  return {
    identify: identify(),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      scoreParams: { IPColocationFactorWeight: 0 },
    }),
  }
}

export async function testNode(opts: TestNodeOptions = {}): Promise<TestNode> {
  const addr = `/memory/mesh-test-${process.pid}-${counter++}`
  const config: NodeConfig = { ...DEFAULT_CONFIG, relays: [], ...opts.config }
  const deny = new Set(config.deny_peers)
  // refused like a node's gater does: denied by config, or banned by the mesh for flooding
  const late: { mesh?: MeshService } = {}
  const refused = (p: { toString(): string }): boolean =>
    deny.has(p.toString()) ||
    (late.mesh?.isBanned(p.toString()) ?? false) ||
    (late.mesh?.isNonMember(p.toString()) ?? false)
  // with relays configured, reserve on them like a tab does (/p2p-circuit); libp2p's address
  // manager cannot hold circuit addresses over the memory transport, so that case uses loopback TCP
  const viaRelay = config.relays.length > 0
  const privateKey = await generateKeyPair('Ed25519')
  const libp2p = (await createLibp2p({
    privateKey,
    addresses: { listen: viaRelay ? ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] : [addr] },
    transports: viaRelay ? [tcp(), circuitRelayTransport()] : [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    nodeInfo: { userAgent: opts.userAgent ?? agentVersion('node', 'peer') },
    connectionGater: {
      denyDialPeer: refused,
      denyInboundEncryptedConnection: refused,
    },
    services: meshServices(),
  })) as unknown as Libp2p<MeshServices>
  const mesh = new MeshService({
    libp2p,
    privateKey,
    nodeId: nodeIdFromPeerId(libp2p.peerId),
    platform: 'node',
    config,
    log: opts.log ?? silentLogger,
    timing: opts.timing,
    dialable: opts.dialable,
  })
  late.mesh = mesh
  await mesh.start()
  return {
    libp2p,
    privateKey,
    mesh,
    id: libp2p.peerId.toString(),
    addr: viaRelay
      ? (libp2p.getMultiaddrs()[0]?.toString() ?? '')
      : `${addr}/p2p/${libp2p.peerId.toString()}`,
    stop: async () => {
      await mesh.stop()
      await libp2p.stop()
    },
  }
}

/** Connects a → b and waits until both have a mesh link. */
export async function link(a: TestNode, b: TestNode): Promise<void> {
  await a.libp2p.dial(multiaddr(b.addr))
  await expect
    .poll(() => a.mesh.peers.has(b.id) && b.mesh.peers.has(a.id), { timeout: 5000 })
    .toBe(true)
}

/** Waits until `from` knows a path to `to` (topology learned from heartbeats or gossip). */
export async function waitForRoute(from: TestNode, to: TestNode): Promise<void> {
  await expect
    .poll(
      () => from.mesh.topology.nextHops(from.id, from.mesh.peers.neighbours(), to.id).length > 0,
      { timeout: 10_000 },
    )
    .toBe(true)
}

/** Messages a node delivers to its application. */
export function inbox(node: TestNode): Array<{ from: string; text: string; hops: number }> {
  const got: Array<{ from: string; text: string; hops: number }> = []
  node.mesh.addEventListener('message', (evt) => {
    got.push({
      from: evt.detail.from,
      text: new TextDecoder().decode(evt.detail.payload),
      hops: evt.detail.hops,
    })
  })
  return got
}

export async function line(n: number, opts: TestNodeOptions = {}): Promise<TestNode[]> {
  const nodes: TestNode[] = []
  for (let i = 0; i < n; i++) nodes.push(await testNode(opts))
  for (let i = 0; i + 1 < n; i++) await link(nodes[i] as TestNode, nodes[i + 1] as TestNode)
  return nodes
}

export const text = (s: string): Uint8Array<ArrayBuffer> =>
  new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>

/**
 * A libp2p node that does not run the mesh (identify and gossipsub only), like a relay, or an
 * intruder speaking our protocols by hand.
 */
export async function bareNode(): Promise<Libp2p<MeshServices>> {
  return (await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: [`/memory/mesh-test-${process.pid}-${counter++}`] },
    transports: [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: meshServices(),
  })) as unknown as Libp2p<MeshServices>
}
