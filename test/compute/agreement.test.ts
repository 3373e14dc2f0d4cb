import { describe, expect, it } from 'vitest'
import { agree, agreementCosine, cosine, largestAgreeing } from '../../src/compute/agreement.js'
import { Reputation } from '../../src/compute/reputation.js'

const e = (...v: number[]) => ({ embedding: v, dimensions: v.length })
const label = (l: string) => ({ label: l, score: 0.9, scores: [] })

describe('agreement between replicas', () => {
  it('takes embeddings within the tolerance of their precision, and equal labels', () => {
    expect(agreementCosine('fp32')).toBe(0.999)
    expect(agreementCosine('q8')).toBe(0.995)
    const a = e(1, 0, 0)
    const near = e(Math.cos(0.04), Math.sin(0.04), 0) // cosine 0.9992
    const far = e(Math.cos(0.08), Math.sin(0.08), 0) // cosine 0.9968
    expect(cosine(a.embedding, near.embedding)).toBeCloseTo(0.9992, 4)
    expect(agree(a, near, 0.999)).toBe(true)
    expect(agree(a, far, 0.999)).toBe(false)
    expect(agree(a, far, 0.995)).toBe(true)
    expect(agree(label('POSITIVE'), label('POSITIVE'), 0.999)).toBe(true)
    expect(agree(label('POSITIVE'), label('NEGATIVE'), 0.999)).toBe(false)
    expect(agree(a, label('POSITIVE'), 0.999)).toBe(false)
    expect(cosine([1, 2], [1, 2, 3])).toBe(0)
  })

  it('finds the largest group that agrees', () => {
    const r = (node: string, output: ReturnType<typeof e>) => ({ node, output })
    const results = [r('x', e(0, 1)), r('a', e(1, 0)), r('b', e(1, 0.01)), r('y', e(-1, 0))]
    expect(largestAgreeing(results, 0.999).map((g) => g.node)).toEqual(['a', 'b'])
    expect(largestAgreeing([], 0.999)).toEqual([])
  })
})

describe('reputation', () => {
  it('drops below trust after two disagreements, and earns its way back', () => {
    const rep = new Reputation()
    expect(rep.score('n')).toBe(1)
    rep.disagreed('n')
    expect(rep.trusted('n')).toBe(true)
    rep.disagreed('n')
    expect(rep.score('n')).toBe(0.3)
    expect(rep.trusted('n')).toBe(false)
    for (let i = 0; i < 2; i++) rep.agreed('n')
    expect(rep.trusted('n')).toBe(true)
    for (let i = 0; i < 20; i++) rep.agreed('n')
    expect(rep.score('n')).toBe(1)
  })
})
