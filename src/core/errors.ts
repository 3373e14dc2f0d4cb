/**
 * The error vocabulary. Every error that crosses a boundary (CLI, HTTP, page, worker, wire)
 * carries a `code` from the unions below and a stable `name`: check `err.code` or `err.name`,
 * not `instanceof`, since errors are rebuilt on the far side of a worker or a process. Messages
 * say what happened and what to do next.
 */
import type { ConfigProblem } from './config.js'
import type { ModelErrorCode, TaskErrorReason } from './tasks.js'
import { MODEL_ERROR_CODES, TASK_ERROR_REASONS } from './tasks.js'

/** Starting, stopping and identifying a node. */
export const NODE_ERROR_CODES = [
  'config_invalid',
  'identity_corrupt',
  'identity_slots_exhausted',
  'invalid_transition',
  'node_not_active',
  'node_shutting_down',
  'self_verification_failed',
  'port_in_use',
  'part_start_failed',
] as const
export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number]

/** Sending a routed message (FR10.3). */
export const MESH_ERROR_CODES = [
  'no_route',
  'delivery_timeout',
  'message_too_large',
  'message_rejected',
  'invalid_peer_id',
  'invalid_topic',
  'invalid_ttl',
  'invalid_traceparent',
] as const
export type MeshErrorCode = (typeof MESH_ERROR_CODES)[number]

/** Why an inbound mesh frame was dropped; counted per reason, and sent back in a REJECTED ack. */
export const FRAME_DROP_REASONS = [
  'oversized',
  'undecodable',
  // a peer left a frame unfinished: no more bytes for too long, or it closed the stream
  'stalled',
  'truncated',
  // a peer sent frames faster than its rate limit allows
  'rate_limited',
  'wrong_version',
  'no_body',
  'invalid_envelope',
  'invalid_ack',
  'invalid_heartbeat',
  'invalid_peer_list',
  'invalid_goodbye',
  // the task protocol's frames
  'invalid_assignment',
  'invalid_answer',
  'invalid_progress',
  'invalid_result',
  'invalid_cancel',
  // valid task frames a submitter will not take
  'unexpected_answer',
  'unexpected_result',
  'bad_signature',
] as const
export type FrameDropReason = (typeof FRAME_DROP_REASONS)[number]

/** Why a task request was refused before it became a task, or a task cannot be found. */
export const TASK_REQUEST_ERROR_CODES = [
  'unknown_task_type',
  'invalid_task_id',
  'duplicate_task_id',
  'invalid_timeout',
  'invalid_placement',
  'invalid_replicas',
  'invalid_task_request',
  'tasks_not_running',
  'tasks_unavailable',
  'task_not_found',
] as const
export type TaskRequestErrorCode = (typeof TASK_REQUEST_ERROR_CODES)[number]

/** The debug tools (FR23.1): a target the mesh does not know, or options out of range. */
export const DEBUG_ERROR_CODES = [
  'unknown_node',
  'invalid_node_id',
  'invalid_debug_option',
] as const
export type DebugErrorCode = (typeof DEBUG_ERROR_CODES)[number]

/** What an HTTP route of a Node host answers for a request it cannot take. */
export const HTTP_ERROR_CODES = [
  'invalid_json',
  'invalid_body',
  'invalid_query',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'loopback_only',
  'cross_origin_refused',
  'node_not_ready',
  'internal_error',
] as const
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number]

/** What the command line reports about its own use and the nodes it controls. */
export const CLI_ERROR_CODES = [
  'usage',
  'node_not_running',
  'node_ambiguous',
  'node_stop_timeout',
  'tls_unreadable',
  'tls_invalid',
] as const
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number]

export type ErrorCode =
  | NodeErrorCode
  | MeshErrorCode
  | FrameDropReason
  | ModelErrorCode
  | TaskErrorReason
  | TaskRequestErrorCode
  | HttpErrorCode
  | CliErrorCode
  | DebugErrorCode

const ALL_CODES: ReadonlySet<string> = new Set<string>([
  ...NODE_ERROR_CODES,
  ...MESH_ERROR_CODES,
  ...FRAME_DROP_REASONS,
  ...MODEL_ERROR_CODES,
  ...TASK_ERROR_REASONS,
  ...TASK_REQUEST_ERROR_CODES,
  ...HTTP_ERROR_CODES,
  ...CLI_ERROR_CODES,
  ...DEBUG_ERROR_CODES,
])

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ALL_CODES.has(value)
}

/** The base of every error of ours: a stable name and a code from the vocabulary. */
export class P2PError<C extends ErrorCode = ErrorCode> extends Error {
  static readonly NAME: string = 'P2PError'
  override name = P2PError.NAME
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** The code of any error of ours, also one rebuilt from plain data (`{name, message, code}`). */
export function errorCode(err: unknown): ErrorCode | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return isErrorCode(code) ? code : undefined
}

/** The error's code when it is one of `codes`. */
export function errorCodeIn<C extends ErrorCode>(err: unknown, codes: readonly C[]): C | undefined {
  const code = errorCode(err)
  return (codes as readonly string[]).includes(code ?? '') ? (code as C) : undefined
}

/** The task error reason an error stands for, when its code is one. */
export function taskErrorReason(err: unknown): TaskErrorReason | undefined {
  return errorCodeIn(err, TASK_ERROR_REASONS)
}

/** An error as plain data, to cross a worker or a process: name, message and code survive. */
export interface ErrorData {
  name: string
  message: string
  code?: ErrorCode
}

export function errorToData(err: unknown): ErrorData {
  const e = err instanceof Error ? err : new Error(String(err))
  return { name: e.name, message: e.message, code: errorCode(e) }
}

/** Rebuilds an error sent as data: a P2PError (with its name) when it had a code of ours. */
export function errorFromData(data: ErrorData): Error {
  const err = data.code == null ? new Error(data.message) : new P2PError(data.code, data.message)
  err.name = data.name
  return err
}

export class ConfigError extends P2PError<'config_invalid'> {
  static override readonly NAME = 'ConfigError'
  override name = ConfigError.NAME
  constructor(
    readonly problems: ConfigProblem[],
    message = `invalid configuration:\n${problems.map((p) => `  - ${p.field}: ${p.message} (${p.code})`).join('\n')}`,
  ) {
    super('config_invalid', message)
  }
}

export class IdentityCorruptError extends P2PError<'identity_corrupt'> {
  static override readonly NAME = 'IdentityCorruptError'
  override name = IdentityCorruptError.NAME
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(
      'identity_corrupt',
      `node identity at ${location} is corrupt: ${reason}. ` +
        'It was left untouched; restore it from a backup, or move it aside to generate a new identity (a new node id).',
    )
  }
}

export class InvalidTransitionError extends P2PError<'invalid_transition'> {
  static override readonly NAME = 'InvalidTransitionError'
  override name = InvalidTransitionError.NAME
  constructor(
    readonly from: string | null,
    readonly to: string,
  ) {
    super('invalid_transition', `invalid node state transition ${from ?? '(none)'} → ${to}`)
  }
}

export class NotActiveError extends P2PError<'node_not_active'> {
  static override readonly NAME = 'NotActiveError'
  override name = NotActiveError.NAME
  constructor(state: string) {
    super('node_not_active', `the node is ${state}, not ACTIVE`)
  }
}

export class ShuttingDownError extends P2PError<'node_shutting_down'> {
  static override readonly NAME = 'ShuttingDownError'
  override name = ShuttingDownError.NAME
  constructor(what = 'the node is shutting down') {
    super('node_shutting_down', what)
  }
}

export class SelfVerificationError extends P2PError<'self_verification_failed'> {
  static override readonly NAME = 'SelfVerificationError'
  override name = SelfVerificationError.NAME
  constructor(
    readonly check: string,
    readonly reason: string | undefined,
  ) {
    super('self_verification_failed', `self-verification failed: ${check} (${reason ?? 'failed'})`)
  }
}

export class PortInUseError extends P2PError<'port_in_use'> {
  static override readonly NAME = 'PortInUseError'
  override name = PortInUseError.NAME
  constructor(readonly port: number) {
    super('port_in_use', `Port ${port} already in use. Use --port to specify a different port.`)
  }
}

/** A part of the node failed to start; what had started was stopped again. */
export class PartStartError extends P2PError<'part_start_failed'> {
  static override readonly NAME = 'PartStartError'
  override name = PartStartError.NAME
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super('part_start_failed', `${part} failed to start: ${(cause as Error).message}`, { cause })
  }
}

export class NoRouteError extends P2PError<'no_route'> {
  static override readonly NAME = 'NoRouteError'
  override name = NoRouteError.NAME
  constructor(readonly to: string) {
    super(
      'no_route',
      `no route to peer ${to}: it is not connected and no neighbour knows a path to it`,
    )
  }
}

export class DeliveryTimeoutError extends P2PError<'delivery_timeout'> {
  static override readonly NAME = 'DeliveryTimeoutError'
  override name = DeliveryTimeoutError.NAME
  constructor(
    readonly id: string,
    readonly to: string,
    ms: number,
  ) {
    super('delivery_timeout', `message ${id} to ${to} was not confirmed within ${ms} ms`)
  }
}

export class MessageTooLargeError extends P2PError<'message_too_large'> {
  static override readonly NAME = 'MessageTooLargeError'
  override name = MessageTooLargeError.NAME
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      'message_too_large',
      `message payload of ${size} bytes exceeds max_message_bytes (${limit})`,
    )
  }
}

export class MessageRejectedError extends P2PError<'message_rejected'> {
  static override readonly NAME = 'MessageRejectedError'
  override name = MessageRejectedError.NAME
  constructor(
    readonly id: string,
    readonly by: string,
    readonly reason: string,
  ) {
    super('message_rejected', `message ${id} was rejected by ${by}: ${reason || 'no reason given'}`)
  }
}

/** A send() whose arguments cannot make a message: not a peer id, a bad topic or TTL. */
export class InvalidSendError extends P2PError<
  'invalid_peer_id' | 'invalid_topic' | 'invalid_ttl' | 'invalid_traceparent'
> {
  static override readonly NAME = 'InvalidSendError'
  override name = InvalidSendError.NAME
}

export class ModelError extends P2PError<ModelErrorCode> {
  static override readonly NAME = 'ModelError'
  override name = ModelError.NAME
}

export class TaskRequestError extends P2PError<TaskRequestErrorCode> {
  static override readonly NAME = 'TaskRequestError'
  override name = TaskRequestError.NAME
}

/** A request an HTTP route cannot take; `field` names the part of the body or query at fault. */
export class HttpError extends P2PError<HttpErrorCode> {
  static override readonly NAME = 'HttpError'
  override name = HttpError.NAME
  constructor(
    code: HttpErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(code, message)
  }
}

/**
 * An inbound frame refused (mesh or task protocol); its code is the drop reason, counted by the
 * receiver. `frame` is the decoded frame when it decoded but failed validation, so a refusal
 * can name it (an envelope refused by id).
 */
export class FrameError<F = unknown> extends P2PError<FrameDropReason> {
  static override readonly NAME = 'FrameError'
  override name = FrameError.NAME
  constructor(
    readonly reason: FrameDropReason,
    readonly detail: string,
    readonly frame?: F,
  ) {
    super(reason, `${reason}: ${detail}`)
  }
}

/** A debug tool cannot run as asked; `field` names the option at fault. */
export class DebugError extends P2PError<DebugErrorCode> {
  static override readonly NAME = 'DebugError'
  override name = DebugError.NAME
  constructor(
    code: DebugErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(code, message)
  }
}
