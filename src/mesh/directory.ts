/**
 * /p2p-ai/directory/1.0.0: a relay tells a node that just connected which peers hold a
 * reservation on it, so the newcomer can dial them at once instead of waiting to hear their
 * announcements (FR10.2: query the bootstrap nodes for peer lists).
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, Libp2p } from '@libp2p/interface'
import { lpStream, pbStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'
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

/** The most bytes a directory answer may take (MAX_PEER_LIST peer ids and two counts). */
const MAX_DIRECTORY_BYTES = 64 * 1024

export type DirectoryDrop = 'undecodable_directory' | 'invalid_directory_entry'

/**
 * Reads a relay's answer (untrusted bytes): the peer ids in it other than `self`, and how many
 * entries were not peer ids; or why the whole answer was refused.
 */
export function readDirectory(
  bytes: Uint8Array | Uint8ArrayList,
  self: string,
): { peers: string[]; invalid: number } | { drop: 'undecodable_directory' } {
  let directory: Directory
  try {
    directory = Directory.decode(bytes, { limits: { peers: MAX_PEER_LIST } })
  } catch {
    return { drop: 'undecodable_directory' }
  }
  const valid = directory.peers.filter(isPeerIdString)
  return {
    peers: valid.filter((p) => p !== self),
    invalid: directory.peers.length - valid.length,
  }
}

/**
 * Node side: who is on the relay behind `connection`, as dialable WebRTC addresses. What the
 * relay sent that is not usable is reported to `onDrop`, one call per entry or answer.
 */
export async function queryDirectory(
  connection: Connection,
  self: string,
  onDrop: (reason: DirectoryDrop) => void = () => {},
): Promise<Array<{ peerId: string; addrs: Multiaddr[] }>> {
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  const stream = await connection.newStream(DIRECTORY_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: MAX_DIRECTORY_BYTES })
  await lp.write(DirectoryRequest.encode({}), { signal })
  let bytes: Uint8ArrayList
  try {
    bytes = await lp.read({ signal })
  } catch (err) {
    // a length prefix over the cap, or a stream that ends early
    stream.abort(err as Error)
    if (signal.aborted) throw err
    onDrop('undecodable_directory')
    return []
  }
  await stream.close({ signal }).catch(() => {})
  const read = readDirectory(bytes, self)
  if ('drop' in read) {
    onDrop(read.drop)
    return []
  }
  for (let i = 0; i < read.invalid; i++) onDrop('invalid_directory_entry')
  const relayAddr = connection.remoteAddr.toString().includes('/p2p/')
    ? connection.remoteAddr
    : connection.remoteAddr.encapsulate(`/p2p/${connection.remotePeer.toString()}`)
  return read.peers.map((peerId) => ({
    peerId,
    addrs: [relayAddr.encapsulate(`/p2p-circuit/webrtc/p2p/${peerId}`)],
  }))
}
