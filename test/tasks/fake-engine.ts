/**
 * A fake InferenceEngine for unit tests of the task engine: no model, no worker, no clock of its
 * own (nothing here waits on a timer, so fake timers drive everything around it).
 *
 * Outputs follow from the input, so a test can predict them (fakeOutput()):
 *   text_embedding  an 8-value unit-length vector computed from the input's characters
 *   classification  POSITIVE when the input contains "good", else NEGATIVE
 *
 * Every run() is recorded in `calls` (its model, its inputs, how it ended), and `maxInflight` is
 * the most calls that were in flight at once. How a call behaves is chosen when it starts, by
 * `behaviour(inputs, spec)`:
 *   'now'    resolves at once (a microtask later)
 *   'gate'   resolves when the test calls its release() (or releaseAll())
 *   'hang'   never resolves: only restart() or stop() end it
 *   'never'  does not end even then, like a native call a worker cannot be interrupted in
 * restart() and stop() reject every call still in flight (but 'never' ones) with ModelError
 * 'worker_restarted', and a stopped engine refuses calls with ModelError 'engine_closed', as
 * WorkerEngine does (which, unlike this fake, first lets calls end for up to 3 s on stop()).
 *
 * `refuse(input)` gives an input its own failure (the others of its batch go on),
 * `loadErrors` makes load() of a model reject, and benchmark() answers `benchmarkResult`.
 */
import type {
  InferenceEngine,
  ItemFailure,
  ItemResult,
  LoadProgress,
  ModelSpec,
  RuntimeOptions,
} from '../../src/ai/engine.js'
import { ModelError } from '../../src/core/errors.js'
import type { EngineCapabilities, ModelInfo, TaskOutput } from '../../src/core/tasks.js'
import { roundEmbeddingValue, TASK_TYPES, TaskType } from '../../src/core/tasks.js'

export type CallBehaviour = 'now' | 'gate' | 'hang' | 'never'

/** One run() of the fake engine. */
export interface FakeCall {
  readonly spec: ModelSpec
  readonly inputs: readonly string[]
  readonly behaviour: CallBehaviour
  /** 'pending' until it resolves or rejects */
  state: 'pending' | 'resolved' | 'rejected'
  /** resolves a gated call with its results now */
  release(): void
}

/** The output the fake gives for `input` in a task of `spec`'s type. */
export function fakeOutput(spec: ModelSpec, input: string): TaskOutput {
  if (spec.task_type === TaskType.CLASSIFICATION) {
    const positive = input.includes('good')
    const [label, other] = positive ? ['POSITIVE', 'NEGATIVE'] : ['NEGATIVE', 'POSITIVE']
    return {
      label,
      score: 0.9,
      scores: [
        { label, score: 0.9 },
        { label: other, score: 0.1 },
      ],
    }
  }
  const raw = Array.from({ length: 8 }, (_, i) =>
    [...input].reduce((sum, ch, j) => sum + Math.sin((ch.codePointAt(0) ?? 0) * (i + 1) + j), 1),
  )
  const norm = Math.hypot(...raw) || 1
  const embedding = raw.map((x) => roundEmbeddingValue(x / norm))
  return { embedding, dimensions: embedding.length }
}

interface Stopper {
  reject(err: Error): void
}

export class FakeEngine implements InferenceEngine {
  /** every run(), in order */
  readonly calls: FakeCall[] = []
  /** every load(), in order */
  readonly loads: ModelSpec[] = []
  restarts = 0
  maxInflight = 0
  /** how the next run() behaves, from its inputs; every call resolves at once by default */
  behaviour: (inputs: readonly string[], spec: ModelSpec) => CallBehaviour = () => 'now'
  /** an input's own failure, if it has one */
  refuse: (input: string, spec: ModelSpec) => ItemFailure | undefined = () => undefined
  /** load() of these models (by name) rejects with the error */
  readonly loadErrors = new Map<string, Error>()
  benchmarkResult = 250
  /** the weights' hash its loaded models report (none when unset) */
  modelHash?: string

  private readonly loaded = new Map<string, ModelInfo>()
  private readonly inflight = new Set<Stopper>()
  private closed = false

  /** the inputs of each call, in order */
  get batches(): string[][] {
    return this.calls.map((c) => [...c.inputs])
  }

  /** calls still in flight */
  get pending(): FakeCall[] {
    return this.calls.filter((c) => c.state === 'pending')
  }

  releaseAll(): void {
    for (const call of this.pending) if (call.behaviour === 'gate') call.release()
  }

  start(): void {
    this.closed = false
  }

  stop(): void {
    this.closed = true
    this.rejectInflight()
  }

  async init(_options: RuntimeOptions): Promise<EngineCapabilities> {
    this.check()
    return { backend: 'cpu', threads: 1, task_types: [...TASK_TYPES], embeddings_per_sec: 0 }
  }

  async load(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    this.check()
    this.loads.push(spec)
    const error = this.loadErrors.get(spec.model)
    if (error != null) throw error
    onProgress?.({ model: spec.model, progress_percent: 50 })
    const info: ModelInfo = {
      model_name: spec.model,
      model_type: spec.task_type === TaskType.TEXT_EMBEDDING ? 'embedding' : 'classification',
      task_type: spec.task_type,
      dtype: spec.dtype,
      model_size_mb: 1,
      loaded_at: new Date().toISOString(),
      is_ready: true,
      ...(this.modelHash == null ? {} : { model_hash: this.modelHash }),
    }
    this.loaded.set(`${spec.model}:${spec.dtype}`, info)
    return info
  }

  async run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> {
    this.check()
    const behaviour = this.behaviour(inputs, spec)
    let open = (): void => {}
    const call: FakeCall = {
      spec,
      inputs: [...inputs],
      behaviour,
      state: 'pending',
      release: () => {
        if (behaviour !== 'gate') throw new Error(`a '${behaviour}' call has no gate`)
        open()
      },
    }
    this.calls.push(call)
    this.maxInflight = Math.max(this.maxInflight, this.pending.length)
    const stopper = { reject: (_err: Error): void => {} }
    try {
      await new Promise<void>((resolve, reject) => {
        open = resolve
        stopper.reject = reject
        if (behaviour === 'now') resolve()
        else if (behaviour !== 'never') this.inflight.add(stopper)
      })
      call.state = 'resolved'
      return inputs.map(
        (input) => this.refuse(input, spec) ?? { ok: true, output: fakeOutput(spec, input) },
      )
    } catch (err) {
      call.state = 'rejected'
      throw err
    } finally {
      this.inflight.delete(stopper)
    }
  }

  async models(): Promise<ModelInfo[]> {
    return [...this.loaded.values()]
  }

  async benchmark(_spec: ModelSpec): Promise<number> {
    this.check()
    return this.benchmarkResult
  }

  async restart(): Promise<void> {
    this.restarts++
    this.rejectInflight()
  }

  private rejectInflight(): void {
    const stoppers = [...this.inflight]
    this.inflight.clear()
    for (const s of stoppers)
      s.reject(new ModelError('worker_restarted', 'the inference worker was restarted'))
  }

  private check(): void {
    if (this.closed) throw new ModelError('engine_closed', 'the inference engine is stopped')
  }
}
