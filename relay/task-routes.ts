/** HTTP routes of a headless node's task engine, for `p2p-ai-agents task …` (loopback only). */
import { HttpError, TaskRequestError } from '../src/core/errors.js'
import type { NodeApi, TaskApi } from '../src/core/node-api.js'
import type { TaskRequest } from '../src/core/tasks.js'
import { field, intParam, json, readObject } from './http-json.js'
import type { Route } from './http-json.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function taskRoutes(node: NodeApi): Record<string, Route> {
  const engine = (): TaskApi => {
    if (node.tasks == null)
      throw new TaskRequestError('tasks_unavailable', 'this node runs no AI tasks')
    return node.tasks
  }
  const notFound = (id: string): TaskRequestError =>
    new TaskRequestError('task_not_found', `Task not found (id: ${id})`)
  return {
    'POST /tasks': async (req, res) => {
      const body = await readObject(req)
      // the input may be anything: one that is not text becomes a FAILED task (invalid_input_type)
      const request: TaskRequest = {
        task_type: field(body, 'task_type', 'string', { required: true }) as string,
        input: body.input,
        task_id: field(body, 'task_id', 'string'),
        timeout_seconds: field(body, 'timeout_seconds', 'number'),
        placement: field(body, 'placement', 'string'),
        replicas: field(body, 'replicas', 'number'),
      }
      json(res, 202, engine().submit(request))
    },
    'GET /tasks': async (_req, res, url) => {
      const limit = intParam(url, 'limit', { min: 0, max: 10_000, fallback: 20 })
      const offset = intParam(url, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 })
      json(res, 200, await engine().list({ limit, offset }))
    },
    'GET /tasks/*': async (_req, res, url) => {
      const [, , id = '', what, ...more] = url.pathname.split('/')
      if (more.length > 0 || (what != null && what !== 'result' && what !== 'trace'))
        throw new HttpError('not_found', `nothing at ${url.pathname}`)
      const taskId = safeDecode(id)
      if (what === 'trace') {
        // the task's spans on every node it touched, collected here
        if (!UUID.test(taskId))
          throw new TaskRequestError('invalid_task_id', `task id must be a UUID, got "${taskId}"`)
        const spans = await engine().trace(taskId)
        if (spans == null) throw notFound(taskId)
        json(res, 200, { task_id: taskId, spans })
        return
      }
      const found =
        what === 'result' ? await engine().result(taskId) : await engine().status(taskId)
      if (found == null) throw notFound(taskId)
      json(res, 200, found)
    },
    'GET /models': async (_req, res) => {
      json(res, 200, { models: await engine().models(), capabilities: engine().capabilities() })
    },
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
