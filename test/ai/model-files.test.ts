import { describe, expect, it } from 'vitest'
import { parseModelManifest } from '../../src/ai/model-files.js'

const SHA = 'a'.repeat(64)

function codeOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn()
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message }
  }
  throw new Error('expected an error')
}

describe('parseModelManifest', () => {
  it('accepts a manifest of files with sizes and SHA-256s, and an empty one', () => {
    const files = {
      'm/onnx/model.onnx': { size: 7, sha256: SHA },
      'm/config.json': { size: 0, sha256: SHA },
    }
    expect(parseModelManifest({ files })).toEqual({ files })
    expect(parseModelManifest({ files: {} })).toEqual({ files: {} })
  })

  it('keeps only what it checked: unknown fields are dropped', () => {
    const parsed = parseModelManifest({
      files: { a: { size: 1, sha256: SHA, extra: true } },
      other: 1,
    })
    expect(parsed).toEqual({ files: { a: { size: 1, sha256: SHA } } })
  })

  it.each([
    ['null', null, 'it is not a JSON object'],
    ['an array', [], 'it is not a JSON object'],
    ['a string', 'files', 'it is not a JSON object'],
    ['no files', {}, '"files" is not an object'],
    ['files as a list', { files: ['model.onnx'] }, '"files" is not an object'],
    ['a size as text', { files: { a: { size: '7', sha256: SHA } } }, 'files["a"].size'],
    ['a negative size', { files: { a: { size: -1, sha256: SHA } } }, 'files["a"].size'],
    ['a fractional size', { files: { a: { size: 1.5, sha256: SHA } } }, 'files["a"].size'],
    ['a short hash', { files: { a: { size: 1, sha256: 'abc' } } }, 'files["a"].sha256'],
    [
      'an uppercase hash',
      { files: { a: { size: 1, sha256: 'A'.repeat(64) } } },
      'files["a"].sha256',
    ],
    ['an entry that is null', { files: { a: null } }, 'files["a"].size'],
  ])('refuses %s with model_manifest_invalid, saying what is wrong', (_label, json, what) => {
    const err = codeOf(() => parseModelManifest(json, '/models/manifest.json'))
    expect(err.code).toBe('model_manifest_invalid')
    expect(err.message).toContain('/models/manifest.json is invalid')
    expect(err.message).toContain(what)
  })
})
