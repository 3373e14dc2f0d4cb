/**
 * The runtime's tab platform (inside the Web Worker): onnxruntime-web on WASM (threads when the
 * page is cross-origin isolated) or WebGPU, ORT's wasm served by the app itself, model files from
 * the relay's /models/ (or the hub), cached in the Cache API and checked against the relay's
 * manifest so a corrupt or truncated cached file is dropped and fetched again.
 */
import type { env as TransformersEnv } from '@huggingface/transformers'
import ortAsyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'
import ortAsyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url'
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url'
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url'
import type { ModelManifest, ModelSpec, RuntimeOptions } from './engine.js'
import { ModelError } from '../core/errors.js'
import { MODEL_SIDE_FILES, modelFileFor, parseModelManifest } from './model-files.js'
import type { RuntimePlatform } from './runtime.js'

const CACHE_NAME = 'p2p-ai-agents-models'

export function browserPlatform(): RuntimePlatform {
  let manifest: ModelManifest = { files: {} }
  let manifestError: ModelError | undefined
  let base: URL | undefined
  const relative = (url: string): string | undefined => {
    if (base == null) return undefined
    const href = new URL(url, self.location.href).href
    return href.startsWith(base.href) ? decodeURIComponent(href.slice(base.href.length)) : undefined
  }
  const filesOf = (spec: ModelSpec): string[] =>
    [`onnx/${modelFileFor(spec.dtype)}`, ...MODEL_SIDE_FILES].map((f) => `${spec.model}/${f}`)
  const threads = (): number =>
    self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1

  return {
    cpuBackend: 'wasm',
    async configure(options: RuntimeOptions, env: typeof TransformersEnv) {
      const wasm = env.backends.onnx.wasm
      if (wasm != null) {
        // the WebGPU execution provider needs onnxruntime's asyncify build (27 MB of wasm); the
        // CPU one runs on the plain build (14 MB), which V8 compiles and tiers up in a third of
        // the CPU time: measured here, about 5 s of a core per tab instead of about 25 s
        const gpu = options.preferWebGpu && (await webgpuAvailable())
        wasm.wasmPaths = {
          mjs: new URL(gpu ? ortAsyncifyMjsUrl : ortMjsUrl, self.location.href).href,
          wasm: new URL(gpu ? ortAsyncifyWasmUrl : ortWasmUrl, self.location.href).href,
        }
        wasm.numThreads = threads()
      }
      env.allowRemoteModels = options.source.allowRemote
      env.allowLocalModels = options.source.localPath != null
      if (options.source.localPath != null) {
        base = new URL(
          options.source.localPath.endsWith('/')
            ? options.source.localPath
            : `${options.source.localPath}/`,
          self.location.href,
        )
        env.localModelPath = base.pathname
        const fetched = await fetchManifest(base)
        if (fetched instanceof ModelError) manifestError = fetched
        else manifest = fetched
      }
      env.useBrowserCache = false
      env.useCustomCache = true
      env.customCache = verifiedCache(await caches.open(CACHE_NAME), (url) => {
        const path = relative(url)
        return path == null ? undefined : manifest.files[path]
      })
    },
    webgpuAvailable,
    threads,
    async modelSizeBytes(spec) {
      return manifest.files[`${spec.model}/onnx/${modelFileFor(spec.dtype)}`]?.size
    },
    async modelHash(spec) {
      // the relay's manifest says; a cached file is checked against it before use
      return manifest.files[`${spec.model}/onnx/${modelFileFor(spec.dtype)}`]?.sha256
    },
    async checkSpace(spec) {
      if (manifestError != null) throw manifestError
      const cache = await caches.open(CACHE_NAME)
      let required = 0
      for (const file of filesOf(spec)) {
        const entry = manifest.files[file]
        if (entry == null || base == null) continue
        if ((await cache.match(new URL(file, base).href)) == null) required += entry.size
      }
      const estimate = await navigator.storage?.estimate?.()
      if (estimate?.quota == null || estimate.usage == null || required === 0) return
      const free = estimate.quota - estimate.usage
      if (free < required) {
        throw new ModelError(
          'insufficient_disk_space',
          `${required} bytes required for ${spec.model}, ${free} available`,
        )
      }
    },
    async forget(spec) {
      const cache = await caches.open(CACHE_NAME)
      for (const request of await cache.keys()) {
        if (request.url.includes(`/${spec.model}/`)) await cache.delete(request)
      }
    },
  }
}

/**
 * The relay's manifest: none (no file, no answer) is an empty one; a manifest that is there but
 * broken is a ModelError (model_manifest_invalid), kept to fail every load from that source.
 */
/** Whether this browser gives a WebGPU adapter. */
async function webgpuAvailable(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu
  if (gpu == null) return false
  try {
    return (await gpu.requestAdapter()) != null
  } catch {
    return false
  }
}

async function fetchManifest(base: URL): Promise<ModelManifest | ModelError> {
  const url = new URL('manifest.json', base)
  let res: Response
  try {
    res = await fetch(url)
  } catch {
    return { files: {} }
  }
  if (!res.ok) return { files: {} }
  try {
    return parseModelManifest(await res.json(), url.pathname)
  } catch (err) {
    return err instanceof ModelError
      ? err
      : new ModelError('model_manifest_invalid', `the model manifest ${url.pathname} is not JSON`)
  }
}

/**
 * The Cache API, checked: a cached file that the manifest describes must have its size and
 * SHA-256, or it is deleted and reported missing (transformers.js then fetches it again).
 */
export function verifiedCache(
  cache: Cache,
  expected: (url: string) => { size: number; sha256: string } | undefined,
): {
  match(url: string): Promise<Response | undefined>
  put(url: string, response: Response): Promise<void>
  delete(url: string): Promise<boolean>
} {
  return {
    async match(url) {
      const hit = await cache.match(url)
      const want = expected(url)
      if (hit == null || want == null) return hit
      const bytes = await hit.arrayBuffer()
      if (bytes.byteLength === want.size && (await sha256Hex(bytes)) === want.sha256) {
        return new Response(bytes, { status: hit.status, headers: hit.headers })
      }
      await cache.delete(url)
      return undefined
    },
    async put(url, response) {
      await cache.put(url, response)
    },
    async delete(url) {
      return cache.delete(url)
    },
  }
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}
