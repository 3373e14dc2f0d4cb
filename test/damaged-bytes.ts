/** fast-check: valid encodings truncated at a random point, one bit flipped (for decoder fuzzing). */
import fc from 'fast-check'

export function damaged(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...valid), fc.nat(), fc.nat(), fc.nat({ max: 7 }))
    .map(([bytes, cut, at, bit]) => {
      const copy = bytes.slice(0, 1 + (cut % bytes.byteLength))
      const i = at % copy.byteLength
      if (copy.byteLength > 1) copy[i] = (copy[i] ?? 0) ^ (1 << bit)
      return copy
    })
}
