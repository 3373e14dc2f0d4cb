/**
 * The inference runtime: transformers.js pipelines for the node's task types, loaded on demand,
 * run in batches, each input validated on its own (FR14.1, FR14.2 steps 1-4). It runs inside a
 * Web Worker in a tab and a worker thread on Node; what differs (wasm files, caches, WebGPU,
 * disk space) comes from a RuntimePlatform.
 */
import type {
  FeatureExtractionPipeline,
  Tensor,
  TextClassificationPipeline,
} from '@huggingface/transformers'
import { env, pipeline } from '@huggingface/transformers'
import type { ClassificationOutput, EngineCapabilities, ModelInfo } from '../core/tasks.js'
import { TaskType } from '../core/tasks.js'
import { ModelError } from '../core/errors.js'
import type {
  InferenceRuntime,
  ItemFailure,
  LoadProgress,
  ModelSpec,
  RuntimeItem,
  RuntimeOptions,
} from './engine.js'
import { modelKey } from './engine.js'
import { meanPoolNormalized } from './pooling.js'
import type { TokenBatch } from './tokenize.js'
import { tokenizeChecked } from './tokenize.js'

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
  /** SHA-256 (hex) of the model's weights file, when known */
  modelHash(spec: ModelSpec): Promise<string | undefined>
  /** throws a ModelError: insufficient_disk_space when the model will not fit, model_manifest_invalid when its source is broken */
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

/**
 * onnxruntime's thread pool spins between calls by default. Off, a batch takes as long and the
 * Node host spends 30 % less CPU per embedding (bench/inference: 1.2 ms against 1.6 ms),
 * CPU that the mesh on the same machine needs. onnxruntime-web takes the setting too; no change
 * measured there.
 */
const sessionOptions = (threads: number): object => ({
  ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  // a fresh object per session: onnxruntime-web adds its own entries to it
  extra: { session: { intra_op: { allow_spinning: '0' } } },
})

export function createRuntime(platform: RuntimePlatform): InferenceRuntime {
  const loaded = new Map<string, Loaded>()
  const loading = new Map<string, Promise<Loaded>>()
  const failed = new Map<string, ModelInfo>()
  let device: 'webgpu' | 'wasm' | 'cpu' = platform.cpuBackend
  /** threads per call as configured (0: onnxruntime's default) */
  let threads = 0

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
        const error = new ModelError(
          'model_load_failed',
          `could not load ${spec.model} (${spec.dtype}): ${(again as Error).message}`,
          { cause: again },
        )
        failed.set(key, { ...(await describe(spec)), error: error.message, error_code: error.code })
        throw error
      }
      void err
    }
    failed.delete(key)
    onProgress?.({ model: spec.model, progress_percent: 100 })
    const info: ModelInfo = {
      ...(await describe(spec)),
      is_ready: true,
      loaded_at: new Date().toISOString(),
      model_hash: await platform.modelHash(spec),
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
    const options = {
      dtype: spec.dtype as 'q8',
      device,
      progress_callback,
      session_options: sessionOptions(threads),
    }
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

  const run = async (spec: ModelSpec, inputs: string[]): Promise<RuntimeItem[]> => {
    const { pipe, maxTokens } = await load(spec)
    const { refusals, valid, tokens } = tokenizeChecked(pipe.tokenizer, inputs, maxTokens)
    if (tokens == null) return refusals as ItemFailure[]
    let outputs: RuntimeItem[]
    try {
      outputs =
        spec.task_type === TaskType.TEXT_EMBEDDING
          ? await embed(pipe as FeatureExtractionPipeline, tokens)
          : await classify(pipe as TextClassificationPipeline, valid)
    } catch (err) {
      outputs = valid.map(() => ({
        ok: false,
        reason: 'inference_failed',
        details: (err as Error).message,
      }))
    }
    let next = 0
    return refusals.map((r) => r ?? (outputs[next++] as RuntimeItem))
  }

  return {
    async init(options: RuntimeOptions): Promise<EngineCapabilities> {
      await platform.configure(options, env)
      if (options.preferWebGpu && (await platform.webgpuAvailable())) device = 'webgpu'
      threads = options.threads ?? 0
      return {
        backend: device,
        threads: threads > 0 ? threads : platform.threads(),
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
      await run(spec, BENCH_SENTENCES) // warm
      const t0 = performance.now()
      for (let i = 0; i < 3; i++) await run(spec, BENCH_SENTENCES)
      return Math.round((3 * BENCH_SENTENCES.length) / ((performance.now() - t0) / 1000))
    },
  }
}

/**
 * The feature-extraction pipeline's work on tokens already made: the model, then mean pooling and
 * unit length. One vector per row, as rows of a fresh buffer (it may leave the worker by transfer).
 */
async function embed(pipe: FeatureExtractionPipeline, tokens: TokenBatch): Promise<RuntimeItem[]> {
  const outputs = (await pipe.model(tokens)) as Record<string, Tensor | undefined>
  const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings
  if (hidden?.dims.length !== 3) throw new Error('the model gave no token vectors')
  const dims = hidden.dims as [rows: number, tokens: number, dimensions: number]
  const [rows, , dimensions] = dims
  const values = meanPoolNormalized(
    hidden.data as Float32Array,
    dims,
    tokens.attention_mask.data as ArrayLike<bigint>,
  )
  return Array.from({ length: rows }, (_, i) => ({
    ok: true,
    vector: values.subarray(i * dimensions, (i + 1) * dimensions),
  }))
}

async function classify(pipe: TextClassificationPipeline, texts: string[]): Promise<RuntimeItem[]> {
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
