import { ModelError } from '../core/errors.js'
import type { ModelManifest } from './engine.js'

/** Which weights file transformers.js loads for a dtype (its `onnx/` naming). */
export function modelFileFor(dtype: string): string {
  switch (dtype) {
    case 'fp32':
      return 'model.onnx'
    case 'q8':
      return 'model_quantized.onnx'
    default:
      return `model_${dtype}.onnx`
  }
}

/** The files a model needs besides its weights. */
export const MODEL_SIDE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const

/**
 * A relay's /models/manifest.json, checked before use: an object `files` mapping each relative
 * path to its byte size and SHA-256 (64 hex digits). Anything else is `model_manifest_invalid`,
 * naming what is wrong, so a broken relay gives a clear error instead of a crash mid-load.
 */
export function parseModelManifest(json: unknown, where = 'manifest.json'): ModelManifest {
  const invalid = (what: string): ModelError =>
    new ModelError('model_manifest_invalid', `the model manifest ${where} is invalid: ${what}`)
  if (json == null || typeof json !== 'object' || Array.isArray(json))
    throw invalid('it is not a JSON object')
  const files = (json as { files?: unknown }).files
  if (files == null || typeof files !== 'object' || Array.isArray(files))
    throw invalid('"files" is not an object')
  const out: ModelManifest['files'] = {}
  for (const [path, entry] of Object.entries(files)) {
    const { size, sha256 } = (entry ?? {}) as { size?: unknown; sha256?: unknown }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw invalid(`files["${path}"].size is not a byte count`)
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
      throw invalid(`files["${path}"].sha256 is not a SHA-256 in hex`)
    out[path] = { size, sha256 }
  }
  return { files: out }
}
