/** The firing alerts (FR22.1) as a banner at the top of the page; it goes once they clear. */
import type { AlertRule } from '../core/alerts.js'
import type { NodeApi } from '../core/node-api.js'
import { useActiveAlerts } from './hooks.js'

const TITLES: Record<AlertRule, string> = {
  peers_low: 'Few peers',
  peer_dead: 'Peer dead',
  task_failure_rate: 'Tasks failing',
  memory_high: 'Memory high',
  queue_wait_high: 'Tasks waiting long',
  relay_unreachable: 'Relay unreachable',
}

export function AlertBanner({ node }: { node: NodeApi }) {
  const alerts = useActiveAlerts(node)
  if (alerts.length === 0) return null
  return (
    <section className="alert-banner" role="alert" data-testid="alert-banner">
      <ul>
        {alerts.map((a) => (
          <li
            key={a.rule}
            className={`alert-${a.severity}`}
            data-testid="alert"
            data-rule={a.rule}
            data-severity={a.severity}
          >
            <strong>{TITLES[a.rule]}</strong> {a.message}{' '}
            <span className="muted">since {new Date(a.fired_at).toLocaleTimeString()}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
