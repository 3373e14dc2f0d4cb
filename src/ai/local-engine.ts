/**
 * An InferenceEngine running its runtime in this thread: for Node tools and tests, where a worker
 * would add nothing. restart() drops the runtime and makes a new one (a call already running in
 * this thread cannot be interrupted).
 */
import type { EngineCapabilities, ModelInfo } from '../core/tasks.js'
import type {
  InferenceEngine,
  InferenceRuntime,
  ItemResult,
  LoadProgress,
  ModelSpec,
  RuntimeOptions,
} from './engine.js'
import { toItemResult } from './engine.js'

export class LocalEngine implements InferenceEngine {
  private runtime: InferenceRuntime
  private options?: RuntimeOptions

  constructor(private readonly create: () => InferenceRuntime) {
    this.runtime = create()
  }

  async init(options: RuntimeOptions): Promise<EngineCapabilities> {
    this.options = options
    return this.runtime.init(options)
  }

  async load(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.runtime.load(spec, onProgress)
  }

  async run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> {
    return (await this.runtime.run(spec, inputs)).map(toItemResult)
  }

  async models(): Promise<ModelInfo[]> {
    return this.runtime.models()
  }

  async benchmark(spec: ModelSpec): Promise<number> {
    return this.runtime.benchmark(spec)
  }

  async restart(): Promise<void> {
    this.runtime = this.create()
    if (this.options != null) await this.runtime.init(this.options)
  }

  start(): void {}

  stop(): void {}
}
