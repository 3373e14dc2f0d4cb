import { createHash } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { fromString, toString } from 'uint8arrays'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IdentityCorruptError } from '../../src/core/errors.js'
import type { IdentityRecord } from '../../src/node/identity.js'
import {
  decodeRecord,
  encodeRecord,
  loadOrCreateIdentity,
  nodeIdFromPeerId,
  nodeIdFromPublicKey,
} from '../../src/node/identity.js'
import { FileIdentityStore } from '../../src/platform/node/file-identity-store.js'

const NODE_ID = /^[0-9a-f]{32}$/

interface WarnCall {
  msg: string
  fields?: Record<string, unknown>
}

let home: string
let idPath: string
const extraDirs: string[] = []

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'p2p-identity-'))
  idPath = join(home, 'config', 'node_identity.json')
})

afterEach(async () => {
  vi.useRealTimers()
  await rm(home, { recursive: true, force: true })
  for (const dir of extraDirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

function fileMode(s: { mode: number }): number {
  return s.mode & 0o777
}

/** Creates a valid identity file at idPath and returns its parsed record. */
async function createValidIdentityFile(): Promise<IdentityRecord> {
  const created = await loadOrCreateIdentity(new FileIdentityStore(idPath))
  expect(created.generated).toBe(true)
  return JSON.parse(await readFile(idPath, 'utf8')) as IdentityRecord
}

/** Writes `text` as the identity file with mode 0600 (regardless of umask). */
async function writeIdentityText(text: string): Promise<void> {
  await mkdir(join(home, 'config'), { recursive: true, mode: 0o700 })
  await writeFile(idPath, text, { mode: 0o600 })
  await chmod(idPath, 0o600)
}

async function expectCorruptAndUntouched(expectedReason: string | RegExp): Promise<void> {
  const before = await readFile(idPath)
  const modeBefore = fileMode(await stat(idPath))
  const warnings: WarnCall[] = []
  const store = new FileIdentityStore(idPath, (msg, fields) => warnings.push({ msg, fields }))
  const err = await loadOrCreateIdentity(store).then(
    () => undefined,
    (e: unknown) => e as Error,
  )
  expect(err).toBeInstanceOf(Error)
  expect(err?.name).toBe('IdentityCorruptError')
  expect(err?.name).toBe(IdentityCorruptError.NAME)
  expect((err as IdentityCorruptError).location).toBe(idPath)
  expect(err?.message).toContain(`node identity at ${idPath} is corrupt: `)
  if (typeof expectedReason === 'string') expect(err?.message).toContain(expectedReason)
  else expect(err?.message).toMatch(expectedReason)
  // left untouched: same bytes, same mode, no stray files, no replacement key
  const after = await readFile(idPath)
  expect(Buffer.compare(after, before)).toBe(0)
  expect(fileMode(await stat(idPath))).toBe(modeBefore)
  expect((await readdir(join(home, 'config'))).sort()).toEqual(['node_identity.json'])
  expect(warnings).toEqual([])
}

describe('nodeIdFromPublicKey / nodeIdFromPeerId', () => {
  it('is the first 32 hex chars of SHA-256 over the raw public key', async () => {
    const key = await generateKeyPair('Ed25519')
    const expected = createHash('sha256').update(key.publicKey.raw).digest('hex').slice(0, 32)
    expect(nodeIdFromPublicKey(key.publicKey.raw)).toBe(expected)
    expect(nodeIdFromPublicKey(key.publicKey.raw)).toMatch(NODE_ID)
  })

  it('matches a fixed vector (all-zero 32-byte key)', () => {
    // sha256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
    expect(nodeIdFromPublicKey(new Uint8Array(32))).toBe('66687aadf862bd776c8fc18b8e9f8e20')
  })

  it('derives the same node id from a PeerId object and its string form', async () => {
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    const expected = nodeIdFromPublicKey(key.publicKey.raw)
    expect(nodeIdFromPeerId(peerId)).toBe(expected)
    expect(nodeIdFromPeerId(peerId.toString())).toBe(expected)
    expect(nodeIdFromPeerId(peerIdFromString(peerId.toString()))).toBe(expected)
  })

  it('gives different node ids for different keys', async () => {
    const a = await generateKeyPair('Ed25519')
    const b = await generateKeyPair('Ed25519')
    expect(nodeIdFromPublicKey(a.publicKey.raw)).not.toBe(nodeIdFromPublicKey(b.publicKey.raw))
  })
})

describe('loadOrCreateIdentity with FileIdentityStore', () => {
  it('generates an Ed25519 key on first load and persists it with mode 0600 in a 0700 dir', async () => {
    // only Date is faked: the file system and the key generation run for real
    const generatedAt = Date.parse('2025-01-02T03:04:05.678Z')
    vi.useFakeTimers({ toFake: ['Date'], now: generatedAt })
    const identity = await loadOrCreateIdentity(new FileIdentityStore(idPath))

    expect(identity.generated).toBe(true)
    expect(identity.privateKey.type).toBe('Ed25519')
    expect(identity.nodeId).toMatch(NODE_ID)
    expect(identity.nodeId).toBe(nodeIdFromPublicKey(identity.privateKey.publicKey.raw))
    expect(identity.nodeId).toBe(nodeIdFromPeerId(identity.peerId))
    expect(identity.peerId.equals(peerIdFromPrivateKey(identity.privateKey))).toBe(true)
    expect(identity.peerId.type).toBe('Ed25519')
    expect(identity.peerId.publicKey?.equals(identity.privateKey.publicKey)).toBe(true)
    // stamped with the time of generation, as an ISO string
    expect(identity.createdAt).toBe('2025-01-02T03:04:05.678Z')

    const st = await stat(idPath)
    expect(st.isFile()).toBe(true)
    expect(fileMode(st)).toBe(0o600)
    expect(fileMode(await stat(join(home, 'config')))).toBe(0o700)
    // no temporary files left next to it
    expect(await readdir(join(home, 'config'))).toEqual(['node_identity.json'])

    const record = JSON.parse(await readFile(idPath, 'utf8')) as IdentityRecord
    expect(Object.keys(record).sort()).toEqual(
      ['created_at', 'node_id', 'peer_id', 'private_key', 'type', 'version'].sort(),
    )
    expect(record.version).toBe(1)
    expect(record.type).toBe('Ed25519')
    expect(record.node_id).toBe(identity.nodeId)
    expect(record.peer_id).toBe(identity.peerId.toString())
    expect(record.created_at).toBe(identity.createdAt)
    const stored = privateKeyFromProtobuf(fromString(record.private_key, 'base64pad'))
    expect(stored.equals(identity.privateKey)).toBe(true)

    // a later load keeps the time of generation rather than stamping the time of loading
    vi.setSystemTime(generatedAt + 3_600_000)
    const later = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    expect(later.generated).toBe(false)
    expect(later.createdAt).toBe('2025-01-02T03:04:05.678Z')
  })

  it('returns the same identity with generated: false on the second load', async () => {
    const first = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    const bytes = await readFile(idPath)
    const second = await loadOrCreateIdentity(new FileIdentityStore(idPath))

    expect(first.generated).toBe(true)
    expect(second.generated).toBe(false)
    expect(second.nodeId).toBe(first.nodeId)
    expect(second.peerId.toString()).toBe(first.peerId.toString())
    expect(second.peerId.equals(first.peerId)).toBe(true)
    expect(second.privateKey.equals(first.privateKey)).toBe(true)
    expect(second.createdAt).toBe(first.createdAt)
    expect(Buffer.compare(await readFile(idPath), bytes)).toBe(0)
  })

  it('gives different identities to different homes', async () => {
    const otherHome = await mkdtemp(join(tmpdir(), 'p2p-identity-'))
    extraDirs.push(otherHome)
    const a = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    const b = await loadOrCreateIdentity(
      new FileIdentityStore(join(otherHome, 'config', 'node_identity.json')),
    )
    expect(a.nodeId).not.toBe(b.nodeId)
    expect(a.peerId.equals(b.peerId)).toBe(false)
  })

  it('loads a key that signs messages its PeerId public key verifies', async () => {
    const first = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    const loaded = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    const message = new TextEncoder().encode('hello mesh')
    const signature = await loaded.privateKey.sign(message)
    expect(await loaded.peerId.publicKey?.verify(message, signature)).toBe(true)
    expect(await first.privateKey.publicKey.verify(message, signature)).toBe(true)
    const other = new TextEncoder().encode('hello mesh!')
    expect(await loaded.peerId.publicKey?.verify(other, signature)).toBe(false)
  })

  it('reports its location as the given path', () => {
    expect(new FileIdentityStore(idPath).location).toBe(idPath)
  })

  it('load() of a missing file resolves undefined and creates nothing', async () => {
    expect(await new FileIdentityStore(idPath).load()).toBeUndefined()
    expect(await readdir(home)).toEqual([])
  })

  it('restricts a 0644 identity file to 0600, warns once and still loads it', async () => {
    const record = await createValidIdentityFile()
    const bytes = await readFile(idPath)
    await chmod(idPath, 0o644)
    expect(fileMode(await stat(idPath))).toBe(0o644)

    const warnings: WarnCall[] = []
    const store = new FileIdentityStore(idPath, (msg, fields) => warnings.push({ msg, fields }))
    const identity = await loadOrCreateIdentity(store)

    expect(identity.generated).toBe(false)
    expect(identity.nodeId).toBe(record.node_id)
    expect(identity.peerId.toString()).toBe(record.peer_id)
    expect(fileMode(await stat(idPath))).toBe(0o600)
    expect(Buffer.compare(await readFile(idPath), bytes)).toBe(0)
    expect(warnings).toEqual([
      {
        msg: 'node identity file was readable by others; restricting it to 0600',
        fields: { path: idPath, mode: '644' },
      },
    ])

    // already restricted: no further warning
    await loadOrCreateIdentity(store)
    expect(warnings).toHaveLength(1)
  })

  it('does not warn for a 0600 file', async () => {
    await createValidIdentityFile()
    const warnings: WarnCall[] = []
    await loadOrCreateIdentity(
      new FileIdentityStore(idPath, (msg, fields) => warnings.push({ msg, fields })),
    )
    expect(warnings).toEqual([])
  })

  it('generates a fresh key in each of 20 fresh homes, and each home keeps its own', async () => {
    // (how fast a key is generated is a benchmark's question, not a unit test's)
    const stores: FileIdentityStore[] = []
    const generated: string[] = []
    for (let i = 0; i < 20; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'p2p-identity-many-'))
      extraDirs.push(dir)
      const store = new FileIdentityStore(join(dir, 'config', 'node_identity.json'))
      stores.push(store)
      const identity = await loadOrCreateIdentity(store)
      expect(identity.generated).toBe(true)
      generated.push(identity.nodeId)
    }
    expect(new Set(generated).size).toBe(20)
    for (const [i, store] of stores.entries()) {
      const again = await loadOrCreateIdentity(store)
      expect(again.generated).toBe(false)
      expect(again.nodeId).toBe(generated[i])
    }
  })

  it('loads the same identity 1000 times in a row without changing the file', async () => {
    const first = await loadOrCreateIdentity(new FileIdentityStore(idPath))
    const bytes = await readFile(idPath)
    const mtimeBefore = (await stat(idPath)).mtimeMs
    const store = new FileIdentityStore(idPath)
    const seenNodeIds = new Set<string>()
    const seenPeerIds = new Set<string>()
    let generated = 0
    let changedBytes = 0
    for (let i = 0; i < 1000; i++) {
      const identity = await loadOrCreateIdentity(store)
      if (identity.generated) generated++
      seenNodeIds.add(identity.nodeId)
      seenPeerIds.add(identity.peerId.toString())
      if (Buffer.compare(await readFile(idPath), bytes) !== 0) changedBytes++
    }
    expect(generated).toBe(0)
    expect(changedBytes).toBe(0)
    expect([...seenNodeIds]).toEqual([first.nodeId])
    expect([...seenPeerIds]).toEqual([first.peerId.toString()])
    expect((await stat(idPath)).mtimeMs).toBe(mtimeBefore)
    expect(await readdir(join(home, 'config'))).toEqual(['node_identity.json'])
  })
})

describe('corrupt identity files are refused and left untouched', () => {
  it('truncated JSON', async () => {
    await createValidIdentityFile()
    const text = await readFile(idPath, 'utf8')
    await writeIdentityText(text.slice(0, Math.floor(text.length / 2)))
    await expectCorruptAndUntouched('not valid JSON')
  })

  it('an empty file', async () => {
    await writeIdentityText('')
    await expectCorruptAndUntouched('not valid JSON')
  })

  it.each([
    ['null', 'null'],
    ['a string', '"node"'],
    ['a number', '42'],
  ])('valid JSON that is not an object (%s)', async (_label, text) => {
    await writeIdentityText(text)
    await expectCorruptAndUntouched('not a JSON object')
  })

  it('a private_key replaced by another valid Ed25519 key', async () => {
    const record = await createValidIdentityFile()
    const other = await generateKeyPair('Ed25519')
    record.private_key = toString(privateKeyToProtobuf(other), 'base64pad')
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('peer_id does not match the key')
  })

  it('a private_key that is not base64', async () => {
    const record = await createValidIdentityFile()
    record.private_key = '!!! not base64 !!!'
    await writeIdentityText(JSON.stringify(record))
    await expectCorruptAndUntouched('private_key does not decode')
  })

  it('a private_key whose protobuf is truncated', async () => {
    const record = await createValidIdentityFile()
    const bytes = fromString(record.private_key, 'base64pad')
    record.private_key = toString(bytes.subarray(0, bytes.length - 10), 'base64pad')
    await writeIdentityText(JSON.stringify(record))
    await expectCorruptAndUntouched('private_key does not decode')
  })

  it('a private_key with one flipped bit in its secret half', async () => {
    // libp2p stores Ed25519 private keys as seed (32 bytes) ‖ public key (32 bytes); flipping a
    // seed bit leaves the embedded public key — and so peer_id and node_id — unchanged, but the
    // key no longer signs for that public key.
    const record = await createValidIdentityFile()
    const bytes = Uint8Array.from(fromString(record.private_key, 'base64pad'))
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x08, 0x01, 0x12, 0x40]) // type=Ed25519, 64 bytes
    bytes[4] = (bytes[4] as number) ^ 0x01
    record.private_key = toString(bytes, 'base64pad')
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched(/private_key/)
  })

  it('a private_key missing', async () => {
    const record = await createValidIdentityFile()
    const { private_key: _omitted, ...rest } = record
    await writeIdentityText(JSON.stringify(rest))
    await expectCorruptAndUntouched('private_key missing')
  })

  it('a node_id that does not match the key', async () => {
    const record = await createValidIdentityFile()
    const other = await generateKeyPair('Ed25519')
    record.node_id = nodeIdFromPublicKey(other.publicKey.raw)
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('node_id does not match the key')
  })

  it('a node_id in upper case', async () => {
    const record = await createValidIdentityFile()
    record.node_id = record.node_id.toUpperCase()
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('node_id does not match the key')
  })

  it('a peer_id that does not match the key', async () => {
    const record = await createValidIdentityFile()
    const other = await generateKeyPair('Ed25519')
    record.peer_id = peerIdFromPrivateKey(other).toString()
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('peer_id does not match the key')
  })

  it.each([[2], [0], ['1'], [null]])('an unsupported version (%j)', async (version) => {
    const record = await createValidIdentityFile()
    await writeIdentityText(JSON.stringify({ ...record, version }))
    await expectCorruptAndUntouched(`unsupported version ${JSON.stringify(version)}`)
  })

  it('a missing version', async () => {
    const record = await createValidIdentityFile()
    const { version: _omitted, ...rest } = record
    await writeIdentityText(JSON.stringify(rest))
    await expectCorruptAndUntouched('unsupported version undefined')
  })

  it('a secp256k1 key labelled as secp256k1', async () => {
    const key = await generateKeyPair('secp256k1')
    const record = {
      version: 1,
      type: 'secp256k1',
      private_key: toString(privateKeyToProtobuf(key), 'base64pad'),
      node_id: nodeIdFromPublicKey(key.publicKey.raw),
      peer_id: peerIdFromPrivateKey(key).toString(),
      created_at: new Date().toISOString(),
    }
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('key type "secp256k1" is not Ed25519')
  })

  it('a secp256k1 key labelled as Ed25519', async () => {
    const key = await generateKeyPair('secp256k1')
    const record = {
      version: 1,
      type: 'Ed25519',
      private_key: toString(privateKeyToProtobuf(key), 'base64pad'),
      node_id: nodeIdFromPublicKey(key.publicKey.raw),
      peer_id: peerIdFromPrivateKey(key).toString(),
      created_at: new Date().toISOString(),
    }
    await writeIdentityText(JSON.stringify(record, null, 2))
    await expectCorruptAndUntouched('private_key is not an Ed25519 key')
  })

  it('a missing created_at', async () => {
    const record = await createValidIdentityFile()
    const { created_at: _omitted, ...rest } = record
    await writeIdentityText(JSON.stringify(rest))
    await expectCorruptAndUntouched('created_at missing')
  })

  it('a directory where the file should be', async () => {
    await mkdir(idPath, { recursive: true })
    const err = await new FileIdentityStore(idPath).load().then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(err?.name).toBe('IdentityCorruptError')
    expect((await stat(idPath)).isDirectory()).toBe(true)
    expect(await readdir(idPath)).toEqual([])
  })
})

describe('encodeRecord / decodeRecord', () => {
  it('round-trips a key', async () => {
    const key = await generateKeyPair('Ed25519')
    const createdAt = '2024-01-02T03:04:05.678Z'
    const record = encodeRecord(key, createdAt)
    expect(record.version).toBe(1)
    expect(record.type).toBe('Ed25519')
    expect(record.created_at).toBe(createdAt)
    expect(record.node_id).toBe(nodeIdFromPublicKey(key.publicKey.raw))
    expect(record.peer_id).toBe(peerIdFromPrivateKey(key).toString())
    const decoded = decodeRecord(JSON.parse(JSON.stringify(record)) as unknown, 'memory')
    expect(decoded.privateKey.equals(key)).toBe(true)
    expect(decoded.nodeId).toBe(record.node_id)
    expect(decoded.peerId.toString()).toBe(record.peer_id)
    expect(decoded.createdAt).toBe(createdAt)
  })

  it('names the location in IdentityCorruptError', () => {
    let caught: unknown
    try {
      decodeRecord(undefined, 'indexeddb:identity/slot-0')
    } catch (err) {
      caught = err
    }
    expect((caught as Error).name).toBe('IdentityCorruptError')
    expect((caught as IdentityCorruptError).location).toBe('indexeddb:identity/slot-0')
    expect((caught as Error).message).toContain('indexeddb:identity/slot-0 is corrupt')
  })
})

describe('a corrupt identity file is never changed', () => {
  it('keeps the mode of a corrupt, world-readable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-ai-identity-mode-'))
    try {
      const file = join(dir, 'node_identity.json')
      await writeFile(file, '{"version": 1, "type": "Ed25519", "private_key": "AAAA"')
      await chmod(file, 0o644)
      await expect(loadOrCreateIdentity(new FileIdentityStore(file))).rejects.toMatchObject({
        name: 'IdentityCorruptError',
      })
      expect((await stat(file)).mode & 0o777).toBe(0o644)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
