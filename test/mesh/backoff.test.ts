import { describe, expect, it } from 'vitest'
import { BACKOFF_SECONDS, backoffDelay, isTransientError } from '../../src/mesh/backoff.js'

describe('redial backoff (FR10.2)', () => {
  it('waits 1, 2, 4, 8, 16, then 30 s at most', () => {
    expect(BACKOFF_SECONDS).toEqual([1, 2, 4, 8, 16, 30])
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ])
    expect(backoffDelay(0)).toBe(1000)
  })

  it('retries network trouble but not a peer that failed its identity or that we refuse', () => {
    const err = (name: string): Error => Object.assign(new Error(name), { name })
    for (const name of [
      'TimeoutError',
      'AbortError',
      'DialError',
      'EncryptionFailedError',
      'ConnectionFailedError',
    ]) {
      expect(isTransientError(err(name))).toBe(true)
    }
    for (const name of ['UnexpectedPeerError', 'InvalidCryptoExchangeError', 'DialDeniedError']) {
      expect(isTransientError(err(name))).toBe(false)
    }
    // several addresses tried: permanent only if every attempt was
    expect(
      isTransientError(
        Object.assign(new AggregateError([err('UnexpectedPeerError'), err('TimeoutError')]), {
          name: 'DialError',
        }),
      ),
    ).toBe(true)
    expect(
      isTransientError(
        Object.assign(new AggregateError([err('UnexpectedPeerError')]), { name: 'AggregateError' }),
      ),
    ).toBe(false)
    expect(isTransientError(undefined)).toBe(true)
  })
})
