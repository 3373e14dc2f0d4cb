/** React hooks that subscribe to node events; components never touch libp2p. */
import type { SpanRecord } from '../core/spans.js'
import { useEffect, useState, useSyncExternalStore } from 'react'
import type { Alert } from '../core/alerts.js'
import type { ModelInfo, TaskStatusReport } from '../core/tasks.js'
import type { MeshMessage, NodeState, PeerInfo } from '../core/types.js'
import type { NodeApi } from '../core/node-api.js'
import type { NodeEvents } from '../core/events.js'
import type { LogBuffer, LogEntry } from '../core/log.js'

function useNodeSnapshot<T>(node: NodeApi, events: Array<keyof NodeEvents>, read: () => T): T {
  const [value, setValue] = useState(read)
  useEffect(() => {
    const update = (): void => {
      setValue(read())
    }
    for (const e of events) node.addEventListener(e, update)
    update()
    return () => {
      for (const e of events) node.removeEventListener(e, update)
    }
    // read is a fresh closure each render; the events and node define the subscription
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [node])
  return value
}

export function useNodeState(node: NodeApi): NodeState | null {
  return useNodeSnapshot(node, ['state:change'], () => node.state)
}

export function usePeers(node: NodeApi): PeerInfo[] {
  return useNodeSnapshot(node, ['peer:add', 'peer:update', 'peer:remove', 'state:change'], () =>
    node.peers(),
  )
}

/** Peer ids of every node this one knows of, neighbours first, for sending. */
export function useKnownNodes(node: NodeApi): string[] {
  return useNodeSnapshot(node, ['topology:change', 'peer:add', 'peer:remove'], () =>
    node.knownNodes(),
  )
}

export function useRelayCount(node: NodeApi): number {
  return useNodeSnapshot(
    node,
    ['relay:change', 'state:change'],
    () => node.relayStatus().connected.length,
  )
}

/** The node's firing alerts (FR22.1), in the order they fired. */
export function useActiveAlerts(node: NodeApi): Alert[] {
  return useNodeSnapshot(node, ['alert:fire', 'alert:clear', 'state:change'], () =>
    node.alerts().filter((a) => a.state === 'firing'),
  )
}

export function useMessages(node: NodeApi, limit = 50): MeshMessage[] {
  const [messages, setMessages] = useState<MeshMessage[]>([])
  useEffect(() => {
    const onMessage = (evt: CustomEvent<MeshMessage>): void => {
      setMessages((prev) => [evt.detail, ...prev].slice(0, limit))
    }
    node.addEventListener('message', onMessage)
    return () => {
      node.removeEventListener('message', onMessage)
    }
  }, [node, limit])
  return messages
}

/** A clock that ticks every `ms`, for uptimes and "3 s ago". */
export function useNow(ms = 1000): number {
  return useSyncExternalStore(
    (notify) => {
      const t = setInterval(notify, ms)
      return () => {
        clearInterval(t)
      }
    },
    () => Math.floor(Date.now() / ms) * ms,
  )
}

/** The node's tasks, newest first: the stored ones, then live updates. */
export function useTasks(node: NodeApi, limit = 50): TaskStatusReport[] {
  const [tasks, setTasks] = useState<TaskStatusReport[]>([])
  useEffect(() => {
    let cancelled = false
    const upsert = (task: TaskStatusReport): void => {
      setTasks((prev) =>
        [task, ...prev.filter((t) => t.task_id !== task.task_id)].sort(newestFirst).slice(0, limit),
      )
    }
    const onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
      upsert(evt.detail)
    }
    node.addEventListener('task:update', onUpdate)
    const load = (): void => {
      void node.tasks?.list({ limit }).then((records) => {
        if (cancelled) return
        setTasks((prev) => {
          const byId = new Map(
            records.map((r) => [
              r.task_id,
              { ...r, progress_percent: r.status === 'COMPLETED' ? 100 : 0 },
            ]),
          )
          for (const t of prev) byId.set(t.task_id, t) // live updates win
          return [...byId.values()].sort(newestFirst).slice(0, limit)
        })
      })
    }
    load()
    node.addEventListener('state:change', load)
    return () => {
      cancelled = true
      node.removeEventListener('task:update', onUpdate)
      node.removeEventListener('state:change', load)
    }
  }, [node, limit])
  return tasks
}

function newestFirst(a: TaskStatusReport, b: TaskStatusReport): number {
  return b.submitted_at.localeCompare(a.submitted_at) || b.task_id.localeCompare(a.task_id)
}

/**
 * A task's spans, collected here from every node it touched; read again whenever `version`
 * changes (its status), and every second while the trace has no root yet (it ends last).
 * undefined until read, or when the node knows no such task.
 */
export function useTrace(node: NodeApi, taskId: string, version: string): SpanRecord[] | undefined {
  const [spans, setSpans] = useState<SpanRecord[]>()
  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const read = (tries: number): void => {
      void node.tasks?.trace(taskId).then(
        (found) => {
          if (cancelled) return
          setSpans(found)
          const whole = found?.some((s) => s.parent_span_id == null) === true
          if (!whole && tries > 1)
            timer = setTimeout(() => {
              read(tries - 1)
            }, 1000)
        },
        () => {},
      )
    }
    read(30)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [node, taskId, version])
  return spans
}

/** The models of the task engine, with load progress. */
export function useModels(node: NodeApi): ModelInfo[] {
  const [models, setModels] = useState<ModelInfo[]>([])
  useEffect(() => {
    const onUpdate = (evt: CustomEvent<ModelInfo[]>): void => {
      setModels(evt.detail)
    }
    const load = (): void => {
      void node.tasks?.models().then(setModels)
    }
    node.addEventListener('models:update', onUpdate)
    node.addEventListener('state:change', load)
    load()
    return () => {
      node.removeEventListener('models:update', onUpdate)
      node.removeEventListener('state:change', load)
    }
  }, [node])
  return models
}

/**
 * The entries of a log buffer, re-read at most every `ms` (a busy node logs many lines a second;
 * one render per line would be too many).
 */
export function useLogEntries(buffer: LogBuffer, ms = 250): readonly LogEntry[] {
  const [entries, setEntries] = useState<readonly LogEntry[]>(() => [...buffer.entries])
  useEffect(() => {
    const refresh = (): void => {
      timer = undefined
      setEntries([...buffer.entries])
    }
    // once now, for lines logged between the first render and this subscription
    let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(refresh, 0)
    const off = buffer.subscribe(() => {
      timer ??= setTimeout(refresh, ms)
    })
    return () => {
      off()
      clearTimeout(timer)
    }
  }, [buffer, ms])
  return entries
}
