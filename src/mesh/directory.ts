/**
 * /p2p-ai/directory/1.0.0: a relay tells a node that just connected which peers hold a
 * reservation on it, so the newcomer can dial them at once instead of waiting to hear their
 * announcements (FR10.2: query the bootstrap nodes for peer lists).
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, Libp2p } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { DIRECTORY_PROTOCOL } from '../core/protocol.js'
import { Directory, DirectoryRequest } from '../core/proto/directory.js'
import { isPeerIdString, MAX_PEER_LIST } from './codec.js'
import type { Logger } from '../core/log.js'

const TIMEOUT_MS = 3000

/** Relay side: answer every directory request with the current reservations. */
export async function serveDirectory(
  libp2p: Libp2p,
  relay: CircuitRelayService,
  maxReservations: number,
  log: Logger,
): Promise<void> {
  await libp2p.handle(
    DIRECTORY_PROTOCOL,
    async (stream) => {
      const signal = AbortSignal.timeout(TIMEOUT_MS)
      try {
        const pb = pbStream(stream)
        await pb.read(DirectoryRequest, { signal })
        const peers = [...relay.reservations.keys()]
          .map((p) => p.toString())
          .slice(0, MAX_PEER_LIST)
        await pb.write(
          { peers, reservations: relay.reservations.size, maxReservations },
          Directory,
          { signal },
        )
        await stream.close({ signal })
      } catch (err) {
        log.debug('directory request failed', { error: err as Error })
        stream.abort(err as Error)
      }
    },
    { maxInboundStreams: 256 },
  )
}

/** Node side: who is on the relay behind `connection`, as dialable WebRTC addresses. */
export async function queryDirectory(
  connection: Connection,
  self: string,
): Promise<Array<{ peerId: string; addrs: Multiaddr[] }>> {
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  const stream = await connection.newStream(DIRECTORY_PROTOCOL, { signal })
  const pb = pbStream(stream)
  await pb.write({}, DirectoryRequest, { signal })
  const directory = await pb.read(Directory, { signal, limits: { peers: MAX_PEER_LIST } })
  await stream.close({ signal }).catch(() => {})
  const relayAddr = connection.remoteAddr.toString().includes('/p2p/')
    ? connection.remoteAddr
    : connection.remoteAddr.encapsulate(`/p2p/${connection.remotePeer.toString()}`)
  return directory.peers
    .filter((p) => p !== self && isPeerIdString(p))
    .map((peerId) => ({
      peerId,
      addrs: [relayAddr.encapsulate(`/p2p-circuit/webrtc/p2p/${peerId}`)],
    }))
}
