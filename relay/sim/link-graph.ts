/** The shape of a mesh: its direct links as an undirected graph, its pieces and its diameter. */

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
    const piece = [...distances(n, edges).keys()]
    for (const p of piece) seen.add(p)
    components.push(piece)
  }
  components.sort((a, b) => b.length - a.length)
  let diameter = 0
  for (const n of components[0] ?? []) {
    for (const d of distances(n, edges).values()) diameter = Math.max(diameter, d)
  }
  return {
    nodes,
    edges,
    components,
    diameter,
    degrees: nodes.map((n) => edges.get(n)?.size ?? 0),
  }
}

/** Links from `from` to every node it reaches (breadth first). */
function distances(from: string, edges: Map<string, Set<string>>): Map<string, number> {
  const dist = new Map([[from, 0]])
  const queue = [from]
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] as string
    for (const next of edges.get(at) ?? []) {
      if (dist.has(next)) continue
      dist.set(next, (dist.get(at) ?? 0) + 1)
      queue.push(next)
    }
  }
  return dist
}
