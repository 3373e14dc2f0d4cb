/**
 * One start/stop contract for every part of a node (js-libp2p's `Startable` is the model), and
 * the helper that runs a list of parts: started in declared order, stopped in reverse.
 */
import { PartStartError } from './errors.js'

export interface AbortOptions {
  signal?: AbortSignal
}

export interface Startable {
  /**
   * Acquires what the part needs. `signal` aborts when the node is stopped while starting: a
   * long start gives up, and stop() still runs.
   */
  start(options?: AbortOptions): void | Promise<void>
  /**
   * Called on every started part, last first, before the node gives its operations their grace
   * period: stop taking new work, finish what is in flight.
   */
  beforeStop?(): void
  /**
   * Releases everything. Idempotent, and safe after a failed or partial start. `signal` aborts
   * when the node can wait no longer: stop waiting for work in flight.
   */
  stop(options?: AbortOptions): void | Promise<void>
  /** true while the part has work in flight that a graceful stop should wait for */
  readonly busy?: boolean
}

/** A named part of a node or service. */
export interface Part {
  readonly name: string
  readonly service: Startable
}

export interface PartListHooks {
  /** a part is up (for startup diagnostics) */
  started?(name: string): void
  /** a part stopped (also one whose stop threw) */
  stopped?(name: string): void
  /** a part's stop() threw: reported, and the others still stop */
  stopFailed?(name: string, error: unknown): void
}

/**
 * Parts started in order and stopped in reverse. If a part fails to start, the parts already
 * started and the failing one are stopped, last first, and start() rejects with PartStartError
 * naming the part. A stop that aborts the start signal makes start() reject with the signal's
 * reason once what had started is stopped.
 */
export class PartList {
  private running: Part[] = []

  constructor(
    private readonly parts: readonly Part[],
    private readonly hooks: PartListHooks = {},
  ) {}

  /** names of the parts started and not yet stopped, in start order */
  get started(): string[] {
    return this.running.map((p) => p.name)
  }

  /** true while any started part has work in flight */
  get busy(): boolean {
    return this.running.some((p) => p.service.busy === true)
  }

  async start(options: AbortOptions = {}): Promise<void> {
    const { signal } = options
    for (const part of this.parts) {
      if (signal?.aborted === true) {
        await this.stop()
        throw signal.reason
      }
      try {
        await part.service.start(options)
      } catch (err) {
        this.running.push(part) // a half-started part releases what it took
        await this.stop()
        // aborted by a stop: the start ends with the stop's reason, not as the part's failure
        throw signal != null && signal.aborted ? signal.reason : new PartStartError(part.name, err)
      }
      this.running.push(part)
      this.hooks.started?.(part.name)
    }
  }

  /** beforeStop() on every started part, last first. */
  beforeStop(): void {
    for (const part of [...this.running].reverse()) {
      try {
        part.service.beforeStop?.()
      } catch (err) {
        this.hooks.stopFailed?.(part.name, err)
      }
    }
  }

  /** Stops every started part, last first; a part that throws is reported and the rest still stop. */
  async stop(options: AbortOptions = {}): Promise<void> {
    const parts = this.running.reverse()
    this.running = []
    for (const part of parts) {
      try {
        await part.service.stop(options)
      } catch (err) {
        this.hooks.stopFailed?.(part.name, err)
      }
      this.hooks.stopped?.(part.name)
    }
  }
}
