/**
 * The inference contract: what the task engine asks of a runtime that lives in a Web Worker (tab)
 * or a worker thread (Node). Plain data in and out, so it crosses comlink as it is.
 */
import type { EngineCapabilities, ModelInfo, TaskOutput, TaskType } from '../core/tasks.js'

/** Which model serves a task type, at which precision. */
export interface ModelSpec {
  task_type: TaskType
  /** e.g. "local/universal-sentence-encoder-lite" or "Xenova/all-MiniLM-L6-v2" */
  model: string
  /** transformers.js dtype: "q8", "fp32", … */
  dtype: string
}

/** Where model files come from. */
export interface ModelSource {
  /** a URL path ("/models/") in a tab, a directory on Node; undefined: none */
  localPath?: string
  /** allow fetching from the Hugging Face hub when not found locally */
  allowRemote: boolean
}

export interface RuntimeOptions {
  source: ModelSource
  /** try WebGPU first where the platform has it */
  preferWebGpu: boolean
}

/** One input's outcome inside a batch: a failed input does not fail the others. */
export type ItemResult =
  { ok: true; output: TaskOutput } | { ok: false; reason: string; details: string }

export interface LoadProgress {
  model: string
  progress_percent: number
}

/** Runs models. Implemented once (src/ai/runtime.ts), hosted in a worker. */
export interface InferenceRuntime {
  init(options: RuntimeOptions): Promise<EngineCapabilities>
  /** loads a model (downloading, verifying and caching its files); progress goes to `onProgress` */
  load(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo>
  /** validates and runs a batch of inputs of one model */
  run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]>
  models(): Promise<ModelInfo[]>
  /** embeddings per second in batches, measured on the loaded embedding model */
  benchmark(spec: ModelSpec): Promise<number>
}

/** The task engine's view: a runtime it can also restart when a call hangs. */
export interface InferenceEngine extends InferenceRuntime {
  /** abandons everything the runtime is doing and starts a fresh one, with the same models */
  restart(): Promise<void>
  close(): Promise<void>
}

/** What a relay answers at /models/manifest.json: every file of its models folder. */
export interface ModelManifest {
  files: Record<string, { size: number; sha256: string }>
}

/** One name per model and precision: loaded models, batches and timings are keyed by it. */
export function modelKey(spec: ModelSpec): string {
  return `${spec.model}:${spec.dtype}`
}
