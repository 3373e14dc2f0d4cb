import { describe, expect, it } from 'vitest'
import type { MeshView, MeshViewNode } from '../../src/core/types.js'
import { GraphModel } from '../../src/ui/dashboard/graph-model.js'

function n(peerId: string, extra: Partial<MeshViewNode> = {}): MeshViewNode {
  return { peerId, kind: 'tab', self: false, state: 'ALIVE', ...extra }
}

function view(nodes: MeshViewNode[], edges: Array<[string, string]> = []): MeshView {
  return { nodes, edges: edges.map(([a, b]) => ({ a, b, transport: 'webrtc' })) }
}

describe('GraphModel', () => {
  const clock = { t: 0 }
  const model = (): GraphModel =>
    new GraphModel({
      width: 600,
      height: 400,
      ghostMs: 3000,
      now: () => clock.t,
      random: () => 0.5,
    })

  it('keeps positions across views, and places a newcomer beside its neighbour', () => {
    clock.t = 0
    const m = model()
    expect(m.update(view([n('S', { self: true }), n('A')], [['A', 'S']]))).toBe(3)
    const s = m.get('S')!
    s.x = 100
    s.y = 50
    // the same nodes with new figures: nothing to lay out again, the position stays
    expect(m.update(view([n('S', { self: true, queueDepth: 3 }), n('A')], [['A', 'S']]))).toBe(0)
    expect(m.get('S')).toMatchObject({ x: 100, y: 50, queueDepth: 3 })
    expect(
      m.update(
        view(
          [n('S', { self: true }), n('A'), n('B')],
          [
            ['A', 'S'],
            ['B', 'S'],
          ],
        ),
      ),
    ).toBe(2)
    expect(m.get('B')).toMatchObject({ x: 100, y: 50 })
    expect(m.graphLinks().map((l) => l.id)).toEqual(['A S', 'B S'])
  })

  it('keeps a node that left as a DEAD ghost where it was, then drops it', () => {
    clock.t = 0
    const m = model()
    m.update(view([n('S', { self: true }), n('A')], [['A', 'S']]))
    const a = m.get('A')!
    a.x = 10
    a.y = 20
    clock.t = 1000
    // the node turns into a ghost and its link goes
    expect(m.update(view([n('S', { self: true })]))).toBe(2)
    expect(m.get('A')).toMatchObject({ state: 'DEAD', ghostSince: 1000, fx: 10, fy: 20 })
    expect(m.graphLinks()).toEqual([])
    clock.t = 3999
    expect(m.expire()).toBe(false)
    clock.t = 4000
    expect(m.expire()).toBe(true)
    expect(m.get('A')).toBeUndefined()
  })

  it('brings a ghost back to life when it returns', () => {
    clock.t = 0
    const m = model()
    m.update(view([n('S', { self: true }), n('A')]))
    m.update(view([n('S', { self: true })]))
    m.update(view([n('S', { self: true }), n('A')]))
    expect(m.get('A')).toMatchObject({ state: 'ALIVE', fx: undefined })
    expect(m.get('A')?.ghostSince).toBeUndefined()
  })
})
