import { useState } from 'react'
import type { LogBuffer, LogEntry, LogLevel } from '../core/log.js'
import { jsonLine, LOG_LEVELS } from '../core/log.js'
import { useLogEntries } from './hooks.js'

/** Most lines shown; the download has every kept one at the chosen level. */
const SHOWN = 200

/** Row keys: an entry keeps its key while older ones leave the ring buffer. */
const keys = new WeakMap<LogEntry, number>()
let nextKey = 0
function keyOf(entry: LogEntry): number {
  let key = keys.get(entry)
  if (key == null) keys.set(entry, (key = nextKey++))
  return key
}

/** The fields a line shows in its own columns; the rest go in the last one, as JSON. */
const NAMED = new Set(['timestamp', 'level', 'component', 'node_id', 'msg'])

/** This tab's recent log lines (the in-memory ring buffer), filtered by level, downloadable. */
export function LogPanel({ logs }: { logs: LogBuffer }) {
  const entries = useLogEntries(logs)
  const [min, setMin] = useState<LogLevel>('TRACE')
  const from = LOG_LEVELS.indexOf(min)
  const kept = entries.filter((e) => LOG_LEVELS.indexOf(e.level) >= from)
  const shown = kept.slice(-SHOWN).reverse()

  const download = (): void => {
    const blob = new Blob(kept.map(jsonLine), { type: 'application/x-ndjson' })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = `p2p-ai-agents-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`
    a.click()
    setTimeout(() => {
      URL.revokeObjectURL(url)
    }, 0)
  }

  return (
    <section className="card" aria-label="logs">
      <h2>Logs</h2>
      <div className="log-controls">
        <label>
          level{' '}
          <select
            data-testid="log-level"
            value={min}
            onChange={(e) => setMin(e.target.value as LogLevel)}
          >
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l === 'TRACE' ? 'all' : `${l} and above`}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" data-testid="log-count">
          {kept.length} of {entries.length} lines
        </span>
        <button
          type="button"
          data-testid="log-download"
          onClick={download}
          disabled={kept.length === 0}
        >
          Download (JSON lines)
        </button>
      </div>
      <div className="log-scroll">
        <table className="logs">
          <tbody>
            {shown.map((e) => (
              <LogRow key={keyOf(e)} entry={e} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function LogRow({ entry }: { entry: LogEntry }) {
  const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !NAMED.has(k)))
  const fields = Object.keys(rest).length === 0 ? '' : jsonLine(rest).trim()
  return (
    <tr data-testid="log-line" data-level={entry.level} className={`level-${entry.level}`}>
      <td className="mono muted">{entry.timestamp.slice(11, 23)}</td>
      <td className="level">{entry.level}</td>
      <td className="mono">{entry.component}</td>
      <td data-testid="log-msg">{entry.msg}</td>
      <td className="mono small muted clip" title={fields}>
        {fields}
      </td>
    </tr>
  )
}
