import fc from 'fast-check'
import type { Libp2p } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import type { MetricFamily } from '../../src/core/metrics.js'
import type { MetricsPush } from '../../src/core/proto/metrics.js'
import { mergeFamilies } from '../../src/obs/merge-families.js'
import { MetricsInbox } from '../../src/obs/metrics-inbox.js'
import { fromWire, toWire } from '../../src/obs/metrics-wire.js'
import { silentLogger } from '../../src/obs/logger.js'

const gauge = (name: string, value: number, labels: Record<string, string> = {}): MetricFamily => ({
  name,
  help: 'h',
  type: 'gauge',
  samples: [{ name, labels, value }],
})

function pushOf(...families: MetricFamily[]): MetricsPush {
  return toWire(families)
}

function inbox(maxNodes: number, clock: { now: number }): MetricsInbox {
  return new MetricsInbox({
    libp2p: {} as Libp2p,
    maxNodes,
    staleMs: 60_000,
    log: silentLogger,
    now: () => clock.now,
  })
}

function counted(box: MetricsInbox, series: string, labels: Record<string, string> = {}): number {
  const s = box
    .families()
    .flatMap((f) => f.samples)
    .find((x) => x.name === series && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
  return s?.value ?? 0
}

describe('metrics on the wire', () => {
  it('round-trips families and drops a node_id the sender set', () => {
    const f = gauge('p2p_ai_x', 3, { node_id: 'forged', kind: 'a' })
    expect(fromWire(toWire([f]))).toEqual([
      { ...f, samples: [{ ...f.samples[0], labels: { kind: 'a' } }] },
    ])
  })

  it.each([
    ['a family not ours', pushOf(gauge('process_cpu', 1)), 'invalid_family'],
    [
      'a bad type',
      { families: [{ name: 'p2p_ai_x', help: '', type: 'summary', samples: [] }] },
      'invalid_type',
    ],
    [
      'a series of another family',
      pushOf({ ...gauge('p2p_ai_x', 1), samples: [{ name: 'p2p_ai_y', labels: {}, value: 1 }] }),
      'invalid_sample',
    ],
    [
      'a claimed node id',
      {
        families: [
          {
            name: 'p2p_ai_x',
            help: '',
            type: 'gauge',
            samples: [{ name: 'p2p_ai_x', value: 1, labels: [{ name: 'node_id', value: 'x' }] }],
          },
        ],
      },
      'invalid_label',
    ],
    ['a bad label name', pushOf(gauge('p2p_ai_x', 1, { 'a-b': 'x' })), 'invalid_label'],
    ['a NaN', pushOf(gauge('p2p_ai_x', NaN)), 'invalid_value'],
    [
      'a negative count',
      pushOf({ ...gauge('p2p_ai_x_total', -1), type: 'counter' }),
      'invalid_value',
    ],
    ['a family twice', pushOf(gauge('p2p_ai_x', 1), gauge('p2p_ai_x', 2)), 'duplicate_family'],
  ] as Array<[string, MetricsPush, string]>)('refuses %s', (_what, push, reason) => {
    expect(fromWire(push)).toBe(reason)
  })

  it('never throws on any decoded push, and what it keeps is ours', () => {
    const label = fc.record({
      name: fc.string({ maxLength: 12 }),
      value: fc.string({ maxLength: 12 }),
    })
    const sample = fc.record({
      name: fc.oneof(
        fc.constant('p2p_ai_x'),
        fc.constant('p2p_ai_x_bucket'),
        fc.string({ maxLength: 12 }),
      ),
      labels: fc.array(label, { maxLength: 3 }),
      value: fc.double(),
    })
    const family = fc.record({
      name: fc.oneof(fc.constant('p2p_ai_x'), fc.string({ maxLength: 12 })),
      help: fc.string({ maxLength: 20 }),
      type: fc.oneof(fc.constantFrom('counter', 'gauge', 'histogram'), fc.string({ maxLength: 8 })),
      samples: fc.array(sample, { maxLength: 4 }),
    })
    fc.assert(
      fc.property(fc.array(family, { maxLength: 4 }), (families) => {
        const out = fromWire({ families })
        if (typeof out === 'string') return
        for (const f of out) {
          expect(f.name.startsWith('p2p_ai_')).toBe(true)
          for (const s of f.samples) {
            expect(Number.isFinite(s.value)).toBe(true)
            expect(s.labels).not.toHaveProperty('node_id')
          }
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('MetricsInbox', () => {
  it('keeps the latest push per node and counts pushes by outcome', () => {
    const clock = { now: 0 }
    const box = inbox(10, clock)
    expect(box.receive('n1', pushOf(gauge('p2p_ai_x', 1)))).toBe('')
    expect(box.receive('n1', pushOf(gauge('p2p_ai_x', 2)))).toBe('')
    expect(box.receive('n2', pushOf(gauge('process_x', 2)))).toBe('invalid_family')
    expect(box.pushed()).toEqual([{ nodeId: 'n1', families: [gauge('p2p_ai_x', 2)] }])
    expect(counted(box, 'p2p_ai_metrics_pushes_total', { outcome: 'accepted' })).toBe(2)
    expect(counted(box, 'p2p_ai_metrics_pushes_total', { outcome: 'invalid_family' })).toBe(1)
  })

  it('beyond the cap drops the node heard from least recently, and counts the drop', () => {
    const clock = { now: 0 }
    const box = inbox(2, clock)
    box.receive('n1', pushOf(gauge('p2p_ai_x', 1)))
    box.receive('n2', pushOf(gauge('p2p_ai_x', 1)))
    box.receive('n1', pushOf(gauge('p2p_ai_x', 1))) // n1 is now the most recent
    box.receive('n3', pushOf(gauge('p2p_ai_x', 1)))
    expect(box.pushed().map((p) => p.nodeId)).toEqual(['n1', 'n3'])
    expect(counted(box, 'p2p_ai_metrics_nodes_dropped_total')).toBe(1)
    expect(counted(box, 'p2p_ai_metrics_nodes')).toBe(2)
  })

  it('forgets a node not heard from for the stale time', () => {
    const clock = { now: 0 }
    const box = inbox(10, clock)
    box.receive('n1', pushOf(gauge('p2p_ai_x', 1)))
    clock.now = 30_000
    box.receive('n2', pushOf(gauge('p2p_ai_x', 1)))
    clock.now = 60_001
    expect(box.pushed().map((p) => p.nodeId)).toEqual(['n2'])
  })
})

describe('mergeFamilies', () => {
  it('makes one family per name, each pushed sample under its node id, and leaves out a type clash', () => {
    const own = [gauge('p2p_ai_x', 1, { node_id: 'relay' })]
    const { families, conflicts } = mergeFamilies(own, [
      { nodeId: 'tab1', families: [gauge('p2p_ai_x', 2), gauge('p2p_ai_y', 3)] },
      { nodeId: 'tab2', families: [{ ...gauge('p2p_ai_x', 4), type: 'counter' }] },
    ])
    expect(conflicts).toBe(1)
    expect(
      families.map((f) => [f.name, f.samples.map((s) => [s.labels.node_id, s.value])]),
    ).toEqual([
      [
        'p2p_ai_x',
        [
          ['relay', 1],
          ['tab1', 2],
        ],
      ],
      ['p2p_ai_y', [['tab1', 3]]],
    ])
    expect(own[0]?.samples).toHaveLength(1)
  })
})
