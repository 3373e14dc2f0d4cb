/**
 * In-flight operations a graceful stop waits for (FR1.5): each gets an AbortSignal that fires
 * when the grace period is over.
 */
import { ShuttingDownError } from '../core/errors.js'

export class OperationTracker {
  private readonly running = new Set<Promise<unknown>>()
  private controller = new AbortController()

  get size(): number {
    return this.running.size
  }

  async run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const p = fn(this.controller.signal)
    this.running.add(p)
    try {
      return await p
    } finally {
      this.running.delete(p)
    }
  }

  /**
   * Waits until no operation runs (and `busy()` is false), `graceMs` passes or `signal` aborts,
   * then aborts what is left. True when everything finished in time.
   */
  async drain(
    graceMs: number,
    busy: () => boolean = () => false,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const deadline = Date.now() + graceMs
    while ((this.running.size > 0 || busy()) && Date.now() < deadline && signal?.aborted !== true) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const clean = this.running.size === 0 && !busy()
    if (!clean)
      this.controller.abort(
        new ShuttingDownError(
          `the node stopped: operation cut off after the ${graceMs} ms grace period`,
        ),
      )
    this.controller = new AbortController()
    return clean
  }
}
