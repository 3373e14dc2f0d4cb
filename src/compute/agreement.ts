/**
 * When replicas agree (verification by agreement): embeddings whose cosine similarity reaches the
 * tolerance of their precision, classifications with the same label. Replicas never match bit
 * for bit across backends and batches, so agreement is a tolerance, not equality:
 *   fp32  0.999: different backends (onnxruntime-node, wasm) and batches agree to 1.00000
 *   else  0.995: a quantized model (q8) quantizes activations with one scale per batch, so one
 *         text's embedding moves with the other texts of its batch: min cosine 0.998 measured
 *         between two batchings of the same 200 texts (e2e/compute.spec.ts, before it took fp32)
 */
import type { TaskOutput } from '../core/tasks.js'

/** The least cosine similarity at which two embeddings of this precision agree. */
export function agreementCosine(dtype: string): number {
  return dtype === 'fp32' ? 0.999 : 0.995
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

export function agree(a: TaskOutput, b: TaskOutput, minCosine: number): boolean {
  if ('embedding' in a && 'embedding' in b) return cosine(a.embedding, b.embedding) >= minCosine
  if ('label' in a && 'label' in b) return a.label === b.label
  return false
}

/**
 * The largest group of results that agree with one of them (each result is tried as the
 * reference; the first of the largest wins ties).
 */
export function largestAgreeing<T extends { output: TaskOutput }>(
  results: readonly T[],
  minCosine: number,
): T[] {
  let best: T[] = []
  for (const ref of results) {
    const group = results.filter((r) => r === ref || agree(ref.output, r.output, minCosine))
    if (group.length > best.length) best = group
  }
  return best
}
