/**
 * A closed mesh (mesh_key): only nodes that prove they know the key become neighbours, run each
 * other's tasks, sync topology or appear in it. libp2p's pnet encrypts TCP-like transports only,
 * not WebRTC, so the proof is ours, over connections that libp2p has already authenticated to a
 * peer id (noise, DTLS):
 *
 * - a node's proof is HMAC-SHA256(K, label + its peer id), K = PBKDF2(mesh_key). Bound to the
 *   peer id, it is of no use to anyone but its owner, so it can travel in the clear;
 * - when two mesh nodes connect, the dialling side sends its proof on MEMBER_PROTOCOL and the
 *   other answers with its own (membership.proto). A mesh node that does not speak the protocol,
 *   or sends a wrong proof, or none within the timeout, is hung up on and refused for a while;
 * - every topology announcement carries its author's proof (topology-gossip.ts), since a relay
 *   passes the topic on to every subscriber, member or not.
 *
 * A node without a mesh_key runs none of this (an open mesh, as before): it does not speak the
 * protocol, so nodes with a key refuse it, and it ignores their proofs.
 */
import type { Connection, IdentifyResult, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { hmac } from '@noble/hashes/hmac.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromString } from 'uint8arrays/from-string'
import type { Logger } from '../core/log.js'
import { MEMBER_PROTOCOL, MESH_PROTOCOL } from '../core/protocol.js'
import { MemberProof } from '../core/proto/membership.js'
import type { Startable } from '../core/startable.js'

export const MEMBER_TAG_BYTES = 32
/** mesh_key is a passphrase: stretched, so a proof seen on the topic is slow to guess it from. */
export const KEY_ITERATIONS = 100_000
const KEY_SALT = 'p2p-ai-agents/mesh-key/1'
const TAG_LABEL = 'p2p-ai-agents/mesh-member/1 '
/** Most peers remembered as refused; the oldest refusals go first beyond it. */
const MAX_REFUSED = 1024

/**
 * What every protocol handler of a closed mesh asks before it serves a peer: has it proved it
 * knows the key (waiting for a proof under way)? Undefined in an open mesh.
 */
export type Admission = (peerId: string) => Promise<boolean>

/** Runs `then` once `peerId` is admitted (at once in an open mesh), else `otherwise`. */
export function whenAdmitted(
  admission: Admission | undefined,
  peerId: string,
  then: () => void,
  otherwise: () => void,
): void {
  if (admission == null) {
    then()
    return
  }
  void admission(peerId).then((admitted) => {
    if (admitted) then()
    else otherwise()
  })
}

/** A protocol's stream handler for admitted peers only: anyone else's stream is reset unread. */
export function admittedOnly(
  admission: Admission | undefined,
  handler: (stream: Stream, connection: Connection) => void,
): (stream: Stream, connection: Connection) => void {
  return (stream, connection) => {
    whenAdmitted(
      admission,
      connection.remotePeer.toString(),
      () => {
        handler(stream, connection)
      },
      () => {
        stream.abort(new Error('not_a_mesh_member'))
      },
    )
  }
}

/** Why a peer was refused: it gave no proof (or does not speak the protocol), or a wrong one. */
export type MemberRefusal = 'no_member_proof' | 'bad_member_proof'

/** The mesh_key, stretched once; makes and checks proofs. */
export class MeshKey {
  private readonly mac: Uint8Array

  constructor(secret: string) {
    this.mac = pbkdf2(sha256, secret, KEY_SALT, { c: KEY_ITERATIONS, dkLen: 32 })
  }

  /** The proof that `peerId` knows the key. */
  tagFor(peerId: string): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(hmac(sha256, this.mac, fromString(TAG_LABEL + peerId)))
  }

  /** Is `tag` the proof of `peerId`? (time independent of where it differs) */
  proves(peerId: string, tag: Uint8Array): boolean {
    if (tag.byteLength !== MEMBER_TAG_BYTES) return false
    const expected = this.tagFor(peerId)
    let diff = 0
    for (let i = 0; i < MEMBER_TAG_BYTES; i++) diff |= (expected[i] ?? 0) ^ (tag[i] ?? 0)
    return diff === 0
  }
}

export interface MembershipOptions {
  libp2p: Libp2p
  key: MeshKey
  log: Logger
  /** how long a peer that failed to prove stays refused, ms */
  refuseMs: number
  /** a peer was refused (and hung up on): count and log it */
  onRefused(peerId: string, reason: MemberRefusal): void
  /** how long a connecting mesh node has to prove itself. @default 5000 */
  timeoutMs?: number
  now?: () => number
}

interface Waiter {
  promise: Promise<boolean>
  resolve(admitted: boolean): void
  timer: ReturnType<typeof setTimeout>
}

export class MeshMembership implements Startable {
  /** peers that proved the key, while connected */
  private readonly members = new Set<string>()
  /** peer → until when it is refused */
  private readonly refused = new Map<string, number>()
  private readonly waiters = new Map<string, Waiter>()
  /** our own proof, also carried in our announcements */
  readonly tag: Uint8Array<ArrayBuffer>
  private readonly timeoutMs: number
  private running = false

  constructor(private readonly opts: MembershipOptions) {
    this.tag = opts.key.tagFor(opts.libp2p.peerId.toString())
    this.timeoutMs = opts.timeoutMs ?? 5000
  }

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    await this.opts.libp2p.handle(
      MEMBER_PROTOCOL,
      async (stream, connection) => {
        await this.serve(stream, connection)
      },
      { runOnLimitedConnection: true, maxInboundStreams: 2 },
    )
    this.opts.libp2p.addEventListener('peer:identify', this.onIdentify)
    this.opts.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.opts.libp2p.removeEventListener('peer:identify', this.onIdentify)
    this.opts.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const peer of [...this.waiters.keys()]) this.settle(peer, false)
    this.members.clear()
    await this.opts.libp2p.unhandle(MEMBER_PROTOCOL).catch(() => {})
  }

  /**
   * Has this peer proved it knows the key? Waits for a proof under way, up to the timeout; every
   * protocol handler of a closed mesh asks this before it serves a peer.
   */
  async admitted(peerId: string): Promise<boolean> {
    if (this.members.has(peerId)) return true
    if (!this.running || this.isRefused(peerId)) return false
    return this.waiter(peerId).promise
  }

  /** Is `tag` the proof of `peerId`? */
  proves(peerId: string, tag: Uint8Array): boolean {
    return this.opts.key.proves(peerId, tag)
  }

  /** Refused for now (the connection gater asks). */
  isRefused(peerId: string): boolean {
    const until = this.refused.get(peerId)
    if (until == null) return false
    if (until > this.now()) return true
    this.refused.delete(peerId)
    return false
  }

  /** A mesh node connected: the dialling side proves first; a node that cannot is refused. */
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, protocols, peerId } = evt.detail
    const peer = peerId.toString()
    // relays do not speak the mesh protocol: they need no key
    if (!protocols.includes(MESH_PROTOCOL) || this.members.has(peer)) return
    if (!protocols.includes(MEMBER_PROTOCOL)) {
      this.refuse(peer, 'no_member_proof')
      return
    }
    // the other side proves on its own stream; no proof in time is no proof
    const waiter = this.waiter(peer)
    clearTimeout(waiter.timer)
    waiter.timer = setTimeout(() => {
      if (!this.members.has(peer)) this.refuse(peer, 'no_member_proof')
    }, this.timeoutMs)
    if (connection.direction === 'outbound') void this.prove(connection)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    this.members.delete(peer)
    this.settle(peer, false)
  }

  /** Dialling side: our proof, then theirs. */
  private async prove(connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const signal = AbortSignal.timeout(this.timeoutMs)
    try {
      const stream = await connection.newStream(MEMBER_PROTOCOL, {
        signal,
        runOnLimitedConnection: true,
      })
      const pb = pbStream(stream, { maxDataLength: 256 }).pb(MemberProof)
      await pb.write({ tag: this.tag }, { signal })
      const theirs = await pb.read({ signal })
      await stream.close({ signal }).catch(() => {})
      this.judge(peer, theirs.tag)
    } catch (err) {
      this.opts.log.debug('membership proof not exchanged', { peer, error: err as Error })
      // this connection only made way for another (relayed → WebRTC): that one proves itself
      const others = this.opts.libp2p
        .getConnections(connection.remotePeer)
        .some((c) => c !== connection && c.status === 'open')
      // else they refused our proof, or gave none: we are not in the same mesh
      if (!others && !this.members.has(peer)) this.refuse(peer, 'no_member_proof')
    }
  }

  /** Answering side: their proof first; ours only to a member. */
  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const signal = AbortSignal.timeout(this.timeoutMs)
    try {
      const pb = pbStream(stream, { maxDataLength: 256 }).pb(MemberProof)
      const theirs = await pb.read({ signal })
      if (!this.judge(peer, theirs.tag)) {
        stream.abort(new Error('not a member of this mesh'))
        return
      }
      await pb.write({ tag: this.tag }, { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  /** A proof arrived: a member, or refused. */
  private judge(peer: string, tag: Uint8Array): boolean {
    if (!this.proves(peer, tag)) {
      this.refuse(peer, 'bad_member_proof')
      return false
    }
    this.members.add(peer)
    this.settle(peer, true)
    return true
  }

  private refuse(peer: string, reason: MemberRefusal): void {
    if (!this.running) return
    this.members.delete(peer)
    this.settle(peer, false)
    if (this.refused.size >= MAX_REFUSED) {
      const oldest = this.refused.keys().next().value
      if (oldest != null) this.refused.delete(oldest)
    }
    this.refused.delete(peer)
    this.refused.set(peer, this.now() + this.opts.refuseMs)
    for (const c of this.opts.libp2p.getConnections())
      if (c.remotePeer.toString() === peer) void c.close().catch(() => {})
    this.opts.onRefused(peer, reason)
  }

  private waiter(peer: string): Waiter {
    const existing = this.waiters.get(peer)
    if (existing != null) return existing
    let resolve!: (admitted: boolean) => void
    const promise = new Promise<boolean>((r) => {
      resolve = r
    })
    const waiter: Waiter = {
      promise,
      resolve,
      timer: setTimeout(() => {
        this.settle(peer, this.members.has(peer))
      }, this.timeoutMs),
    }
    this.waiters.set(peer, waiter)
    return waiter
  }

  private settle(peer: string, admitted: boolean): void {
    const waiter = this.waiters.get(peer)
    if (waiter == null) return
    clearTimeout(waiter.timer)
    this.waiters.delete(peer)
    waiter.resolve(admitted)
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }
}
