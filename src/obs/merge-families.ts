/**
 * One list of metric families out of several nodes' (a relay's own and the tabs' it was pushed):
 * families of one name become one, each sample labelled with its node's id. A pushed family whose
 * type differs from one already listed under its name is left out (and reported), since a family
 * has one type.
 */
import type { MetricFamily } from '../core/metrics.js'

export interface NodeFamilies {
  nodeId: string
  families: MetricFamily[]
}

export function mergeFamilies(
  own: MetricFamily[],
  others: NodeFamilies[],
): { families: MetricFamily[]; conflicts: number } {
  const byName = new Map<string, MetricFamily>()
  for (const f of own) byName.set(f.name, { ...f, samples: [...f.samples] })
  let conflicts = 0
  for (const { nodeId, families } of others) {
    for (const f of families) {
      const samples = f.samples.map((s) => ({ ...s, labels: { ...s.labels, node_id: nodeId } }))
      const listed = byName.get(f.name)
      if (listed == null) byName.set(f.name, { ...f, samples })
      else if (listed.type !== f.type) conflicts++
      else listed.samples.push(...samples)
    }
  }
  return { families: [...byName.values()], conflicts }
}
