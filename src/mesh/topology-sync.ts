/**
 * /p2p-ai/topology-sync/1.0.0: a node that just got a mesh link, while it is new (its first
 * SYNC_NEIGHBOURS links since it had none), asks that neighbour for every topology announcement
 * it holds, each as its author signed it on the topic, and checks each author's signature
 * itself. So a newcomer learns the whole mesh from one neighbour, and nobody broadcasts for it:
 * before, about 16 nodes answered each newcomer on the topic, each answer signature-checked by
 * all N nodes (O(N) checks per arrival, most of the joining CPU of `npm run sim` at 100 nodes).
 * A neighbour can withhold announcements but not forge or alter one; a stale one loses to the
 * author's newer announcements (their seq).
 */
import { RPC } from '@libp2p/gossipsub/message'
import type { Message } from '@libp2p/gossipsub'
import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, pbStream } from '@libp2p/utils'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Logger } from '../core/log.js'
import { TOPOLOGY_SYNC_PROTOCOL, TOPOLOGY_TOPIC } from '../core/protocol.js'
import type { SignedAnnouncement } from '../core/proto/topology.js'
import { TopologySnapshot, TopologySyncRequest } from '../core/proto/topology.js'
import type { Startable } from '../core/startable.js'
import { MAX_PEER_LIST } from './codec.js'
import type { Admission } from './membership.js'
import type { PeerTable } from './peer-table.js'
import type { TopologyTable } from './topology.js'

/** A newcomer syncs from this many of its first neighbours (the first may be new too). */
export const SYNC_NEIGHBOURS = 2
/** A neighbour is served at most once in this long. */
export const SERVE_GAP_MS = 10_000
/** The most bytes a snapshot may take: 1024 announcements of about 1-2 KB, with room. */
export const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
const TIMEOUT_MS = 5000
/** What gossipsub signs: this prefix, then the RPC.Message without signature and key. */
const SIGN_PREFIX = fromString('libp2p-pubsub:')

export type SyncDrop = 'undecodable_snapshot' | 'forged_announcement'

export interface TopologySyncOptions {
  libp2p: Libp2p
  self: string
  peers: Pick<PeerTable, 'bestLink'>
  topology: Pick<TopologyTable, 'all'>
  log: Logger
  /** the announcements of a snapshot whose signatures checked out, all at once */
  apply(announcements: ReadonlyArray<{ author: string; entry: SignedAnnouncement }>): void
  onDrop(reason: SyncDrop): void
  /** a closed mesh: has this peer proved it knows the key? none: everyone may */
  admitted?: Admission
  now?: () => number
}

export class TopologySync implements Startable {
  private syncs = 0
  private inFlight = false
  private readonly served = new Map<string, number>()
  private running = false

  constructor(private readonly opts: TopologySyncOptions) {}

  async start(): Promise<void> {
    this.running = true
    await this.opts.libp2p.handle(
      TOPOLOGY_SYNC_PROTOCOL,
      async (stream, connection) => {
        await this.serve(stream, connection.remotePeer.toString())
      },
      { maxInboundStreams: 2, runOnLimitedConnection: true },
    )
  }

  async stop(): Promise<void> {
    this.running = false
    this.served.clear()
    await this.opts.libp2p.unhandle(TOPOLOGY_SYNC_PROTOCOL).catch(() => {})
  }

  /** A mesh link to `peerId` came up: while we are new, ask it what it knows. */
  linked(peerId: string): void {
    if (!this.running || this.inFlight || this.syncs >= SYNC_NEIGHBOURS) return
    this.inFlight = true
    this.fetch(peerId)
      .then((count) => {
        this.syncs++
        this.opts.log.debug('topology synced', { peer: peerId, announcements: count })
      })
      .catch((err: unknown) => {
        // an older node, or one that went: the next link tries again, and announcements still come
        this.opts.log.debug('topology sync failed', { peer: peerId, error: err as Error })
      })
      .finally(() => {
        this.inFlight = false
      })
  }

  /** We have no links left: the next ones are a new start, worth syncing from again. */
  isolated(): void {
    this.syncs = 0
  }

  /** A neighbour went: its serving turn is forgotten. */
  forget(peerId: string): void {
    this.served.delete(peerId)
  }

  private async fetch(peerId: string): Promise<number> {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    // on the link's own connection, which may be relayed (limited) while WebRTC is not up yet
    const connection = this.opts.peers.bestLink(peerId)?.connection
    if (connection == null) throw new Error(`no link to ${peerId}`)
    const stream = await connection.newStream(TOPOLOGY_SYNC_PROTOCOL, {
      signal,
      runOnLimitedConnection: true,
    })
    const lp = lpStream(stream, { maxDataLength: MAX_SNAPSHOT_BYTES })
    let bytes: Uint8ArrayList
    try {
      await lp.write(TopologySyncRequest.encode({}), { signal })
      bytes = await lp.read({ signal })
    } catch (err) {
      // a length prefix over the cap, or a stream that ends early
      stream.abort(err as Error)
      if (signal.aborted) throw err
      this.opts.onDrop('undecodable_snapshot')
      return 0
    }
    await stream.close({ signal }).catch(() => {})
    const read = await readSnapshot(bytes)
    if ('drop' in read) {
      this.opts.onDrop(read.drop)
      return 0
    }
    for (let i = 0; i < read.forged; i++) this.opts.onDrop('forged_announcement')
    const taken = read.announcements.filter((a) => a.author !== this.opts.self)
    this.opts.apply(taken)
    return taken.length
  }

  /**
   * Any peer connected to us (its link may not be up on our side yet when it asks), each at
   * most once in SERVE_GAP_MS: a snapshot is N announcements.
   */
  private async serve(stream: Stream, peerId: string): Promise<void> {
    if (this.opts.admitted != null && !(await this.opts.admitted(peerId))) {
      stream.abort(new Error('not_a_mesh_member'))
      return
    }
    const now = this.now()
    const last = this.served.get(peerId)
    if (last != null && now - last < SERVE_GAP_MS) {
      stream.abort(new Error('topology sync refused'))
      return
    }
    if (this.served.size >= MAX_PEER_LIST)
      for (const [peer, at] of this.served) if (now - at >= SERVE_GAP_MS) this.served.delete(peer)
    this.served.set(peerId, now)
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    try {
      const pb = pbStream(stream)
      await pb.read(TopologySyncRequest, { signal })
      const announcements = snapshotOf(this.opts.topology.all(), now)
      await pb.write({ announcements }, TopologySnapshot, {
        signal,
      })
      await stream.close({ signal })
    } catch (err) {
      this.opts.log.debug('topology sync request failed', { peer: peerId, error: err as Error })
      stream.abort(err as Error)
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }
}

/**
 * Reads a neighbour's snapshot (untrusted bytes): the announcements whose author's signature
 * checks out, and how many did not; or why the whole snapshot was refused.
 */
export async function readSnapshot(
  bytes: Uint8Array | Uint8ArrayList,
): Promise<
  | { announcements: Array<{ author: string; entry: SignedAnnouncement }>; forged: number }
  | { drop: 'undecodable_snapshot' }
> {
  let snapshot: TopologySnapshot
  try {
    snapshot = TopologySnapshot.decode(bytes, { limits: { announcements: MAX_PEER_LIST } })
  } catch {
    return { drop: 'undecodable_snapshot' }
  }
  const announcements: Array<{ author: string; entry: SignedAnnouncement }> = []
  for (const entry of snapshot.announcements) {
    const author = await verifyAnnouncement(entry)
    if (author != null) announcements.push({ author, entry })
  }
  return { announcements, forged: snapshot.announcements.length - announcements.length }
}

/**
 * The signed announcements of `records`, newest first, within the snapshot's limits, each with
 * how long ago we heard it (so a newcomer does not take a departed node's record as fresh).
 */
export function snapshotOf(
  records: ReadonlyArray<{ updatedAt: number; signed?: SignedAnnouncement }>,
  now = Date.now(),
): SignedAnnouncement[] {
  const out: SignedAnnouncement[] = []
  let bytes = 0
  for (const r of [...records].sort((a, b) => b.updatedAt - a.updatedAt)) {
    if (r.signed == null) continue
    const size = r.signed.data.byteLength + r.signed.signature.byteLength + 64
    if (out.length >= MAX_PEER_LIST || bytes + size > MAX_SNAPSHOT_BYTES - 1024) break
    out.push({ ...r.signed, ageMs: Math.min(Math.max(now - r.updatedAt, 0), 0xffffffff) })
    bytes += size
  }
  return out
}

/** A topology message as received, kept to be handed on (topology-sync). */
export function signedAnnouncement(msg: Extract<Message, { type: 'signed' }>): SignedAnnouncement {
  const seqno = new Uint8Array(8)
  new DataView(seqno.buffer).setBigUint64(0, msg.sequenceNumber, false)
  // copies: a received message's bytes can be views into the whole RPC frame, kept alive by them
  return {
    from: msg.from.toMultihash().bytes,
    seqno,
    data: new Uint8Array(msg.data),
    signature: new Uint8Array(msg.signature),
    ageMs: 0,
  }
}

/**
 * The author of `entry` if its gossipsub signature on the topology topic checks out (the key is
 * the one inline in its peer id), else undefined.
 */
export async function verifyAnnouncement(entry: SignedAnnouncement): Promise<string | undefined> {
  if (entry.seqno.byteLength !== 8) return undefined
  try {
    const author = peerIdFromString(toString(entry.from, 'base58btc'))
    if (author.publicKey == null) return undefined
    const signed = concat([
      SIGN_PREFIX,
      RPC.Message.encode({
        from: entry.from,
        data: entry.data,
        seqno: entry.seqno,
        topic: TOPOLOGY_TOPIC,
      }),
    ])
    return (await author.publicKey.verify(signed, entry.signature)) ? author.toString() : undefined
  } catch {
    return undefined
  }
}
