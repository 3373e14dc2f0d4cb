/**
 * Sentence embeddings from token vectors: the mean of each row's tokens, padding left out, scaled
 * to unit length. transformers.js's mean_pooling and normalize compute the same, but convert the
 * attention mask from BigInt once per value (not per token) and index the tensor through a Proxy:
 * the two were a fifth of the inference worker's time. This is one pass, with sums in doubles.
 */

/**
 * @param hidden token vectors, [rows, tokens, dimensions] in row-major order
 * @param mask the attention mask, [rows, tokens]: 0 for padding
 * @returns [rows, dimensions] in a fresh buffer
 */
export function meanPoolNormalized(
  hidden: Float32Array,
  dims: readonly [rows: number, tokens: number, dimensions: number],
  mask: ArrayLike<bigint | number>,
): Float32Array {
  const [rows, tokens, dimensions] = dims
  if (hidden.length !== rows * tokens * dimensions || mask.length !== rows * tokens)
    throw new RangeError(
      `token vectors ${hidden.length} or mask ${mask.length} do not fit ${dims.join('x')}`,
    )
  const out = new Float32Array(rows * dimensions)
  const sum = new Float64Array(dimensions)
  for (let r = 0; r < rows; r++) {
    sum.fill(0)
    for (let t = 0; t < tokens; t++) {
      if (Number(mask[r * tokens + t]) === 0) continue
      const base = (r * tokens + t) * dimensions
      for (let d = 0; d < dimensions; d++)
        sum[d] = (sum[d] as number) + (hidden[base + d] as number)
    }
    let squares = 0
    for (let d = 0; d < dimensions; d++) squares += (sum[d] as number) ** 2
    // the mean is the sum over the row's token count: the same direction, so the sum is scaled
    // to unit length directly; no tokens (or all zeros): zeros
    const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0
    for (let d = 0; d < dimensions; d++) out[r * dimensions + d] = (sum[d] as number) * scale
  }
  return out
}
