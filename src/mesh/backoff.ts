/** Redial delays after consecutive transient failures (FR10.2): 1, 2, 4, 8, 16, then 30 s. */
export const BACKOFF_SECONDS = [1, 2, 4, 8, 16, 30] as const

/** Delay before the next attempt after `failures` consecutive failures (≥ 1), ms. */
export function backoffDelay(failures: number): number {
  const index = Math.min(Math.max(failures, 1), BACKOFF_SECONDS.length) - 1
  return (BACKOFF_SECONDS[index] as number) * 1000
}

/**
 * Errors that retrying cannot fix: the remote proved to be someone else or failed the
 * cryptographic handshake (an invalid certificate, in FR10.2's words), or we refuse it.
 */
const PERMANENT = new Set([
  'UnexpectedPeerError',
  'InvalidCryptoExchangeError',
  'InvalidPublicKeyError',
  'InvalidPeerIdError',
  'DialDeniedError',
  'UnsupportedKeyTypeError',
])

export function isTransientError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name
  if (name == null) return true
  if (PERMANENT.has(name)) return false
  // an AggregateError of dial attempts is permanent only if every attempt was
  const errors = (err as { errors?: unknown[] }).errors
  if (Array.isArray(errors) && errors.length > 0) return errors.some(isTransientError)
  return true
}
