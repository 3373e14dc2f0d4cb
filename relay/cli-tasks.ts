/** `task submit|status|result|list`: the task engine of a running headless node. */
import { errorCode } from '../src/core/errors.js'
import type { TaskRecord, TaskStatusReport } from '../src/core/tasks.js'
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { printTable } from './cli-format.js'
import { targetPort } from './cli-target.js'
import { getJson, postJson } from './control.js'

export async function taskSubmit(values: Values): Promise<number> {
  if (values.input == null || values.type == null)
    throw new CliError(
      'usage',
      'task submit needs --input TEXT and --type embedding|classification',
    )
  const timeout = values.timeout == null ? undefined : Number(values.timeout)
  const replicas = values.replicas == null ? undefined : Number(values.replicas)
  const record = await postJson<TaskRecord>(await targetPort(values), '/tasks', {
    task_type: values.type,
    input: values.input,
    timeout_seconds: timeout,
    placement: values.placement,
    replicas,
  })
  console.log(`Task submitted (id: ${record.task_id})`)
  if (record.status === 'FAILED')
    console.log(`Status: FAILED (${record.error_reason}: ${record.error_details})`)
  return 0
}

export async function taskStatus(values: Values, args: string[]): Promise<number> {
  const id = args[0]
  if (id == null) throw new CliError('usage', 'usage: p2p-ai-agents task status <task-id>')
  const s = await getTask<TaskStatusReport>(values, `/tasks/${encodeURIComponent(id)}`, id)
  if (s == null) return 1
  if (values.json === true) {
    console.log(JSON.stringify(s, null, 2))
    return 0
  }
  const lines = [
    `Task ID:        ${s.task_id}`,
    `Type:           ${s.task_type}`,
    `Status:         ${s.status}`,
  ]
  if (s.status === 'RUNNING') lines.push(`Progress:       ${s.progress_percent} %`)
  if (s.placement != null) lines.push(`Placement:      ${s.placement}`)
  if (s.replicas != null) lines.push(`Replicas:       ${s.replicas}`)
  if (s.executed_by != null) lines.push(`Executed by:    ${s.executed_by.join(', ')}`)
  for (const [i, a] of (s.attempts ?? []).entries())
    lines.push(
      `Attempt ${i + 1}:      ${a.node_id} ${a.outcome} (${a.started_at}${a.ended_at == null ? '' : ` → ${a.ended_at}`})`,
    )
  if (s.execution_time_ms != null) lines.push(`Execution time: ${s.execution_time_ms} ms`)
  if (s.error_reason != null)
    lines.push(
      `Error:          ${s.error_reason}${s.error_details == null ? '' : ` (${s.error_details})`}`,
    )
  console.log(lines.join('\n'))
  return 0
}

export async function taskResult(values: Values, args: string[]): Promise<number> {
  const id = args[0]
  if (id == null)
    throw new CliError('usage', 'usage: p2p-ai-agents task result <task-id> [--format json]')
  const r = await getTask<TaskRecord>(values, `/tasks/${encodeURIComponent(id)}/result`, id)
  if (r == null) return 1
  if (values.format === 'json') {
    console.log(JSON.stringify(r, null, 2))
    return 0
  }
  if (r.status !== 'COMPLETED' || r.output_data == null) {
    console.error(
      `error: task ${r.task_id} is ${r.status}${r.error_reason == null ? '' : ` (${r.error_reason})`}: no result`,
    )
    return 1
  }
  const out = r.output_data
  console.log(
    'embedding' in out
      ? JSON.stringify(out.embedding)
      : `${out.label} (confidence ${out.score.toFixed(4)})`,
  )
  return 0
}

export async function taskList(values: Values): Promise<number> {
  const limit = values.limit ?? '20'
  const offset = values.offset ?? '0'
  const list = await getJson<TaskRecord[]>(
    await targetPort(values),
    `/tasks?limit=${encodeURIComponent(limit)}&offset=${encodeURIComponent(offset)}`,
  )
  if (values.json === true) {
    console.log(JSON.stringify(list, null, 2))
    return 0
  }
  if (list.length === 0) {
    console.log('No tasks')
    return 0
  }
  printTable(
    ['TASK ID', 'STATUS', 'SUBMITTED', 'TYPE'],
    list.map((t) => [t.task_id, t.status, t.submitted_at, t.task_type]),
  )
  return 0
}

/** A task by id; prints FR18.3's "Task not found" and gives undefined for an unknown one. */
async function getTask<T>(values: Values, path: string, id: string): Promise<T | undefined> {
  const port = await targetPort(values)
  try {
    return await getJson<T>(port, path)
  } catch (err) {
    if (errorCode(err) !== 'task_not_found') throw err
    console.error(`Task not found (id: ${id})`)
    return undefined
  }
}
