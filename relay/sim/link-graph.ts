/** The shape of a mesh: its direct links as an undirected graph, its pieces and its diameter. */
import { hopsFrom } from '../../src/mesh/link-choice.js'

export interface LinkGraph {
  nodes: string[]
  edges: Map<string, Set<string>>
  /** connected pieces, largest first */
  components: string[][]
  /** longest shortest path in links within the largest piece */
  diameter: number
  /** links per node */
  degrees: number[]
}

/** Builds the graph from each node's neighbours (a link counts if either side lists it). */
export function linkGraph(nodes: string[], neighbours: (node: string) => string[]): LinkGraph {
  const members = new Set(nodes)
  const edges = new Map<string, Set<string>>(nodes.map((n) => [n, new Set<string>()]))
  for (const a of nodes) {
    for (const b of neighbours(a)) {
      if (!members.has(b) || b === a) continue
      edges.get(a)?.add(b)
      edges.get(b)?.add(a)
    }
  }
  const seen = new Set<string>()
  const components: string[][] = []
  for (const n of nodes) {
    if (seen.has(n)) continue
    const piece = [...hopsFrom(n, edges).keys()]
    for (const p of piece) seen.add(p)
    components.push(piece)
  }
  components.sort((a, b) => b.length - a.length)
  let diameter = 0
  for (const n of components[0] ?? []) {
    for (const d of hopsFrom(n, edges).values()) diameter = Math.max(diameter, d)
  }
  return {
    nodes,
    edges,
    components,
    diameter,
    degrees: nodes.map((n) => edges.get(n)?.size ?? 0),
  }
}
