import { describe, expect, it } from 'vitest'
import type { SpanRecord } from '../../src/core/spans.js'
import { buildTree, formatTimeline, timeline } from '../../src/core/trace-tree.js'

const T0 = 1_700_000_000_000
const TRACE = 'ab'.repeat(16)

function s(
  id: string,
  name: string,
  parent: string | undefined,
  start: number,
  end: number,
  node = 'submitter',
): SpanRecord {
  return {
    task_id: 't',
    trace_id: TRACE,
    span_id: id,
    ...(parent == null ? {} : { parent_span_id: parent }),
    name,
    node_id: node,
    start_ms: T0 + start,
    end_ms: T0 + end,
  }
}

// given out of order, as spans come from two nodes
const SPANS = [
  s('i', 'inference', 't', 12, 30, 'executor'),
  s('r', 'result', 'root', 31, 32),
  s('root', 'submit', undefined, 0, 40),
  s('q', 'queue', 't', 4, 12, 'executor'),
  s('t', 'transfer', 'root', 2, 31),
  s('st', 'store', 'root', 32, 39.5),
  s('sc', 'schedule', 'root', 0.5, 2),
]

describe('trace tree', () => {
  it('nests spans under their parents, siblings by start', () => {
    const [root, ...others] = buildTree(SPANS)
    expect(others).toEqual([])
    expect(root?.span.name).toBe('submit')
    expect(root?.children.map((c) => c.span.name)).toEqual([
      'schedule',
      'transfer',
      'result',
      'store',
    ])
    expect(root?.children[1]?.children.map((c) => c.span.name)).toEqual(['queue', 'inference'])
  })

  it('makes a span whose parent is missing a root of its own', () => {
    const roots = buildTree([s('q', 'queue', 'gone', 4, 12), s('x', 'submit', undefined, 0, 1)])
    expect(roots.map((r) => r.span.name)).toEqual(['submit', 'queue'])
  })

  it('lists the timeline depth first with offsets from the first start and durations', () => {
    expect(
      timeline(SPANS).map((r) => [r.span.name, r.depth, r.offsetMs, r.durationMs, r.span.node_id]),
    ).toEqual([
      ['submit', 0, 0, 40, 'submitter'],
      ['schedule', 1, 0.5, 1.5, 'submitter'],
      ['transfer', 1, 2, 29, 'submitter'],
      ['queue', 2, 4, 8, 'executor'],
      ['inference', 2, 12, 18, 'executor'],
      ['result', 1, 31, 1, 'submitter'],
      ['store', 1, 32, 7.5, 'submitter'],
    ])
  })

  it('prints the timeline: span indented by depth, node, start offset, duration', () => {
    expect(formatTimeline(SPANS)).toBe(
      [
        `Trace ${TRACE}`,
        'SPAN           NODE          START  DURATION',
        'submit         submitter  +0.00 ms   40.0 ms',
        '  schedule     submitter  +0.50 ms   1.50 ms',
        '  transfer     submitter  +2.00 ms   29.0 ms',
        '    queue      executor   +4.00 ms   8.00 ms',
        '    inference  executor   +12.0 ms   18.0 ms',
        '  result       submitter  +31.0 ms   1.00 ms',
        '  store        submitter  +32.0 ms   7.50 ms',
      ].join('\n'),
    )
    expect(formatTimeline([])).toBe('No spans')
  })

  it('marks a span that ended in error', () => {
    expect(
      formatTimeline([{ ...s('root', 'submit', undefined, 0, 1), error: 'timeout' }]),
    ).toContain('submit (error)')
  })
})
