/**
 * An InferenceEngine whose runtime lives in a worker (a Web Worker in a tab, a worker thread on
 * Node), reached through comlink. restart() terminates the worker, fails every call still waiting
 * on it, and starts a fresh one: the way to free compute held by a call that hangs.
 */
import type { Remote } from 'comlink'
import { proxy } from 'comlink'
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
import { ModelError } from '../core/errors.js'

export interface WorkerHandle {
  runtime: Remote<InferenceRuntime>
  terminate(): void
}

/** How long stop() lets calls in flight finish before it terminates the worker. */
const CLOSE_WAIT_MS = 3000

export class WorkerEngine implements InferenceEngine {
  private handle?: WorkerHandle
  private options?: RuntimeOptions
  private closed = false
  private readonly waiting = new Set<(err: Error) => void>()
  private readonly inflight = new Set<Promise<unknown>>()

  constructor(private readonly spawn: () => WorkerHandle) {}

  /** Takes calls (again); the worker itself is spawned on the first call. */
  start(): void {
    this.closed = false
  }

  async init(options: RuntimeOptions): Promise<EngineCapabilities> {
    this.options = options
    return this.call((r) => r.init(options))
  }

  async load(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.call((r) => r.load(spec, onProgress == null ? undefined : proxy(onProgress)))
  }

  async run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> {
    return (await this.call(async (r) => r.run(spec, inputs))).map(toItemResult)
  }

  async models(): Promise<ModelInfo[]> {
    return this.call((r) => r.models())
  }

  async benchmark(spec: ModelSpec): Promise<number> {
    return this.call((r) => r.benchmark(spec))
  }

  async restart(): Promise<void> {
    this.handle?.terminate()
    this.handle = undefined
    for (const fail of [...this.waiting]) fail(restarted())
    this.waiting.clear()
    // models load again on first use in the new worker
    if (this.options != null) await this.init(this.options)
  }

  async stop(): Promise<void> {
    this.closed = true
    // a worker terminated in the middle of a native call (onnxruntime-node loading or running a
    // model) can abort the whole process: let the calls in flight end first, for a while
    if (this.inflight.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        Promise.allSettled(this.inflight),
        new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
      ])
      clearTimeout(timer)
    }
    this.handle?.terminate()
    this.handle = undefined
    for (const fail of [...this.waiting]) fail(restarted())
    this.waiting.clear()
  }

  /** Runs a call on the worker, failing it if the worker is restarted meanwhile. */
  private async call<T>(fn: (runtime: Remote<InferenceRuntime>) => Promise<T>): Promise<T> {
    // a closed engine starts no new worker
    if (this.closed) throw new ModelError('engine_closed', 'the inference engine is stopped')
    this.handle ??= this.spawn()
    const runtime = this.handle.runtime
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject)
      const running = fn(runtime)
      this.inflight.add(running)
      running.then(resolve, reject).finally(() => {
        this.waiting.delete(reject)
        this.inflight.delete(running)
      })
    })
  }
}

function restarted(): ModelError {
  return new ModelError('worker_restarted', 'the inference worker was restarted')
}
