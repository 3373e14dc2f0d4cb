import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { FileStorage, writeFileAtomic } from '../../src/store/file-storage.js'
import { runStorageAdapterTests } from './storage-suite.js'
import { tempDirs } from './temp-dirs.js'

const freshDir = tempDirs('p2p-file-storage-')

runStorageAdapterTests(
  'FileStorage',
  // a location that does not exist yet: FileStorage creates it on first write
  async () => new FileStorage(join(await freshDir(), 'data')),
  // a restarted process, or a second one: a new FileStorage on the same directory
  { openSame: async (store) => new FileStorage(store.location) },
)

function modeOf(s: { mode: number }): number {
  return s.mode & 0o777
}

/** Every file name under `dir`, recursively, relative to it. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.map(String).sort()
}

describe('writeFileAtomic', () => {
  let dir: string

  beforeEach(async () => {
    dir = await freshDir()
  })

  it('writes the exact content with mode 0600 and leaves no .tmp file behind', async () => {
    const target = join(dir, 'value.json')
    await writeFileAtomic(target, '{"hello":"wörld"}\n')
    expect(await readFile(target, 'utf8')).toBe('{"hello":"wörld"}\n')
    expect(modeOf(await stat(target))).toBe(0o600)
    expect(await readdir(dir)).toEqual(['value.json'])
  })

  it('honours an explicit mode', async () => {
    const target = join(dir, 'readonly.json')
    await writeFileAtomic(target, 'x', 0o400)
    expect(modeOf(await stat(target))).toBe(0o400)
    expect(await readdir(dir)).toEqual(['readonly.json'])
  })

  it('replaces an existing 0644 file with a 0600 one', async () => {
    const target = join(dir, 'value.json')
    await writeFile(target, 'old content that is longer than the new one')
    await chmod(target, 0o644)
    await writeFileAtomic(target, 'new')
    expect(await readFile(target, 'utf8')).toBe('new')
    expect(modeOf(await stat(target))).toBe(0o600)
    expect(await readdir(dir)).toEqual(['value.json'])
  })

  it('writes an empty string', async () => {
    const target = join(dir, 'empty')
    await writeFileAtomic(target, '')
    expect(await readFile(target, 'utf8')).toBe('')
    expect(await readdir(dir)).toEqual(['empty'])
  })

  it('leaves one whole version and no .tmp files after 50 concurrent writes', async () => {
    const target = join(dir, 'contended.json')
    const versions = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ i, pad: 'p'.repeat(i * 500) }),
    )
    await Promise.all(versions.map((v) => writeFileAtomic(target, v)))
    expect(versions).toContain(await readFile(target, 'utf8'))
    expect(await readdir(dir)).toEqual(['contended.json'])
    expect(modeOf(await stat(target))).toBe(0o600)
  })

  it('removes its temporary file and keeps the target when the rename fails', async () => {
    // a non-empty directory cannot be replaced by a file
    const target = join(dir, 'occupied')
    await mkdir(target)
    await writeFile(join(target, 'inside.txt'), 'keep me')
    await expect(writeFileAtomic(target, 'data')).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST|ENOTDIR)$/) as unknown,
    })
    expect(await readdir(dir)).toEqual(['occupied'])
    expect(await readFile(join(target, 'inside.txt'), 'utf8')).toBe('keep me')
  })

  it('fails with ENOENT and creates nothing when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'value.json'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    })
    expect(await readdir(dir)).toEqual([])
  })
})

describe('FileStorage on disk', () => {
  let dir: string

  beforeEach(async () => {
    dir = await freshDir()
  })

  it('reports kind "file" and its directory as location', () => {
    const s = new FileStorage(dir)
    expect(s.kind).toBe('file')
    expect(s.location).toBe(dir)
  })

  it('creates nothing until the first write', async () => {
    const location = join(dir, 'data')
    const s = new FileStorage(location)
    expect(await s.get('config', 'k')).toBeUndefined()
    expect(await s.keys('config')).toEqual([])
    await s.delete('config', 'k')
    await s.flush()
    await s.close()
    expect(await readdir(dir)).toEqual([])
  })

  it('stores <dir>/<namespace>/<encoded key>.json as {key, value} JSON, files 0600 in a 0700 directory', async () => {
    const s = new FileStorage(dir)
    await s.put('config', 'a/b', { x: [1, 2] })
    await s.put('config', 'with space', 'v')
    const nsDir = join(dir, 'config')
    expect(modeOf(await stat(nsDir))).toBe(0o700)
    expect((await readdir(nsDir)).sort()).toEqual(['a%2Fb.json', 'with%20space.json'])
    expect(await readFile(join(nsDir, 'a%2Fb.json'), 'utf8')).toBe(
      '{"key":"a/b","value":{"x":[1,2]}}',
    )
    expect(modeOf(await stat(join(nsDir, 'a%2Fb.json')))).toBe(0o600)
    expect(modeOf(await stat(join(nsDir, 'with%20space.json')))).toBe(0o600)
  })

  it('recreates its namespace directory when it was removed behind its back', async () => {
    const s = new FileStorage(dir)
    await s.put('results', 'a', 1)
    await rm(join(dir, 'results'), { recursive: true })
    await s.put('results', 'b', 2)
    expect(await s.keys('results')).toEqual(['b'])
    expect(modeOf(await stat(join(dir, 'results')))).toBe(0o700)
  })

  it('stores keys too long for a file name under a hashed name, and lists them by their key', async () => {
    const s = new FileStorage(dir)
    const long = 'é'.repeat(200)
    await s.put('config', long, 1)
    await s.put('config', 'short', 2)
    const names = await readdir(join(dir, 'config'))
    expect(names.filter((n) => n.startsWith('#'))).toHaveLength(1)
    expect(names.every((n) => Buffer.byteLength(n) <= 255)).toBe(true)
    expect((await s.keys('config')).sort()).toEqual([long, 'short'].sort())
    expect(await s.get('config', long)).toBe(1)
  })

  it('keeps path-like keys inside their namespace directory', async () => {
    const location = join(dir, 'data')
    const s = new FileStorage(location)
    await s.put('config', '../../escape', 1)
    await s.put('config', '/etc/passwd', 2)
    await s.put('config', '..', 3)
    expect(await readdir(dir)).toEqual(['data'])
    expect(await readdir(location)).toEqual(['config'])
    expect(await listTree(location)).toEqual([
      'config',
      'config/%2Fetc%2Fpasswd.json',
      'config/..%2F..%2Fescape.json',
      'config/...json',
    ])
  })

  it('leaves no .tmp files behind after many puts, overwrites and deletes', async () => {
    const s = new FileStorage(dir)
    for (let i = 0; i < 30; i++) {
      await s.put('config', `k${i % 7}`, { i })
      await s.put('health', 'probe', { nonce: i })
      if (i % 5 === 0) await s.delete('health', 'probe')
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.put('identity', 'slot-0', { i })))
    const tree = await listTree(dir)
    expect(tree.filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(tree).toEqual([
      'config',
      'config/k0.json',
      'config/k1.json',
      'config/k2.json',
      'config/k3.json',
      'config/k4.json',
      'config/k5.json',
      'config/k6.json',
      'health',
      'health/probe.json',
      'identity',
      'identity/slot-0.json',
    ])
  })

  it('ignores a leftover .tmp file from an interrupted write', async () => {
    const s = new FileStorage(dir)
    await s.put('config', 'k', 'committed')
    await writeFile(join(dir, 'config', 'k.json.1234.abcdef.tmp'), '{"half": ')
    expect(await s.keys('config')).toEqual(['k'])
    expect(await s.get('config', 'k')).toBe('committed')
  })

  it('accepts any lowercase namespace matching the pattern, not only the built-in ones', async () => {
    const s = new FileStorage(dir)
    const ns = `a${'b'.repeat(63)}`
    await s.put(ns, 'k', 1)
    await s.put('x_y-1', 'k', 2)
    expect(await s.get(ns, 'k')).toBe(1)
    expect(await s.get('x_y-1', 'k')).toBe(2)
    expect((await readdir(dir)).sort()).toEqual([ns, 'x_y-1'].sort())
  })
})
