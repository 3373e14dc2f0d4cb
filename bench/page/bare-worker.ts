/**
 * The inference baseline: the bare transformers.js pipeline in a module worker, set up only as
 * far as it must be to run offline here (local models, ORT's wasm served by the app, the same
 * thread count), and timed on its own.
 */
import { expose } from 'comlink'
import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { env, pipeline } from '@huggingface/transformers'
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url'
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url'

let extractor: FeatureExtractionPipeline | undefined

const bare = {
  async init(model: string, dtype: string): Promise<number> {
    env.allowLocalModels = true
    env.allowRemoteModels = false
    env.localModelPath = '/models/'
    const wasm = env.backends.onnx.wasm
    if (wasm != null) {
      wasm.wasmPaths = {
        mjs: new URL(ortMjsUrl, self.location.href).href,
        wasm: new URL(ortWasmUrl, self.location.href).href,
      }
      wasm.numThreads = self.crossOriginIsolated
        ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))
        : 1
    }
    extractor = (await pipeline('feature-extraction', model, {
      dtype: dtype as 'q8',
    })) as FeatureExtractionPipeline
    return wasm?.numThreads ?? 1
  },
  /** ms to embed `texts` one call each */
  async oneAtATime(texts: string[]): Promise<number> {
    const e = extractor as FeatureExtractionPipeline
    const t0 = performance.now()
    for (const text of texts) await e([text], { pooling: 'mean', normalize: true })
    return performance.now() - t0
  },
  /** ms to embed `texts` in calls of `size` */
  async batches(texts: string[], size: number): Promise<number> {
    const e = extractor as FeatureExtractionPipeline
    const t0 = performance.now()
    for (let i = 0; i < texts.length; i += size)
      await e(texts.slice(i, i + size), { pooling: 'mean', normalize: true })
    return performance.now() - t0
  },
}

export type BareInference = typeof bare
expose(bare)
