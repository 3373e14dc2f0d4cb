/** The side panel of one node of the graph: details, recent messages and tasks, and actions. */
import { useEffect, useRef, useState } from 'react'
import { LOAD_TOPIC, PING_TOPIC } from '../../core/debug.js'
import type { NodeApi } from '../../core/node-api.js'
import type { MeshViewNode } from '../../core/types.js'
import { formatAge, nodeIdOf, shortId } from '../format.js'
import { useMessages, useTasks } from '../hooks.js'

export { PING_TOPIC }

interface Outcome {
  ok: boolean
  text: string
}

export interface NodePanelProps {
  node: NodeApi
  target: MeshViewNode
  now: number
  onClose(): void
}

export function NodePanel({ node, target, now, onClose }: NodePanelProps) {
  const messages = useMessages(node, 100).filter(
    (m) => m.from === target.peerId && m.topic !== LOAD_TOPIC,
  )
  const nodeId = target.nodeId ?? nodeIdOf(target.peerId)
  const tasks = useTasks(node, 100).filter(
    (t) =>
      nodeId != null &&
      (t.executed_by?.includes(nodeId) === true ||
        t.attempts?.some((a) => a.node_id === nodeId) === true ||
        (t.served_for != null && t.served_for === target.peerId)),
  )
  const [text, setText] = useState('')
  const [outcome, setOutcome] = useState<Outcome>()
  const [busy, setBusy] = useState(false)
  const closeRef = useRef<HTMLButtonElement>(null)
  const canMessage = !target.self && target.kind !== 'relay'
  // only a direct neighbour that announced it computes can be asked to run a task
  const canRunTask = canMessage && target.backend != null && target.rttMs != null

  // opened from the keyboard: focus moves into the panel (Escape closes it)
  useEffect(() => {
    closeRef.current?.focus()
  }, [])

  const act = async (what: () => Promise<string>): Promise<void> => {
    setBusy(true)
    try {
      setOutcome({ ok: true, text: await what() })
    } catch (err) {
      setOutcome({ ok: false, text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }
  const ping = (): Promise<void> =>
    act(async () => {
      const d = await node.send(target.peerId, PING_TOPIC, new Uint8Array(), { timeoutMs: 5000 })
      return `pong in ${d.rttMs} ms over ${d.hops} hop${d.hops === 1 ? '' : 's'}`
    })
  const message = (): Promise<void> =>
    act(async () => {
      const d = await node.send(target.peerId, 'chat', new TextEncoder().encode(text))
      setText('')
      return `delivered in ${d.rttMs} ms`
    })
  const runTask = (): Promise<void> =>
    act(async () => {
      const record = node.tasks?.submit({
        task_type: 'text_embedding',
        input: text === '' ? 'hello from the dashboard' : text,
        placement: nodeId,
      })
      if (record == null) throw new Error('this node runs no tasks')
      return `task ${shortId(record.task_id, 4)} submitted to run there`
    })

  return (
    <aside
      className="node-panel card"
      data-testid="node-panel"
      data-node-id={target.peerId}
      aria-label="node details"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose()
      }}
    >
      <header>
        <h3>
          {target.self
            ? 'This tab'
            : target.kind === 'node'
              ? 'Headless node'
              : target.kind === 'relay'
                ? 'Relay'
                : 'Tab'}
        </h3>
        <button ref={closeRef} onClick={onClose} aria-label="close details">
          ×
        </button>
      </header>
      <dl>
        <dt>peer id</dt>
        <dd className="mono" title={target.peerId}>
          {shortId(target.peerId, 10)}
        </dd>
        {nodeId != null && (
          <>
            <dt>node id</dt>
            <dd className="mono">{nodeId}</dd>
          </>
        )}
        <dt>state</dt>
        <dd data-testid="panel-state">{target.state}</dd>
        {target.startedAt != null && (
          <>
            <dt>uptime</dt>
            <dd>{formatAge(now - target.startedAt)}</dd>
          </>
        )}
        {target.version != null && (
          <>
            <dt>version</dt>
            <dd>{target.version}</dd>
          </>
        )}
        {target.backend != null && (
          <>
            <dt>AI</dt>
            <dd>
              {target.backend},{' '}
              {target.embeddingsPerSec === 0 ? 'measuring' : `${target.embeddingsPerSec} emb/s`},
              queue {target.queueDepth ?? 0}
            </dd>
          </>
        )}
        {target.rttMs != null && (
          <>
            <dt>RTT</dt>
            <dd>{target.rttMs.toFixed(1)} ms (direct neighbour)</dd>
          </>
        )}
      </dl>
      {canMessage && (
        <div className="actions">
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="message, or text to embed"
            aria-label="text"
            maxLength={10000}
            data-testid="panel-text"
          />
          <button
            disabled={busy || text === ''}
            onClick={() => void message()}
            data-testid="panel-send"
          >
            Send
          </button>
          <button
            disabled={busy || !canRunTask}
            onClick={() => void runTask()}
            data-testid="panel-run-task"
            title={
              canRunTask
                ? 'run an embedding task on this node'
                : 'only a direct neighbour that computes'
            }
          >
            Run a task there
          </button>
          <button disabled={busy} onClick={() => void ping()} data-testid="panel-ping">
            Ping
          </button>
        </div>
      )}
      {outcome != null && (
        <p data-testid="panel-outcome" data-ok={outcome.ok} className={outcome.ok ? 'ok' : 'error'}>
          {outcome.text}
        </p>
      )}
      <h4>Tasks with this node</h4>
      <ul className="panel-list" data-testid="panel-tasks">
        {tasks.length === 0 && <li className="muted">none yet</li>}
        {tasks.slice(0, 8).map((t) => (
          <li key={t.task_id} data-testid="panel-task" data-status={t.status}>
            <span className="mono">{shortId(t.task_id, 4)}</span> {t.task_type} {t.status}
            {t.served_for != null ? ' (ran here for it)' : ''}
          </li>
        ))}
      </ul>
      <h4>Messages from this node</h4>
      <ul className="panel-list">
        {messages.length === 0 && <li className="muted">none yet</li>}
        {messages.slice(0, 8).map((m) => (
          <li key={m.id}>
            {m.topic}: {new TextDecoder().decode(m.payload).slice(0, 80)}
          </li>
        ))}
      </ul>
    </aside>
  )
}
