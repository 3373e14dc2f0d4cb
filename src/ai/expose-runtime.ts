/**
 * Exposes a runtime over comlink from inside its worker. Embedding buffers are handed over to the
 * caller (transferred), not copied: the runtime gives each batch fresh buffers it does not keep.
 */
import type { Endpoint, TransferHandler } from 'comlink'
import { expose, transfer, transferHandlers } from 'comlink'
import { errorCode } from '../core/errors.js'
import type { InferenceRuntime, RuntimeItem } from './engine.js'

export function exposeRuntime(runtime: InferenceRuntime, endpoint?: Endpoint): void {
  const run = async (...args: Parameters<InferenceRuntime['run']>): Promise<RuntimeItem[]> => {
    const items = await runtime.run(...args)
    return transfer(items, [
      ...new Set(items.flatMap((i) => ('vector' in i ? [i.vector.buffer] : []))),
    ])
  }
  keepErrorCodes()
  expose({ ...runtime, run } satisfies InferenceRuntime, endpoint)
}

/**
 * comlink sends a thrown Error as its name, message and stack, and the caller's side rebuilds it
 * with every field it receives: adding our `code` lets the engine tell a model error
 * (`model_manifest_invalid`, `insufficient_disk_space`, …) from a crash without parsing messages.
 */
function keepErrorCodes(): void {
  const original = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>
  transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown) {
      const [wire, transferables] = original.serialize(thrown)
      const code = errorCode(thrown.value)
      const value = (wire as { value?: Record<string, unknown> }).value
      if (code != null && value != null) value.code = code
      return [wire, transferables]
    },
    deserialize: original.deserialize,
  } satisfies TransferHandler<{ value: unknown }, unknown>)
}
