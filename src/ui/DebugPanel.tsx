/**
 * The debug panel (FR23.1): download a snapshot of this tab's node, test the network to a node
 * of the mesh, stress this node's task engine. The tools come from the page (src/obs through
 * main.tsx), the same code a headless node runs for `p2p-ai-agents debug …`.
 */
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { DebugTools, LatencySummary, NetworkTestReport, StressReport } from '../core/debug.js'
import { snapshotFileName } from '../core/debug.js'
import type { NodeApi } from '../core/node-api.js'
import { nodeLabel } from './format.js'
import { useKnownNodes } from './hooks.js'

export interface DebugPanelProps {
  node: NodeApi
  tools: DebugTools
}

type Outcome<R> = { ok: true; report: R } | { ok: false; error: string }

export function DebugPanel({ node, tools }: DebugPanelProps) {
  const known = useKnownNodes(node)
  const [target, setTarget] = useState('')
  const [count, setCount] = useState('20')
  const [bytes, setBytes] = useState('65536')
  const [tasks, setTasks] = useState('20')
  const [concurrency, setConcurrency] = useState('4')
  const [busy, setBusy] = useState<'snapshot' | 'network' | 'stress'>()
  const [snapshotNote, setSnapshotNote] = useState<Outcome<string>>()
  const [network, setNetwork] = useState<Outcome<NetworkTestReport>>()
  const [stress, setStress] = useState<Outcome<StressReport>>()

  const run = async <R,>(
    what: 'snapshot' | 'network' | 'stress',
    work: () => Promise<R>,
    done: (o: Outcome<R>) => void,
  ): Promise<void> => {
    setBusy(what)
    try {
      done({ ok: true, report: await work() })
    } catch (err) {
      done({ ok: false, error: (err as Error).message })
    } finally {
      setBusy(undefined)
    }
  }

  const download = (): Promise<void> =>
    run(
      'snapshot',
      async () => {
        const snapshot = await tools.snapshot()
        const name = snapshotFileName(snapshot.taken_at)
        const blob = new Blob([`${JSON.stringify(snapshot, null, 2)}\n`], {
          type: 'application/json',
        })
        const url = URL.createObjectURL(blob)
        const a = document.createElement('a')
        a.href = url
        a.download = name
        a.click()
        setTimeout(() => URL.revokeObjectURL(url), 10_000)
        return name
      },
      setSnapshotNote,
    )

  const networkTest = (e: FormEvent): void => {
    e.preventDefault()
    const to = target === '' ? known[0] : target
    if (to == null) return
    void run(
      'network',
      async () => tools.networkTest(to, { count: Number(count), bytes: Number(bytes) }),
      setNetwork,
    )
  }

  const stressTest = (e: FormEvent): void => {
    e.preventDefault()
    void run(
      'stress',
      async () => tools.stress({ tasks: Number(tasks), concurrency: Number(concurrency) }),
      setStress,
    )
  }

  return (
    <section className="card debug-panel" aria-label="debug tools" data-testid="debug-panel">
      <h2>Debug</h2>
      <p>
        <button
          disabled={busy != null}
          onClick={() => void download()}
          data-testid="debug-snapshot"
        >
          Download snapshot
        </button>{' '}
        {snapshotNote != null && (
          <span
            data-testid="debug-snapshot-result"
            data-ok={snapshotNote.ok}
            className={snapshotNote.ok ? 'ok' : 'error'}
          >
            {snapshotNote.ok ? `saved ${snapshotNote.report}` : snapshotNote.error}
          </span>
        )}
      </p>

      <h3>Network test</h3>
      <form className="send" onSubmit={networkTest}>
        <select
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          aria-label="node to test"
          data-testid="debug-target"
        >
          {known.length === 0 && <option value="">no other node yet</option>}
          {known.map((p) => (
            <option key={p} value={p}>
              {nodeLabel(p)}
            </option>
          ))}
        </select>
        <label>
          pings{' '}
          <input
            className="narrow"
            type="number"
            min={1}
            max={1000}
            value={count}
            onChange={(e) => setCount(e.target.value)}
            data-testid="debug-count"
          />
        </label>
        <label>
          bytes{' '}
          <input
            className="narrow"
            type="number"
            min={0}
            value={bytes}
            onChange={(e) => setBytes(e.target.value)}
            data-testid="debug-bytes"
          />
        </label>
        <button disabled={busy != null || known.length === 0} data-testid="debug-network-run">
          {busy === 'network' ? 'Testing…' : 'Run'}
        </button>
      </form>
      {network != null && (
        <p
          data-testid="debug-network-result"
          data-ok={network.ok}
          className={network.ok ? '' : 'error'}
        >
          {network.ok ? (
            <>
              RTT <span data-testid="debug-rtt">{latency(network.report.rtt)}</span>,{' '}
              {network.report.rtt.lost} of {network.report.rtt.sent} lost; throughput{' '}
              <span data-testid="debug-throughput">
                {rate(network.report.throughput.bytes_per_sec)}
              </span>{' '}
              ({network.report.throughput.delivered} × {network.report.throughput.bytes_per_message}{' '}
              B)
            </>
          ) : (
            network.error
          )}
        </p>
      )}

      <h3>Stress</h3>
      <form className="send" onSubmit={stressTest}>
        <label>
          tasks{' '}
          <input
            className="narrow"
            type="number"
            min={1}
            max={10000}
            value={tasks}
            onChange={(e) => setTasks(e.target.value)}
            data-testid="debug-tasks"
          />
        </label>
        <label>
          in flight{' '}
          <input
            className="narrow"
            type="number"
            min={1}
            max={256}
            value={concurrency}
            onChange={(e) => setConcurrency(e.target.value)}
            data-testid="debug-concurrency"
          />
        </label>
        <button disabled={busy != null || node.tasks == null} data-testid="debug-stress-run">
          {busy === 'stress' ? 'Running…' : 'Run'}
        </button>
      </form>
      {stress != null && (
        <p
          data-testid="debug-stress-result"
          data-ok={stress.ok}
          data-completed={stress.ok ? stress.report.completed : undefined}
          data-failed={stress.ok ? stress.report.failed + stress.report.timed_out : undefined}
          className={stress.ok ? '' : 'error'}
        >
          {stress.ok
            ? `${stress.report.completed}/${stress.report.tasks} completed, ${stress.report.failed} failed, ${stress.report.timed_out} timed out; ${stress.report.tasks_per_sec} tasks/s; latency ${latency(stress.report.latency)}`
            : stress.error}
        </p>
      )}
    </section>
  )
}

function latency(s: LatencySummary): string {
  return s.samples === 0 ? 'no samples' : `p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms`
}

function rate(bytesPerSec: number): string {
  if (bytesPerSec >= 1e6) return `${(bytesPerSec / 1e6).toFixed(1)} MB/s`
  if (bytesPerSec >= 1e3) return `${(bytesPerSec / 1e3).toFixed(1)} kB/s`
  return `${Math.round(bytesPerSec)} B/s`
}
