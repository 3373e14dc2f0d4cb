/**
 * The libp2p configuration of every node, tab or Node process, peer or relay. Transports are
 * the same libraries everywhere (@libp2p/webrtc runs on node-datachannel under Node); the host
 * only chooses what to listen on. Discovery is ours: the relay's directory and gossiped
 * announcements (src/mesh/directory.ts, topology-gossip.ts), not a libp2p discovery module.
 */
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { isPrivate } from '@libp2p/utils'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { toString as bytesToString } from 'uint8arrays/to-string'
import type { Libp2pOptions } from 'libp2p'
import type { NodeRole, Platform } from '../core/types.js'
import { agentVersion } from '../core/version.js'
import type { Dialable } from './dialable.js'
import { ipOf, transportOf } from './transport-kind.js'
import type { NodeConfig } from '../core/config.js'

/**
 * Data-channel messages of 64 KiB instead of @libp2p/webrtc's 16 KiB (RFC 8831 asks for 16 KiB
 * only while SCTP cannot interleave messages): one noise frame per message, and 10 MiB between
 * two tabs in ~0.40 s instead of ~0.56 s here (bench/mesh). js-libp2p receivers accept up to
 * 4 MiB; other implementations (rust-libp2p) may not, should the mesh ever meet them.
 */
const DATA_CHANNEL_MESSAGE_BYTES = 64 * 1024

export interface Libp2pOptionsInit {
  role: NodeRole
  platform: Platform
  config: NodeConfig
  privateKey: PrivateKey
  /** listen multiaddrs chosen by the host */
  listen: string[]
  /** addresses to announce instead of the listen addresses (a relay behind a proxy) */
  announce?: string[]
  /** certificate and key (PEM) for a /tls/ws listen address: HTTPS and WSS on that port */
  tls?: { cert: string; key: string }
  gate: GatePolicy
  /** host-specific additions to the RTCConfiguration (node-datachannel's bindAddress) */
  rtcExtras?: Record<string, unknown>
  /** host-specific libp2p services (e.g. HTTP on a Node host's WebSocket port) */
  services?: Record<string, (components: never) => unknown>
  /** transports a host adds to the platform's (libp2p's in-memory transport in tests) */
  transports?: Libp2pOptions['transports']
  /** libp2p's own metrics (connections, streams, transports), where the host collects them */
  metrics?: Libp2pOptions['metrics']
  /** addresses the mesh dials for links besides WebRTC (the simulation's memory ones): gated by max_peers too */
  dialable?: Dialable
}

/** The decisions the connection gater delegates to the node. */
export interface GatePolicy {
  isDenied(peerId: string): boolean
  /** banned for a while, for flooding */
  isBanned(peerId: string): boolean
  /** refused for a while, for not proving the mesh_key (a closed mesh) */
  isNonMember(peerId: string): boolean
  isShuttingDown(): boolean
  /** may another direct mesh peer connect (max_peers)? */
  hasRoomFor(peerId: string): boolean
  /** a connection was refused, for the log */
  refused(peerId: string | undefined, reason: string): void
  /** connections open now from this IP address, or from this peer (a relay's caps) */
  connectionsFrom(from: { ip: string } | { peerId: string }): number
}

export function libp2pOptions(init: Libp2pOptionsInit): Libp2pOptions<Record<string, unknown>> {
  const { role, config } = init
  const common = {
    privateKey: init.privateKey,
    nodeInfo: { userAgent: agentVersion(init.platform, role) },
    addresses: {
      listen: init.listen,
      ...(init.announce != null ? { announce: init.announce } : {}),
    },
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: connectionGater(config, init.gate, role, init.dialable),
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
  }
  const wsInit = init.tls == null ? {} : { https: { cert: init.tls.cert, key: init.tls.key } }
  const pubsub = gossipsub({
    allowPublishToZeroTopicPeers: true,
    // every tab behind one NAT (or on loopback) shares an IP: do not penalise that
    scoreParams: { IPColocationFactorWeight: 0 },
    fastMsgIdFn: fastMessageId,
  })
  if (role === 'relay') {
    return {
      ...common,
      transports: [webSockets(wsInit), ...(init.transports ?? [])],
      connectionManager: {
        maxConnections: config.relay_max_reservations * 2 + 64,
        maxIncomingPendingConnections: 256,
        inboundConnectionThreshold: 1000,
      },
      services: {
        ...init.services,
        identify: identify(),
        ping: ping(),
        pubsub,
        relay: circuitRelayServer({
          reservations: {
            maxReservations: config.relay_max_reservations,
            // relayed connections carry WebRTC signalling, and mesh traffic for peers that cannot connect directly
            defaultDataLimit: BigInt(64 * 1024 * 1024),
            defaultDurationLimit: 30 * 60 * 1000,
          },
        }),
      },
    }
  }
  return {
    ...common,
    transports: [
      webSockets(wsInit),
      webRTC({
        rtcConfiguration: { iceServers: config.ice_servers, ...init.rtcExtras },
        dataChannel: { maxMessageSize: DATA_CHANNEL_MESSAGE_BYTES },
      }),
      circuitRelayTransport({ reservationCompletionTimeout: 5000 }),
      ...(init.transports ?? []),
    ],
    connectionManager: {
      maxConnections: config.max_peers * 2 + 8,
      dialTimeout: 10_000,
    },
    services: {
      ...init.services,
      identify: identify(),
      ping: ping(),
      pubsub,
    },
  }
}

/**
 * A message's author and sequence number: how gossipsub recognises a copy of a message it has
 * already accepted *before* checking the copy's signature. Without it every copy (one per mesh
 * peer that forwards it) is verified: `npm run sim` at 40 nodes spent a quarter of its CPU there.
 * Only messages that passed validation are remembered, so a forged copy cannot shadow the real one.
 */
export function fastMessageId(msg: RPC.Message): string {
  if (msg.from == null || msg.seqno == null) return ''
  return `${bytesToString(msg.from, 'base64')}:${bytesToString(msg.seqno, 'base64')}`
}

function connectionGater(
  config: NodeConfig,
  gate: GatePolicy,
  role: NodeRole,
  dialable?: Dialable,
): ConnectionGater {
  const deny = (peerId: string, reason: string): boolean => {
    gate.refused(peerId, reason)
    return true
  }
  const check = (peerId: string): boolean => {
    if (gate.isShuttingDown()) return deny(peerId, 'node_shutting_down')
    if (gate.isDenied(peerId)) return deny(peerId, 'peer_denied_by_config')
    if (gate.isBanned(peerId)) return deny(peerId, 'peer_banned_for_flooding')
    if (gate.isNonMember(peerId)) return deny(peerId, 'not_a_mesh_member')
    return false
  }
  return {
    denyDialMultiaddr: (ma) =>
      !config.dial_private_addresses && (WebSockets.matches(ma) || isPrivate(ma)),
    denyDialPeer: (peerId) => check(peerId.toString()),
    denyInboundConnection: (maConn) => {
      if (gate.isShuttingDown()) return deny('', 'node_shutting_down')
      const ip = role === 'relay' ? ipOf(maConn.remoteAddr) : undefined
      if (ip != null && gate.connectionsFrom({ ip }) >= config.relay_max_connections_per_ip)
        return deny(ip, 'too_many_connections_from_ip')
      return false
    },
    denyInboundEncryptedConnection: (peerId) => {
      const peer = peerId.toString()
      if (
        role === 'relay' &&
        gate.connectionsFrom({ peerId: peer }) >= config.relay_max_connections_per_peer
      )
        return deny(peer, 'too_many_connections_from_peer')
      return check(peer)
    },
    denyOutboundEncryptedConnection: (peerId) => check(peerId.toString()),
    denyInboundRelayedConnection: (_relay, remote) => check(remote.toString()),
    denyInboundUpgradedConnection: (peerId, maConn) => {
      const peer = peerId.toString()
      const link = transportOf(maConn) === 'webrtc' || dialable?.(maConn.remoteAddr) === true
      if (link && !gate.hasRoomFor(peer)) return deny(peer, 'max_peers_reached')
      return false
    },
  }
}
