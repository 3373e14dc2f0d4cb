/**
 * Which of a node's addresses the mesh announces, and which announced addresses it dials for
 * mesh links. By default relayed WebRTC (`/p2p-circuit/webrtc`): what a tab can reach, through
 * any relay, and then upgrade to a direct connection. A simulation on another transport passes
 * its own (its nodes' memory addresses, say).
 */
import type { Multiaddr } from '@multiformats/multiaddr'

export type Dialable = (ma: Multiaddr) => boolean

export const relayedWebRTC: Dialable = (ma) => {
  const names = ma.getComponents().map((c) => c.name)
  return names.includes('p2p-circuit') && names.includes('webrtc')
}
