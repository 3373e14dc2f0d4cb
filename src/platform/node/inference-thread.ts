import { Worker } from 'node:worker_threads'
import { wrap } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import type { InferenceRuntime } from '../../ai/engine.js'
import type { WorkerHandle } from '../../ai/worker-engine.js'

/** Starts the Node host's inference worker thread (the built src/ai/node-worker.js). */
export function spawnInferenceThread(): WorkerHandle {
  const worker = new Worker(new URL('../../ai/node-worker.js', import.meta.url))
  worker.unref()
  return {
    runtime: wrap<InferenceRuntime>(nodeEndpoint(worker)),
    terminate: () => {
      void worker.terminate()
    },
  }
}
