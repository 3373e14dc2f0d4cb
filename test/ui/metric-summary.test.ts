import { describe, expect, it } from 'vitest'
import type { MetricFamily } from '../../src/core/metrics.js'
import { bucketQuantile, metricRows } from '../../src/ui/metric-summary.js'

const hist: MetricFamily = {
  name: 'p2p_ai_x_seconds',
  help: 'x',
  type: 'histogram',
  samples: [
    ['0.1', 2],
    ['1', 8],
    ['+Inf', 10],
  ]
    .map(([le, value]) => ({
      name: 'p2p_ai_x_seconds_bucket',
      labels: { le: le as string, node_id: 'n', placement: 'local' },
      value: value as number,
    }))
    .concat([
      {
        name: 'p2p_ai_x_seconds_sum',
        labels: { node_id: 'n', placement: 'local' } as never,
        value: 5,
      },
      {
        name: 'p2p_ai_x_seconds_count',
        labels: { node_id: 'n', placement: 'local' } as never,
        value: 10,
      },
    ]),
}

describe('metric rows', () => {
  it('reads a histogram as count, mean and bucket quantiles, without node_id in its labels', () => {
    const [row] = metricRows([hist])
    expect(row).toMatchObject({
      family: 'p2p_ai_x_seconds',
      labels: 'placement=local',
      count: 10,
      mean: 0.5,
    })
    // rank 5 falls in (0.1, 1]: 3 of its 6 → 0.1 + 0.9 * 3/6
    expect(row?.p50).toBeCloseTo(0.55)
    // rank 9.5 falls in the +Inf bucket: the highest finite bound
    expect(row?.p95).toBe(1)
  })

  it('reads counters and gauges as one row per series', () => {
    const rows = metricRows([
      {
        name: 'p2p_ai_tasks_total',
        help: 'h',
        type: 'counter',
        samples: [
          { name: 'p2p_ai_tasks_total', labels: { status: 'completed', node_id: 'n' }, value: 3 },
          { name: 'p2p_ai_tasks_total', labels: { status: 'failed', node_id: 'n' }, value: 1 },
        ],
      },
    ])
    expect(rows.map((r) => [r.labels, r.value])).toEqual([
      ['status=completed', 3],
      ['status=failed', 1],
    ])
  })

  it('has no quantile for an empty histogram', () => {
    expect(
      bucketQuantile(0.5, [
        [1, 0],
        [Infinity, 0],
      ]),
    ).toBeUndefined()
    expect(
      bucketQuantile(0.5, [
        [1, 4],
        [Infinity, 4],
      ]),
    ).toBe(0.5)
  })
})
