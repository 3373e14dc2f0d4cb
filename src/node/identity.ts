/**
 * Node identity (FR1.1): an Ed25519 key generated once and persisted by the host's
 * IdentityStore. The node id is 32 hex characters of SHA-256 over the raw public key; the
 * libp2p PeerId comes from the same key, so either identifies the node.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { equals, fromString, toString } from 'uint8arrays'
import { IdentityCorruptError } from '../core/errors.js'
import { nodeIdFromPublicKey } from '../core/node-id.js'

export { nodeIdFromPeerId, nodeIdFromPublicKey } from '../core/node-id.js'

/** What an IdentityStore persists: JSON-safe, self-checking. */
export interface IdentityRecord {
  version: 1
  type: 'Ed25519'
  /** libp2p protobuf encoding of the private key, base64 */
  private_key: string
  node_id: string
  peer_id: string
  created_at: string
}

/** Persistence of one identity record: a 0600 file on Node, an IndexedDB entry in a tab. */
export interface IdentityStore {
  /** human-readable location for messages, e.g. a path or "indexeddb:identity/slot-0" */
  readonly location: string
  /** the stored record as parsed, undefined when none exists; throws IdentityCorruptError if unreadable */
  load(): Promise<unknown>
  /** writes the record atomically */
  save(record: IdentityRecord): Promise<void>
  /** after a record loaded and verified: make sure only this node can read it (e.g. 0600) */
  secure?(): Promise<void>
}

export interface Identity {
  privateKey: PrivateKey
  peerId: PeerId
  nodeId: string
  createdAt: string
  /** true when this start generated the key */
  generated: boolean
}

export async function loadOrCreateIdentity(store: IdentityStore): Promise<Identity> {
  const stored = await store.load()
  if (stored !== undefined) {
    const identity = decodeRecord(stored, store.location)
    await store.secure?.()
    return { ...identity, generated: false }
  }
  const privateKey = await generateKeyPair('Ed25519')
  const record = encodeRecord(privateKey, new Date().toISOString())
  await store.save(record)
  return { ...decodeRecord(record, store.location), generated: true }
}

export function encodeRecord(privateKey: PrivateKey, createdAt: string): IdentityRecord {
  const peerId = peerIdFromPrivateKey(privateKey)
  return {
    version: 1,
    type: 'Ed25519',
    private_key: toString(privateKeyToProtobuf(privateKey), 'base64pad'),
    node_id: nodeIdFromPublicKey(privateKey.publicKey.raw),
    peer_id: peerId.toString(),
    created_at: createdAt,
  }
}

/** Validates a stored record end to end; any inconsistency is corruption, never a silent new key. */
export function decodeRecord(value: unknown, location: string): Omit<Identity, 'generated'> {
  const fail = (reason: string): never => {
    throw new IdentityCorruptError(location, reason)
  }
  if (value == null || typeof value !== 'object') return fail('not a JSON object')
  const r = value as Partial<Record<keyof IdentityRecord, unknown>>
  if (r.version !== 1) return fail(`unsupported version ${JSON.stringify(r.version)}`)
  if (r.type !== 'Ed25519') return fail(`key type ${JSON.stringify(r.type)} is not Ed25519`)
  if (typeof r.private_key !== 'string') return fail('private_key missing')
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(fromString(r.private_key, 'base64pad'))
  } catch (err) {
    return fail(`private_key does not decode (${(err as Error).message})`)
  }
  if (privateKey.type !== 'Ed25519') return fail('private_key is not an Ed25519 key')
  // the encoding carries the public key beside the secret seed: they must belong together
  if (!equals(ed25519.getPublicKey(privateKey.raw.subarray(0, 32)), privateKey.publicKey.raw)) {
    return fail('private_key does not match its public key')
  }
  const peerId = peerIdFromPrivateKey(privateKey)
  const nodeId = nodeIdFromPublicKey(privateKey.publicKey.raw)
  if (r.peer_id !== peerId.toString()) return fail('peer_id does not match the key')
  if (r.node_id !== nodeId) return fail('node_id does not match the key')
  const createdAt = typeof r.created_at === 'string' ? r.created_at : fail('created_at missing')
  return { privateKey, peerId, nodeId, createdAt }
}
