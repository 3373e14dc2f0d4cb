/**
 * `trace <task-id> [--json]`: a task's cross-node timeline, from the node it was submitted to
 * (which collects the spans of every node it touched): span, node, start offset and duration,
 * indented by parent.
 */
import { errorCode } from '../src/core/errors.js'
import type { SpanRecord } from '../src/core/spans.js'
import { formatTimeline } from '../src/core/trace-tree.js'
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { targetPort } from './cli-target.js'
import { getJson } from './control.js'

export async function traceTask(values: Values, args: string[]): Promise<number> {
  const [id, ...more] = args
  if (id == null || more.length > 0)
    throw new CliError('usage', 'usage: p2p-ai-agents trace <task-id> [--json] [--port N]')
  let answer: { task_id: string; spans: SpanRecord[] }
  try {
    answer = await getJson(await targetPort(values), `/tasks/${encodeURIComponent(id)}/trace`)
  } catch (err) {
    if (errorCode(err) !== 'task_not_found') throw err
    console.error(`Task not found (id: ${id})`)
    return 1
  }
  if (values.json === true) {
    console.log(JSON.stringify(answer, null, 2))
    return 0
  }
  console.log(`Task ${answer.task_id}`)
  console.log(formatTimeline(answer.spans))
  return 0
}
