/**
 * A task's spans as a tree and as a timeline (the `trace` command and the page's waterfall).
 * Pure: spans in, rows out. A span whose parent is not among the spans (lost, or the trace's
 * context came from outside) is a root; siblings are ordered by start.
 */
import type { SpanRecord } from '../core/spans.js'

export interface SpanNode {
  span: SpanRecord
  children: SpanNode[]
}

/** One line of a timeline: a span at its depth, its start from the trace's first span, ms. */
export interface TimelineRow {
  span: SpanRecord
  depth: number
  offsetMs: number
  durationMs: number
}

export function buildTree(spans: readonly SpanRecord[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>()
  for (const span of spans) nodes.set(span.span_id, { span, children: [] })
  const roots: SpanNode[] = []
  for (const node of nodes.values()) {
    const parentId = node.span.parent_span_id
    const parent = parentId == null ? undefined : nodes.get(parentId)
    if (parent == null || parent === node) roots.push(node)
    else parent.children.push(node)
  }
  const byStart = (a: SpanNode, b: SpanNode): number =>
    a.span.start_ms - b.span.start_ms || a.span.end_ms - b.span.end_ms
  const sort = (list: SpanNode[]): void => {
    list.sort(byStart)
    for (const n of list) sort(n.children)
  }
  sort(roots)
  return roots
}

/** The tree depth first, each span with its depth and its offset from the earliest start. */
export function timeline(spans: readonly SpanRecord[]): TimelineRow[] {
  if (spans.length === 0) return []
  const t0 = Math.min(...spans.map((s) => s.start_ms))
  const rows: TimelineRow[] = []
  const walk = (list: SpanNode[], depth: number): void => {
    for (const n of list) {
      rows.push({
        span: n.span,
        depth,
        offsetMs: n.span.start_ms - t0,
        durationMs: Math.max(0, n.span.end_ms - n.span.start_ms),
      })
      walk(n.children, depth + 1)
    }
  }
  walk(buildTree(spans), 0)
  return rows
}

/** The timeline as text: span (indented by depth), node, start offset and duration. */
export function formatTimeline(spans: readonly SpanRecord[]): string {
  const rows = timeline(spans)
  if (rows.length === 0) return 'No spans'
  const cells = rows.map((r) => [
    `${'  '.repeat(r.depth)}${r.span.name}${r.span.error == null ? '' : ' (error)'}`,
    r.span.node_id,
    `+${ms(r.offsetMs)}`,
    ms(r.durationMs),
  ])
  const header = ['SPAN', 'NODE', 'START', 'DURATION']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]): string =>
    c
      .map((x, i) => (i >= 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const trace = rows[0]!.span.trace_id
  return [`Trace ${trace}`, line(header), ...cells.map(line)].join('\n')
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`
}
