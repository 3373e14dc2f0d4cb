/**
 * The dashboard graph's state between mesh views: d3-force nodes keep their positions and
 * velocities across updates, so a new node enters beside a neighbour without the rest of the
 * layout jumping. A node that leaves the view stays as a DEAD ghost for `ghostMs` (the page
 * fades it out), then goes. Pure apart from the injected clock and random source.
 */
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3-force'
import type { MeshView, MeshViewNode, PeerTransport } from '../../core/types.js'

export interface GraphNode extends SimulationNodeDatum, MeshViewNode {
  /** when it left the view; it is drawn DEAD and fading until removed */
  ghostSince?: number
}

export interface GraphLink extends SimulationLinkDatum<GraphNode> {
  id: string
  source: GraphNode
  target: GraphNode
  transport: PeerTransport
}

export interface GraphModelOptions {
  width: number
  height: number
  /** @default 3000 */
  ghostMs?: number
  now?: () => number
  random?: () => number
}

export class GraphModel {
  private readonly nodes = new Map<string, GraphNode>()
  private links: GraphLink[] = []
  private readonly ghostMs: number
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly opts: GraphModelOptions) {
    this.ghostMs = opts.ghostMs ?? 3000
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
  }

  /**
   * Folds a new view in; how many nodes and links were added or removed (0: the layout stays
   * as it is, only figures and states changed).
   */
  update(view: MeshView): number {
    const now = this.now()
    let changed = 0
    const neighbours = new Map<string, string[]>()
    for (const e of view.edges) {
      neighbours.set(e.a, [...(neighbours.get(e.a) ?? []), e.b])
      neighbours.set(e.b, [...(neighbours.get(e.b) ?? []), e.a])
    }
    const seen = new Set<string>()
    for (const v of view.nodes) {
      seen.add(v.peerId)
      const existing = this.nodes.get(v.peerId)
      if (existing != null) {
        Object.assign(existing, v)
        delete existing.ghostSince
        existing.fx = existing.fy = undefined
        continue
      }
      changed++
      this.nodes.set(v.peerId, { ...v, ...this.entryPoint(neighbours.get(v.peerId) ?? []) })
    }
    for (const [id, node] of this.nodes) {
      if (seen.has(id)) continue
      if (node.ghostSince == null) {
        node.ghostSince = now
        node.state = 'DEAD'
        // a ghost stays where it died
        node.fx = node.x
        node.fy = node.y
        changed++
      } else if (now - node.ghostSince >= this.ghostMs) {
        this.nodes.delete(id)
        changed++
      }
    }
    const links: GraphLink[] = []
    for (const e of view.edges) {
      const source = this.nodes.get(e.a)
      const target = this.nodes.get(e.b)
      if (source == null || target == null) continue
      links.push({ id: `${e.a} ${e.b}`, source, target, transport: e.transport })
    }
    const before = new Set(this.links.map((l) => `${l.id} ${l.transport}`))
    const after = new Set(links.map((l) => `${l.id} ${l.transport}`))
    for (const l of after) if (!before.has(l)) changed++
    for (const l of before) if (!after.has(l)) changed++
    this.links = links
    return changed
  }

  /** Drops ghosts whose time is up (no view arrives while nothing changes); true when any went. */
  expire(): boolean {
    const now = this.now()
    let changed = false
    for (const [id, node] of this.nodes) {
      if (node.ghostSince != null && now - node.ghostSince >= this.ghostMs) {
        this.nodes.delete(id)
        changed = true
      }
    }
    return changed
  }

  get size(): number {
    return this.nodes.size
  }

  graphNodes(): GraphNode[] {
    return [...this.nodes.values()]
  }

  graphLinks(): GraphLink[] {
    return this.links
  }

  get(peerId: string): GraphNode | undefined {
    return this.nodes.get(peerId)
  }

  /** Beside a placed neighbour, or near the middle when it has none yet. */
  private entryPoint(neighbours: string[]): { x: number; y: number } {
    const jitter = (): number => (this.random() - 0.5) * 30
    for (const n of neighbours) {
      const at = this.nodes.get(n)
      if (at?.x != null && at.y != null) return { x: at.x + jitter(), y: at.y + jitter() }
    }
    return { x: this.opts.width / 2 + jitter(), y: this.opts.height / 2 + jitter() }
  }
}
