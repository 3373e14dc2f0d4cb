/**
 * Where the router sends a message next. A neighbour we have a link to gets it directly; a
 * receipt goes back the way its message came (to the neighbour that message came from, even
 * where the topology is not known yet); anything else goes to the neighbour nearest to its
 * recipient in the topology, and so on hop by hop. Neighbours that failed or refused a message
 * are excluded by the caller.
 */
import { Envelope, Receipt } from '../core/proto/mesh.js'
import type { PeerTable } from './peer-table.js'
import type { SeenCache } from './seen-cache.js'
import type { TopologyTable } from './topology.js'

export interface NextHopsOptions {
  /** our peer id */
  self: string
  peers: PeerTable
  topology: TopologyTable
  /** message ids seen, with the neighbour each first came from (ours: `self`) */
  seen: SeenCache
}

export class NextHops {
  constructor(private readonly opts: NextHopsOptions) {}

  /** The neighbour to hand a message for `to` to, other than those in `exclude`; none: no route. */
  choose(to: string, exclude: ReadonlySet<string>, envelope?: Envelope): string | undefined {
    const { peers } = this.opts
    if (!exclude.has(to) && peers.bestLink(to) != null) return to
    // a receipt goes back the way its message came, even where the topology is not known yet
    const back = envelope == null ? undefined : this.reversePath(envelope)
    if (back != null && !exclude.has(back) && peers.bestLink(back) != null) return back
    return this.opts.topology.nextHops(this.opts.self, peers.neighbours(), to, exclude)[0]
  }

  /** For a receipt: the neighbour its original message came from (remembered when forwarding it). */
  private reversePath(envelope: Envelope): string | undefined {
    if (envelope.kind !== Envelope.Kind.RECEIPT) return undefined
    try {
      const previous = this.opts.seen.get(Receipt.decode(envelope.payload).id)
      return previous === this.opts.self ? undefined : previous
    } catch {
      return undefined
    }
  }
}
