/**
 * The inference runtime: transformers.js pipelines for the node's task types, loaded on demand,
 * run in batches, each input validated on its own (FR14.1, FR14.2 steps 1-4). It runs inside a
 * Web Worker in a tab and a worker thread on Node; what differs (wasm files, caches, WebGPU,
 * disk space) comes from a RuntimePlatform.
 */
import type {
  FeatureExtractionPipeline,
  TextClassificationPipeline,
} from '@huggingface/transformers'
import { env, pipeline } from '@huggingface/transformers'
import type { ClassificationOutput, EngineCapabilities, ModelInfo } from '../core/tasks.js'
import { TaskType, roundEmbeddingValue } from '../core/tasks.js'
import type {
  InferenceRuntime,
  ItemResult,
  LoadProgress,
  ModelSpec,
  RuntimeOptions,
} from './engine.js'
import { modelKey } from './engine.js'

export interface RuntimePlatform {
  /** the CPU backend: "wasm" in a browser, "cpu" (onnxruntime-node) on Node */
  cpuBackend: 'wasm' | 'cpu'
  /** sets transformers.js up for this platform: wasm files, caches, threads, model source */
  configure(options: RuntimeOptions, transformersEnv: typeof env): Promise<void>
  /** whether WebGPU is present and gives an adapter */
  webgpuAvailable(): Promise<boolean>
  threads(): number
  /** bytes of the model's weights, when known */
  modelSizeBytes(spec: ModelSpec): Promise<number | undefined>
  /** throws an error with reason "insufficient_disk_space" when the model will not fit */
  checkSpace(spec: ModelSpec): Promise<void>
  /** drops cached files of a model that failed to load, so the next load fetches them again */
  forget(spec: ModelSpec): Promise<void>
}

type Pipe = FeatureExtractionPipeline | TextClassificationPipeline

interface Loaded {
  pipe: Pipe
  info: ModelInfo
  maxTokens: number
}

const PIPELINE_TASK: Record<TaskType, 'feature-extraction' | 'text-classification'> = {
  text_embedding: 'feature-extraction',
  classification: 'text-classification',
}

const MODEL_TYPE: Record<TaskType, ModelInfo['model_type']> = {
  text_embedding: 'embedding',
  classification: 'classification',
}

const BENCH_SENTENCES = Array.from(
  { length: 32 },
  (_, i) => `Benchmark sentence number ${i} about the weather, trains and small cafés.`,
)

export function createRuntime(platform: RuntimePlatform): InferenceRuntime {
  const loaded = new Map<string, Loaded>()
  const loading = new Map<string, Promise<Loaded>>()
  const failed = new Map<string, ModelInfo>()
  let device: 'webgpu' | 'wasm' | 'cpu' = platform.cpuBackend

  const load = async (spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<Loaded> => {
    const key = modelKey(spec)
    const done = loaded.get(key)
    if (done != null) return done
    const pending = loading.get(key) ?? loadFresh(spec, onProgress)
    loading.set(key, pending)
    try {
      return await pending
    } finally {
      loading.delete(key)
    }
  }

  const loadFresh = async (
    spec: ModelSpec,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<Loaded> => {
    const key = modelKey(spec)
    await platform.checkSpace(spec)
    const progress = (info: { status: string; progress?: number }): void => {
      if (info.status === 'progress_total' && typeof info.progress === 'number') {
        onProgress?.({ model: spec.model, progress_percent: Math.round(info.progress) })
      }
    }
    let pipe: Pipe
    try {
      pipe = await create(spec, progress)
    } catch (err) {
      // a corrupt or truncated cached file: drop the model's cached files and fetch them again once
      await platform.forget(spec)
      try {
        pipe = await create(spec, progress)
      } catch (again) {
        failed.set(key, { ...(await describe(spec)), error: (again as Error).message })
        throw again
      }
      void err
    }
    failed.delete(key)
    onProgress?.({ model: spec.model, progress_percent: 100 })
    const info: ModelInfo = {
      ...(await describe(spec)),
      is_ready: true,
      loaded_at: new Date().toISOString(),
    }
    const maxTokens = Number(pipe.tokenizer.model_max_length) || 512
    const entry = { pipe, info, maxTokens }
    loaded.set(key, entry)
    return entry
  }

  const create = async (
    spec: ModelSpec,
    progress_callback: (info: { status: string; progress?: number }) => void,
  ): Promise<Pipe> => {
    const options = { dtype: spec.dtype as 'q8', device, progress_callback }
    const task = PIPELINE_TASK[spec.task_type]
    if (device !== 'webgpu') return (await pipeline(task, spec.model, options)) as Pipe
    try {
      return (await pipeline(task, spec.model, options)) as Pipe
    } catch {
      // WebGPU present but not working for this model: the CPU backend for good
      device = platform.cpuBackend
      return (await pipeline(task, spec.model, { ...options, device })) as Pipe
    }
  }

  const describe = async (spec: ModelSpec): Promise<ModelInfo> => {
    const bytes = await platform.modelSizeBytes(spec)
    return {
      model_name: spec.model,
      model_type: MODEL_TYPE[spec.task_type],
      task_type: spec.task_type,
      dtype: spec.dtype,
      model_size_mb: bytes == null ? 0 : Math.round((bytes / 1048576) * 10) / 10,
      is_ready: false,
    }
  }

  const run = async (spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> => {
    const { pipe, maxTokens } = await load(spec)
    const refusals = inputs.map((text) => check(pipe, text, maxTokens))
    const valid = inputs.filter((_, i) => refusals[i] == null)
    if (valid.length === 0) return refusals as ItemResult[]
    let outputs: ItemResult[]
    try {
      outputs =
        spec.task_type === TaskType.TEXT_EMBEDDING
          ? await embed(pipe as FeatureExtractionPipeline, valid)
          : await classify(pipe as TextClassificationPipeline, valid)
    } catch (err) {
      outputs = valid.map(() => ({
        ok: false,
        reason: 'inference_failed',
        details: (err as Error).message,
      }))
    }
    let next = 0
    return refusals.map((r) => r ?? (outputs[next++] as ItemResult))
  }

  return {
    async init(options: RuntimeOptions): Promise<EngineCapabilities> {
      await platform.configure(options, env)
      if (options.preferWebGpu && (await platform.webgpuAvailable())) device = 'webgpu'
      return {
        backend: device,
        threads: platform.threads(),
        task_types: [TaskType.TEXT_EMBEDDING, TaskType.CLASSIFICATION],
        embeddings_per_sec: 0,
      }
    },
    async load(spec, onProgress) {
      return (await load(spec, onProgress)).info
    },
    run,
    async models() {
      return [...[...loaded.values()].map((l) => l.info), ...failed.values()]
    },
    async benchmark(spec) {
      const { pipe } = await load(spec)
      const extractor = pipe as FeatureExtractionPipeline
      await extractor(BENCH_SENTENCES, { pooling: 'mean', normalize: true }) // warm
      const t0 = performance.now()
      for (let i = 0; i < 3; i++)
        await extractor(BENCH_SENTENCES, { pooling: 'mean', normalize: true })
      return Math.round((3 * BENCH_SENTENCES.length) / ((performance.now() - t0) / 1000))
    },
  }
}

/** FR14.2 step 1: input validated against the model (empty, too long for its tokenizer); undefined when fine. */
function check(pipe: Pipe, text: string, maxTokens: number): ItemResult | undefined {
  if (text.trim().length === 0)
    return { ok: false, reason: 'input_empty', details: 'the input has no text' }
  const tokens = pipe.tokenizer.encode(text, { add_special_tokens: true }).length
  if (tokens > maxTokens) {
    return {
      ok: false,
      reason: 'input_exceeds_max_length',
      details: `${tokens} tokens; the model reads at most ${maxTokens}`,
    }
  }
  return undefined
}

async function embed(pipe: FeatureExtractionPipeline, texts: string[]): Promise<ItemResult[]> {
  const tensor = await pipe(texts, { pooling: 'mean', normalize: true })
  const rows = tensor.tolist() as number[][]
  return rows.map((row) => {
    const embedding = row.map(roundEmbeddingValue)
    return { ok: true, output: { embedding, dimensions: embedding.length } }
  })
}

async function classify(pipe: TextClassificationPipeline, texts: string[]): Promise<ItemResult[]> {
  // an array of inputs gives an array of score lists, one per input
  const perInput = (await pipe(texts, { top_k: null })) as unknown as Array<
    Array<{ label: string; score: number }>
  >
  return perInput.map((scores) => {
    const sorted = [...scores].sort((a, b) => b.score - a.score)
    const best = sorted[0] as { label: string; score: number }
    const output: ClassificationOutput = { label: best.label, score: best.score, scores: sorted }
    return { ok: true, output }
  })
}
