/**
 * JSON over HTTP for the routes of a Node host: answers, errors as `{error, code, field?}` with
 * the status of their code, and request bodies and queries checked before use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorCode, HttpError } from '../src/core/errors.js'
import { httpStatusOf } from './http-status.js'

/** A route's handler: it answers, or throws an error of ours that becomes its status and JSON. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>

/** Largest request body a route reads, bytes. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

/** The body of an error answer. */
export interface ErrorBody {
  error: string
  code: string
  /** the body field or query parameter at fault */
  field?: string
}

/**
 * Answers an error: its own code and message for ours, `internal_error` with a generic message
 * for anything else (the details go to the log, not to the client).
 */
export function sendError(res: ServerResponse, err: unknown): void {
  const code = errorCode(err)
  const body: ErrorBody =
    code == null
      ? { error: 'internal error; see the node log', code: 'internal_error' }
      : { error: (err as Error).message, code }
  // HttpError and DebugError name the body field or query parameter at fault
  const field = (err as { field?: unknown } | null)?.field
  if (code != null && typeof field === 'string') body.field = field
  json(res, httpStatusOf(err), body)
}

/**
 * Reads a JSON request body of at most `limit` bytes: 413 payload_too_large beyond it (checked
 * on Content-Length first, then while reading), 400 invalid_json when it does not parse.
 */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = (): HttpError =>
    new HttpError('payload_too_large', `request body larger than ${limit} bytes`)
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > limit) throw tooLarge()
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw new HttpError('invalid_json', 'the request body is not valid JSON')
  }
}

/** A JSON object body (not null, not an array), or 400 invalid_body. */
export async function readObject(
  req: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const body = await readJson(req, limit)
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    const what = body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body
    throw new HttpError('invalid_body', `the request body must be a JSON object, not ${what}`)
  }
  return body as Record<string, unknown>
}

type FieldType = 'string' | 'number' | 'boolean'

/** `body[name]` checked to be of `type` (absent allowed unless required); 400 invalid_body naming the field. */
export function field<T extends FieldType>(
  body: Record<string, unknown>,
  name: string,
  type: T,
  options: { required?: boolean } = {},
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const value = body[name]
  if (value === undefined || value === null) {
    if (options.required === true)
      throw new HttpError('invalid_body', `"${name}" is required (${type})`, name)
    return undefined
  }
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value)))
    throw new HttpError('invalid_body', `"${name}" must be a ${type}`, name)
  return value as never
}

/** A whole-number query parameter in [min, max], or its default; 400 invalid_query naming it. */
export function intParam(
  url: URL,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  const raw = url.searchParams.get(name)
  if (raw == null) return fallback
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max)
    throw new HttpError(
      'invalid_query',
      `${name} must be a whole number from ${min} to ${max}`,
      name,
    )
  return value
}
