/**
 * Timeouts as AbortSignals. Built on setTimeout (so tests drive them with fake timers, which
 * AbortSignal.timeout ignores), released early with clear(), and never keeping a Node process
 * alive on their own.
 */

import { P2PError } from './errors.js'

export class TimeoutError extends P2PError<'timeout'> {
  static override readonly NAME = 'TimeoutError'
  override name = TimeoutError.NAME
  constructor(readonly ms: number) {
    super('timeout', `no answer within ${ms} ms`)
  }
}

export interface Deadline {
  readonly signal: AbortSignal
  /** releases the timer; the signal then never aborts through this deadline */
  clear(): void
}

/**
 * A signal that aborts with a TimeoutError after `ms` (never, for Infinity), or with `parent`'s
 * reason if it aborts first.
 */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController()
  const timer = Number.isFinite(ms)
    ? setTimeout(() => {
        controller.abort(new TimeoutError(ms))
      }, ms)
    : undefined
  ;(timer as { unref?: () => void } | undefined)?.unref?.()
  const onParent = (): void => {
    clearTimeout(timer)
    controller.abort(parent?.reason)
  }
  if (parent?.aborted === true) onParent()
  else parent?.addEventListener('abort', onParent, { once: true })
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onParent)
    },
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Waits for `promise` at most `ms` (or until `signal` aborts); true when it settled in time. The
 * timer is released either way, so nothing is left running.
 */
export async function settledWithin(
  promise: Promise<unknown>,
  ms: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const limit = deadline(ms, signal)
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        if (limit.signal.aborted) resolve(false)
        limit.signal.addEventListener('abort', () => resolve(false), { once: true })
      }),
    ])
  } finally {
    limit.clear()
  }
}
