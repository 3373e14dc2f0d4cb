/** The mesh dashboard: the live graph, charts beside it, and the side panel of a chosen node. */
import { useState } from 'react'
import type { NodeApi } from '../../core/node-api.js'
import { useNow } from '../hooks.js'
import { useLiveSeries, useMeshView, useTaskFlows } from './live.js'
import { NodePanel } from './NodePanel.js'
import { Sparkline } from './Sparkline.js'
import { TopologyGraph } from './TopologyGraph.js'

export function Dashboard({ node }: { node: NodeApi }) {
  const view = useMeshView(node)
  const flows = useTaskFlows(node)
  const series = useLiveSeries(node)
  const now = useNow()
  const [selected, setSelected] = useState<string>()
  const target = view.nodes.find((n) => n.peerId === selected)
  const links = view.edges.length

  return (
    <section className="card dashboard" aria-label="mesh dashboard">
      <h2>
        Mesh{' '}
        <span className="muted" data-testid="topology-summary">
          {view.nodes.length} nodes, {links} links
        </span>
      </h2>
      <div className="dashboard-body">
        <TopologyGraph
          view={view}
          flows={flows}
          selected={selected}
          onSelect={(id) => setSelected((prev) => (prev === id ? undefined : id))}
          now={now}
        />
        <div className="charts">
          <Sparkline label="messages/s" values={series.messagesPerSec} testId="chart-messages" />
          <Sparkline label="tasks/s" values={series.tasksPerSec} testId="chart-tasks" />
          <Sparkline
            label="task latency p50"
            values={series.latencyP50}
            unit=" ms"
            testId="chart-latency"
          />
        </div>
        {target != null && (
          <NodePanel node={node} target={target} now={now} onClose={() => setSelected(undefined)} />
        )}
      </div>
    </section>
  )
}
