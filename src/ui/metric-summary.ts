/**
 * The page's metrics panel reads metric families as rows: one per series, with counters and
 * gauges as their value and a histogram as its count, mean, p50 and p95 (estimated from the
 * buckets as Prometheus' histogram_quantile does: linear within the bucket).
 */
import type { MetricFamily } from '../core/metrics.js'

export interface MetricRow {
  family: string
  help: string
  /** the series' labels but node_id (every one of ours is this node's), as `a=b, c=d` */
  labels: string
  type: MetricFamily['type']
  value: number
  /** histograms only */
  count?: number
  mean?: number
  p50?: number
  p95?: number
}

export function metricRows(families: MetricFamily[]): MetricRow[] {
  const rows: MetricRow[] = []
  for (const f of families) {
    if (f.type !== 'histogram') {
      for (const s of f.samples)
        rows.push({
          family: f.name,
          help: f.help,
          labels: labelText(s.labels),
          type: f.type,
          value: s.value,
        })
      continue
    }
    const series = new Map<
      string,
      { buckets: Array<[number, number]>; sum: number; count: number }
    >()
    for (const s of f.samples) {
      const { le, ...rest } = s.labels
      const key = labelText(rest)
      const h = series.get(key) ?? { buckets: [], sum: 0, count: 0 }
      series.set(key, h)
      if (s.name.endsWith('_bucket'))
        h.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value])
      else if (s.name.endsWith('_sum')) h.sum = s.value
      else if (s.name.endsWith('_count')) h.count = s.value
    }
    for (const [labels, h] of series) {
      h.buckets.sort((a, b) => a[0] - b[0])
      rows.push({
        family: f.name,
        help: f.help,
        labels,
        type: 'histogram',
        value: h.count,
        count: h.count,
        ...(h.count > 0
          ? {
              mean: h.sum / h.count,
              p50: bucketQuantile(0.5, h.buckets),
              p95: bucketQuantile(0.95, h.buckets),
            }
          : {}),
      })
    }
  }
  return rows
}

/** The q-quantile of cumulative buckets [upper bound, count], linear within a bucket. */
export function bucketQuantile(q: number, buckets: Array<[number, number]>): number | undefined {
  const total = buckets.at(-1)?.[1] ?? 0
  if (total === 0) return undefined
  const rank = q * total
  let lower = 0
  let below = 0
  for (const [upper, count] of buckets) {
    if (count >= rank) {
      // the +Inf bucket has no width: answer the highest finite bound, as Prometheus does
      if (upper === Infinity) return lower
      return lower + ((upper - lower) * (rank - below)) / Math.max(count - below, 1e-12)
    }
    lower = upper
    below = count
  }
  return lower
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== 'node_id')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}
