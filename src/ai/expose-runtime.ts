/**
 * Exposes a runtime over comlink from inside its worker. Embedding buffers are handed over to the
 * caller (transferred), not copied: the runtime gives each batch fresh buffers it does not keep.
 */
import type { Endpoint } from 'comlink'
import { expose, transfer } from 'comlink'
import type { InferenceRuntime, RuntimeItem } from './engine.js'

export function exposeRuntime(runtime: InferenceRuntime, endpoint?: Endpoint): void {
  const run = async (...args: Parameters<InferenceRuntime['run']>): Promise<RuntimeItem[]> => {
    const items = await runtime.run(...args)
    return transfer(items, [
      ...new Set(items.flatMap((i) => ('vector' in i ? [i.vector.buffer] : []))),
    ])
  }
  expose({ ...runtime, run } satisfies InferenceRuntime, endpoint)
}
