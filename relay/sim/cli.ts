/**
 * `npm run sim -- --nodes 50,100,200 [--max-peers 8] [--faults] [--cpu-prof DIR]`: real nodes (createNode(),
 * libp2p, the mesh protocols) on libp2p's in-memory transport, several hundred in this one
 * process, each size measured in turn; prints the figures and how each grows with N.
 * `--soak MINUTES [--churn-secs 10]`: each size run that long with churn and traffic, its
 * memory sampled (relay/sim/soak.ts).
 */
import { parseArgs } from 'node:util'
import type { SimFigures } from './measure.js'
import { measure } from './measure.js'
import type { SoakFigures } from './soak.js'
import { soak } from './soak.js'

const USAGE = `usage: npm run sim -- [--nodes 50,100,200] [--max-peers 8] [--gossip 20] [--routed 1000]
                      [--faults] [--cpu-prof DIR] [--json]
       npm run sim -- --soak MINUTES [--churn-secs 10] [--nodes 30] [--max-peers 8] [--json]
`

const values = options()
const sizes = (values.nodes ?? (values.soak == null ? '50,100,200' : '30'))
  .split(',')
  .map(positive('--nodes'))
const maxPeers = positive('--max-peers')(values['max-peers'])
const all: SimFigures[] = []
for (const nodes of sizes) {
  const progress = (line: string): void => {
    process.stderr.write(`[${nodes}] ${line}\n`)
  }
  if (values.soak != null) {
    const figures = await soak({
      nodes,
      maxPeers,
      durationMs: minutes(values.soak) * 60_000,
      churnEveryMs: positive('--churn-secs', 1)(values['churn-secs']) * 1000,
      joinTimeoutMs: 120_000,
      progress,
    })
    process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : soakReport(figures))
    continue
  }
  const figures = await measure({
    nodes,
    maxPeers,
    gossipProbes: positive('--gossip')(values.gossip),
    routedMessages: positive('--routed')(values.routed),
    faults: values.faults,
    joinTimeoutMs: 120_000,
    cpuProfileDir: values['cpu-prof'],
    progress,
  })
  all.push(figures)
  process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : report(figures))
}
if (!values.json && all.length > 1) process.stdout.write(growth(all))
// libp2p leaves nothing that should keep the process, but a stray timer must not hang the run
process.exit(0)

/** The command line, or the usage and exit 2 when it is not one this understands. */
function options() {
  try {
    const { values } = parseArgs({
      options: {
        nodes: { type: 'string' },
        'max-peers': { type: 'string', default: '8' },
        gossip: { type: 'string', default: '20' },
        routed: { type: 'string', default: '1000' },
        faults: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        soak: { type: 'string' },
        'churn-secs': { type: 'string', default: '10' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
    if (values.help) {
      process.stdout.write(USAGE)
      process.exit(0)
    }
    return values
  } catch (err) {
    return fail((err as Error).message)
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`)
  process.exit(2)
}

function report(f: SimFigures): string {
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((a / b) * 100).toFixed(2)} %`)
  const lines = [
    `\n== ${f.nodes} nodes, max_peers ${f.maxPeers} (in-memory transport, one process)`,
    `joining: 95 % of nodes linked ${f.joined95Ms ?? '-'} ms after the first start, all ${f.joinedAllMs ?? '-'} ms; per node p50 ${f.joinP50Ms ?? '-'} / p95 ${f.joinP95Ms ?? '-'} ms from its own start`,
    `mesh: one piece after ${f.wholeMs ?? 'never'} ms; every node knew 95 % of the others ${f.discoveredMs ?? 'never'} ms later; links settled ${f.settledMs ?? 'never (60 s)'} ms after that; diameter ${f.diameter} links; links per node min ${f.degreeMin}, mean ${f.degreeMean}`,
    `gossip: ${pct(f.gossip.delivered, f.gossip.expected)} delivered (${f.gossip.delivered}/${f.gossip.expected}), ${pct(f.gossip.within2s, f.gossip.expected)} within 2 s; p50 ${f.gossip.p50Ms ?? '-'} ms, p99 ${f.gossip.p99Ms ?? '-'} ms`,
    `routed: ${routedLine(f.routed)}`,
    `per node, idle: heap ${f.heapMbPerNode} MB, resident ${f.rssMbPerNode} MB, CPU ${f.cpuPctPerNode} % of a core`,
    `topology announcements heard per node: ${f.announcementsJoining} while joining, ${f.announcementsPerMinIdle} per minute idle`,
    `in all, until joined: connections refused ${counts(f.joinRefusals)}; links dropped ${counts(f.joinRemovals)}`,
    `in all, while idle: connections refused ${counts(f.idleRefusals)}; links dropped ${counts(f.idleRemovals)}`,
  ]
  if (f.faults != null) {
    lines.push(
      `partition (half and half, 5 s): whole again ${f.faults.partitionHealMs ?? 'never (60 s)'} ms after healing`,
      `kill half at once: the rest one piece again after ${f.faults.killRemeshMs ?? 'never (60 s)'} ms`,
      `  messages among the survivors meanwhile: ${routedLine(f.faults.duringKill)}`,
    )
  }
  return `${lines.join('\n')}\n`
}

function counts(byReason: Record<string, number>): string {
  const parts = Object.entries(byReason).map(([reason, n]) => `${reason} ${n}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

function routedLine(r: SimFigures['routed']): string {
  const failed = Object.keys(r.failures).length === 0 ? '' : counts(r.failures)
  return `${((r.acked / Math.max(r.sent, 1)) * 100).toFixed(2)} % acknowledged (${r.acked}/${r.sent}), ${r.lost} acknowledged but lost; hops mean ${r.hopsMean ?? '-'}, max ${r.hopsMax ?? '-'}; RTT p50 ${r.rttP50Ms ?? '-'} ms, p99 ${r.rttP99Ms ?? '-'} ms${failed === '' ? '' : `; failed: ${failed}`}`
}

function growth(all: SimFigures[]): string {
  const first = all[0] as SimFigures
  const ratio = (a?: number, b?: number): string =>
    a == null || b == null || b === 0 ? '-' : `${(a / b).toFixed(2)}x`
  const rows = all.slice(1).map((f) => {
    const n = f.nodes / first.nodes
    return `  ${first.nodes} → ${f.nodes} nodes (${n}x): joined-95 % ${ratio(f.joined95Ms, first.joined95Ms)}, gossip p99 ${ratio(f.gossip.p99Ms, first.gossip.p99Ms)}, routed hops ${ratio(f.routed.hopsMean, first.routed.hopsMean)}, heap per node ${ratio(f.heapMbPerNode, first.heapMbPerNode)}, CPU per node ${ratio(f.cpuPctPerNode, first.cpuPctPerNode)}, diameter ${f.diameter} vs ${first.diameter}`
  })
  return `\ngrowth with N:\n${rows.join('\n')}\n`
}

function positive(flag: string, least = 2): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < least)
      fail(`${flag} must be a whole number of at least ${least}, got "${text}"`)
    return n
  }
}

function minutes(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0)
    fail(`--soak must be a number of minutes above 0, got "${text}"`)
  return n
}

function soakReport(f: SoakFigures): string {
  const mb = (x?: number): string => (x == null ? '-' : `${x} MB`)
  const lines = [
    `\n== soak: ${f.nodes} nodes, max_peers ${f.maxPeers}, ${f.durationMs / 60_000} min (in-memory transport, one process)`,
    `churn: ${f.joins} joined, ${f.leaves} left (killed and stopped in turn); one piece at ${f.wholeSamples} of ${f.samples.length} samples`,
    `memory per node (process / N), after the warm-up: heap ${mb(f.heapMbPerNodeFrom)} → ${mb(f.heapMbPerNodeTo)}; slope heap ${mb(f.heapSlopePerNode)} per 10 min, resident ${mb(f.rssSlopePerNode)} per 10 min`,
    `gossip: ${f.gossip.delivered}/${f.gossip.expected} delivered`,
    `routed: ${routedLine(f.routed)}`,
    'samples (s: heap MB, resident MB, pieces):',
    `  ${f.samples.map((s) => `${Math.round(s.atMs / 1000)}: ${s.heapMb}, ${s.rssMb}, ${s.pieces}`).join('; ')}`,
  ]
  return `${lines.join('\n')}\n`
}
