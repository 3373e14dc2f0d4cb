/**
 * `npm run sim -- --nodes 50,100,200 [--max-peers 8] [--faults] [--cpu-prof DIR]`: real nodes (createNode(),
 * libp2p, the mesh protocols) on libp2p's in-memory transport, several hundred in this one
 * process, each size measured in turn; prints the figures and how each grows with N.
 */
import { parseArgs } from 'node:util'
import type { SimFigures } from './measure.js'
import { measure } from './measure.js'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50,100,200' },
    'max-peers': { type: 'string', default: '8' },
    gossip: { type: 'string', default: '20' },
    routed: { type: 'string', default: '1000' },
    faults: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
})

const sizes = values.nodes.split(',').map(positive('--nodes'))
const maxPeers = positive('--max-peers')(values['max-peers'])
const all: SimFigures[] = []
for (const nodes of sizes) {
  const figures = await measure({
    nodes,
    maxPeers,
    gossipProbes: positive('--gossip')(values.gossip),
    routedMessages: positive('--routed')(values.routed),
    faults: values.faults,
    joinTimeoutMs: 120_000,
    cpuProfileDir: values['cpu-prof'],
    progress: (line) => {
      process.stderr.write(`[${nodes}] ${line}\n`)
    },
  })
  all.push(figures)
  process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : report(figures))
}
if (!values.json && all.length > 1) process.stdout.write(growth(all))
// libp2p leaves nothing that should keep the process, but a stray timer must not hang the run
process.exit(0)

function report(f: SimFigures): string {
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((a / b) * 100).toFixed(2)} %`)
  const lines = [
    `\n== ${f.nodes} nodes, max_peers ${f.maxPeers} (in-memory transport, one process)`,
    `joining: 95 % of nodes linked ${f.joined95Ms ?? '-'} ms after the first start, all ${f.joinedAllMs ?? '-'} ms; per node p50 ${f.joinP50Ms ?? '-'} / p95 ${f.joinP95Ms ?? '-'} ms from its own start`,
    `mesh: one piece after ${f.wholeMs ?? 'never'} ms; every node knew 95 % of the others ${f.discoveredMs ?? 'never'} ms later; diameter ${f.diameter} links; links per node min ${f.degreeMin}, mean ${f.degreeMean}`,
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

function positive(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < 2)
      throw new Error(`${flag} must be a whole number of at least 2, got "${text}"`)
    return n
  }
}
