import { useEffect, useState } from 'react'
import type { NodeApi } from '../core/node-api.js'
import type { MetricRow } from './metric-summary.js'
import { metricRows } from './metric-summary.js'

const REFRESH_MS = 2000

/** This tab's own metrics (FR21.2), the figures it also pushes to its relays; read while open. */
export function MetricsPanel({ node }: { node: NodeApi }) {
  const [open, setOpen] = useState(false)
  const [rows, setRows] = useState<MetricRow[]>([])
  useEffect(() => {
    if (!open) return
    let live = true
    const read = (): void => {
      node.metrics().then(
        (families) => {
          if (live) setRows(metricRows(families))
        },
        () => {},
      )
    }
    read()
    const timer = setInterval(read, REFRESH_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [node, open])
  return (
    <section className="card" aria-label="metrics">
      <details
        data-testid="metrics-panel"
        onToggle={(e) => {
          setOpen(e.currentTarget.open)
        }}
      >
        <summary>
          <h2>Metrics</h2>
        </summary>
        <p className="muted">
          What this node measures of itself; it pushes the same figures to its relay, whose /metrics
          shows every tab under its node id.
        </p>
        <table className="metrics">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Labels</th>
              <th>Value</th>
              <th>Mean</th>
              <th>p50</th>
              <th>p95</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.family}{${r.labels}}`}
                data-testid="metric-row"
                data-metric={r.family}
                data-labels={r.labels}
                data-value={r.value}
                title={r.help}
              >
                <td className="mono">{r.family}</td>
                <td className="mono">{r.labels}</td>
                <td>{figure(r.value)}</td>
                <td>{figure(r.mean)}</td>
                <td>{figure(r.p50)}</td>
                <td>{figure(r.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  )
}

function figure(v: number | undefined): string {
  if (v == null) return '–'
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)
}
