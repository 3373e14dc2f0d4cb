/**
 * Origin authenticity of routed messages: the node that creates an envelope signs it with its
 * identity key (Ed25519, the key behind its peer id), over everything but what forwarders
 * change (ttl, hops). The recipient of a message that came over more than one hop checks the
 * signature against the sender's peer id, so no forwarder can forge or alter what another node
 * sent. (A message straight from a neighbour needs no check: noise authenticated the link.)
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { Envelope } from '../core/proto/mesh.js'

const DOMAIN = new TextEncoder().encode('p2p-ai/envelope/1\n')
/** An Ed25519 signature's length; an envelope carries one, or none. */
export const SIGNATURE_BYTES = 64

/** The bytes signed: a domain tag, then the envelope encoded without ttl, hops and signature. */
export function envelopeSigningBytes(envelope: Envelope): Uint8Array {
  const body = Envelope.encode({ ...envelope, ttl: 0, hops: 0, signature: new Uint8Array(0) })
  const out = new Uint8Array(DOMAIN.byteLength + body.byteLength)
  out.set(DOMAIN)
  out.set(body, DOMAIN.byteLength)
  return out
}

/** `envelope`, signed by `key` (its `from` must be that key's peer id). */
export async function signEnvelope(key: PrivateKey, envelope: Envelope): Promise<Envelope> {
  const signature = await key.sign(envelopeSigningBytes(envelope))
  return { ...envelope, signature: new Uint8Array(signature) }
}

/** True when the envelope carries its sender's signature over what it says; never throws. */
export async function verifyEnvelope(envelope: Envelope): Promise<boolean> {
  if (envelope.signature.byteLength !== SIGNATURE_BYTES) return false
  try {
    const key = peerIdFromString(envelope.from).publicKey
    if (key == null) return false
    return await key.verify(envelopeSigningBytes(envelope), envelope.signature)
  } catch {
    return false
  }
}
