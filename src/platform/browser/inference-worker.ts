import { wrap } from 'comlink'
import type { InferenceRuntime } from '../../ai/engine.js'
import type { WorkerHandle } from '../../ai/worker-engine.js'

/** Starts the tab's inference worker (Vite bundles src/ai/worker.ts from this reference). */
export function spawnInferenceWorker(): WorkerHandle {
  const worker = new Worker(new URL('../../ai/worker.ts', import.meta.url), {
    type: 'module',
    name: 'inference',
  })
  return {
    runtime: wrap<InferenceRuntime>(worker),
    terminate: () => {
      worker.terminate()
    },
  }
}
