/**
 * The mesh as a d3-force graph in SVG. d3-force lays out each change to rest at once (no
 * animation loop), and React draws the result: a frame is spent only when the mesh changed.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3-force'
import type { Simulation } from 'd3-force'
import { useEffect, useMemo, useReducer, useRef, useState } from 'react'
import type { KeyboardEvent } from 'react'
import type { MeshView } from '../../core/types.js'
import { formatAge, nodeLabel } from '../format.js'
import type { GraphLink, GraphNode } from './graph-model.js'
import { GraphModel } from './graph-model.js'

export const WIDTH = 640
export const HEIGHT = 420

/** Tasks that went along a link from this node: how many, and when the last one ended. */
export interface Flow {
  count: number
  lastAt: number
}

export interface TopologyGraphProps {
  view: MeshView
  /** tasks that crossed this node's links, by the other end's node id */
  flows?: ReadonlyMap<string, Flow>
  selected?: string
  onSelect?(peerId: string): void
  /** the page's clock, for uptimes and pulses */
  now: number
}

export function radiusOf(node: GraphNode): number {
  if (node.kind === 'relay') return 9
  const speed = node.embeddingsPerSec ?? 0
  return 7 + Math.min(9, Math.sqrt(speed) / 3)
}

function describe(node: GraphNode): string {
  return `${node.self ? 'this tab, ' : ''}${node.kind} ${nodeLabel(node.peerId)}: ${node.state}`
}

export function TopologyGraph({ view, flows, selected, onSelect, now }: TopologyGraphProps) {
  const model = useMemo(() => new GraphModel({ width: WIDTH, height: HEIGHT }), [])
  const simulation = useRef<Simulation<GraphNode, GraphLink>>(null)
  const [hovered, setHovered] = useState<string>()
  const [, redraw] = useReducer((n: number) => n + 1, 0)

  useEffect(() => {
    const sim = forceSimulation<GraphNode, GraphLink>()
      .force(
        'link',
        forceLink<GraphNode, GraphLink>()
          .id((n) => n.peerId)
          .distance(55),
      )
      .force('charge', forceManyBody<GraphNode>().strength(-140).distanceMax(250))
      .force(
        'collide',
        forceCollide<GraphNode>((n) => radiusOf(n) + 3),
      )
      .force('x', forceX<GraphNode>(WIDTH / 2).strength(0.06))
      .force('y', forceY<GraphNode>(HEIGHT / 2).strength(0.08))
      .alphaDecay(0.04)
      .alphaMin(0.01)
      // no animation timer: each change is laid out at once (below), so an idle or forming mesh
      // costs no frames; a tab that animated at 60 fps (software raster here) slowed its joining
      .stop()
    simulation.current = sim
    return () => {
      sim.stop()
    }
  }, [])

  useEffect(() => {
    const sim = simulation.current
    const changes = model.update(view)
    if (sim == null || changes === 0) {
      redraw()
      return
    }
    sim.nodes(model.graphNodes())
    ;(sim.force('link') as ReturnType<typeof forceLink<GraphNode, GraphLink>>).links(
      model.graphLinks(),
    )
    // reheat in proportion to what changed: one node joining a big mesh settles in place
    // without the whole layout moving; run it to rest now and draw the result once
    const heat = Math.min(0.3, 0.05 + changes / Math.max(1, model.size))
    sim.alpha(heat)
    sim.tick(Math.ceil(Math.log(sim.alphaMin() / heat) / Math.log(1 - sim.alphaDecay())))
    for (const n of sim.nodes()) {
      n.x = Math.max(12, Math.min(WIDTH - 12, n.x ?? 0))
      n.y = Math.max(12, Math.min(HEIGHT - 12, n.y ?? 0))
    }
    redraw()
  }, [model, view])

  // ghosts leave on their own time, even when no new view arrives
  useEffect(() => {
    const t = setInterval(() => {
      if (model.expire()) {
        simulation.current?.nodes(model.graphNodes())
        redraw()
      }
    }, 500)
    return () => {
      clearInterval(t)
    }
  }, [model])

  const nodes = model.graphNodes()
  const links = model.graphLinks()
  const selfId = nodes.find((n) => n.self)?.peerId
  const hover = hovered == null ? undefined : model.get(hovered)
  const at = now

  const onKey = (e: KeyboardEvent, peerId: string): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      onSelect?.(peerId)
    }
  }

  return (
    <div className="topology" data-testid="topology">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label={`mesh topology: ${nodes.length} nodes, ${links.length} links`}
      >
        <g className="links">
          {links.map((l) => {
            const other = l.source.peerId === selfId ? l.target : l.source
            const flow =
              selfId != null &&
              other.nodeId != null &&
              (l.source.peerId === selfId || l.target.peerId === selfId)
                ? flows?.get(other.nodeId)
                : undefined
            return (
              <line
                key={l.id}
                data-testid="topology-edge"
                data-transport={l.transport}
                data-a={l.source.peerId}
                data-b={l.target.peerId}
                data-tasks={flow?.count ?? 0}
                className={`edge ${l.transport}${flow != null && at - flow.lastAt < 1500 ? ' pulse' : ''}`}
                x1={l.source.x}
                y1={l.source.y}
                x2={l.target.x}
                y2={l.target.y}
              >
                {flow != null && <title>{flow.count} tasks</title>}
              </line>
            )
          })}
        </g>
        <g className="nodes">
          {nodes.map((n) => {
            const r = radiusOf(n)
            return (
              <g
                key={n.peerId}
                transform={`translate(${n.x ?? 0},${n.y ?? 0})`}
                data-testid="topology-node"
                data-node-id={n.peerId}
                data-kind={n.kind}
                data-state={n.state}
                data-self={n.self}
                className={`node ${n.kind} ${n.state}${n.ghostSince != null ? ' ghost' : ''}${
                  n.peerId === selected ? ' selected' : ''
                }`}
                tabIndex={0}
                role="button"
                aria-label={describe(n)}
                aria-pressed={n.peerId === selected}
                onClick={() => onSelect?.(n.peerId)}
                onKeyDown={(e) => {
                  onKey(e, n.peerId)
                }}
                onMouseEnter={() => setHovered(n.peerId)}
                onMouseLeave={() => setHovered(undefined)}
                onFocus={() => setHovered(n.peerId)}
                onBlur={() => setHovered(undefined)}
              >
                {n.self && <circle className="halo" r={r + 5} />}
                {n.kind === 'relay' ? (
                  <polygon className="shape" points={`0,${-r} ${r},0 0,${r} ${-r},0`} />
                ) : n.kind === 'node' ? (
                  <rect className="shape" x={-r} y={-r} width={2 * r} height={2 * r} rx={2} />
                ) : (
                  <circle className="shape" r={r} />
                )}
              </g>
            )
          })}
        </g>
      </svg>
      {hover != null && (
        <div
          className="tooltip"
          data-testid="topology-tooltip"
          role="tooltip"
          style={{
            left: `${((hover.x ?? 0) / WIDTH) * 100}%`,
            top: `${((hover.y ?? 0) / HEIGHT) * 100}%`,
          }}
        >
          <div className="mono">{hover.nodeId ?? nodeLabel(hover.peerId)}</div>
          <div>
            {hover.kind}
            {hover.self ? ' (this tab)' : ''} ·{' '}
            <span data-testid="tooltip-state">{hover.state}</span>
          </div>
          {hover.startedAt != null && <div>up {formatAge(at - hover.startedAt)}</div>}
          {hover.backend != null && (
            <div>
              {hover.backend} ·{' '}
              {hover.embeddingsPerSec === 0 ? 'measuring' : `${hover.embeddingsPerSec} emb/s`}
            </div>
          )}
          {hover.queueDepth != null && <div>queue {hover.queueDepth}</div>}
        </div>
      )}
      <p className="legend muted">
        ● tab ■ headless node ◆ relay · green alive, amber slow, red dead · solid WebRTC, dashed
        relayed, dotted WebSocket
      </p>
    </div>
  )
}
