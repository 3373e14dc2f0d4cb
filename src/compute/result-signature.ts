/**
 * Signed results: an executor signs each task's outcome with its identity key (Ed25519, the key
 * behind its peer id) over the task id, the model hash and a digest of the outcome, so the
 * submitter can tell a result that node really produced from one forged or altered on the way,
 * and hold the node to it (agreement between replicas, reputation).
 */
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { sha256 } from '@noble/hashes/sha2.js'
import type { Output, Result } from '../core/proto/task.js'

const DOMAIN = 'p2p-ai/task-result/1'

/** What a signature covers: the result without its signature. */
export type SignedFields = Pick<
  Result,
  'taskId' | 'status' | 'output' | 'errorReason' | 'modelHash'
>

/**
 * The outcome's digest: SHA-256 over a canonical form (the status, then the embedding's float32
 * bytes, or the label and scores as JSON, or the error reason), the same whatever encoded it.
 */
export function outcomeDigest(fields: SignedFields): Uint8Array {
  const text = new TextEncoder()
  const parts: Uint8Array[] = [text.encode(`${fields.status}\n`)]
  const o: Output | undefined = fields.output
  if (o != null && o.embedding.byteLength > 0) parts.push(text.encode('e\n'), o.embedding)
  else if (o != null)
    parts.push(
      text.encode(
        `c\n${JSON.stringify([o.label, o.score, o.scores.map((s) => [s.label, s.score])])}`,
      ),
    )
  else parts.push(text.encode(`x\n${fields.errorReason}`))
  return sha256(concat(parts))
}

/** The bytes signed: domain, task id, model hash and the outcome's digest. */
export function signingBytes(fields: SignedFields): Uint8Array {
  return concat([
    new TextEncoder().encode(`${DOMAIN}\n${fields.taskId}\n${fields.modelHash}\n`),
    outcomeDigest(fields),
  ])
}

export async function signResult(
  key: PrivateKey,
  fields: SignedFields,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await key.sign(signingBytes(fields)))
}

/** True when `signature` is `key`'s over these fields; false for anything else, never throws. */
export async function verifyResult(
  key: PublicKey,
  fields: SignedFields,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await key.verify(signingBytes(fields), signature)
  } catch {
    return false
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
