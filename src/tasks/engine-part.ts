/**
 * The inference engine as a part of the task engine: started and given its runtime options, then
 * warmed up (the embedding model loaded and its speed measured) when `warmUp` says; what it can
 * do (its capabilities, "measuring" until the speed is known) is reported as it changes.
 */
import type { Logger } from '../core/log.js'
import type { AbortOptions, Startable } from '../core/startable.js'
import type { EngineCapabilities } from '../core/tasks.js'
import type { InferenceEngine, RuntimeOptions } from '../ai/engine.js'
import type { ModelCatalog } from './model-catalog.js'
import { PRIMARY_TASK } from './model-catalog.js'

export interface EnginePartOptions {
  engine: InferenceEngine
  runtime: RuntimeOptions
  catalog: ModelCatalog
  log: Logger
  /** when to warm up: true then, false never (the model loads with the first task). @default at once */
  warmUp?: (signal: AbortSignal) => Promise<boolean>
  /** what the engine can do changed */
  onCapabilities(capabilities: EngineCapabilities): void
}

export class EnginePart implements Startable {
  private caps?: EngineCapabilities
  private stopping = new AbortController()

  constructor(private readonly opts: EnginePartOptions) {}

  get capabilities(): EngineCapabilities | undefined {
    return this.caps
  }

  async start(options?: AbortOptions): Promise<void> {
    this.stopping = new AbortController()
    await this.opts.engine.start(options)
    this.caps = { ...(await this.opts.engine.init(this.opts.runtime)), measuring: true }
  }

  /** Reports what the engine can do now, and warms it up in the background when `warmUp` says. */
  begin(): void {
    this.update({})
    void this.warmUp(this.stopping.signal)
  }

  async stop(options?: AbortOptions): Promise<void> {
    this.stopping.abort()
    await this.opts.engine.stop(options)
  }

  private async warmUp(signal: AbortSignal): Promise<void> {
    const now = await (this.opts.warmUp?.(signal) ?? Promise.resolve(true)).catch(() => false)
    if (signal.aborted) return
    if (!now) {
      this.update({ measuring: false })
      return
    }
    const perSec = await this.opts.catalog.loadPrimary()
    if (signal.aborted) return
    this.update({ embeddings_per_sec: perSec ?? 0, measuring: false })
    if (perSec != null)
      this.opts.log.info('primary model ready', {
        model: this.opts.catalog.spec(PRIMARY_TASK).model,
        backend: this.caps?.backend,
        embeddings_per_sec: perSec,
      })
  }

  private update(fields: Partial<EngineCapabilities>): void {
    if (this.caps == null) return
    this.caps = { ...this.caps, ...fields }
    this.opts.onCapabilities(this.caps)
  }
}
