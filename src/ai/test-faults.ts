/**
 * Test-only faults of a node's inference, for tests of the mesh under misbehaving executors:
 * each call is slowed by `call_delay_ms`, and embeddings can be `perturb`ed (noise of that size
 * added, then renormalised) as a node with broken or malicious weights would return them. Enabled
 * only by the P2P_AI_TEST_FAULTS environment variable of a headless node (JSON), and logged
 * loudly when on. The engine underneath is the real one.
 */
import { roundEmbeddingValue } from '../core/tasks.js'
import type { InferenceEngine, ItemResult, ModelSpec } from './engine.js'

export interface TestFaults {
  /** ms added before every inference call */
  call_delay_ms?: number
  /** size of the noise added to every embedding value, before renormalising */
  perturb?: number
}

/** The faults in `P2P_AI_TEST_FAULTS`, or undefined; throws on a value that is not valid. */
export function parseTestFaults(raw: string | undefined): TestFaults | undefined {
  if (raw == null || raw.trim() === '') return undefined
  const value = JSON.parse(raw) as TestFaults
  for (const key of ['call_delay_ms', 'perturb'] as const) {
    const v = value[key]
    if (v != null && !(typeof v === 'number' && v >= 0 && Number.isFinite(v)))
      throw new Error(`P2P_AI_TEST_FAULTS.${key} must be a number ≥ 0`)
  }
  return value
}

/** `engine` with the faults applied to its calls. */
export function withTestFaults(engine: InferenceEngine, faults: TestFaults): InferenceEngine {
  const run = async (spec: ModelSpec, inputs: string[]): Promise<ItemResult[]> => {
    if ((faults.call_delay_ms ?? 0) > 0)
      await new Promise((resolve) => setTimeout(resolve, faults.call_delay_ms))
    const results = await engine.run(spec, inputs)
    const noise = faults.perturb ?? 0
    if (noise === 0) return results
    return results.map((r) => {
      if (!r.ok || !('embedding' in r.output)) return r
      const raw = r.output.embedding.map((x, i) => x + noise * Math.sin(i * 12.9898 + x * 78.233))
      const norm = Math.hypot(...raw) || 1
      const embedding = raw.map((x) => roundEmbeddingValue(x / norm))
      return { ok: true, output: { embedding, dimensions: embedding.length } }
    })
  }
  return new Proxy(engine, {
    get: (target, prop, receiver) =>
      prop === 'run' ? run : (Reflect.get(target, prop, receiver) as unknown),
  })
}
