/**
 * The command line's errors, in the vocabulary of src/core/errors.ts: its own failures
 * (CliError) and the errors a node answers over HTTP (RemoteError), both checked by `code`.
 */
import type { CliErrorCode, ErrorCode } from '../src/core/errors.js'
import { errorCode, P2PError } from '../src/core/errors.js'

/** A failure of the command line itself: its use, or the node it is about. */
export class CliError extends P2PError<CliErrorCode> {
  static override readonly NAME = 'CliError'
  override name = CliError.NAME
}

/** An error a node answered (`{error, code, field?}`): its code and message, and the HTTP status. */
export class RemoteError extends P2PError {
  static override readonly NAME = 'RemoteError'
  override name = RemoteError.NAME
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(code, message)
  }
}

/**
 * The error a node's answer with status `status` stands for: a RemoteError when the answer has a
 * code of ours, else a plain Error with the answer's message.
 */
export function answerError(status: number, path: string, body: unknown): Error {
  const answer = (body ?? {}) as { error?: unknown; field?: unknown }
  const message =
    typeof answer.error === 'string' ? answer.error : `node answered ${status} for ${path}`
  const code = errorCode(body)
  if (code == null) return new Error(message)
  return new RemoteError(
    code,
    message,
    status,
    typeof answer.field === 'string' ? answer.field : undefined,
  )
}
