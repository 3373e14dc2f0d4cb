import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TaskStatus } from '../../src/core/tasks.js'
import { FileResultsStore, RESULTS_NAMESPACE } from '../../src/store/file-results.js'
import type { ResultsStore } from '../../src/store/results-store.js'
import { ids, rec, runResultsStoreTests } from './results-suite.js'
import { tempDirs } from './temp-dirs.js'

const freshDir = tempDirs('p2p-file-results-')

runResultsStoreTests(
  'FileResultsStore',
  async () => FileResultsStore.open(join(await freshDir(), 'data')),
  {
    reopen: async (store) => {
      await store.close()
      return FileResultsStore.open((store as FileResultsStore).location)
    },
  },
)

describe('FileResultsStore on disk', () => {
  let dir: string
  const open: ResultsStore[] = []

  async function openTracked(
    options?: Parameters<typeof FileResultsStore.open>[1],
  ): Promise<FileResultsStore> {
    const store = await FileResultsStore.open(dir, options)
    open.push(store)
    return store
  }

  beforeEach(async () => {
    dir = await freshDir()
  })

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close()
  })

  it('keeps one {key, value} file per task under <dir>/results, 0600 in a 0700 directory', async () => {
    const store = await openTracked()
    expect(store.kind).toBe('file')
    expect(store.location).toBe(dir)
    await store.put(rec('a/b c', 1))
    await store.put(rec('plain', 2))
    await store.put(rec('plain', 3, { status: TaskStatus.FAILED }))
    const nsDir = join(dir, RESULTS_NAMESPACE)
    expect((await readdir(nsDir)).sort()).toEqual(['a%2Fb%20c.json', 'plain.json'])
    expect((await stat(nsDir)).mode & 0o777).toBe(0o700)
    for (const name of await readdir(nsDir))
      expect((await stat(join(nsDir, name))).mode & 0o777, name).toBe(0o600)
    expect(JSON.parse(await readFile(join(nsDir, 'plain.json'), 'utf8'))).toStrictEqual({
      key: 'plain',
      value: rec('plain', 3, { status: TaskStatus.FAILED }),
    })
  })

  it('creates nothing until the first put, and opens a missing directory empty', async () => {
    dir = join(dir, 'not', 'yet')
    const store = await openTracked()
    expect(await store.count()).toBe(0)
    expect(await store.deleteExpired(Date.now())).toBe(0)
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' })
    await store.put(rec('x', 1))
    expect(await readdir(join(dir, RESULTS_NAMESPACE))).toEqual(['x.json'])
  })

  it('removes the files of deleted records', async () => {
    const store = await openTracked()
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.put(rec(`r${i}`, i, i < 2 ? { expires_at: rec('', 0).submitted_at } : {})),
      ),
    )
    expect(await store.deleteExpired(Date.parse(rec('', 0).submitted_at))).toBe(2)
    expect(await store.trim(3)).toBe(1)
    expect((await readdir(join(dir, RESULTS_NAMESPACE))).sort()).toEqual([
      'r3.json',
      'r4.json',
      'r5.json',
    ])
  })

  it('skips corrupt record files at open with a warning and loads the others', async () => {
    const first = await openTracked()
    await first.put(rec('good-1', 1))
    await first.put(rec('good-2', 2, { node_id: 'node-b' }))
    await first.put(rec('truncated', 3))
    await first.put(rec('mislabelled', 4))
    await first.close()

    const nsDir = join(dir, RESULTS_NAMESPACE)
    const whole = await readFile(join(nsDir, 'truncated.json'), 'utf8')
    await writeFile(join(nsDir, 'truncated.json'), whole.slice(0, whole.length / 2))
    await writeFile(join(nsDir, 'empty.json'), '')
    await writeFile(join(nsDir, 'null.json'), 'null')
    await writeFile(join(nsDir, 'not-a-record.json'), '{"key":"not-a-record","value":[1,2]}')
    await writeFile(
      join(nsDir, 'bad-date.json'),
      JSON.stringify({ key: 'bad-date', value: rec('bad-date', 5, { submitted_at: 'soon' }) }),
    )
    // a record stored under another task's key
    await writeFile(
      join(nsDir, 'mislabelled.json'),
      JSON.stringify({ key: 'mislabelled', value: rec('someone-else', 4) }),
    )
    // not records at all: an interrupted write's temporary file and a stray file
    await writeFile(join(nsDir, 'good-1.json.123.abc.tmp'), '{"half')
    await writeFile(join(nsDir, 'README'), 'hello')

    const warnings: string[] = []
    const second = await openTracked({ warn: (message) => warnings.push(message) })
    expect(ids(await second.list())).toEqual(['good-2', 'good-1'])
    expect(await second.count()).toBe(2)
    expect(await second.get('good-1')).toStrictEqual(rec('good-1', 1))
    expect(await second.get('truncated')).toBeUndefined()
    expect(warnings).toHaveLength(6)
    for (const name of [
      'truncated.json',
      'empty.json',
      'null.json',
      'not-a-record.json',
      'bad-date.json',
      'mislabelled.json',
    ])
      expect(
        warnings.filter((w) => w.includes(name)),
        name,
      ).toHaveLength(1)

    // a put over a skipped file replaces it
    await second.put(rec('truncated', 9))
    expect(ids(await second.list())).toEqual(['truncated', 'good-2', 'good-1'])
  })

  it('opens without a warn callback despite corrupt files', async () => {
    const nsDir = join(dir, RESULTS_NAMESPACE)
    const first = await openTracked()
    await first.put(rec('ok', 1))
    await writeFile(join(nsDir, 'bad.json'), '{')
    const second = await openTracked()
    expect(ids(await second.list())).toEqual(['ok'])
  })

  it('loads 2,000 records written by an earlier store', async () => {
    const first = await openTracked()
    for (let i = 0; i < 2000; i += 250)
      await Promise.all(
        Array.from({ length: 250 }, (_, k) =>
          first.put(
            rec(`r${String(i + k).padStart(4, '0')}`, i + k, { node_id: `n${(i + k) % 3}` }),
          ),
        ),
      )
    await first.close()
    const second = await openTracked()
    expect(await second.count()).toBe(2000)
    expect(ids(await second.list({ limit: 2 }))).toEqual(['r1999', 'r1998'])
    expect(ids(await second.list({ nodeId: 'n0', limit: 1, offset: 666 }))).toEqual(['r0000'])
  })

  it('close waits for puts in flight', async () => {
    const store = await openTracked()
    const puts = Array.from({ length: 20 }, (_, i) => store.put(rec(`p${i}`, i)))
    await store.close()
    await Promise.all(puts)
    const reopened = await openTracked()
    expect(await reopened.count()).toBe(20)
  })
})
