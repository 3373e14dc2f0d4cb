import { useState } from 'react'
import type { FormEvent } from 'react'
import type { TaskOutput, TaskStatusReport } from '../core/tasks.js'
import type { NodeApi } from '../core/node-api.js'
import { shortId } from './format.js'
import { useModels, usePeers, useTasks } from './hooks.js'
import { Waterfall } from './Waterfall.js'

/** The node's AI work: models (with load progress), a task box, and the task list. */
export function Tasks({ node }: { node: NodeApi }) {
  const models = useModels(node)
  const tasks = useTasks(node)
  const [type, setType] = useState('text_embedding')
  const [input, setInput] = useState('')
  const [timeout, setTimeoutSecs] = useState('30')
  const [placement, setPlacement] = useState('auto')
  const [perLine, setPerLine] = useState(false)
  const [replicas, setReplicas] = useState('1')
  const peers = usePeers(node).filter((p) => p.compute?.serving === true)
  const [error, setError] = useState<string>()
  const [traced, setTraced] = useState<ReadonlySet<string>>(new Set())
  const toggleTrace = (id: string): void => {
    setTraced((prev) => {
      const next = new Set(prev)
      if (!next.delete(id)) next.add(id)
      return next
    })
  }

  const submit = (e: FormEvent): void => {
    e.preventDefault()
    setError(undefined)
    try {
      // one task per line: a burst, which the mesh spreads over its nodes
      const inputs = perLine ? input.split('\n').filter((l) => l.trim() !== '') : [input]
      for (const text of inputs)
        node.tasks?.submit({
          task_type: type,
          input: text,
          timeout_seconds: Number(timeout),
          placement,
          replicas: Number(replicas),
        })
    } catch (err) {
      setError((err as Error).message)
    }
  }

  return (
    <section className="card" aria-label="tasks">
      <h2>AI tasks</h2>
      <ul className="models">
        {models.map((m) => (
          <li
            key={`${m.model_name}:${m.dtype}`}
            data-testid="model-row"
            data-model={m.model_name}
            data-ready={m.is_ready}
            data-error={m.error_code ?? (m.error != null ? 'failed' : undefined)}
          >
            <span className="mono">{m.model_name}</span>{' '}
            <span className="muted">
              ({m.model_type}, {m.dtype}
              {m.model_size_mb > 0 ? `, ${m.model_size_mb} MB` : ''})
            </span>{' '}
            {m.is_ready ? (
              <span className="ok">ready</span>
            ) : m.error != null ? (
              <span className="error" title={m.error}>
                failed: {m.error_code ?? m.error}
              </span>
            ) : m.progress_percent != null ? (
              <progress data-testid="model-progress" max={100} value={m.progress_percent} />
            ) : (
              <span className="muted">loads on first use</span>
            )}
          </li>
        ))}
      </ul>
      <form className="send" onSubmit={submit}>
        <select
          data-testid="task-type"
          value={type}
          onChange={(e) => setType(e.target.value)}
          aria-label="task type"
        >
          <option value="text_embedding">embedding</option>
          <option value="classification">classification</option>
        </select>
        {perLine ? (
          <textarea
            data-testid="task-input"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="one text per line"
            rows={4}
          />
        ) : (
          <input
            data-testid="task-input"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="text"
          />
        )}
        <label className="muted small" title="each line is a task of its own">
          <input
            data-testid="task-per-line"
            type="checkbox"
            checked={perLine}
            onChange={(e) => setPerLine(e.target.checked)}
          />{' '}
          per line
        </label>
        <input
          data-testid="task-timeout"
          className="narrow"
          type="number"
          min="0.001"
          step="any"
          value={timeout}
          onChange={(e) => setTimeoutSecs(e.target.value)}
          aria-label="timeout (s)"
          title="timeout, seconds"
        />
        <select
          data-testid="task-placement"
          value={placement}
          onChange={(e) => setPlacement(e.target.value)}
          aria-label="run on"
          title="run on"
        >
          <option value="auto">run on: best node</option>
          <option value="remote">run on: other nodes</option>
          <option value="local">run on: this tab</option>
          {peers.map((p) => (
            <option key={p.nodeId} value={p.nodeId}>
              run on: {shortId(p.nodeId)}
            </option>
          ))}
        </select>
        <input
          data-testid="task-replicas"
          className="narrow"
          type="number"
          min="1"
          max="5"
          step="1"
          value={replicas}
          onChange={(e) => setReplicas(e.target.value)}
          aria-label="replicas"
          title="replicas: run on this many distinct nodes and keep the result they agree on"
        />
        <button data-testid="task-submit" type="submit" disabled={node.tasks == null}>
          Run
        </button>
      </form>
      {error != null && (
        <p data-testid="task-error" className="error">
          {error}
        </p>
      )}
      <table className="peers">
        <tbody>
          {tasks.map((t) => [
            <tr
              key={t.task_id}
              data-testid="task-row"
              data-task-id={t.task_id}
              data-status={t.status}
            >
              <td className="mono small" title={t.task_id}>
                {t.task_id.slice(0, 8)}
              </td>
              <td>{t.task_type === 'text_embedding' ? 'embedding' : t.task_type}</td>
              <td className="clip" title={t.input_preview}>
                {t.input_preview}
              </td>
              <td className={`status status-${t.status.toLowerCase()}`}>{t.status}</td>
              <td
                data-testid="task-where"
                data-executed-by={t.executed_by?.join(',')}
                title={attemptsText(t)}
              >
                {where(t, node.nodeId)}
              </td>
              <td data-testid="task-result">{summary(t)}</td>
              <td>
                {t.served_for == null && (
                  <button
                    type="button"
                    className="small"
                    data-testid="task-trace-toggle"
                    aria-expanded={traced.has(t.task_id)}
                    onClick={() => toggleTrace(t.task_id)}
                  >
                    trace
                  </button>
                )}
              </td>
            </tr>,
            traced.has(t.task_id) && (
              <tr key={`${t.task_id}-trace`} data-testid="task-trace" data-task-id={t.task_id}>
                <td colSpan={7}>
                  <Waterfall node={node} taskId={t.task_id} version={t.status} />
                </td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
    </section>
  )
}

function summary(t: TaskStatusReport): string {
  if (t.status === 'FAILED' || t.status === 'TIMEOUT')
    return t.error_reason ?? t.status.toLowerCase()
  if (t.status !== 'COMPLETED' || t.output_data == null)
    return t.status === 'RUNNING' ? `${t.progress_percent} %` : ''
  return `${describeOutput(t.output_data)} in ${t.execution_time_ms ?? '?'} ms`
}

export function describeOutput(output: TaskOutput): string {
  if ('embedding' in output) {
    const head = output.embedding.slice(0, 3).map((x) => x.toFixed(3))
    return `${output.dimensions} values [${head.join(', ')}, …]`
  }
  return `${output.label} ${(output.score * 100).toFixed(1)} %`
}

/** Where the task ran (or runs): this tab, or another node; with its attempts when several. */
function where(t: TaskStatusReport, self: string | undefined): string {
  if (t.served_for != null) return `for ${shortId(t.node_id)}`
  const by = t.executed_by ?? []
  const place = by.length === 0 ? '' : by.map((n) => (n === self ? 'here' : shortId(n))).join(', ')
  const tries = t.attempts?.length ?? 0
  return tries > 1 ? `${place} (${tries} attempts)` : place
}

function attemptsText(t: TaskStatusReport): string {
  return (t.attempts ?? []).map((a) => `${shortId(a.node_id)}: ${a.outcome}`).join('\n')
}
