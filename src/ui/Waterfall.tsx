/**
 * A task's trace as a waterfall: one bar per span, indented by parent, placed on the task's
 * timeline and coloured by the node it ran on.
 */
import type { NodeApi } from '../core/node-api.js'
import { timeline } from '../core/trace-tree.js'
import { shortId } from './format.js'
import { useTrace } from './hooks.js'

export function Waterfall({
  node,
  taskId,
  version,
}: {
  node: NodeApi
  taskId: string
  /** what makes it read the spans again (the task's status) */
  version: string
}) {
  const spans = useTrace(node, taskId, version)
  if (spans == null) return <p className="muted small">no trace</p>
  const rows = timeline(spans)
  if (rows.length === 0) return <p className="muted small">no spans yet</p>
  const total = Math.max(...rows.map((r) => r.offsetMs + r.durationMs), 0.001)
  const nodes = [...new Set(rows.map((r) => r.span.node_id))]
  return (
    <div className="waterfall" data-testid="waterfall" data-trace-id={rows[0]?.span.trace_id}>
      <p className="muted small">
        {nodes.map((n) => (
          <span key={n} className="legend">
            <span className="swatch" style={{ background: colourOf(n) }} />
            {n === node.nodeId ? 'this node' : shortId(n)}
          </span>
        ))}{' '}
        · {total.toFixed(1)} ms
      </p>
      {rows.map((r) => (
        <div
          key={r.span.span_id}
          className="waterfall-row"
          data-testid="trace-span"
          data-name={r.span.name}
          data-node-id={r.span.node_id}
          data-span-id={r.span.span_id}
          data-parent-id={r.span.parent_span_id ?? ''}
          data-trace-id={r.span.trace_id}
          title={`${r.span.name} on ${r.span.node_id}: +${r.offsetMs.toFixed(1)} ms, ${r.durationMs.toFixed(2)} ms${r.span.error == null ? '' : ` (${r.span.error})`}`}
        >
          <span className="waterfall-name small" style={{ paddingLeft: `${r.depth}em` }}>
            {r.span.name}
          </span>
          <span className="waterfall-track">
            <span
              className={`waterfall-bar${r.span.error == null ? '' : ' waterfall-error'}`}
              style={{
                left: `${(100 * r.offsetMs) / total}%`,
                width: `max(2px, ${(100 * r.durationMs) / total}%)`,
                background: colourOf(r.span.node_id),
              }}
            />
          </span>
          <span className="waterfall-ms small mono">{r.durationMs.toFixed(1)} ms</span>
        </div>
      ))}
    </div>
  )
}

/** A steady colour per node id. */
function colourOf(nodeId: string): string {
  let h = 0
  for (const c of nodeId) h = (h * 31 + c.charCodeAt(0)) % 360
  return `hsl(${h} 60% 50%)`
}
