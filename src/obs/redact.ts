/**
 * Secrets out of what a node shows about itself (debug snapshots): values under credential-like
 * keys, passwords in URLs, and, wherever they appear, the exact secret strings a host names
 * (its identity key in every encoding it could be written in).
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { fromString, toString } from 'uint8arrays'
import { REDACTED } from '../core/debug.js'

/** Keys whose values are secrets, whatever they hold (ice_servers' username and credential too). */
const SECRET_KEY =
  /private_?key|privkey|mesh_?key|secret|passw|credential|token|api[_-]?key|^authorization$|cookie|^key$|^username$|seed/i

/** `scheme://user:password@host`: the user information goes. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi

/** Deepest nesting copied; anything deeper is cut (a snapshot is for reading, not a dump). */
const MAX_DEPTH = 12

export interface RedactOptions {
  /** exact strings (at least 16 characters) replaced wherever they occur */
  secrets?: readonly string[]
}

/**
 * A JSON-safe copy of `value` without secrets: errors become `{name, message}`, bytes a length,
 * functions and symbols are dropped, cycles and depth beyond MAX_DEPTH cut.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 16)
  const scrub = (text: string): string => {
    let out = text.replace(URL_USERINFO, `$1${REDACTED}@`)
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
    return out
  }
  const seen = new WeakSet<object>()
  const copy = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrub(v)
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'function' || typeof v === 'symbol') return undefined
    if (v == null || typeof v !== 'object') return v
    if (depth > MAX_DEPTH) return '[too deep]'
    if (seen.has(v)) return '[cycle]'
    if (v instanceof Uint8Array) return `[${v.byteLength} bytes]`
    if (v instanceof Error) return { name: v.name, message: scrub(v.message) }
    seen.add(v)
    try {
      if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1) ?? null)
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        if (SECRET_KEY.test(k) && x != null && x !== '') {
          out[k] = REDACTED
          continue
        }
        const c = copy(x, depth + 1)
        if (c !== undefined) out[k] = c
      }
      return out
    } finally {
      seen.delete(v)
    }
  }
  return copy(value, 0) as T
}

/** `bytes` in every text encoding a key is commonly written in. */
export function encodings(bytes: Uint8Array): string[] {
  return [
    toString(bytes, 'base64pad'),
    toString(bytes, 'base64'),
    toString(bytes, 'base64url'),
    toString(bytes, 'base16'),
    toString(bytes, 'base16').toUpperCase(),
    toString(bytes, 'base58btc'),
  ]
}

/**
 * The secret strings of a stored identity record (`{private_key: <base64 protobuf>}`): the
 * protobuf, the raw key and its seed, each in every encoding. None for a record without one.
 */
export function identitySecrets(record: unknown): string[] {
  const b64 = (record as { private_key?: unknown } | null)?.private_key
  if (typeof b64 !== 'string' || b64 === '') return []
  const out = new Set<string>([b64])
  try {
    const protobuf = fromString(b64, 'base64pad')
    const key = privateKeyFromProtobuf(protobuf)
    for (const bytes of [protobuf, key.raw, key.raw.subarray(0, 32)])
      for (const s of encodings(bytes)) out.add(s)
  } catch {
    // not decodable: the stored string itself is still a secret
  }
  return [...out]
}
