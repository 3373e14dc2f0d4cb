/**
 * Acceptance suite for the StorageAdapter contract (src/store/storage.ts). Every host's
 * adapter runs it: FileStorage under Node, IdbStorage in a browser. Keep it free of Node-only
 * APIs.
 *
 * `factory` must return a fresh, empty adapter for each test; the suite closes it afterwards.
 * `options.openSame`, when given, opens another adapter on the data of the one it is passed (the
 * same directory, the same database), as a restarted process or a reloaded page would, whether
 * or not that one is still open; the suite then also checks that data survives a close and a
 * reopen and that two adapters on the same data see each other's writes.
 * Only the namespaces in `Namespaces` are used, since IndexedDB creates its stores up front.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StorageAdapter } from '../../src/store/storage.js'
import { Namespaces } from '../../src/store/storage.js'

export type StorageAdapterFactory = () => StorageAdapter | Promise<StorageAdapter>

export interface StorageSuiteOptions {
  /** another adapter on the data of `store`, which may be open or closed */
  openSame?: (store: StorageAdapter) => Promise<StorageAdapter>
}

const NS = Namespaces.config
const OTHER = Namespaces.health
const THIRD = Namespaces.identity

const JSON_VALUES: Array<[string, unknown]> = [
  ['a flat object', { a: 1, b: 'two', c: true, d: null }],
  ['an empty object', {}],
  ['an array', [1, 'two', false, null, { three: 3 }]],
  ['an empty array', []],
  ['zero', 0],
  ['a negative float', -1.5],
  ['a large number', 1e300],
  ['a max safe integer', Number.MAX_SAFE_INTEGER],
  ['a string', 'hello'],
  ['an empty string', ''],
  ['a string with quotes, newlines and unicode', 'say "hi"\n\ttab \\ 日本語 🔑'],
  ['true', true],
  ['false', false],
  ['null', null],
  [
    'a nested structure',
    {
      node: {
        id: 'abc',
        peers: [
          { id: 'p1', rtt: 12.5 },
          { id: 'p2', tags: ['relay', 'webrtc'] },
        ],
      },
      matrix: [
        [1, 2],
        [3, [4, [5, { deep: { deeper: { deepest: 'yes' } } }]]],
      ],
      empty: { list: [], obj: {} },
    },
  ],
]

const SPECIAL_KEYS = [
  'a/b',
  'a\\b',
  'with space',
  'ünïcödé',
  '日本語',
  '🔑key',
  '../escape',
  '.',
  '..',
  '.hidden',
  '%41',
  'a%2Fb',
  'x.json',
  'x.tmp',
  'q?x=1&y=2#frag',
  'quote\'"',
  '*:<>|',
]

const INVALID_NAMESPACES = [
  '',
  'Config',
  'UPPER',
  '1abc',
  '_x',
  'a/b',
  '../etc',
  'with space',
  'dot.ted',
  'a'.repeat(65),
]

export function runStorageAdapterTests(
  name: string,
  factory: StorageAdapterFactory,
  { openSame }: StorageSuiteOptions = {},
): void {
  describe(`StorageAdapter contract: ${name}`, () => {
    let s: StorageAdapter

    beforeEach(async () => {
      s = await factory()
    })

    afterEach(async () => {
      await s.close()
    })

    it('describes itself with a kind and a location', () => {
      expect(typeof s.kind).toBe('string')
      expect(s.kind.length).toBeGreaterThan(0)
      expect(typeof s.location).toBe('string')
      expect(s.location.length).toBeGreaterThan(0)
    })

    it('starts empty', async () => {
      for (const ns of [NS, OTHER, THIRD]) expect(await s.keys(ns)).toEqual([])
    })

    it('returns undefined for a missing key', async () => {
      expect(await s.get(NS, 'missing')).toBeUndefined()
      await s.put(NS, 'present', 1)
      expect(await s.get(NS, 'missing')).toBeUndefined()
      expect(await s.get(OTHER, 'present')).toBeUndefined()
    })

    it.each(JSON_VALUES)('round-trips %s', async (_label, value) => {
      await s.put(NS, 'value', value)
      const back = await s.get(NS, 'value')
      expect(back).toStrictEqual(value)
      if (value === null) expect(back).toBeNull()
      expect(await s.keys(NS)).toEqual(['value'])
    })

    it('stores many keys independently', async () => {
      const entries = JSON_VALUES.map(([label, value], i) => [`k${i}-${label}`, value] as const)
      for (const [k, v] of entries) await s.put(NS, k, v)
      for (const [k, v] of entries) expect(await s.get(NS, k)).toStrictEqual(v)
      expect((await s.keys(NS)).sort()).toEqual(entries.map(([k]) => k).sort())
    })

    it('overwrites an existing value, keeping one key', async () => {
      await s.put(NS, 'k', { version: 1, list: [1, 2, 3] })
      await s.put(NS, 'k', { version: 2 })
      expect(await s.get(NS, 'k')).toStrictEqual({ version: 2 })
      await s.put(NS, 'k', 'now a string')
      expect(await s.get(NS, 'k')).toBe('now a string')
      await s.put(NS, 'k', null)
      expect(await s.get(NS, 'k')).toBeNull()
      expect(await s.keys(NS)).toEqual(['k'])
    })

    it('deletes a key and only that key', async () => {
      await s.put(NS, 'a', 1)
      await s.put(NS, 'b', 2)
      await s.delete(NS, 'a')
      expect(await s.get(NS, 'a')).toBeUndefined()
      expect(await s.get(NS, 'b')).toBe(2)
      expect(await s.keys(NS)).toEqual(['b'])
      await s.delete(NS, 'b')
      expect(await s.keys(NS)).toEqual([])
    })

    it('deletes a missing key without error', async () => {
      await expect(s.delete(NS, 'never-written')).resolves.toBeUndefined()
      await s.put(NS, 'a', 1)
      await s.delete(NS, 'a')
      await expect(s.delete(NS, 'a')).resolves.toBeUndefined()
      expect(await s.keys(NS)).toEqual([])
    })

    it('can write a key again after deleting it', async () => {
      await s.put(NS, 'k', 'first')
      await s.delete(NS, 'k')
      await s.put(NS, 'k', 'second')
      expect(await s.get(NS, 'k')).toBe('second')
      expect(await s.keys(NS)).toEqual(['k'])
    })

    it('lists exactly the keys written to a namespace', async () => {
      const written = ['alpha', 'beta', 'gamma', 'Delta', 'delta', '0', 'z-last']
      for (const k of written) await s.put(NS, k, k.length)
      expect((await s.keys(NS)).sort()).toEqual([...written].sort())
      expect(await s.get(NS, 'Delta')).toBe(5)
      expect(await s.get(NS, 'delta')).toBe(5)
      await s.put(NS, 'Delta', 'upper')
      expect(await s.get(NS, 'delta')).toBe(5)
    })

    it('keeps namespaces isolated from each other', async () => {
      await s.put(NS, 'shared', { from: 'config' })
      await s.put(OTHER, 'shared', { from: 'health' })
      await s.put(OTHER, 'only-health', 1)

      expect(await s.get(NS, 'shared')).toStrictEqual({ from: 'config' })
      expect(await s.get(OTHER, 'shared')).toStrictEqual({ from: 'health' })
      expect(await s.get(THIRD, 'shared')).toBeUndefined()
      expect(await s.get(NS, 'only-health')).toBeUndefined()
      expect(await s.keys(NS)).toEqual(['shared'])
      expect((await s.keys(OTHER)).sort()).toEqual(['only-health', 'shared'])
      expect(await s.keys(THIRD)).toEqual([])

      await s.delete(NS, 'shared')
      expect(await s.get(NS, 'shared')).toBeUndefined()
      expect(await s.get(OTHER, 'shared')).toStrictEqual({ from: 'health' })

      await s.put(OTHER, 'shared', 'overwritten')
      expect(await s.get(NS, 'shared')).toBeUndefined()
    })

    it.each(INVALID_NAMESPACES)('rejects the invalid namespace %j with TypeError', async (ns) => {
      await expect(s.get(ns, 'k')).rejects.toThrow(TypeError)
      await expect(s.put(ns, 'k', 1)).rejects.toThrow(TypeError)
      await expect(s.delete(ns, 'k')).rejects.toThrow(TypeError)
      await expect(s.keys(ns)).rejects.toThrow(TypeError)
      for (const valid of [NS, OTHER, THIRD]) expect(await s.keys(valid)).toEqual([])
    })

    it('rejects an empty key with TypeError and stores nothing', async () => {
      await expect(s.get(NS, '')).rejects.toThrow(TypeError)
      await expect(s.put(NS, '', 1)).rejects.toThrow(TypeError)
      await expect(s.delete(NS, '')).rejects.toThrow(TypeError)
      expect(await s.keys(NS)).toEqual([])
    })

    it('rejects a key longer than 512 characters with TypeError', async () => {
      const long = 'k'.repeat(513)
      await expect(s.get(NS, long)).rejects.toThrow(TypeError)
      await expect(s.put(NS, long, 1)).rejects.toThrow(TypeError)
      await expect(s.delete(NS, long)).rejects.toThrow(TypeError)
      expect(await s.keys(NS)).toEqual([])
    })

    it.each([
      ['512 ASCII characters', 'k'.repeat(512)],
      ['64 accented characters', 'é'.repeat(64)],
      ['100 CJK characters', '日'.repeat(100)],
    ])('accepts a key of %s', async (_label, key) => {
      await s.put(NS, key, { ok: true })
      expect(await s.get(NS, key)).toStrictEqual({ ok: true })
      expect(await s.keys(NS)).toEqual([key])
      await s.delete(NS, key)
      expect(await s.get(NS, key)).toBeUndefined()
    })

    it.each(SPECIAL_KEYS)('round-trips the key %j', async (key) => {
      await s.put(NS, key, { key })
      expect(await s.get(NS, key)).toStrictEqual({ key })
      expect(await s.keys(NS)).toEqual([key])
      // and it did not land anywhere else
      expect(await s.keys(OTHER)).toEqual([])
      await s.delete(NS, key)
      expect(await s.keys(NS)).toEqual([])
    })

    it('keeps all special keys apart at once', async () => {
      for (const [i, key] of SPECIAL_KEYS.entries()) await s.put(NS, key, i)
      for (const [i, key] of SPECIAL_KEYS.entries()) expect(await s.get(NS, key)).toBe(i)
      expect((await s.keys(NS)).sort()).toEqual([...SPECIAL_KEYS].sort())
      expect(await s.get(NS, 'a')).toBeUndefined()
      expect(await s.get(NS, 'b')).toBeUndefined()
      expect(await s.get(NS, 'escape')).toBeUndefined()
    })

    it('stores a copy: mutating the object after put does not change the stored value', async () => {
      const value = { name: 'n', list: [1, 2], nested: { x: 1 } }
      await s.put(NS, 'k', value)
      value.name = 'changed'
      value.list.push(3)
      value.nested.x = 99
      expect(await s.get(NS, 'k')).toStrictEqual({ name: 'n', list: [1, 2], nested: { x: 1 } })
    })

    it('returns a copy: mutating what get returned does not change the stored value', async () => {
      await s.put(NS, 'k', { list: [1], nested: { x: 1 } })
      const first = (await s.get(NS, 'k')) as { list: number[]; nested: { x: number } }
      first.list.push(2)
      first.nested.x = 2
      const second = await s.get(NS, 'k')
      expect(second).toStrictEqual({ list: [1], nested: { x: 1 } })
      expect(second).not.toBe(first)
    })

    it('stores a copy of an array', async () => {
      const arr: unknown[] = [1, { a: 1 }]
      await s.put(NS, 'arr', arr)
      arr.push('more')
      ;(arr[1] as { a: number }).a = 2
      expect(await s.get(NS, 'arr')).toStrictEqual([1, { a: 1 }])
    })

    it('handles concurrent puts to different keys', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `c${i}`)
      await Promise.all(keys.map((k, i) => s.put(NS, k, { i })))
      expect((await s.keys(NS)).sort()).toEqual([...keys].sort())
      for (const [i, k] of keys.entries()) expect(await s.get(NS, k)).toStrictEqual({ i })
    })

    it('leaves one whole value after concurrent puts to the same key', async () => {
      const values = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(1000 * (i + 1)) }))
      await Promise.all(values.map((v) => s.put(NS, 'same', v)))
      const back = await s.get(NS, 'same')
      expect(values).toContainEqual(back)
      expect(await s.keys(NS)).toEqual(['same'])
    })

    it('flush resolves after writes and the data is still there', async () => {
      await s.put(NS, 'k', 1)
      await expect(s.flush()).resolves.toBeUndefined()
      expect(await s.get(NS, 'k')).toBe(1)
    })

    if (openSame === undefined) return

    describe('on the same data', () => {
      it('keeps data across a restart: close, then open the same data again', async () => {
        await s.put(NS, 'effective', { max_peers: 8, bootstrap: ['/dns4/relay/tcp/443/wss'] })
        await s.put(THIRD, 'slot-0', { version: 1, node_id: 'abc' })
        await s.put(OTHER, 'gone', true)
        await s.put(NS, '日本語/key with space', [1, 2, 3])
        await s.delete(OTHER, 'gone')
        await s.flush()
        await s.close()

        s = await openSame(s)
        expect(await s.get(NS, 'effective')).toStrictEqual({
          max_peers: 8,
          bootstrap: ['/dns4/relay/tcp/443/wss'],
        })
        expect(await s.get(THIRD, 'slot-0')).toStrictEqual({ version: 1, node_id: 'abc' })
        expect(await s.get(NS, '日本語/key with space')).toStrictEqual([1, 2, 3])
        expect(await s.get(OTHER, 'gone')).toBeUndefined()
        expect((await s.keys(NS)).sort()).toEqual(['effective', '日本語/key with space'])
        expect(await s.keys(OTHER)).toEqual([])
        expect(await s.keys(THIRD)).toEqual(['slot-0'])

        // and the new adapter keeps writing where the first left off
        await s.put(NS, 'effective', { max_peers: 4 })
        await s.close()
        s = await openSame(s)
        expect(await s.get(NS, 'effective')).toStrictEqual({ max_peers: 4 })
      })

      it("two adapters open on the same data see each other's writes", async () => {
        const a = s
        const b = await openSame(a)
        try {
          await a.put(NS, 'k', { from: 'a' })
          expect(await b.get(NS, 'k')).toStrictEqual({ from: 'a' })
          await b.put(THIRD, 'slot-1', { from: 'b' })
          expect(await a.get(THIRD, 'slot-1')).toStrictEqual({ from: 'b' })
          expect(await a.keys(THIRD)).toEqual(['slot-1'])
          await b.delete(NS, 'k')
          expect(await a.get(NS, 'k')).toBeUndefined()
          expect(await a.keys(NS)).toEqual([])

          // concurrent writers on both adapters: every key lands, one whole value per key
          await Promise.all([
            ...Array.from({ length: 10 }, (_, i) => a.put(OTHER, `a${i}`, i)),
            ...Array.from({ length: 10 }, (_, i) => b.put(OTHER, `b${i}`, i)),
            a.put(OTHER, 'same', { by: 'a' }),
            b.put(OTHER, 'same', { by: 'b' }),
          ])
          expect((await a.keys(OTHER)).length).toBe(21)
          expect((await b.keys(OTHER)).sort()).toEqual((await a.keys(OTHER)).sort())
          expect([{ by: 'a' }, { by: 'b' }]).toContainEqual(await b.get(OTHER, 'same'))
        } finally {
          await b.close()
        }
      })
    })
  })
}
