/**
 * bench/compute: mesh compute between headless nodes (one submitter, up to 3 executors), each
 * running inference on 1 thread, one call at a time, so that 2 cores can show scaling. Every
 * figure stands beside its baseline from the same run:
 *   scaling   2,000 embeddings from the submitter: alone (placement local), then on 1, 2 and 3
 *             executors (placement remote: the executors only), then auto (submitter included)
 *   overhead  one task at a time: p50 submit → completed, remote minus local; 100 concurrent
 *             on one executor from the submitter against the executor running them itself
 *   recovery  an executor holding tasks is SIGKILLed (its connection closes), then one is
 *             SIGSTOPped (its connection stays open until the mesh declares it DEAD): from the
 *             signal to its last task reassigned
 * Throughput and latency come from the task records' own timestamps (submitted_at,
 * timestamp_completed), not from the HTTP polling around them.
 * Run: npm run bench:compute. Figures go to stdout and bench/results/compute-<time>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@playwright/test'
import type { PeerInfo } from '../src/core/types.js'
import type { TaskRecord } from '../src/core/tasks.js'
import { HeadlessNode, Relay } from '../e2e/processes.js'
import { ownCpuMs, pidCpuMs } from './cpu.js'

const TASKS = 2000
const LATENCY_TASKS = 100
const CONCURRENT = 100
const CONCURRENT_TASKS = 1000
const ONE_THREAD = {
  P2P_AI_INFERENCE_THREADS: '1',
  P2P_AI_MAX_CONCURRENT_TASKS: '1',
}
/** BENCH_LONG=1: texts of about 110 of the model's 128 tokens, where inference outweighs the rest */
const LONG = process.env.BENCH_LONG === '1'
const SENTENCES = Array.from(
  { length: 64 },
  (_, i) =>
    `Sentence ${i}: the ${['quick', 'lazy', 'bright', 'small'][i % 4]} node embeds a question about ${['trains', 'weather', 'music', 'food', 'maps'][i % 5]} near the relay.${LONG ? ' The quick brown fox jumps over the lazy dog while it rains.'.repeat(6) : ''}`,
)

type Node = HeadlessNode & { nodeId: string }

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const at = (iso: string | undefined): number => Date.parse(iso ?? '')
const sleep = async (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function startNode(relay: Relay, env: Record<string, string> = {}): Promise<Node> {
  const node = await HeadlessNode.create(relay.url, { ...ONE_THREAD, ...env })
  await node.waitFor(/^Node started/m)
  const nodeId = /Node started \(id: ([0-9a-f]{32})/.exec(node.stdout)?.[1] ?? ''
  return Object.assign(node, { nodeId })
}

/** Waits until `node` sees every one of `others` as a measured, serving neighbour. */
async function untilServing(node: Node, others: Node[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const peers = await node.api<PeerInfo[]>('/peers')
    const ready = others.every((o) =>
      peers.some(
        (p) =>
          p.nodeId === o.nodeId &&
          p.health === 'ALIVE' &&
          (p.compute?.embeddings_per_sec ?? 0) > 0 &&
          p.compute?.serving === true,
      ),
    )
    if (ready) return
    await sleep(500)
  }
  throw new Error(`${node.nodeId} does not see ${others.map((o) => o.nodeId).join(', ')} serving`)
}

/** Submits `n` embedding tasks (at most `parallel` requests at a time); their ids. */
async function submit(
  node: Node,
  n: number,
  placement: string,
  parallel = 64,
  offset = 0,
): Promise<string[]> {
  const ids: string[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      const r = await node.api<TaskRecord>('/tasks', {
        task_type: 'text_embedding',
        input: SENTENCES[(i + offset) % SENTENCES.length],
        placement,
        timeout_seconds: 120,
      })
      ids.push(r.task_id)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker))
  return ids
}

/** Waits until every task of `ids` is final on `node`; their records. */
async function settled(node: Node, ids: string[], timeoutMs = 600_000): Promise<TaskRecord[]> {
  const want = new Set(ids)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // a few tasks: one by one; many: the newest page of the list
    const mine =
      ids.length <= 4
        ? await Promise.all(ids.map(async (id) => node.api<TaskRecord>(`/tasks/${id}`)))
        : (await node.api<TaskRecord[]>(`/tasks?limit=${ids.length + 100}`)).filter((r) =>
            want.has(r.task_id),
          )
    const final = mine.filter((r) => ['COMPLETED', 'FAILED', 'TIMEOUT'].includes(r.status))
    if (final.length === want.size) {
      const failed = final.filter((r) => r.status !== 'COMPLETED')
      if (failed.length > 0)
        throw new Error(`${failed.length} tasks failed: ${failed[0]?.error_reason ?? ''}`)
      return final
    }
    await sleep(ids.length <= 4 ? 10 : 250)
  }
  throw new Error('tasks did not settle')
}

/** Tasks per second from the records: first submitted → last completed. */
function throughput(records: TaskRecord[]): number {
  const start = Math.min(...records.map((r) => at(r.submitted_at)))
  const end = Math.max(...records.map((r) => at(r.timestamp_completed)))
  return Math.round((records.length / ((end - start) / 1000)) * 10) / 10
}

async function run(node: Node, n: number, placement: string, offset = 0): Promise<TaskRecord[]> {
  return settled(node, await submit(node, n, placement, 64, offset))
}

function spread(records: TaskRecord[], names: Map<string, string>): string {
  const counts = new Map<string, number>()
  for (const r of records) {
    const by = names.get(r.executed_by?.[0] ?? '') ?? '?'
    counts.set(by, (counts.get(by) ?? 0) + 1)
  }
  return [...counts].map(([k, v]) => `${k} ${v}`).join(', ')
}

/** One at a time: p50 of submit → completed, ms. */
async function latency(node: Node, placement: string): Promise<number> {
  const lat: number[] = []
  for (let i = 0; i < LATENCY_TASKS; i++) {
    const [r] = await run(node, 1, placement, i)
    lat.push(at(r?.timestamp_completed) - at(r?.submitted_at))
  }
  return percentile(lat, 50)
}

/**
 * Submits tasks to `submitter` for `victim`'s, waits until `victim` runs some, signals it, and
 * returns ms from the signal to the last of its tasks reassigned, with how many there were.
 */
async function recovery(
  submitter: Node,
  victim: Node,
  signal: () => void,
): Promise<{ ms: number; tasks: number; outcome: string }> {
  const ids = await submit(submitter, 200, victim.nodeId)
  const want = new Set(ids)
  while (true) {
    const all = await submitter.api<TaskRecord[]>('/tasks?limit=300')
    const held = all.some(
      (r) =>
        want.has(r.task_id) &&
        r.attempts?.some((a) => a.node_id === victim.nodeId && a.outcome === 'running'),
    )
    if (held) break
    await sleep(50)
  }
  const signalled = Date.now()
  signal()
  const records = await settled(submitter, ids)
  const lost = records.flatMap((r) =>
    (r.attempts ?? []).filter((a) => a.node_id === victim.nodeId && a.outcome !== 'completed'),
  )
  const last = Math.max(...lost.map((a) => at(a.ended_at)))
  return {
    ms: lost.length === 0 ? 0 : last - signalled,
    tasks: lost.length,
    outcome: [...new Set(lost.map((a) => a.outcome))].join('/'),
  }
}

/** CPU ms per task of each process over a run: where the time goes. */
async function withCpu<T>(
  procs: Map<string, () => number>,
  tasks: number,
  fn: () => Promise<T>,
): Promise<{ value: T; cpu: Record<string, number> }> {
  const before = new Map([...procs].map(([k, f]) => [k, f()]))
  const value = await fn()
  const cpu: Record<string, number> = {}
  for (const [k, f] of procs)
    cpu[k] = Math.round(((f() - (before.get(k) ?? 0)) / tasks) * 100) / 100
  return { value, cpu }
}

function cpuText(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
}

test('mesh compute: scaling, overhead and recovery between headless nodes', async () => {
  test.setTimeout(60 * 60_000)
  const relay = await Relay.create()
  const nodes: Node[] = []
  const names = new Map<string, string>()
  const figures: Record<string, unknown> = {}
  // CPU of every process, for ms per task: the bench's own HTTP client too
  const procs = new Map<string, () => number>([['bench', ownCpuMs]])
  const say = (line: string): void => {
    console.log(line)
  }
  try {
    // the submitter keeps 100 tasks out on a node at most: "100 concurrent" below
    const submitter = await startNode(relay, { P2P_AI_MAX_INFLIGHT_PER_PEER: '100' })
    nodes.push(submitter)
    names.set(submitter.nodeId, 'submitter')
    procs.set('relay', () => pidCpuMs(relay.pid as number))
    procs.set('submitter', () => pidCpuMs(submitter.pid as number))
    const executors: Node[] = []
    const addExecutor = async (): Promise<Node> => {
      const e = await startNode(relay)
      nodes.push(e)
      executors.push(e)
      names.set(e.nodeId, `executor${executors.length}`)
      procs.set(`executor${executors.length}`, () => pidCpuMs(e.pid as number))
      await untilServing(submitter, executors)
      return e
    }
    const e1 = await addExecutor()
    // warm-up: both sides' models and V8
    await run(submitter, 300, 'local')
    await run(submitter, 300, e1.nodeId)
    await run(e1, 300, 'local')

    const cpu: Record<string, Record<string, number>> = {}
    const alone = await withCpu(procs, TASKS, async () => run(submitter, TASKS, 'local'))
    const local = throughput(alone.value)
    cpu.local = alone.cpu
    say(`submitter alone (local):      ${local} tasks/s`)
    say(`  CPU ms per task: ${cpuText(alone.cpu)}`)
    const scaling: Record<string, number> = {}
    for (let n = 1; n <= 3; n++) {
      if (n > 1) await addExecutor()
      const { value: records, cpu: used } = await withCpu(procs, TASKS, async () =>
        run(submitter, TASKS, 'remote'),
      )
      scaling[`executors_${n}`] = throughput(records)
      cpu[`executors_${n}`] = used
      say(
        `remote on ${n} executor(s):      ${scaling[`executors_${n}`]} tasks/s  (${spread(records, names)})`,
      )
      say(`  CPU ms per task: ${cpuText(used)}`)
    }
    const autoRun = await withCpu(procs, TASKS, async () => run(submitter, TASKS, 'auto'))
    const auto = throughput(autoRun.value)
    cpu.auto = autoRun.cpu
    say(`auto (submitter + 3):         ${auto} tasks/s  (${spread(autoRun.value, names)})`)
    say(`  CPU ms per task: ${cpuText(autoRun.cpu)}`)
    figures.cpu_ms_per_task = cpu
    const two = (scaling.executors_2 ?? 0) / (scaling.executors_1 ?? 1)
    say(`2 executors / 1:              ${two.toFixed(2)}x   (goal >= 1.7x)`)
    say(`auto / submitter alone:       ${(auto / local).toFixed(2)}x   (goal >= 1x)`)
    figures.scaling = { tasks: TASKS, local, ...scaling, auto, two_over_one: two }

    const localP50 = await latency(submitter, 'local')
    const remoteP50 = await latency(submitter, e1.nodeId)
    say(
      `one at a time, p50:           local ${localP50} ms, remote ${remoteP50} ms: +${remoteP50 - localP50} ms (goal <= 3 ms)`,
    )
    const viaMesh = throughput(await run(submitter, CONCURRENT_TASKS, e1.nodeId))
    const itself = throughput(await run(e1, CONCURRENT_TASKS, 'local'))
    say(
      `${CONCURRENT} concurrent on executor1:   from the submitter ${viaMesh} tasks/s, run by itself ${itself} tasks/s: ${(viaMesh / itself).toFixed(2)}x (goal >= 0.9x)`,
    )
    figures.overhead = {
      local_p50_ms: localP50,
      remote_p50_ms: remoteP50,
      added_p50_ms: remoteP50 - localP50,
      concurrent: CONCURRENT,
      via_mesh_tasks_per_s: viaMesh,
      itself_tasks_per_s: itself,
      ratio: viaMesh / itself,
    }

    // victims hold every call 3 s (a test fault), so that they still hold tasks when signalled
    const victim = async (): Promise<Node> => {
      const v = await startNode(relay, {
        P2P_AI_TEST_FAULTS: JSON.stringify({ call_delay_ms: 3000 }),
      })
      nodes.push(v)
      names.set(v.nodeId, 'victim')
      await untilServing(submitter, [v])
      return v
    }
    const killedNode = await victim()
    const killed = await recovery(submitter, killedNode, () => {
      process.kill(killedNode.pid as number, 'SIGKILL')
    })
    say(
      `SIGKILL of an executor:       ${killed.tasks} tasks reassigned within ${killed.ms} ms (${killed.outcome}; goal <= 2000 ms)`,
    )
    const frozenNode = await victim()
    const frozen = await recovery(submitter, frozenNode, () => {
      process.kill(frozenNode.pid as number, 'SIGSTOP')
    })
    process.kill(frozenNode.pid as number, 'SIGCONT')
    say(
      `SIGSTOP of an executor:       ${frozen.tasks} tasks reassigned within ${frozen.ms} ms (${frozen.outcome}; goal <= DEAD detection (heartbeat 10 s + 3 s SLOW + 10 s) + 1 s)`,
    )
    figures.recovery = { sigkill: killed, sigstop: frozen }
  } finally {
    for (const n of nodes.reverse()) await n.terminate().catch(() => {})
    await relay.dispose()
  }
  const dir = join(process.cwd(), 'bench', 'results')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `compute-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  await writeFile(file, JSON.stringify(figures, null, 2))
  say(`figures: ${file}`)
})
