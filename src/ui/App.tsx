import type { DebugTools } from '../core/debug.js'
import type { LogBuffer } from '../core/log.js'
import type { NodeApi } from '../core/node-api.js'
import { AlertBanner } from './AlertBanner.js'
import { DebugPanel } from './DebugPanel.js'
import { Dashboard } from './dashboard/Dashboard.js'
import { LogPanel } from './LogPanel.js'
import { Messages } from './Messages.js'
import { MetricsPanel } from './MetricsPanel.js'
import { NodeCard } from './NodeCard.js'
import { PeerTable } from './PeerTable.js'
import { PwaBar } from './PwaBar.js'
import { Tasks } from './Tasks.js'

export interface AppProps {
  node: NodeApi
  /** the graph, its charts and panel; off with `?dashboard=off` (the tables stay) */
  dashboard?: boolean
  /** this tab's recent log lines, for the log panel */
  logs?: LogBuffer
  /** the debug panel's tools (snapshot, network test, stress); no panel without them */
  debug?: DebugTools
}

export function App({ node, dashboard = true, logs, debug }: AppProps) {
  return (
    <main>
      <header>
        <h1>p2p-ai-agents</h1>
        <p className="muted">This tab is a node of the mesh.</p>
        <PwaBar node={node} />
      </header>
      <AlertBanner node={node} />
      <NodeCard node={node} />
      {dashboard && <Dashboard node={node} />}
      <PeerTable node={node} />
      <Messages node={node} />
      <Tasks node={node} />
      <MetricsPanel node={node} />
      {logs != null && <LogPanel logs={logs} />}
      {debug != null && <DebugPanel node={node} tools={debug} />}
    </main>
  )
}

export function StartupError({ error }: { error: Error }) {
  return (
    <main>
      <h1>p2p-ai-agents</h1>
      <section className="card error" data-testid="startup-error">
        <h2>This tab could not start its node</h2>
        <pre>{error.message}</pre>
      </section>
    </main>
  )
}
