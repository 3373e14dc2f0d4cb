/** A small live line chart: the last values of one series, scaled to its own maximum. */
export interface SparklineProps {
  label: string
  values: readonly number[]
  unit?: string
  testId?: string
  /** how many points the chart spans */
  points?: number
}

export function Sparkline({ label, values, unit = '', testId, points = 60 }: SparklineProps) {
  const w = 160
  const h = 36
  const max = Math.max(1, ...values)
  const step = w / Math.max(1, points - 1)
  const offset = points - values.length
  const path = values
    .map(
      (v, i) => `${((offset + i) * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`,
    )
    .join(' ')
  const last = values.at(-1) ?? 0
  return (
    <figure className="sparkline" data-testid={testId} data-value={last}>
      <figcaption>
        {label} <strong>{Number.isInteger(last) ? last : last.toFixed(1)}</strong>
        {unit}
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${last}${unit}`}>
        {values.length > 1 && <polyline points={path} />}
      </svg>
    </figure>
  )
}
