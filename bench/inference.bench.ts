/**
 * bench/inference: the task engine's throughput and latency at 1, 10 and 100 concurrent embedding
 * tasks, its peak memory, and in the same run the bare transformers.js pipeline (one at a time,
 * batches of 32), with the ratio; in a Chromium tab (Web Worker, onnxruntime-web) and on Node
 * (worker thread, onnxruntime-node).
 * Run: npm run bench:inference (BENCH_ONLY=browser or node for one half; BENCH_TELEMETRY=off
 * runs the Node half without metrics and tracing, which a Node node always has). Figures go to stdout and bench/results/inference-<time>.json.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Worker } from 'node:worker_threads'
import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { env, pipeline } from '@huggingface/transformers'
import type { CDPSession } from '@playwright/test'
import { test } from '@playwright/test'
import { wrap } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import type { InferenceRuntime } from '../src/ai/engine.js'
import { WorkerEngine } from '../src/ai/worker-engine.js'
import { silentLogger } from '../src/obs/logger.js'
import { defaultModelsDir } from '../src/platform/node/models-dir.js'
import { SqliteResultsStore } from '../src/store/sqlite-results.js'
import { SqliteSpanStore } from '../src/store/sqlite-spans.js'
import { NodeMetrics } from '../src/obs/node-metrics.js'
import { TaskTracer } from '../src/obs/tracing.js'
import type { TaskStats, TaskStatusReport } from '../src/core/tasks.js'
import { TaskService } from '../src/tasks/task-service.js'
import { launchChromium, newProfile } from '../e2e/browser.js'
import { tempHome } from '../e2e/processes.js'
import { startBenchRelay } from './bench-relay.js'
import { descendantsCpuMs, ownCpuMs } from './cpu.js'
import { addStats, engineUse, statsSince } from './task-stats.js'
import { DEFAULT_CONFIG } from '../src/node/config-fields.js'

const MODEL = DEFAULT_CONFIG.models.text_embedding
const SENTENCES = Array.from(
  { length: 512 },
  (_, i) =>
    `Sentence ${i}: the ${['quick', 'lazy', 'bright', 'small'][i % 4]} node ${i % 7 === 0 ? 'routes a message to' : 'embeds a question about'} ${['trains', 'weather', 'music', 'food', 'maps'][i % 5]} near the relay.`,
)
/** levels measured once each; the last level (100) is measured in rounds against the bare pipeline */
const LEVELS: Array<{ concurrent: number; tasks: number }> = [
  { concurrent: 1, tasks: 100 },
  { concurrent: 10, tasks: 300 },
]
const HUNDRED = { concurrent: 100, tasks: 500 }
/**
 * ORT's wasm (and V8's tier-up of it) keeps getting faster for the first seconds of work, so
 * both sides warm up first; then ours at 100 concurrent and the bare pipeline take turns, and
 * the figures are medians of the rounds (measured one after the other, the side measured last
 * looked up to 2x faster).
 */
const WARM_ROUNDS = 3
const ROUNDS = 5
const TASKS_AFTER_WARM_UP = ROUNDS * HUNDRED.tasks + LEVELS.reduce((a, l) => a + l.tasks, 0)

interface Level {
  concurrent: number
  tasks_per_s: number
  p50_ms: number
  p99_ms: number
  inputs_per_call: number
  ms_per_call: number
  engine_busy_pct: number
  /** the page's main thread (tab only) */
  main_thread_busy_pct?: number
}

interface Run {
  elapsedMs: number
  latencies: number[]
  stats: TaskStats
  /** the page's main thread, ms (tab only) */
  mainBusyMs?: number
}

/** One place to run the engine and the bare pipeline: a tab or this Node process. */
interface Side {
  /** runs `inputs` as embedding tasks, `concurrent` in flight, until all are stored */
  runTasks(inputs: string[], concurrent: number): Promise<Run>
  /** ms to embed `texts` with the bare pipeline, `size` per call */
  bareBatches(texts: string[], size: number): Promise<number>
  /** ms to embed `texts` with the bare pipeline, one per call */
  bareOneAtATime(texts: string[]): Promise<number>
  /** CPU ms used so far where both run (every thread and process) */
  cpuMs(): number
  /** called once warm-up is over */
  afterWarmUp?(): Promise<void>
}

interface Measured {
  levels: Level[]
  bare_one_at_a_time_per_s: number
  bare_batched_per_s: number
  /** ours / bare batched at 100 concurrent, round by round */
  ratio_rounds: number[]
  /** CPU ms per embedding over the rounds, every thread counted */
  cpu_ms_per_task: { ours: number; bare: number }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const round = (n: number): number => Math.round(n * 10) / 10
const median = (values: number[]): number => percentile(values, 50)
const inputs = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => SENTENCES[i % SENTENCES.length] as string)
const BARE_TEXTS = SENTENCES.slice(0, 256)
const perSecond = (n: number, ms: number): number => Math.round(n / (ms / 1000))

function level(concurrent: number, runs: Run[], tasksPerS: number): Level {
  const elapsedMs = runs.reduce((a, r) => a + r.elapsedMs, 0)
  const stats = runs.map((r) => r.stats).reduce(addStats)
  const latencies = runs.flatMap((r) => r.latencies)
  const mainBusy = runs.every((r) => r.mainBusyMs != null)
    ? runs.reduce((a, r) => a + (r.mainBusyMs as number), 0)
    : undefined
  return {
    concurrent,
    tasks_per_s: tasksPerS,
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    ...engineUse(stats, elapsedMs),
    ...(mainBusy == null ? {} : { main_thread_busy_pct: Math.round((mainBusy / elapsedMs) * 100) }),
  }
}

async function measure(where: string, side: Side): Promise<Measured> {
  for (let i = 0; i < WARM_ROUNDS; i++) {
    await side.runTasks(inputs(256), 100)
    await side.bareBatches(BARE_TEXTS, 32)
  }
  await side.afterWarmUp?.()
  const levels: Level[] = []
  for (const { concurrent, tasks } of LEVELS) {
    const r = await side.runTasks(inputs(tasks), concurrent)
    levels.push(level(concurrent, [r], perSecond(tasks, r.elapsedMs)))
    console.log(`${where} ${JSON.stringify(levels.at(-1))}`)
  }
  const ours: Run[] = []
  const bare: number[] = []
  const cpu = { ours: 0, bare: 0 }
  for (let i = 0; i < ROUNDS; i++) {
    let before = side.cpuMs()
    ours.push(await side.runTasks(inputs(HUNDRED.tasks), HUNDRED.concurrent))
    cpu.ours += side.cpuMs() - before
    before = side.cpuMs()
    bare.push(perSecond(BARE_TEXTS.length, await side.bareBatches(BARE_TEXTS, 32)))
    cpu.bare += side.cpuMs() - before
    console.log(
      `${where} round ${i}: ours ${perSecond(HUNDRED.tasks, (ours.at(-1) as Run).elapsedMs)}/s, bare ${bare.at(-1)}/s`,
    )
  }
  const rates = ours.map((r) => perSecond(HUNDRED.tasks, r.elapsedMs))
  levels.push(level(HUNDRED.concurrent, ours, median(rates)))
  console.log(`${where} ${JSON.stringify(levels.at(-1))}`)
  await side.bareOneAtATime(BARE_TEXTS.slice(0, 32))
  const oneMs = await side.bareOneAtATime(BARE_TEXTS)
  return {
    levels,
    bare_one_at_a_time_per_s: perSecond(BARE_TEXTS.length, oneMs),
    bare_batched_per_s: median(bare),
    ratio_rounds: rates.map((r, i) => Math.round((r / (bare[i] as number)) * 100) / 100),
    cpu_ms_per_task: {
      ours: Math.round((cpu.ours / (ROUNDS * HUNDRED.tasks)) * 100) / 100,
      bare: Math.round((cpu.bare / (ROUNDS * BARE_TEXTS.length)) * 100) / 100,
    },
  }
}

test('inference', async () => {
  const results: Record<string, unknown> = {}
  // BENCH_ONLY=browser|node runs one half
  const only = process.env.BENCH_ONLY
  if (only !== 'node') results.browser = await browserBench()
  if (only !== 'browser') results.node = await nodeBench()
  print(results)
  const dir = join(import.meta.dirname, 'results')
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, `inference-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(results, null, 2),
  )
})

async function browserBench(): Promise<Record<string, unknown>> {
  const relay = await startBenchRelay()
  const browser = await launchChromium()
  try {
    const page = await (await newProfile(browser, relay.url)).newPage()
    await page.goto(`${relay.url}/${process.env.BENCH_QUERY ?? ''}`)
    await page.waitForFunction(
      () => document.getElementById('state')?.textContent === 'ACTIVE',
      undefined,
      { timeout: 60_000 },
    )
    const measuredSpeed = await page.evaluate(async () => window.bench.modelsReady())
    // FR14.1's memory: the inference worker with its model, then with a second model of the same
    // size (one classification task loads it), after warm-up and at the end (leaks would grow it)
    const memory = async (): Promise<Memory | undefined> =>
      page.evaluate(async () => window.bench.memory())
    const oneModel = await memory()
    const classified = await page.evaluate(async () =>
      window.bench.runTasks(['I love this'], 'classification', 1),
    )
    if (classified.statuses.COMPLETED !== 1) throw new Error('the classification task failed')
    const twoModels = await memory()
    let warm: Memory | undefined
    // the bare pipeline, same tab, its own worker
    const threads = await page.evaluate(async ([m, d]) => window.bench.bareInit(m, d), [
      MODEL.model,
      MODEL.dtype,
    ] as const)
    // one session: the metrics count from when it enabled them
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const measured = await measure('tab ', {
      async runTasks(texts, concurrent) {
        const busyBefore = await mainThreadBusyMs(cdp)
        const r = await page.evaluate(
          async ([s, c]) => window.bench.runTasks(s as string[], 'text_embedding', c as number),
          [texts, concurrent] as const,
        )
        if ((r.statuses.COMPLETED ?? 0) !== texts.length)
          throw new Error(`not every task completed: ${JSON.stringify(r.statuses)}`)
        return { ...r, mainBusyMs: (await mainThreadBusyMs(cdp)) - busyBefore }
      },
      bareBatches: async (texts, size) =>
        page.evaluate(async ([s, n]) => window.bench.bareBatches(s, n), [texts, size] as const),
      bareOneAtATime: async (texts) =>
        page.evaluate(async (s) => window.bench.bareOneAtATime(s), texts),
      // Chromium's processes are this one's children
      cpuMs: () => descendantsCpuMs(),
      afterWarmUp: async () => {
        warm = await memory()
      },
    })
    // wasm memory only grows, so at the end it is the peak
    const end = await memory()
    return {
      engine_speed_measurement: measuredSpeed,
      threads,
      ...measured,
      memory: {
        model_file_bytes: await q8ModelBytes(MODEL.model),
        second_model_file_bytes: await q8ModelBytes(DEFAULT_CONFIG.models.classification.model),
        worker_one_model: workerBytes(oneModel, 'worker-'),
        worker_two_models: workerBytes(twoModels, 'worker-'),
        worker_after_warm_up: workerBytes(warm, 'worker-'),
        worker_end: workerBytes(end, 'worker-'),
        bare_worker_end: workerBytes(end, 'bare-worker-'),
        page_end: end?.bytes,
      },
    }
  } finally {
    await browser.close()
    await relay.dispose()
  }
}

interface MemoryFigures {
  rss: number
  heap_after_gc: number
}

/** this process's RSS, and its main thread's heap after a full collection */
function memoryAfterGc(): MemoryFigures {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heap_after_gc: heapUsed }
}

/** bytes of a q8 model's weights (transformers.js's file name for q8: model_quantized.onnx) */
async function q8ModelBytes(model: string): Promise<number> {
  const dir = defaultModelsDir()
  if (dir == null) throw new Error('no models folder (../shared/models)')
  return (await stat(join(dir, model, 'onnx', 'model_quantized.onnx'))).size
}

type Memory = NonNullable<Awaited<ReturnType<Window['bench']['memory']>>>

/** a worker's bytes, by its script's file name (Vite adds a hash: "worker-<hash>.js") */
function workerBytes(memory: Memory | undefined, prefix: string): number | undefined {
  return Object.entries(memory?.workers ?? {}).find(([name]) => name.startsWith(prefix))?.[1]
}

/** ms the page's main thread has spent running tasks since `cdp` enabled its metrics. */
async function mainThreadBusyMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics')
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000
}

async function nodeBench(): Promise<Record<string, unknown>> {
  const modelsDir = defaultModelsDir()
  if (modelsDir == null) throw new Error('no models folder (../shared/models)')
  const dir = await tempHome('bench-inference-node')
  const workerFile = join(import.meta.dirname, '..', 'dist', 'node', 'src', 'ai', 'node-worker.js')
  const engine = new WorkerEngine(() => {
    const worker = new Worker(workerFile)
    return {
      runtime: wrap<InferenceRuntime>(nodeEndpoint(worker)),
      terminate: () => void worker.terminate(),
    }
  })
  // a Node node's telemetry: every task's spans into the span store, its metrics recorded
  const nodeId = 'b'.repeat(32)
  const telemetry = process.env.BENCH_TELEMETRY !== 'off'
  const tracer = telemetry
    ? new TaskTracer({
        nodeId,
        log: silentLogger,
        openStore: async () => SqliteSpanStore.open(dir),
      })
    : undefined
  const metrics = telemetry
    ? new NodeMetrics({
        nodeId: () => nodeId,
        role: 'peer',
        version: 'bench',
        uptimeSeconds: () => process.uptime(),
        peers: () => [],
        relaysConnected: () => 0,
        memoryBytes: () => process.memoryUsage().rss,
        memoryLimitBytes: 0,
        taskStats: () => tasks.stats(),
        routerEvents: () => undefined,
        meshDrops: () => undefined,
      })
    : undefined
  const tasks: TaskService = new TaskService({
    nodeId,
    tracer,
    onInferenceCall: (inputs, ms) => {
      metrics?.recordInferenceCall(inputs, ms)
    },
    engine,
    runtime: { source: { localPath: modelsDir, allowRemote: false }, preferWebGpu: false },
    openStore: async () => SqliteResultsStore.open(dir),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: DEFAULT_CONFIG.max_concurrent_tasks,
    maxBatch: DEFAULT_CONFIG.max_batch_size,
    maxStoredResults: 100_000,
    resultExpiryHours: 24,
    log: silentLogger,
  })
  const finals = new Map<string, () => void>()
  tasks.addEventListener('task:update', (evt: CustomEvent<TaskStatusReport>) => {
    metrics?.recordTask(evt.detail)
    if (['COMPLETED', 'FAILED', 'TIMEOUT'].includes(evt.detail.status))
      finals.get(evt.detail.task_id)?.()
  })
  try {
    await tracer?.start()
    await tasks.start()
    while (!(
      (await tasks.models()).find((m) => m.task_type === 'text_embedding')?.is_ready ?? false
    ))
      await new Promise((r) => setTimeout(r, 50))
    // the bare pipeline, in this process
    env.allowRemoteModels = false
    env.localModelPath = modelsDir
    const extractor = (await pipeline('feature-extraction', MODEL.model, {
      dtype: MODEL.dtype as 'q8',
    })) as FeatureExtractionPipeline
    const timed = async (texts: string[], size: number): Promise<number> => {
      const t0 = performance.now()
      for (let i = 0; i < texts.length; i += size)
        await extractor(texts.slice(i, i + size), { pooling: 'mean', normalize: true })
      return performance.now() - t0
    }
    // the process holds both pipelines, so its memory shows leaks, not the model's share; RSS
    // keeps V8's high-water mark, the heap after a full GC is what is still held
    let warm: MemoryFigures | undefined
    const measured = await measure('node', {
      async runTasks(texts, concurrent) {
        const latencies: number[] = []
        let next = 0
        const before = tasks.stats()
        const t0 = performance.now()
        await Promise.all(
          Array.from({ length: concurrent }, async () => {
            while (next < texts.length) {
              const input = texts[next++] as string
              const started = performance.now()
              await new Promise<void>((resolve) => {
                const r = tasks.submit({ task_type: 'text_embedding', input })
                finals.set(r.task_id, resolve)
              })
              latencies.push(performance.now() - started)
            }
          }),
        )
        await tasks.flush()
        return {
          elapsedMs: performance.now() - t0,
          latencies,
          stats: statsSince(before, tasks.stats()),
        }
      },
      bareBatches: timed,
      bareOneAtATime: async (texts) => timed(texts, 1),
      cpuMs: ownCpuMs,
      afterWarmUp: async () => {
        warm = memoryAfterGc()
      },
    })
    return {
      telemetry: telemetry ? 'on' : 'off',
      engine_speed_measurement: tasks.capabilities()?.embeddings_per_sec,
      ...measured,
      process_memory: { after_warm_up: warm, end: memoryAfterGc() },
    }
  } finally {
    await tasks.stop()
    await tracer?.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

function print(results: Record<string, unknown>): void {
  const lines = ['', 'bench/inference: USE-lite q8 embeddings (512 values), one node', '']
  const mb = (bytes: number | undefined): string =>
    bytes == null ? '?' : `${(bytes / 1048576).toFixed(1)} MB`
  for (const where of ['browser', 'node'] as const) {
    if (results[where] == null) continue
    const r = results[where] as Measured & {
      threads?: number
      telemetry?: string
      process_memory?: { after_warm_up?: MemoryFigures; end: MemoryFigures }
      memory?: Record<
        | 'model_file_bytes'
        | 'second_model_file_bytes'
        | 'worker_one_model'
        | 'worker_two_models'
        | 'worker_after_warm_up'
        | 'worker_end'
        | 'bare_worker_end'
        | 'page_end',
        number | undefined
      >
    }
    lines.push(
      `${where === 'browser' ? 'Chromium tab (Web Worker, onnxruntime-web wasm)' : 'Node (worker thread, onnxruntime-node)'}${r.threads != null ? `, ${r.threads} threads` : ''}${r.telemetry != null ? `, metrics and tracing ${r.telemetry}` : ''}:`,
      '| concurrent | tasks/s | p50 | p99 | ours / bare batched | inputs/call | ms/call | engine busy | main thread busy |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const l of r.levels)
      lines.push(
        `| ${l.concurrent} | ${l.tasks_per_s} | ${l.p50_ms} ms | ${l.p99_ms} ms | ${(l.tasks_per_s / r.bare_batched_per_s).toFixed(2)}x | ${l.inputs_per_call} | ${l.ms_per_call} ms | ${l.engine_busy_pct} % | ${l.main_thread_busy_pct == null ? '-' : `${l.main_thread_busy_pct} %`} |`,
      )
    lines.push(
      `bare transformers.js: ${r.bare_one_at_a_time_per_s}/s one at a time, ${r.bare_batched_per_s}/s in batches of 32 (median of ${ROUNDS} rounds)`,
      `ours / bare at ${HUNDRED.concurrent} concurrent, round by round: ${r.ratio_rounds.map((x) => x.toFixed(2)).join(' ')} (median ${median(r.ratio_rounds).toFixed(2)}x)`,
      `CPU per embedding over those rounds, every thread${where === 'browser' ? ' of every Chromium process' : ''}: ours ${r.cpu_ms_per_task.ours} ms, bare ${r.cpu_ms_per_task.bare} ms`,
    )
    const pm = r.process_memory
    if (pm != null)
      lines.push(
        `process memory (both pipelines), after warm-up and after the ${TASKS_AFTER_WARM_UP} tasks after it: main thread's heap after a full GC ${mb(pm.after_warm_up?.heap_after_gc)} and ${mb(pm.end.heap_after_gc)}; RSS ${mb(pm.after_warm_up?.rss)} and ${mb(pm.end.rss)}`,
      )
    const m = r.memory
    if (m != null) {
      const ratio = (a?: number, b?: number): string =>
        a == null || b == null ? '?' : `${(a / b).toFixed(2)}x`
      const grew = (a?: number, b?: number): number | undefined =>
        a == null || b == null ? undefined : b - a
      lines.push(
        `memory of the inference worker (wasm heaps grow in steps and never shrink): ${mb(m.worker_one_model)} with its model;`,
        `  a second model (${mb(m.second_model_file_bytes)} file) adds ${mb(grew(m.worker_one_model, m.worker_two_models))} (${ratio(grew(m.worker_one_model, m.worker_two_models), m.second_model_file_bytes)} its file);`,
        `  running the warm-up (${WARM_ROUNDS} x 256 tasks, 100 concurrent) adds ${mb(grew(m.worker_two_models, m.worker_after_warm_up))}; the ${TASKS_AFTER_WARM_UP} tasks after it add ${mb(grew(m.worker_after_warm_up, m.worker_end))};`,
        `  at the end ${mb(m.worker_end)}, the bare pipeline's worker ${mb(m.bare_worker_end)} (ours / bare ${ratio(m.worker_end, m.bare_worker_end)}), whole page ${mb(m.page_end)}; the primary model's file ${mb(m.model_file_bytes)}`,
      )
    }
    lines.push('')
  }
  lines.push(
    'seed targets: one task < 500 ms p99; > 200 tasks/s with p99 < 1000 ms at 100 concurrent; peak memory ≤ 1.5x model size; aim ≥ 0.9x bare batched',
    '',
  )
  console.log(lines.join('\n'))
}
