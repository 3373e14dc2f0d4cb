/**
 * The task engine's models (FR14.1): which model serves each task type, their load state and
 * progress, loading on first use, and the primary (embedding) model's measured speed.
 */
import type { ModelRegistry } from '../core/config.js'
import { errorCodeIn } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import type { ModelInfo, TaskType } from '../core/tasks.js'
import { MODEL_ERROR_CODES, TaskType as TaskTypes } from '../core/tasks.js'
import type { InferenceEngine, ModelSpec } from '../ai/engine.js'
import { modelKey } from '../ai/engine.js'

/** The model loaded at start, whose speed the node advertises. */
export const PRIMARY_TASK: TaskType = TaskTypes.TEXT_EMBEDDING

export interface ModelCatalogOptions {
  engine: InferenceEngine
  models: ModelRegistry
  log: Logger
  /** the models' states changed (loading progress, ready, failed) */
  onChange(models: ModelInfo[]): void
  /** false once the engine is stopping: a listing cut off then is no error */
  isRunning(): boolean
}

export class ModelCatalog {
  private readonly state = new Map<string, ModelInfo>()

  constructor(private readonly opts: ModelCatalogOptions) {}

  /** The model and precision configured for a task type. */
  spec(type: TaskType): ModelSpec {
    return { task_type: type, ...this.opts.models[type] }
  }

  /** SHA-256 of the weights a loaded model runs, when known. */
  hashOf(spec: ModelSpec): string | undefined {
    return this.state.get(modelKey(spec))?.model_hash
  }

  isReady(spec: ModelSpec): boolean {
    return this.state.get(modelKey(spec))?.is_ready === true
  }

  /** Loads a model (downloading and caching its files), reporting progress as it goes. */
  async load(spec: ModelSpec): Promise<ModelInfo> {
    const key = modelKey(spec)
    const onProgress = (p: { progress_percent: number }): void => {
      this.state.set(key, {
        ...(this.state.get(key) ?? placeholder(spec)),
        progress_percent: p.progress_percent,
      })
      this.announce()
    }
    try {
      const info = await this.opts.engine.load(spec, onProgress)
      this.state.set(key, info)
      return info
    } catch (err) {
      this.state.set(key, {
        ...placeholder(spec),
        error: (err as Error).message,
        error_code: errorCodeIn(err, MODEL_ERROR_CODES),
      })
      throw err
    } finally {
      this.announce()
    }
  }

  /**
   * Loads the primary model and measures its speed in batches (embeddings per second); logs and
   * gives undefined when it fails (tasks then load it on first use and fail with the reason).
   */
  async loadPrimary(): Promise<number | undefined> {
    const spec = this.spec(PRIMARY_TASK)
    try {
      await this.load(spec)
      return await this.opts.engine.benchmark(spec)
    } catch (err) {
      if (this.opts.isRunning())
        this.opts.log.error('primary model failed to load', {
          model: spec.model,
          error: err as Error,
        })
      return undefined
    }
  }

  /** Configured models, loaded or not, with their progress. */
  async list(): Promise<ModelInfo[]> {
    const loaded = await this.opts.engine.models()
    const known = new Map(loaded.map((m) => [`${m.model_name}:${m.dtype}`, m]))
    for (const type of Object.keys(this.opts.models) as TaskType[]) {
      const spec = this.spec(type)
      const key = modelKey(spec)
      if (!known.has(key)) known.set(key, this.state.get(key) ?? placeholder(spec))
    }
    return [...known.values()]
  }

  /** Tells listeners the models' states. */
  private announce(): void {
    this.list().then(
      (models) => {
        this.opts.onChange(models)
      },
      (err: unknown) => {
        if (this.opts.isRunning())
          this.opts.log.warn('could not list models', { error: err as Error })
      },
    )
  }
}

function placeholder(spec: ModelSpec): ModelInfo {
  return {
    model_name: spec.model,
    model_type: spec.task_type === TaskTypes.TEXT_EMBEDDING ? 'embedding' : 'classification',
    task_type: spec.task_type,
    dtype: spec.dtype,
    model_size_mb: 0,
    is_ready: false,
  }
}
