/**
 * `node monitor` (FR18.2): a running node's state, peers, tasks and alerts, redrawn every
 * --interval seconds (default 1) until Ctrl-C or --duration; exits 0 with the cursor restored.
 * The frame is relay/monitor-view.ts; this is only the loop.
 */
import type { TaskRecord } from '../src/core/tasks.js'
import type { PeerInfo } from '../src/core/types.js'
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { targetPort } from './cli-target.js'
import { getJson } from './control.js'
import type { MonitorFrame } from './monitor-view.js'
import { alertsOf, renderMonitor } from './monitor-view.js'
import type { NodeStatus } from './node-routes.js'

const HIDE_CURSOR = '\x1b[?25l'
const SHOW_CURSOR = '\x1b[?25h'
const HOME_AND_CLEAR = '\x1b[H\x1b[2J'

export async function monitor(values: Values): Promise<number> {
  const port = await targetPort(values)
  const intervalMs = secondsFlag(values.interval, 'interval', 1) * 1000
  const durationMs =
    values.duration == null ? Infinity : secondsFlag(values.duration, 'duration', 0) * 1000
  const out = process.stdout
  const tty = out.isTTY
  const stop = new AbortController()
  const onSignal = (): void => {
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (tty) out.write(HIDE_CURSOR)
  const until = Date.now() + durationMs
  try {
    while (!stop.signal.aborted) {
      const frame = await readFrame(port)
      if (stop.signal.aborted) break
      // a terminal that tells no width (0) gets the pipe's
      const text = renderMonitor(frame, tty && out.columns > 0 ? out.columns : 120)
      // a terminal is redrawn in place; a pipe gets one frame after another
      out.write(tty ? `${HOME_AND_CLEAR}${text}\n` : `${text}\n\n`)
      if (Date.now() + intervalMs > until) break
      await sleep(intervalMs, stop.signal)
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (tty) out.write(`${SHOW_CURSOR}\n`)
  }
  return 0
}

/** One frame: the node's status, peers and tasks, and its alerts when it has a GET /alerts. */
async function readFrame(port: number): Promise<MonitorFrame> {
  const [status, peers, tasks, alerts] = await Promise.allSettled([
    getJson<NodeStatus>(port, '/status'),
    getJson<PeerInfo[]>(port, '/peers'),
    getJson<TaskRecord[]>(port, '/tasks?limit=5'),
    getJson<unknown>(port, '/alerts'),
  ])
  const value = <T>(r: PromiseSettledResult<T>): T | undefined =>
    r.status === 'fulfilled' ? r.value : undefined
  return {
    at: Date.now(),
    port,
    status: value(status),
    peers: value(peers),
    tasks: value(tasks),
    // no such route (an older node) or no answer: the section is left out
    alerts: alertsOf(value(alerts)),
    error: status.status === 'rejected' ? (status.reason as Error).message : undefined,
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

function secondsFlag(raw: string | undefined, name: string, fallback: number): number {
  if (raw == null) return fallback
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0.2 || n > 86_400)
    throw new CliError('usage', `--${name} must be a number of seconds from 0.2 to 86400`)
  return n
}
