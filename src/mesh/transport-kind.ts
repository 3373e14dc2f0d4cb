import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerTransport } from '../core/types.js'

/** Classifies a connection by its remote address: WebRTC (direct), circuit relay, or WebSocket. */
export function transportOf(connection: Pick<Connection, 'remoteAddr'>): PeerTransport {
  const names = connection.remoteAddr.getComponents().map((c) => c.name)
  if (names.includes('webrtc') || names.includes('webrtc-direct')) return 'webrtc'
  if (names.includes('p2p-circuit')) return 'relay'
  if (names.includes('ws') || names.includes('wss') || names.includes('tls')) return 'websocket'
  return 'other'
}

/** Lower is better: which connection a peer's traffic should use. */
export function transportRank(kind: PeerTransport): number {
  return { webrtc: 0, websocket: 1, other: 2, relay: 3 }[kind]
}

/** The IP address of a multiaddr (a connection's remote address), if it has one. */
export function ipOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value
}
