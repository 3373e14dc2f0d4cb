/** `debug snapshot|network-test|stress` (FR23.1): the debug tools of a running headless node. */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type {
  DebugSnapshot,
  LatencySummary,
  NetworkTestReport,
  StressReport,
} from '../src/core/debug.js'
import { snapshotFileName } from '../src/core/debug.js'
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { targetPort } from './cli-target.js'
import { getJson, postJson } from './control.js'

export async function debugSnapshot(values: Values): Promise<number> {
  const snapshot = await getJson<DebugSnapshot>(await targetPort(values), '/debug/snapshot', 30_000)
  const path = resolve(values.out ?? snapshotFileName(snapshot.taken_at))
  // 0600: a snapshot names peers, addresses and logs, for its operator only
  await writeFile(path, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 })
  console.log(`Snapshot written to ${path}`)
  console.log(
    `  ${snapshot.peers.length} peers, ${snapshot.topology.nodes.length} nodes known, ${snapshot.logs.length} log entries, health ${snapshot.health?.status ?? 'unknown'}`,
  )
  return 0
}

export async function debugNetworkTest(values: Values, args: string[]): Promise<number> {
  const [node, ...more] = args
  if (node == null || more.length > 0)
    throw new CliError(
      'usage',
      'usage: p2p-ai-agents debug network-test <node-id> [--count N] [--bytes B] [--port N]',
    )
  const count = wholeFlag(values.count, 'count')
  const bytes = wholeFlag(values.bytes, 'bytes')
  // pings and payloads each have 5 s at most
  const budgetMs = 10_000 + 2 * (count ?? 20) * 5000
  const r = await postJson<NetworkTestReport>(
    await targetPort(values),
    '/debug/network-test',
    { node, count, bytes },
    budgetMs,
  )
  if (values.json === true) {
    console.log(JSON.stringify(r, null, 2))
    return 0
  }
  console.log(
    [
      `Network test to ${r.target.node_id ?? r.target.peer_id} (${r.hops == null ? 'no reply' : `${r.hops} hop${r.hops === 1 ? '' : 's'}`})`,
      `RTT:        ${latency(r.rtt)} (${r.rtt.sent} pings, ${r.rtt.lost} lost, ${(r.rtt.loss_rate * 100).toFixed(1)} % loss)`,
      `Throughput: ${formatRate(r.throughput.bytes_per_sec)} (${r.throughput.delivered}/${r.throughput.messages} payloads of ${r.throughput.bytes_per_message} B, ${r.throughput.window} in flight, ${Math.round(r.throughput.duration_ms)} ms)`,
    ].join('\n'),
  )
  return 0
}

export async function debugStress(values: Values): Promise<number> {
  const tasks = wholeFlag(values.tasks, 'tasks')
  const concurrency = wholeFlag(values.concurrency, 'concurrency') ?? 4
  if (tasks == null)
    throw new CliError(
      'usage',
      'usage: p2p-ai-agents debug stress --tasks N [--concurrency C] [--type text_embedding] [--timeout SECONDS] [--port N]',
    )
  const run = values.timeout == null ? 600 : Number(values.timeout)
  if (!Number.isFinite(run) || run <= 0)
    throw new CliError('usage', '--timeout must be a number of seconds')
  const r = await postJson<StressReport>(
    await targetPort(values),
    '/debug/stress',
    {
      tasks,
      concurrency,
      task_type: values.type,
      placement: values.placement,
      run_timeout_seconds: run,
    },
    (run + 15) * 1000,
  )
  if (values.json === true) {
    console.log(JSON.stringify(r, null, 2))
  } else {
    const failures = Object.entries(r.failures)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ')
    console.log(
      [
        `Stress: ${r.tasks} ${r.task_type} tasks, ${r.concurrency} in flight`,
        `Completed:  ${r.completed}, failed ${r.failed}, timed out ${r.timed_out}, unfinished ${r.unfinished}${failures === '' ? '' : ` (${failures})`}`,
        `Throughput: ${r.tasks_per_sec} tasks/s over ${(r.duration_ms / 1000).toFixed(1)} s`,
        `Latency:    ${latency(r.latency)}`,
      ].join('\n'),
    )
  }
  // the run is reported either way; the exit code says whether every task completed
  return r.completed === r.tasks ? 0 : 1
}

function latency(s: LatencySummary): string {
  if (s.samples === 0) return 'no samples'
  return `p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms (min ${s.min_ms}, max ${s.max_ms}, mean ${s.mean_ms})`
}

/** `1.2 MB/s`, `850 kB/s`, `12 B/s` (decimal units). */
export function formatRate(bytesPerSec: number): string {
  if (bytesPerSec >= 1e6) return `${(bytesPerSec / 1e6).toFixed(1)} MB/s`
  if (bytesPerSec >= 1e3) return `${(bytesPerSec / 1e3).toFixed(1)} kB/s`
  return `${Math.round(bytesPerSec)} B/s`
}

/** A whole-number flag, or undefined when absent; anything else is a usage error. */
function wholeFlag(raw: string | undefined, name: string): number | undefined {
  if (raw == null) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n))
    throw new CliError('usage', `--${name} must be a whole number, not ${JSON.stringify(raw)}`)
  return n
}
