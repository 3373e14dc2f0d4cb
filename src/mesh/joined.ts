/**
 * When a node has joined the mesh: connected to a relay (when it has any), told by it who is
 * there, and with no peer left to connect to for a while. What should not slow joining (loading
 * a model) waits for this, up to a limit.
 */
import { sleep } from '../core/abort.js'
import type { AbortOptions } from '../core/startable.js'

export interface JoinedOptions extends AbortOptions {
  /** how long nothing must be left to connect to, ms. @default 500 */
  quietMs?: number
  /** resolve after this long however far joining got, ms. @default 20000 */
  maxWaitMs?: number
}

/** What the mesh tells about its joining, read every 100 ms. */
export interface JoinState {
  /** connected to a relay that answered who is there, or configured with none */
  relayReady(): boolean
  /** peers still being connected to (the dialer's pending count) */
  pending(): number
}

/** Resolves once `state` has been joined and quiet for `quietMs`, or after `maxWaitMs`. */
export async function untilJoined(state: JoinState, options: JoinedOptions = {}): Promise<void> {
  const { quietMs = 500, maxWaitMs = 20_000, signal } = options
  const started = Date.now()
  let quietSince: number | undefined
  while (Date.now() - started < maxWaitMs) {
    signal?.throwIfAborted()
    if (state.relayReady() && state.pending() === 0) {
      quietSince ??= Date.now()
      if (Date.now() - quietSince >= quietMs) return
    } else {
      quietSince = undefined
    }
    await sleep(100, signal)
  }
}
