/**
 * One simulated mesh of N nodes measured: joining, shape, memory and CPU per node, gossip,
 * routed messages, and (when asked) recovery from a partition and from losing half the nodes.
 */
import { percentile } from '../../src/obs/stats.js'
import { profileCpu } from './cpu-profile.js'
import type { RoutedResult } from './simulation.js'
import { Simulation, sleep } from './simulation.js'

export interface SimFigures {
  nodes: number
  maxPeers: number
  /** ms from the first node's start until 95 % / all nodes had a mesh link */
  joined95Ms?: number
  joinedAllMs?: number
  /** per node: ms from its start() to its first mesh link */
  joinP50Ms?: number
  joinP95Ms?: number
  /** ms from the first start until the mesh was one piece */
  wholeMs?: number
  /** ms from then until every node knew 95 % of the others (their announcements) */
  discoveredMs?: number
  /** ms from then until the links settled (none changed for 5 s): the idle figures follow */
  settledMs?: number
  diameter: number
  degreeMin: number
  degreeMean: number
  /** per node, once joined and idle: heap and resident memory, MB; CPU, % of one core */
  heapMbPerNode: number
  rssMbPerNode: number
  cpuPctPerNode: number
  /** topology announcements each node received: while the mesh formed, and per minute idle */
  announcementsJoining: number
  announcementsPerMinIdle: number
  /** until joined, summed over the nodes: connections refused and links dropped, by reason */
  joinRefusals: Record<string, number>
  joinRemovals: Record<string, number>
  /** while idle, summed over the nodes: connections refused and links dropped, by reason */
  idleRefusals: Record<string, number>
  idleRemovals: Record<string, number>
  gossip: {
    delivered: number
    expected: number
    within2s: number
    p50Ms?: number
    p99Ms?: number
  }
  routed: RoutedFigures
  faults?: {
    /** ms from healing a half-and-half partition until the mesh was one piece */
    partitionHealMs?: number
    /** ms from killing half the nodes until the rest were one piece */
    killRemeshMs?: number
    /** messages among the survivors sent while half the nodes died */
    duringKill: RoutedFigures
  }
}

export interface RoutedFigures {
  sent: number
  acked: number
  /** acknowledged but never delivered to the recipient's application */
  lost: number
  hopsMean?: number
  hopsMax?: number
  rttP50Ms?: number
  rttP99Ms?: number
  failures: Record<string, number>
}

export interface MeasureOptions {
  nodes: number
  maxPeers: number
  gossipProbes: number
  routedMessages: number
  faults: boolean
  /** how long to wait for the mesh to join, ms */
  joinTimeoutMs: number
  /** write a CPU profile of the idle window to this directory */
  cpuProfileDir?: string
  progress(line: string): void
}

/**
 * One default announce interval: a shorter window counted 100-170 announcements a minute per node
 * at 50 nodes depending on where it fell among the nodes' periodic ones.
 */
const IDLE_WINDOW_MS = 30_000
/** The mesh is settled once no link changed for this long. */
const SETTLED_MS = 5000

/** Ms until no link changed for SETTLED_MS (polled every 100 ms), or undefined after 60 s. */
async function settled(sim: Simulation): Promise<number | undefined> {
  const started = Date.now()
  const links = (): string =>
    [...sim.graph().edges]
      .flatMap(([a, bs]) => [...bs].filter((b) => a < b).map((b) => `${a}-${b}`))
      .sort()
      .join(' ')
  let last = links()
  let since = Date.now()
  while (Date.now() - since < SETTLED_MS) {
    if (Date.now() - started > 60_000) return undefined
    await sleep(100)
    const now = links()
    if (now !== last) {
      last = now
      since = Date.now()
    }
  }
  return since - started
}
const REFUSALS = 'p2p_ai_connections_refused_total'
const REMOVALS = 'p2p_ai_peer_removals_total'

/** The counters that moved from `before` to `after`, by how much. */
function since(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const moved: Record<string, number> = {}
  for (const [key, value] of Object.entries(after))
    if (value > (before[key] ?? 0)) moved[key] = value - (before[key] ?? 0)
  return moved
}

export async function measure(opts: MeasureOptions): Promise<SimFigures> {
  const sim = new Simulation({
    nodes: opts.nodes,
    maxPeers: opts.maxPeers,
    onStarted: (count) => {
      opts.progress(`${count} started after ${Date.now() - sim.startedAt} ms`)
    },
  })
  const before = memory()
  try {
    await sim.start()
    opts.progress(
      `${opts.nodes} nodes started in ${Date.now() - sim.startedAt} ms (${sim.startRetries} started again after a failed start)`,
    )
    const whole = await sim.until(
      () => sim.graph().components.length === 1 && sim.alive().every((m) => m.joinedAt != null),
      opts.joinTimeoutMs,
    )
    const wholeMs = whole == null ? undefined : Date.now() - sim.startedAt
    const joinedAt = sim.members.map((m) => (m.joinedAt ?? Infinity) - sim.startedAt)
    const joinLatency = sim.members.map((m) => (m.joinedAt ?? Infinity) - m.startedAt)
    opts.progress(`mesh whole: ${wholeMs ?? 'not'} ms`)
    const discoveredMs = await sim.until(
      () =>
        sim
          .alive()
          .every((m) => (m.node.mesh?.topology.size ?? 0) >= 0.95 * (sim.alive().length - 1)),
      120_000,
    )
    opts.progress(`every node knows 95 % of the others: ${discoveredMs ?? 'not'} ms later`)
    // idle means settled: the last arrivals' links and trades done (no link changed for a while)
    const settledMs = await settled(sim)
    opts.progress(`links settled: ${settledMs ?? 'not'} ms later`)
    // idle: what the joined mesh costs per node (heartbeats, announcements, gossipsub)
    const heardJoining = sim.announcementsHeard()
    const refused = await sim.counters(REFUSALS)
    const removed = await sim.counters(REMOVALS)
    const profiling =
      opts.cpuProfileDir == null
        ? undefined
        : await profileCpu(opts.cpuProfileDir, `sim-${opts.nodes}-idle`)
    const cpuFrom = process.cpuUsage()
    await sleep(IDLE_WINDOW_MS)
    const cpu = process.cpuUsage(cpuFrom)
    if (profiling != null) opts.progress(`idle CPU profile: ${await profiling()}`)
    const heardIdle = sim.announcementsHeard() - heardJoining
    const idleRefusals = since(refused, await sim.counters(REFUSALS))
    const idleRemovals = since(removed, await sim.counters(REMOVALS))
    const after = memory()
    const graph = sim.graph()
    const gossip = await sim.gossip(opts.gossipProbes)
    const delays = [...gossip.latencies].sort((a, b) => a - b)
    opts.progress(`gossip: ${gossip.latencies.length}/${gossip.expected}`)
    const routed = routedFigures(await sim.routed(opts.routedMessages))
    opts.progress(`routed: ${routed.acked}/${routed.sent}`)
    const figures: SimFigures = {
      nodes: opts.nodes,
      maxPeers: opts.maxPeers,
      joined95Ms: finite(percentile(sorted(joinedAt), 95)),
      joinedAllMs: finite(Math.max(...joinedAt)),
      joinP50Ms: finite(percentile(sorted(joinLatency), 50)),
      joinP95Ms: finite(percentile(sorted(joinLatency), 95)),
      wholeMs,
      discoveredMs,
      settledMs,
      diameter: graph.diameter,
      degreeMin: Math.min(...graph.degrees),
      degreeMean: round(graph.degrees.reduce((a, b) => a + b, 0) / graph.degrees.length),
      heapMbPerNode: round((after.heap - before.heap) / opts.nodes / 2 ** 20),
      rssMbPerNode: round((after.rss - before.rss) / opts.nodes / 2 ** 20),
      cpuPctPerNode: round(((cpu.user + cpu.system) / 1000 / IDLE_WINDOW_MS / opts.nodes) * 100, 3),
      announcementsJoining: round(heardJoining / opts.nodes),
      announcementsPerMinIdle: round((heardIdle / opts.nodes) * (60_000 / IDLE_WINDOW_MS)),
      joinRefusals: refused,
      joinRemovals: removed,
      idleRefusals,
      idleRemovals,
      gossip: {
        delivered: gossip.latencies.length,
        expected: gossip.expected,
        within2s: gossip.latencies.filter((ms) => ms < 2000).length,
        p50Ms: percentile(delays, 50),
        p99Ms: percentile(delays, 99),
      },
      routed,
    }
    if (opts.faults) figures.faults = await faults(sim, opts)
    return figures
  } finally {
    await sim.stop()
  }
}

async function faults(
  sim: Simulation,
  opts: MeasureOptions,
): Promise<NonNullable<SimFigures['faults']>> {
  const whole = (): boolean => sim.graph().components.length === 1
  sim.partition()
  const split = await sim.until(() => sim.graph().components.length > 1, 5000)
  opts.progress(`partitioned: ${split == null ? 'did not split' : `${split} ms`}`)
  await sleep(5000)
  opts.progress(`before healing: ${sim.graph().components.length} pieces`)
  sim.heal()
  const partitionHealMs = await sim.until(whole, 60_000)
  opts.progress(`partition healed: ${partitionHealMs ?? 'not'} ms`)
  const doomed = sim.alive().filter((_, i) => i % 2 === 1)
  const survivors = sim.alive().filter((m) => !doomed.includes(m))
  const during = sim.routed(Math.min(opts.routedMessages, 500), 16, () =>
    survivors.filter((m) => m.alive),
  )
  await sleep(200)
  const killedAt = Date.now()
  sim.kill(doomed)
  const remeshed = await sim.until(whole, 60_000)
  const killRemeshMs = remeshed == null ? undefined : Date.now() - killedAt
  opts.progress(`killed half: whole again in ${killRemeshMs ?? 'not'} ms`)
  return { partitionHealMs, killRemeshMs, duringKill: routedFigures(await during) }
}

export function routedFigures(r: RoutedResult): RoutedFigures {
  const rtts = sorted(r.rtts)
  return {
    sent: r.sent,
    acked: r.acked,
    lost: r.lost,
    hopsMean:
      r.hops.length === 0 ? undefined : round(r.hops.reduce((a, b) => a + b) / r.hops.length),
    hopsMax: r.hops.length === 0 ? undefined : Math.max(...r.hops),
    rttP50Ms: percentile(rtts, 50),
    rttP99Ms: percentile(rtts, 99),
    failures: r.failures,
  }
}

/** Heap and resident bytes, after a full collection when the process allows one (--expose-gc). */
export function memory(): { heap: number; rss: number } {
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, rss: m.rss }
}

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b)
const finite = (x: number | undefined): number | undefined =>
  x == null || !Number.isFinite(x) ? undefined : x
export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits
