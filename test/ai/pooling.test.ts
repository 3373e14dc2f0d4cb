import { Tensor, mean_pooling } from '@huggingface/transformers'
import { describe, expect, it } from 'vitest'
import { meanPoolNormalized } from '../../src/ai/pooling.js'

/** a deterministic pseudo-random stream, so a failure can be replayed */
function values(n: number, seed = 7): Float32Array {
  let x = seed
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x / 2 ** 30 - 1
  })
}

describe('meanPoolNormalized', () => {
  it("gives transformers.js's mean_pooling + normalize, padding left out", () => {
    const [rows, tokens, dims] = [3, 5, 16]
    const hidden = values(rows * tokens * dims)
    // row 0 full, row 1 two tokens of padding, row 2 one token
    const mask = BigInt64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0].map(BigInt))
    const expected = mean_pooling(
      new Tensor('float32', hidden, [rows, tokens, dims]),
      new Tensor('int64', mask, [rows, tokens]),
    ).normalize(2, -1).data as Float32Array
    const ours = meanPoolNormalized(hidden, [rows, tokens, dims], mask)
    expect(ours).toHaveLength(rows * dims)
    ours.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6))
  })

  it('ignores what padding holds', () => {
    const hidden = values(2 * 4)
    const a = meanPoolNormalized(hidden, [1, 2, 4], [1, 0])
    hidden.fill(100, 4)
    expect(meanPoolNormalized(hidden, [1, 2, 4], [1, 0])).toEqual(a)
  })

  it('gives zeros, not NaN, for a row of zeros', () => {
    expect([...meanPoolNormalized(new Float32Array(6), [1, 2, 3], [1, 1])]).toEqual([0, 0, 0])
  })

  it('refuses sizes that do not fit the shape', () => {
    expect(() => meanPoolNormalized(new Float32Array(5), [1, 2, 3], [1, 1])).toThrow(RangeError)
    expect(() => meanPoolNormalized(new Float32Array(6), [1, 2, 3], [1])).toThrow(RangeError)
  })
})
