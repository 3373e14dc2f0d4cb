/** HTTP routes of a headless node's task engine, for `p2p-ai-agents task …` (loopback only). */
import type { TaskRequest } from '../src/core/tasks.js'
import type { P2PNode } from '../src/node/create-node.js'
import type { Route } from './http-routes.js'
import { json, readJson } from './http-routes.js'

export function taskRoutes(node: P2PNode): Record<string, Route> {
  const engine = (): NonNullable<P2PNode['tasks']> => {
    if (node.tasks == null)
      throw Object.assign(new Error('this node runs no AI tasks'), { status: 503 })
    return node.tasks
  }
  const notFound = (id: string): { error: string } => ({ error: `Task not found (id: ${id})` })
  return {
    'POST /tasks': async (req, res) => {
      const body = (await readJson(req)) as TaskRequest
      try {
        const record = engine().submit(body)
        json(res, 202, record)
      } catch (err) {
        const e = err as Error & { code?: string; status?: number }
        json(res, e.status ?? (e.name === 'TaskRequestError' ? 400 : 500), {
          error: e.message,
          code: e.code,
        })
      }
    },
    'GET /tasks': async (_req, res, url) => {
      const limit = Number(url.searchParams.get('limit') ?? 20)
      const offset = Number(url.searchParams.get('offset') ?? 0)
      if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
        json(res, 400, { error: 'limit and offset are whole numbers' })
        return
      }
      json(res, 200, await engine().list({ limit, offset }))
    },
    'GET /tasks/*': async (_req, res, url) => {
      const [, , id, what] = url.pathname.split('/')
      const taskId = decodeURIComponent(id ?? '')
      const found =
        what === 'result'
          ? await engine().result(taskId)
          : what == null
            ? await engine().status(taskId)
            : undefined
      if (found == null) json(res, 404, notFound(taskId))
      else json(res, 200, found)
    },
    'GET /models': async (_req, res) => {
      json(res, 200, { models: await engine().models(), capabilities: engine().capabilities() })
    },
  }
}
