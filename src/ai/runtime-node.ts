/** The runtime's Node.js platform: onnxruntime-node on the CPU, models from a directory or the hub. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { availableParallelism } from 'node:os'
import { rm, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { env as TransformersEnv } from '@huggingface/transformers'
import type { ModelSpec, RuntimeOptions } from './engine.js'
import { ModelError } from '../core/errors.js'
import { modelFileFor } from './model-files.js'
import type { RuntimePlatform } from './runtime.js'

export function nodePlatform(): RuntimePlatform {
  let options: RuntimeOptions | undefined
  let env: typeof TransformersEnv | undefined
  const localFile = (spec: ModelSpec): string | undefined =>
    options?.source.localPath == null
      ? undefined
      : join(options.source.localPath, spec.model, 'onnx', modelFileFor(spec.dtype))
  const exists = async (path: string | undefined): Promise<number | undefined> => {
    if (path == null) return undefined
    try {
      return (await stat(path)).size
    } catch {
      return undefined
    }
  }
  return {
    cpuBackend: 'cpu',
    async configure(o, transformersEnv) {
      options = o
      env = transformersEnv
      transformersEnv.allowRemoteModels = o.source.allowRemote
      transformersEnv.allowLocalModels = o.source.localPath != null
      if (o.source.localPath != null)
        transformersEnv.localModelPath = o.source.localPath.endsWith('/')
          ? o.source.localPath
          : `${o.source.localPath}/`
    },
    webgpuAvailable: async () => false,
    threads: () => availableParallelism(),
    async modelSizeBytes(spec) {
      return (
        (await exists(localFile(spec))) ??
        (await exists(
          env?.cacheDir == null
            ? undefined
            : join(env.cacheDir, spec.model, 'onnx', modelFileFor(spec.dtype)),
        ))
      )
    },
    async modelHash(spec) {
      const cached =
        env?.cacheDir == null
          ? undefined
          : join(env.cacheDir, spec.model, 'onnx', modelFileFor(spec.dtype))
      for (const path of [localFile(spec), cached]) {
        if (path != null && (await exists(path)) != null) return sha256File(path)
      }
      return undefined
    },
    async checkSpace(spec) {
      if (
        (await exists(localFile(spec))) != null ||
        env?.cacheDir == null ||
        options?.source.allowRemote !== true
      )
        return
      const fs = await statfs(env.cacheDir).catch(() => undefined)
      // the hub does not say how large a model is before it is fetched: ask for a generous 500 MB
      const required = 500 * 1024 * 1024
      if (fs != null && fs.bavail * fs.bsize < required) {
        throw new ModelError(
          'insufficient_disk_space',
          `${required} bytes required in ${env.cacheDir} to download ${spec.model}`,
        )
      }
    },
    async forget(spec) {
      // only the hub download cache; a local model directory is the source and stays as it is
      if (env?.cacheDir != null)
        await rm(join(env.cacheDir, spec.model), { recursive: true, force: true })
    },
  }
}

/** SHA-256 (hex) of a file, read as a stream. */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}
