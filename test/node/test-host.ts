/**
 * A NodeHost for createNode() unit tests: the real parts of a Node host (files for storage and
 * identity, SQLite results), libp2p's in-memory transport instead of the network, logs kept in
 * memory so a test can read the order parts started and stopped in. Only the inference engine is
 * fake (it answers without a model).
 */
import { memory } from '@libp2p/memory'
import type { InferenceEngine, ItemResult, ModelSpec, RuntimeOptions } from '../../src/ai/engine.js'
import type { NodeConfig, ResolvedConfig } from '../../src/core/config.js'
import type { EngineCapabilities, ModelInfo } from '../../src/core/tasks.js'
import { resolveConfig } from '../../src/node/config.js'
import type { InferenceHost, NodeHost } from '../../src/node/host.js'
import { StorageIdentityStore } from '../../src/node/storage-identity-store.js'
import { MemorySink } from '../../src/obs/logger.js'
import { FileStorage } from '../../src/store/file-storage.js'
import type { ResultsStore } from '../../src/store/results-store.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import { SqliteSpanStore } from '../../src/store/sqlite-spans.js'
import type { StorageAdapter } from '../../src/store/storage.js'

/** A real FileStorage that records flush/close and refuses every operation once closed. */
export class RecordingStorage implements StorageAdapter {
  readonly calls: Array<'flush' | 'close'> = []
  private closed = false
  private readonly inner: FileStorage

  constructor(dir: string) {
    this.inner = new FileStorage(dir)
  }

  get kind(): string {
    return this.inner.kind
  }

  get location(): string {
    return this.inner.location
  }

  async get(namespace: string, key: string): Promise<unknown> {
    this.open()
    return this.inner.get(namespace, key)
  }

  async put(namespace: string, key: string, value: unknown): Promise<void> {
    this.open()
    await this.inner.put(namespace, key, value)
  }

  async delete(namespace: string, key: string): Promise<void> {
    this.open()
    await this.inner.delete(namespace, key)
  }

  async keys(namespace: string): Promise<string[]> {
    this.open()
    return this.inner.keys(namespace)
  }

  async flush(): Promise<void> {
    this.calls.push('flush')
    this.open()
    await this.inner.flush()
  }

  async close(): Promise<void> {
    this.calls.push('close')
    this.closed = true
    await this.inner.close()
  }

  private open(): void {
    if (this.closed) throw new Error(`storage ${this.location} is closed`)
  }
}

/** An engine without a model: every input embeds to [1, 0]. */
export class FakeEngine implements InferenceEngine {
  readonly calls: string[] = []

  start(): void {
    this.calls.push('start')
  }

  stop(): void {
    this.calls.push('stop')
  }

  async init(_options: RuntimeOptions): Promise<EngineCapabilities> {
    return { backend: 'cpu', threads: 1, task_types: ['text_embedding'], embeddings_per_sec: 0 }
  }

  async load(spec: ModelSpec): Promise<ModelInfo> {
    return {
      model_name: spec.model,
      model_type: 'embedding',
      task_type: spec.task_type,
      dtype: spec.dtype,
      model_size_mb: 0,
      is_ready: true,
    }
  }

  async run(_spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> {
    return inputs.map(() => ({ ok: true, output: { embedding: [1, 0], dimensions: 2 } }))
  }

  async models(): Promise<ModelInfo[]> {
    return []
  }

  async benchmark(): Promise<number> {
    return 1000
  }

  async restart(): Promise<void> {}
}

export interface TestHostOptions {
  /** give the host inference (the node gets a tasks part); openResults may be replaced */
  inference?: boolean | { openResults(): Promise<ResultsStore> }
  /** extra libp2p services (one whose start throws makes the libp2p part fail) */
  services?: NodeHost['services']
  /** config values over the test defaults */
  config?: Partial<NodeConfig>
  /** where libp2p listens (a memory address by default; a relay on loopback WebSockets for IP caps) */
  listen?: string[]
}

export interface TestHost {
  host: NodeHost
  config: ResolvedConfig
  storage: RecordingStorage
  logs: MemorySink
  engine: FakeEngine
  /** results stores the host opened (SQLite, in the temp dir) */
  results: SqliteResultsStore[]
}

let counter = 0

export function testHost(dir: string, opts: TestHostOptions = {}): TestHost {
  const storage = new RecordingStorage(dir)
  const logs = new MemorySink(10_000)
  const engine = new FakeEngine()
  const results: SqliteResultsStore[] = []
  const inference: InferenceHost = {
    createEngine: () => engine,
    openResults: async () => {
      const store = await SqliteResultsStore.open(dir)
      results.push(store)
      return store
    },
    openSpans: async () => SqliteSpanStore.open(dir),
    modelSource: async () => ({ allowRemote: false }),
    preferWebGpu: false,
  }
  if (typeof opts.inference === 'object') inference.openResults = opts.inference.openResults
  const host: NodeHost = {
    platform: 'node',
    storage,
    identityStore: new StorageIdentityStore(storage, 'node'),
    listen: opts.listen ?? [`/memory/create-node-${process.pid}-${counter++}`],
    transports: [memory()],
    logSinks: [logs.sink],
    configProbe: async () => {},
    memoryBytes: () => process.memoryUsage().rss,
    inference: opts.inference != null && opts.inference !== false ? inference : undefined,
    services: opts.services,
  }
  const config = resolveConfig([], {
    storage_path: dir,
    relays: [],
    log_level: 'DEBUG',
    // a vitest worker holding libp2p can use more than the default 512 MB allow (health FAIL)
    max_memory_mb: 16384,
    ...opts.config,
  })
  return { host, config, storage, logs, engine, results }
}

/** The parts named by the node's `part started` / `part stopped` logs, in order. */
export function partLog(logs: MemorySink, msg: 'part started' | 'part stopped'): unknown[] {
  return logs.entries.filter((e) => e.component === 'node' && e.msg === msg).map((e) => e.part)
}

/** `promise`, or a failure naming `what` if it has not settled within 5 s. */
export async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** What `start` rejects with (within 5 s); a start that resolves fails the test. */
export async function rejectionOf(start: Promise<unknown>): Promise<unknown> {
  const outcome = start.then(
    () => {
      throw new Error('start() resolved; it should have rejected')
    },
    (err: unknown) => err,
  )
  return within(outcome, 'start()')
}

/** Timers and handles of this process, by kind (to see that a stopped node left none behind). */
export function resources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

/** Kinds of timer or handle there are more of now than `before`. */
export function added(before: Map<string, number>): string[] {
  return [...resources()]
    .filter(([kind, n]) => n > (before.get(kind) ?? 0))
    .map(([k, n]) => `${k}: ${n}`)
}

/** A promise and its resolve/reject, for holding a step of a start. */
export function deferred<T>(): {
  promise: Promise<T>
  resolve(value: T): void
  reject(err: Error): void
} {
  let resolve!: (value: T) => void
  let reject!: (err: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
