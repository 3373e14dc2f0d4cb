/**
 * Checking a task request before it is queued. A malformed request (no known task type, a bad
 * id or timeout) is refused outright; an input the model cannot take becomes a FAILED task with
 * its error_reason (FR14.2), so the submitter can look it up like any other.
 */
import { v4 as uuid } from 'uuid'
import type { Placement, TaskRequest, TaskType } from '../core/tasks.js'
import { TASK_TYPE_ALIASES } from '../core/tasks.js'
import type { TaskErrorReason } from '../core/tasks.js'
import { TaskRequestError } from '../core/errors.js'

/** Inputs longer than this are refused without asking the tokenizer. */
export const MAX_INPUT_CHARS = 100_000
export const DEFAULT_TIMEOUT_SECONDS = 30
export const MAX_TIMEOUT_SECONDS = 3600
/** Most distinct nodes one task may be run on (verification by agreement). */
export const MAX_REPLICAS = 5

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NODE_ID = /^[0-9a-f]{32}$/

export interface CheckedRequest {
  task_id: string
  task_type: TaskType
  timeout_seconds: number
  placement: Placement
  replicas: number
  /** the input as text, when it is text */
  input?: string
  /** why the input cannot run, when it cannot */
  refusal?: { reason: TaskErrorReason; details: string }
}

/** Normalises a request; throws TaskRequestError for what cannot even become a task. */
export function checkRequest(
  request: TaskRequest,
  exists: (id: string) => boolean,
): CheckedRequest {
  if (request == null || typeof request !== 'object' || Array.isArray(request))
    throw new TaskRequestError('invalid_task_request', 'a task request is an object')
  const task_type = Object.hasOwn(TASK_TYPE_ALIASES, String(request.task_type))
    ? TASK_TYPE_ALIASES[String(request.task_type)]
    : undefined
  if (task_type == null) {
    throw new TaskRequestError(
      'unknown_task_type',
      `unknown task type ${JSON.stringify(request.task_type)}; use one of: ${Object.keys(TASK_TYPE_ALIASES).join(', ')}`,
    )
  }
  const task_id = request.task_id ?? uuid()
  if (typeof task_id !== 'string' || !UUID.test(task_id)) {
    throw new TaskRequestError('invalid_task_id', 'task_id must be a UUID')
  }
  if (exists(task_id))
    throw new TaskRequestError('duplicate_task_id', `a task with id ${task_id} exists already`)
  const timeout_seconds = request.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS
  if (
    typeof timeout_seconds !== 'number' ||
    !(timeout_seconds > 0) ||
    timeout_seconds > MAX_TIMEOUT_SECONDS
  ) {
    throw new TaskRequestError(
      'invalid_timeout',
      `timeout_seconds must be more than 0 and at most ${MAX_TIMEOUT_SECONDS}`,
    )
  }
  const placement = request.placement ?? 'auto'
  if (
    typeof placement !== 'string' ||
    !(['auto', 'remote', 'local'].includes(placement) || NODE_ID.test(placement))
  ) {
    throw new TaskRequestError(
      'invalid_placement',
      'placement must be auto, remote, local or a node id (32 lowercase hex characters)',
    )
  }
  const replicas = request.replicas ?? 1
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new TaskRequestError(
      'invalid_replicas',
      `replicas must be a whole number from 1 to ${MAX_REPLICAS}`,
    )
  if (replicas > 1 && placement === 'local')
    throw new TaskRequestError(
      'invalid_replicas',
      'replicas run on distinct nodes: a local task has one',
    )
  const checked: CheckedRequest = { task_id, task_type, timeout_seconds, placement, replicas }
  const { input } = request
  if (typeof input !== 'string') {
    checked.refusal = {
      reason: 'invalid_input_type',
      details: `the input must be text, not ${input === null ? 'null' : typeof input}`,
    }
  } else if (input.trim().length === 0) {
    checked.refusal = { reason: 'input_empty', details: 'the input has no text' }
  } else if (input.length > MAX_INPUT_CHARS) {
    checked.refusal = {
      reason: 'input_exceeds_max_length',
      details: `${input.length} characters; at most ${MAX_INPUT_CHARS}`,
    }
  }
  if (typeof input === 'string') checked.input = input
  return checked
}

/** The first 100 characters of a value, as text. */
export function preview(value: unknown, length = 100): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return text.length <= length ? text : text.slice(0, length)
}
