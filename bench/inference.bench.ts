/**
 * bench/inference: the task engine's throughput and latency at 1, 10 and 100 concurrent embedding
 * tasks, its peak memory, and in the same run the bare transformers.js pipeline (one at a time,
 * batches of 32), with the ratio; in a Chromium tab (Web Worker, onnxruntime-web) and on Node
 * (worker thread, onnxruntime-node).
 * Run: npm run bench:inference (BENCH_ONLY=browser or node for one half). Figures go to stdout and bench/results/inference-<time>.json.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { env, pipeline } from '@huggingface/transformers'
import type { CDPSession } from '@playwright/test'
import { test } from '@playwright/test'
import { wrap } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import type { InferenceRuntime } from '../src/ai/engine.js'
import { WorkerEngine } from '../src/ai/worker-engine.js'
import { DEFAULT_CONFIG } from '../src/node/config.js'
import { silentLogger } from '../src/obs/logger.js'
import { defaultModelsDir } from '../src/platform/node/models-dir.js'
import { FileResultsStore } from '../src/store/file-results.js'
import type { TaskStats, TaskStatusReport } from '../src/core/tasks.js'
import { TaskService } from '../src/tasks/task-service.js'
import { launchChromium, newProfile } from '../e2e/browser.js'
import { tempHome } from '../e2e/processes.js'
import type {} from './page/bench-api.js'
import { startBenchRelay } from './bench-relay.js'
import { engineUse, statsSince } from './task-stats.js'

const MODEL = DEFAULT_CONFIG.models.text_embedding
const SENTENCES = Array.from(
  { length: 512 },
  (_, i) =>
    `Sentence ${i}: the ${['quick', 'lazy', 'bright', 'small'][i % 4]} node ${i % 7 === 0 ? 'routes a message to' : 'embeds a question about'} ${['trains', 'weather', 'music', 'food', 'maps'][i % 5]} near the relay.`,
)
const LEVELS: Array<{ concurrent: number; tasks: number }> = [
  { concurrent: 1, tasks: 100 },
  { concurrent: 10, tasks: 300 },
  { concurrent: 100, tasks: 500 },
]

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

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const round = (n: number): number => Math.round(n * 10) / 10

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
    const memoryBefore = await page.evaluate(async () => window.bench.memoryBytes())
    await page.evaluate(
      async (s) => window.bench.runTasks(s, 'text_embedding', 32),
      SENTENCES.slice(0, 128),
    ) // warm-up
    const levels: Level[] = []
    let peak = memoryBefore ?? 0
    // one session: the metrics count from when it enabled them
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    for (const { concurrent, tasks } of LEVELS) {
      const inputs = Array.from(
        { length: tasks },
        (_, i) => SENTENCES[i % SENTENCES.length] as string,
      )
      const busyBefore = await mainThreadBusyMs(cdp)
      const r = await page.evaluate(
        async ([s, c]) => window.bench.runTasks(s as string[], 'text_embedding', c as number),
        [inputs, concurrent] as const,
      )
      const mainBusyMs = (await mainThreadBusyMs(cdp)) - busyBefore
      if ((r.statuses.COMPLETED ?? 0) !== tasks)
        throw new Error(`not every task completed: ${JSON.stringify(r.statuses)}`)
      levels.push({
        concurrent,
        tasks_per_s: Math.round(tasks / (r.elapsedMs / 1000)),
        p50_ms: round(percentile(r.latencies, 50)),
        p99_ms: round(percentile(r.latencies, 99)),
        ...engineUse(r.stats, r.elapsedMs),
        main_thread_busy_pct: Math.round((mainBusyMs / r.elapsedMs) * 100),
      })
      console.log(`tab  ${JSON.stringify(levels.at(-1))}`)
      peak = Math.max(peak, (await page.evaluate(async () => window.bench.memoryBytes())) ?? 0)
    }
    // the bare pipeline, same tab, its own worker
    const threads = await page.evaluate(async ([m, d]) => window.bench.bareInit(m, d), [
      MODEL.model,
      MODEL.dtype,
    ] as const)
    const texts = SENTENCES.slice(0, 256)
    await page.evaluate(async (s) => window.bench.bareBatches(s, 32), texts)
    await page.evaluate(async (s) => window.bench.bareOneAtATime(s), texts.slice(0, 32))
    const oneMs = await page.evaluate(async (s) => window.bench.bareOneAtATime(s), texts)
    const batchMs = await page.evaluate(async (s) => window.bench.bareBatches(s, 32), texts)
    return {
      engine_speed_measurement: measuredSpeed,
      threads,
      levels,
      memory_before_bytes: memoryBefore,
      peak_memory_bytes: peak || undefined,
      bare_one_at_a_time_per_s: Math.round(texts.length / (oneMs / 1000)),
      bare_batched_per_s: Math.round(texts.length / (batchMs / 1000)),
    }
  } finally {
    await browser.close()
    await relay.dispose()
  }
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
  const tasks = new TaskService({
    nodeId: 'b'.repeat(32),
    engine,
    runtime: { source: { localPath: modelsDir, allowRemote: false }, preferWebGpu: false },
    store: await FileResultsStore.open(dir),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: DEFAULT_CONFIG.max_concurrent_tasks,
    maxBatch: DEFAULT_CONFIG.max_batch_size,
    maxStoredResults: 100_000,
    resultExpiryHours: 24,
    log: silentLogger,
  })
  const finals = new Map<string, () => void>()
  tasks.addEventListener('task:update', (evt: CustomEvent<TaskStatusReport>) => {
    if (['COMPLETED', 'FAILED', 'TIMEOUT'].includes(evt.detail.status))
      finals.get(evt.detail.task_id)?.()
  })
  const run = async (
    inputs: string[],
    concurrent: number,
  ): Promise<{ elapsedMs: number; latencies: number[]; stats: TaskStats }> => {
    const latencies: number[] = []
    let next = 0
    const before = tasks.stats()
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++] as string
          const started = performance.now()
          await new Promise<void>((resolve) => {
            const r = tasks.submit({ task_type: 'text_embedding', input })
            finals.set(r.task_id, resolve)
          })
          latencies.push(performance.now() - started)
        }
      }),
    )
    return {
      elapsedMs: performance.now() - t0,
      latencies,
      stats: statsSince(before, tasks.stats()),
    }
  }
  try {
    await tasks.start()
    while (!(
      (await tasks.models()).find((m) => m.task_type === 'text_embedding')?.is_ready ?? false
    ))
      await new Promise((r) => setTimeout(r, 50))
    await run(SENTENCES.slice(0, 128), 32)
    const levels: Level[] = []
    const rssBefore = process.memoryUsage().rss
    for (const { concurrent, tasks: n } of LEVELS) {
      const r = await run(
        Array.from({ length: n }, (_, i) => SENTENCES[i % SENTENCES.length] as string),
        concurrent,
      )
      levels.push({
        concurrent,
        tasks_per_s: Math.round(n / (r.elapsedMs / 1000)),
        p50_ms: round(percentile(r.latencies, 50)),
        p99_ms: round(percentile(r.latencies, 99)),
        ...engineUse(r.stats, r.elapsedMs),
      })
      console.log(`node ${JSON.stringify(levels.at(-1))}`)
    }
    // the bare pipeline, in this process
    env.allowRemoteModels = false
    env.localModelPath = modelsDir
    const extractor = (await pipeline('feature-extraction', MODEL.model, {
      dtype: MODEL.dtype as 'q8',
    })) as FeatureExtractionPipeline
    const texts = SENTENCES.slice(0, 256)
    for (let i = 0; i < texts.length; i += 32)
      await extractor(texts.slice(i, i + 32), { pooling: 'mean', normalize: true })
    let t0 = performance.now()
    for (const t of texts) await extractor([t], { pooling: 'mean', normalize: true })
    const oneMs = performance.now() - t0
    t0 = performance.now()
    for (let i = 0; i < texts.length; i += 32)
      await extractor(texts.slice(i, i + 32), { pooling: 'mean', normalize: true })
    const batchMs = performance.now() - t0
    return {
      engine_speed_measurement: tasks.capabilities()?.embeddings_per_sec,
      levels,
      rss_before_levels_bytes: rssBefore,
      bare_one_at_a_time_per_s: Math.round(texts.length / (oneMs / 1000)),
      bare_batched_per_s: Math.round(texts.length / (batchMs / 1000)),
    }
  } finally {
    await tasks.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

function print(results: Record<string, unknown>): void {
  const lines = ['', 'bench/inference: USE-lite q8 embeddings (512 values), one node', '']
  for (const where of ['browser', 'node'] as const) {
    if (results[where] == null) continue
    const r = results[where] as {
      levels: Level[]
      bare_batched_per_s: number
      bare_one_at_a_time_per_s: number
      peak_memory_bytes?: number
      threads?: number
    }
    lines.push(
      `${where === 'browser' ? 'Chromium tab (Web Worker, onnxruntime-web wasm)' : 'Node (worker thread, onnxruntime-node)'}${r.threads != null ? `, ${r.threads} threads` : ''}:`,
    )
    lines.push(
      '| concurrent | tasks/s | p50 | p99 | ours / bare batched | inputs/call | ms/call | engine busy | main thread busy |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const l of r.levels)
      lines.push(
        `| ${l.concurrent} | ${l.tasks_per_s} | ${l.p50_ms} ms | ${l.p99_ms} ms | ${(l.tasks_per_s / r.bare_batched_per_s).toFixed(2)}x | ${l.inputs_per_call} | ${l.ms_per_call} ms | ${l.engine_busy_pct} % | ${l.main_thread_busy_pct == null ? '-' : `${l.main_thread_busy_pct} %`} |`,
      )
    lines.push(
      `bare transformers.js: ${r.bare_one_at_a_time_per_s}/s one at a time, ${r.bare_batched_per_s}/s in batches of 32`,
    )
    if (r.peak_memory_bytes != null)
      lines.push(
        `peak page memory (workers included): ${(r.peak_memory_bytes / 1048576).toFixed(0)} MB (model file 6.9 MB)`,
      )
    lines.push('')
  }
  lines.push(
    'seed targets: one task < 500 ms p99; > 200 tasks/s with p99 < 1000 ms at 100 concurrent; peak memory ≤ 1.5x model size; aim ≥ 0.9x bare batched',
    '',
  )
  console.log(lines.join('\n'))
}
