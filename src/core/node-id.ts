/** Node ids: 32 hex characters of SHA-256 over an Ed25519 public key (FR1.1). */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { sha256 } from '@noble/hashes/sha2.js'
import { toString } from 'uint8arrays'

/** 32 hex chars, deterministic in the public key. */
export function nodeIdFromPublicKey(rawPublicKey: Uint8Array): string {
  return toString(sha256(rawPublicKey), 'base16').slice(0, 32)
}

/** The node id of any Ed25519 peer id (its public key is embedded in it). */
export function nodeIdFromPeerId(peerId: PeerId | string): string {
  const id = typeof peerId === 'string' ? peerIdFromString(peerId) : peerId
  if (id.publicKey == null) throw new Error(`peer id ${id.toString()} does not embed a public key`)
  return nodeIdFromPublicKey(id.publicKey.raw)
}
