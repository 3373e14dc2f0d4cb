/**
 * A soak: a mesh of N nodes run for minutes with churn (every tick one node leaves, killed or
 * stopped cleanly in turn, and a new one joins) and traffic (routed messages and a gossip probe
 * each tick), its memory sampled after a full collection. A node that keeps what it learned of
 * departed peers (peer store, topology records, dialer candidates, caches) shows as a slope.
 */
import { linearRegression } from 'simple-statistics'
import type { RoutedFigures } from './measure.js'
import { memory, round, routedFigures } from './measure.js'
import type { Member, RoutedResult } from './simulation.js'
import { pick, Simulation, sleep } from './simulation.js'

export interface SoakOptions {
  nodes: number
  maxPeers: number
  durationMs: number
  /** one node leaves and one joins this often. @default 10 s */
  churnEveryMs?: number
  /** memory is sampled this often. @default 30 s */
  sampleEveryMs?: number
  /** samples before this are start-up (JIT, caches filling), not in the slope. @default a fifth of the run */
  warmupMs?: number
  /** routed messages sent each tick. @default 10 */
  routedPerTick?: number
  /** how long to wait for the mesh to join before the soak starts, ms */
  joinTimeoutMs: number
  progress(line: string): void
}

export interface SoakSample {
  /** ms since the soak began (the mesh whole) */
  atMs: number
  /** the whole process (nodes, relay, the simulation), MB */
  heapMb: number
  rssMb: number
  alive: number
  /** the pieces of the mesh of nodes joined SETTLED_MS or more (1: whole) */
  pieces: number
}

export interface SoakFigures {
  nodes: number
  maxPeers: number
  durationMs: number
  joins: number
  leaves: number
  samples: SoakSample[]
  /** least-squares slope of the samples after the warm-up, MB per 10 min, per node (process / N) */
  heapSlopePerNode?: number
  rssSlopePerNode?: number
  /** the heap per node at the first and the last sample after the warm-up, MB */
  heapMbPerNodeFrom?: number
  heapMbPerNodeTo?: number
  /** samples at which the mesh (of nodes joined SETTLED_MS or more) was one piece */
  wholeSamples: number
  /** among nodes joined SETTLED_MS or more: a newcomer is not yet known to every node */
  routed: RoutedFigures
  gossip: { delivered: number; expected: number }
}

const TEN_MINUTES = 600_000
/** Traffic and pieces count nodes joined this long: a newcomer is not yet known to every node. */
const SETTLED_MS = 5000

export async function soak(opts: SoakOptions): Promise<SoakFigures> {
  const churnEveryMs = opts.churnEveryMs ?? 10_000
  const sampleEveryMs = opts.sampleEveryMs ?? 30_000
  const warmupMs = opts.warmupMs ?? opts.durationMs / 5
  const sim = new Simulation({ nodes: opts.nodes, maxPeers: opts.maxPeers })
  const routed: RoutedResult = { sent: 0, acked: 0, lost: 0, hops: [], rtts: [], failures: {} }
  const gossip = { delivered: 0, expected: 0 }
  const samples: SoakSample[] = []
  let joins = 0
  let leaves = 0
  try {
    await sim.start()
    const whole = await sim.until(() => sim.graph().components.length === 1, opts.joinTimeoutMs)
    if (whole == null) throw new Error(`the mesh of ${opts.nodes} did not join`)
    await sleep(SETTLED_MS)
    const began = Date.now()
    const settled = (): Member[] =>
      sim.alive().filter((m) => m.joinedAt != null && Date.now() - m.joinedAt > SETTLED_MS)
    const sample = (): void => {
      const { heap, rss } = memory()
      const s = {
        atMs: Date.now() - began,
        heapMb: round(heap / 2 ** 20),
        rssMb: round(rss / 2 ** 20),
        alive: sim.alive().length,
        pieces: sim.graph(settled()).components.length,
      }
      samples.push(s)
      opts.progress(
        `${Math.round(s.atMs / 1000)} s: heap ${s.heapMb} MB, resident ${s.rssMb} MB, ${s.alive} nodes, ${s.pieces} piece(s), ${joins} joined and ${leaves} left so far`,
      )
    }
    sample()
    let nextSample = began + sampleEveryMs
    while (Date.now() - began < opts.durationMs) {
      const tickEnds = Date.now() + churnEveryMs
      await sim.leave(pick(sim.alive()), leaves % 2 === 0 ? 'kill' : 'stop')
      leaves++
      await sim.join()
      joins++
      if (settled().length >= 2) add(routed, await sim.routed(opts.routedPerTick ?? 10, 4, settled))
      const probe = await sim.gossip(1, 0, 1000, settled)
      gossip.delivered += probe.latencies.length
      gossip.expected += probe.expected
      // what the simulation itself keeps per message goes, so only the nodes' memory can grow
      for (const m of sim.alive()) {
        m.received.clear()
        m.probes.clear()
      }
      await sleep(tickEnds - Date.now())
      if (Date.now() >= nextSample) {
        sample()
        nextSample += sampleEveryMs
      }
    }
    const counted = samples.filter((s) => s.atMs >= warmupMs)
    const slope = (key: 'heapMb' | 'rssMb'): number | undefined =>
      counted.length < 2
        ? undefined
        : round(
            linearRegression(counted.map((s) => [s.atMs / TEN_MINUTES, s[key]])).m / opts.nodes,
            3,
          )
    return {
      nodes: opts.nodes,
      maxPeers: opts.maxPeers,
      durationMs: opts.durationMs,
      joins,
      leaves,
      samples,
      heapSlopePerNode: slope('heapMb'),
      rssSlopePerNode: slope('rssMb'),
      heapMbPerNodeFrom: perNode(counted[0]?.heapMb, opts.nodes),
      heapMbPerNodeTo: perNode(counted.at(-1)?.heapMb, opts.nodes),
      wholeSamples: samples.filter((s) => s.pieces === 1).length,
      routed: routedFigures(routed),
      gossip,
    }
  } finally {
    await sim.stop()
  }
}

function add(into: RoutedResult, r: RoutedResult): void {
  into.sent += r.sent
  into.acked += r.acked
  into.lost += r.lost
  into.hops.push(...r.hops)
  into.rtts.push(...r.rtts)
  for (const [code, n] of Object.entries(r.failures))
    into.failures[code] = (into.failures[code] ?? 0) + n
}

function perNode(mb: number | undefined, nodes: number): number | undefined {
  return mb == null ? undefined : round(mb / nodes)
}
