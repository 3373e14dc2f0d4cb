/** Hooks that feed the dashboard: the mesh view, task flows along links, and live series. */
import { useEffect, useState } from 'react'
import type { NodeApi } from '../../core/node-api.js'
import { FINAL_STATUSES } from '../../core/tasks.js'
import type { TaskStatusReport } from '../../core/tasks.js'
import type { MeshView } from '../../core/types.js'
import { nodeIdOf } from '../format.js'
import type { Flow } from './TopologyGraph.js'

const VIEW_EVENTS = [
  'topology:change',
  'peer:add',
  'peer:update',
  'peer:remove',
  'relay:change',
  'state:change',
] as const

/**
 * The mesh view, read again on every change but at most every `minGapMs` (heartbeats and load
 * announcements change it many times a second in a busy mesh), and at least every 2 s.
 */
export function useMeshView(node: NodeApi, minGapMs = 250): MeshView {
  const [view, setView] = useState<MeshView>(() => node.topology())
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let last = 0
    const read = (): void => {
      timer = undefined
      last = Date.now()
      setView(node.topology())
    }
    const schedule = (): void => {
      if (timer != null) return
      timer = setTimeout(read, Math.max(0, last + minGapMs - Date.now()))
    }
    for (const e of VIEW_EVENTS) node.addEventListener(e, schedule)
    const poll = setInterval(schedule, 2000)
    schedule()
    return () => {
      for (const e of VIEW_EVENTS) node.removeEventListener(e, schedule)
      clearInterval(poll)
      clearTimeout(timer)
    }
  }, [node, minGapMs])
  return view
}

/**
 * Tasks that crossed a link of this node, by the other end's node id: tasks it sent that another
 * node ran (executed_by), and tasks it ran for another node (served_for, a peer id).
 */
export function useTaskFlows(node: NodeApi): ReadonlyMap<string, Flow> {
  const [flows, setFlows] = useState<ReadonlyMap<string, Flow>>(new Map())
  useEffect(() => {
    const onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
      const task = evt.detail
      if (!FINAL_STATUSES.includes(task.status)) return
      const others = [
        ...(task.executed_by ?? []).filter((id) => id !== node.nodeId),
        ...(task.served_for == null ? [] : [nodeIdOf(task.served_for) ?? task.served_for]),
      ]
      if (others.length === 0) return
      const now = Date.now()
      setFlows((prev) => {
        const next = new Map(prev)
        for (const id of others)
          next.set(id, { count: (prev.get(id)?.count ?? 0) + 1, lastAt: now })
        return next
      })
    }
    node.addEventListener('task:update', onUpdate)
    return () => {
      node.removeEventListener('task:update', onUpdate)
    }
  }, [node])
  return flows
}

export interface LiveSeries {
  /** messages sent and received over direct links, per second */
  messagesPerSec: number[]
  /** tasks that ended here, per second */
  tasksPerSec: number[]
  /** median submit-to-end time of the tasks that ended in each second, ms (0: none) */
  latencyP50: number[]
}

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] as number
}

/** One sample a second of the node's traffic and tasks, the last `points` of them. */
export function useLiveSeries(node: NodeApi, points = 60): LiveSeries {
  const [series, setSeries] = useState<LiveSeries>({
    messagesPerSec: [],
    tasksPerSec: [],
    latencyP50: [],
  })
  useEffect(() => {
    const messages = (): number =>
      node.peers().reduce((sum, p) => sum + p.messagesSent + p.messagesReceived, 0)
    const ended = (): number => {
      const s = node.tasks?.stats()
      return s == null ? 0 : s.completed + s.failed + s.timed_out
    }
    let lastMessages = messages()
    let lastEnded = ended()
    let latencies: number[] = []
    const onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
      const t = evt.detail
      if (t.timestamp_completed == null || !FINAL_STATUSES.includes(t.status)) return
      latencies.push(Date.parse(t.timestamp_completed) - Date.parse(t.submitted_at))
    }
    node.addEventListener('task:update', onUpdate)
    const push = (list: number[], value: number): number[] => [...list, value].slice(-points)
    const t = setInterval(() => {
      const m = messages()
      const e = ended()
      // a peer that left takes its counters with it: never a negative rate
      const sample = {
        messages: Math.max(0, m - lastMessages),
        tasks: Math.max(0, e - lastEnded),
        p50: median(latencies),
      }
      lastMessages = m
      lastEnded = e
      latencies = []
      setSeries((prev) => ({
        messagesPerSec: push(prev.messagesPerSec, sample.messages),
        tasksPerSec: push(prev.tasksPerSec, sample.tasks),
        latencyP50: push(prev.latencyP50, sample.p50),
      }))
    }, 1000)
    return () => {
      clearInterval(t)
      node.removeEventListener('task:update', onUpdate)
    }
  }, [node, points])
  return series
}
