/**
 * A tab's identity in a real Chromium: loadOrCreateIdentity over StorageIdentityStore on the
 * real IdbStorage, and the identity slot a tab takes (Web Locks + sessionStorage), checked from
 * this page and from extra tabs of the same browser profile.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { commands } from 'vitest/browser'
import { IdentityCorruptError } from '../../../src/core/errors.js'
import type { IdentityRecord } from '../../../src/node/identity.js'
import { loadOrCreateIdentity, nodeIdFromPeerId } from '../../../src/node/identity.js'
import { StorageIdentityStore } from '../../../src/node/storage-identity-store.js'
import { acquireIdentitySlot } from '../../../src/platform/browser/identity-slot.js'
import { IdbStorage } from '../../../src/store/idb-storage.js'
import { Namespaces } from '../../../src/store/storage.js'
import { tempDatabases } from '../../store/temp-idb.js'

/** Commands registered in vitest.config.ts (browser project). */
declare module 'vitest/browser' {
  interface BrowserCommands {
    openTab: () => Promise<string>
    tabImport: (id: string, module: string, fn: string) => Promise<unknown>
    tabEval: (id: string, expression: string) => Promise<unknown>
    reloadTab: (id: string) => Promise<void>
    closeTab: (id: string) => Promise<void>
  }
}

const NODE_ID = /^[0-9a-f]{32}$/
const SESSION_KEY = 'p2p-ai-agents:identity-slot'
const SLOT_MODULE = '/src/platform/browser/identity-slot.ts'
const freshName = tempDatabases('p2p-test-identity-')

describe('loadOrCreateIdentity on IdbStorage', () => {
  const open: IdbStorage[] = []

  async function openDb(name: string): Promise<IdbStorage> {
    const s = await IdbStorage.open(name)
    open.push(s)
    return s
  }

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close()
  })

  it('generates an identity on first load and persists its record under the key', async () => {
    const name = freshName()
    const storage = await openDb(name)
    const store = new StorageIdentityStore(storage, 'slot-0')
    expect(store.location).toBe(`indexeddb:${name}/identity/slot-0`)
    expect(await store.load()).toBeUndefined()

    const id = await loadOrCreateIdentity(store)
    expect(id.generated).toBe(true)
    expect(id.nodeId).toMatch(NODE_ID)
    expect(id.privateKey.type).toBe('Ed25519')
    expect(nodeIdFromPeerId(id.peerId)).toBe(id.nodeId)
    expect(new Date(id.createdAt).toISOString()).toBe(id.createdAt)

    expect(await storage.keys(Namespaces.identity)).toEqual(['slot-0'])
    const record = (await storage.get(Namespaces.identity, 'slot-0')) as IdentityRecord
    expect(record).toMatchObject({
      version: 1,
      type: 'Ed25519',
      node_id: id.nodeId,
      peer_id: id.peerId.toString(),
      created_at: id.createdAt,
    })
    expect(typeof record.private_key).toBe('string')
    expect(Object.keys(record).sort()).toEqual(
      ['created_at', 'node_id', 'peer_id', 'private_key', 'type', 'version'].sort(),
    )
    // nothing else written
    expect(await storage.keys(Namespaces.config)).toEqual([])
    expect(await storage.keys(Namespaces.health)).toEqual([])
  })

  it('returns the same identity after a reload (a new IdbStorage and store on the same key)', async () => {
    const name = freshName()
    const before = await openDb(name)
    const first = await loadOrCreateIdentity(new StorageIdentityStore(before, 'slot-0'))
    const recordBefore = await before.get(Namespaces.identity, 'slot-0')
    await before.close()
    open.splice(open.indexOf(before), 1)

    const after = await openDb(name)
    const second = await loadOrCreateIdentity(new StorageIdentityStore(after, 'slot-0'))
    expect(second.generated).toBe(false)
    expect(second.nodeId).toBe(first.nodeId)
    expect(second.peerId.toString()).toBe(first.peerId.toString())
    expect(second.peerId.equals(first.peerId)).toBe(true)
    expect(second.createdAt).toBe(first.createdAt)
    expect(second.privateKey.equals(first.privateKey)).toBe(true)
    // loading did not rewrite the record
    expect(await after.get(Namespaces.identity, 'slot-0')).toStrictEqual(recordBefore)
    expect(await after.keys(Namespaces.identity)).toEqual(['slot-0'])

    // and again, through a second handle open at the same time
    const third = await loadOrCreateIdentity(new StorageIdentityStore(await openDb(name), 'slot-0'))
    expect(third.nodeId).toBe(first.nodeId)
    expect(third.generated).toBe(false)
  })

  it('gives different slots different identities, each kept across a reload', async () => {
    const name = freshName()
    const storage = await openDb(name)
    const slots = ['slot-0', 'slot-1', 'slot-2']
    const ids = []
    for (const key of slots)
      ids.push(await loadOrCreateIdentity(new StorageIdentityStore(storage, key)))
    expect(ids.every((id) => id.generated)).toBe(true)
    expect(new Set(ids.map((id) => id.nodeId)).size).toBe(slots.length)
    expect(new Set(ids.map((id) => id.peerId.toString())).size).toBe(slots.length)
    expect((await storage.keys(Namespaces.identity)).sort()).toEqual(slots)

    await storage.close()
    open.splice(open.indexOf(storage), 1)
    const reopened = await openDb(name)
    for (const [i, key] of slots.entries()) {
      const again = await loadOrCreateIdentity(new StorageIdentityStore(reopened, key))
      expect(again.generated).toBe(false)
      expect(again.nodeId).toBe(ids[i]!.nodeId)
      expect(again.peerId.toString()).toBe(ids[i]!.peerId.toString())
    }
  })

  const TAMPERS: Array<[string, (r: IdentityRecord, other: IdentityRecord) => unknown, RegExp]> = [
    [
      'node_id changed',
      (r) => ({ ...r, node_id: r.node_id.replace(/^./, (c) => (c === '0' ? '1' : '0')) }),
      /node_id does not match the key/,
    ],
    [
      'node_id of another identity',
      (r, other) => ({ ...r, node_id: other.node_id }),
      /node_id does not match the key/,
    ],
    [
      'peer_id of another identity',
      (r, other) => ({ ...r, peer_id: other.peer_id }),
      /peer_id does not match the key/,
    ],
    [
      'private_key of another identity',
      (r, other) => ({ ...r, private_key: other.private_key }),
      /peer_id does not match the key/,
    ],
    [
      'private_key not base64 protobuf',
      (r) => ({ ...r, private_key: 'bm90IGEga2V5' }),
      /private_key/,
    ],
    ['unsupported version', (r) => ({ ...r, version: 2 }), /unsupported version 2/],
    ['created_at missing', (r) => ({ ...r, created_at: undefined }), /created_at missing/],
    ['a string instead of a record', () => 'not a record', /not a JSON object/],
    ['null', () => null, /not a JSON object/],
  ]

  it.each(TAMPERS)(
    'refuses a tampered record (%s) with IdentityCorruptError and leaves it unchanged',
    async (_label, tamper, reason) => {
      const name = freshName()
      const storage = await openDb(name)
      await loadOrCreateIdentity(new StorageIdentityStore(storage, 'slot-0'))
      await loadOrCreateIdentity(new StorageIdentityStore(storage, 'slot-1'))
      const good = (await storage.get(Namespaces.identity, 'slot-0')) as IdentityRecord
      const other = (await storage.get(Namespaces.identity, 'slot-1')) as IdentityRecord
      const bad = tamper(good, other)
      await storage.put(Namespaces.identity, 'slot-0', bad)
      const stored = await storage.get(Namespaces.identity, 'slot-0')

      const store = new StorageIdentityStore(storage, 'slot-0')
      for (let attempt = 0; attempt < 2; attempt++) {
        const err = await loadOrCreateIdentity(store).then(
          () => undefined,
          (e: unknown) => e as Error,
        )
        expect(err).toBeInstanceOf(Error)
        expect(err?.name).toBe('IdentityCorruptError')
        expect(err?.name).toBe(IdentityCorruptError.NAME)
        expect((err as IdentityCorruptError).location).toBe(`indexeddb:${name}/identity/slot-0`)
        expect(err?.message).toMatch(reason)
      }

      // left exactly as it was: no replacement key, no other entry touched
      expect(await storage.get(Namespaces.identity, 'slot-0')).toStrictEqual(stored)
      expect(await storage.get(Namespaces.identity, 'slot-1')).toStrictEqual(other)
      expect((await storage.keys(Namespaces.identity)).sort()).toEqual(['slot-0', 'slot-1'])
    },
  )
})

describe('acquireIdentitySlot (Web Locks + sessionStorage)', () => {
  const tabs: string[] = []

  async function newTab(): Promise<string> {
    const id = await commands.openTab()
    tabs.push(id)
    return id
  }

  async function closeTab(id: string): Promise<void> {
    await commands.closeTab(id)
    tabs.splice(tabs.indexOf(id), 1)
  }

  const slotIn = async (tab: string): Promise<unknown> =>
    commands.tabImport(tab, SLOT_MODULE, 'acquireIdentitySlot')
  const rememberedIn = async (tab: string): Promise<unknown> =>
    commands.tabEval(tab, `sessionStorage.getItem(${JSON.stringify(SESSION_KEY)})`)

  async function heldSlots(): Promise<number[]> {
    const { held = [] } = await navigator.locks.query()
    return held
      .map((l) => /^p2p-ai-agents:identity:(\d+)$/.exec(l.name ?? '')?.[1])
      .filter((s): s is string => s != null)
      .map(Number)
      .sort((a, b) => a - b)
  }

  afterAll(async () => {
    for (const id of [...tabs]) await closeTab(id)
  })

  it('takes slot 0 on the first call in a fresh page and remembers it in sessionStorage', async () => {
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
    expect(await heldSlots()).toEqual([])
    expect(await acquireIdentitySlot()).toBe(0)
    expect(sessionStorage.getItem(SESSION_KEY)).toBe('0')
    expect(await heldSlots()).toEqual([0])
  })

  it('gives a second tab of the same browser a different slot, remembered in its own session', async () => {
    const tab = await newTab()
    expect(await rememberedIn(tab)).toBeNull()
    expect(await slotIn(tab)).toBe(1)
    expect(await rememberedIn(tab)).toBe('1')
    // this page keeps its own slot and memory
    expect(sessionStorage.getItem(SESSION_KEY)).toBe('0')
    expect(await heldSlots()).toEqual([0, 1])
  })

  it('brings a reloaded tab back to its slot', async () => {
    const tab = tabs[0]!
    await commands.reloadTab(tab)
    expect(await rememberedIn(tab)).toBe('1')
    expect(await slotIn(tab)).toBe(1)
    expect(await heldSlots()).toEqual([0, 1])
  })

  it('gives tabs that start at the same time distinct slots', async () => {
    const [a, b, c] = await Promise.all([newTab(), newTab(), newTab()])
    const slots = await Promise.all([slotIn(a!), slotIn(b!), slotIn(c!)])
    expect([...slots].sort()).toEqual([2, 3, 4])
    expect(await Promise.all([rememberedIn(a!), rememberedIn(b!), rememberedIn(c!)])).toEqual(
      slots.map(String),
    )
    expect(await heldSlots()).toEqual([0, 1, 2, 3, 4])
  })

  it('frees the slot of a closed tab for the next new tab', async () => {
    const holderOf1 = tabs[0]!
    await closeTab(holderOf1)
    await expect.poll(heldSlots).toEqual([0, 2, 3, 4])
    const tab = await newTab()
    expect(await slotIn(tab)).toBe(1)
    expect(await heldSlots()).toEqual([0, 1, 2, 3, 4])
  })

  it('moves a duplicated tab (remembered slot held by another tab) to the lowest free slot', async () => {
    // "Duplicate tab" copies sessionStorage: the copy remembers slot 0, which this page holds
    const tab = await newTab()
    await commands.tabEval(tab, `sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, '0')`)
    const started = performance.now()
    expect(await slotIn(tab)).toBe(5)
    // it waited for slot 0 as a reload would (RELOAD_WAIT_MS), then gave up on it
    expect(performance.now() - started).toBeGreaterThanOrEqual(2900)
    expect(await rememberedIn(tab)).toBe('5')
    expect(sessionStorage.getItem(SESSION_KEY)).toBe('0')
    expect(await heldSlots()).toEqual([0, 1, 2, 3, 4, 5])
  })
})
