/** Signed results: the executor's key signs, the submitter verifies; anything altered fails. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { Result } from '../../src/core/proto/task.js'
import type { SignedFields } from '../../src/compute/result-signature.js'
import { signResult, verifyResult } from '../../src/compute/result-signature.js'
import { outputToWire } from '../../src/compute/task-wire.js'

const ID = '7d0b6c5e-2f7e-4a8e-9a52-1f1f2e3d4c5b'
const HASH = 'ab'.repeat(32)

const embedded: SignedFields = {
  taskId: ID,
  status: Result.Status.COMPLETED,
  output: outputToWire({ embedding: [0.1, -0.2, 0.3], dimensions: 3 }),
  errorReason: '',
  modelHash: HASH,
}
const labelled: SignedFields = {
  ...embedded,
  output: outputToWire({
    label: 'POSITIVE',
    score: 0.75,
    scores: [
      { label: 'POSITIVE', score: 0.75 },
      { label: 'NEGATIVE', score: 0.25 },
    ],
  }),
}
const failed: SignedFields = {
  ...embedded,
  status: Result.Status.FAILED,
  output: undefined,
  errorReason: 'input_empty',
}

describe('result signatures', () => {
  it.each([
    ['an embedding', embedded],
    ['a classification', labelled],
    ['a failure', failed],
  ])('verify %s signed by the executor', async (_what, fields) => {
    const key = await generateKeyPair('Ed25519')
    const signature = await signResult(key, fields)
    expect(signature.byteLength).toBe(64)
    expect(await verifyResult(key.publicKey, fields, signature)).toBe(true)
  })

  it('fail for another key, another task, another model, or an altered outcome', async () => {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const signature = await signResult(key, embedded)
    const flipped = new Uint8Array(embedded.output?.embedding ?? [])
    flipped[0] = (flipped[0] as number) ^ 1
    const altered: SignedFields[] = [
      { ...embedded, taskId: '0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9' },
      { ...embedded, modelHash: 'cd'.repeat(32) },
      {
        ...embedded,
        output: { ...(embedded.output as NonNullable<SignedFields['output']>), embedding: flipped },
      },
      labelled,
      { ...failed },
      { ...embedded, status: Result.Status.TIMEOUT },
    ]
    expect(await verifyResult(other.publicKey, embedded, signature)).toBe(false)
    for (const fields of altered)
      expect(await verifyResult(key.publicKey, fields, signature)).toBe(false)
    // a classification whose scores were changed
    const sig2 = await signResult(key, labelled)
    const rescored = {
      ...labelled,
      output: { ...(labelled.output as NonNullable<SignedFields['output']>), score: 0.9 },
    }
    expect(await verifyResult(key.publicKey, rescored, sig2)).toBe(false)
  })

  it('is false, not an exception, for a malformed signature', async () => {
    const key = await generateKeyPair('Ed25519')
    expect(await verifyResult(key.publicKey, embedded, new Uint8Array(3))).toBe(false)
  })
})
