import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/core/errors.js'
import type { NodeConfigSources } from '../../../src/platform/node/load-config.js'
import {
  expandHome,
  checkStoragePath,
  defaultConfigPath,
  loadNodeConfig,
  readConfigFile,
} from '../../../src/platform/node/load-config.js'
import type { NodeConfig } from '../../../src/core/config.js'
import { CONFIG_KEYS, DEFAULT_CONFIG, MAX_CONFIG_BYTES } from '../../../src/node/config-fields.js'

let tmp: string
let home: string

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'p2p-load-config-'))
  home = join(tmp, 'home')
})

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true })
})

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, JSON.stringify(value, null, 2))
}

/** Writes a file of exactly `bytes` bytes: a small valid JSON object padded with spaces. */
async function writeSized(path: string, bytes: number): Promise<void> {
  const head = '{"max_peers": 8}'
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, head + ' '.repeat(bytes - head.length))
  expect((await stat(path)).size).toBe(bytes)
}

async function loadError(src: NodeConfigSources): Promise<ConfigError> {
  const thrown = await loadNodeConfig(src).then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(thrown).toBeInstanceOf(ConfigError)
  const err = thrown as ConfigError
  expect(err.name).toBe('ConfigError')
  return err
}

function allSources(source: string): Record<keyof NodeConfig, string> {
  return Object.fromEntries(CONFIG_KEYS.map((k) => [k, source])) as Record<keyof NodeConfig, string>
}

describe('defaultConfigPath', () => {
  it('is <home>/config/node_config.json', () => {
    expect(defaultConfigPath('/srv/p2p')).toBe('/srv/p2p/config/node_config.json')
  })
})

describe('loadNodeConfig: first start', () => {
  it('writes the default config, mode 0600, with storage_path <home>/data', async () => {
    const loaded = await loadNodeConfig({ home, env: {} })
    const path = join(home, 'config', 'node_config.json')
    const expected = { ...DEFAULT_CONFIG, storage_path: join(home, 'data') }

    expect(loaded.path).toBe(path)
    expect(loaded.config).toEqual(expected)
    expect(loaded.sources).toEqual(allSources('default'))
    expect(loaded.warnings).toEqual([])

    const info = await stat(path)
    expect(info.isFile()).toBe(true)
    expect(info.mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(expected)
    expect((await stat(join(home, 'config'))).mode & 0o777).toBe(0o700)
  })

  it('creates the storage directory', async () => {
    await loadNodeConfig({ home, env: {} })
    expect((await stat(join(home, 'data'))).isDirectory()).toBe(true)
  })

  it('leaves no temporary files next to the written config', async () => {
    await loadNodeConfig({ home, env: {} })
    expect(await readdir(join(home, 'config'))).toEqual(['node_config.json'])
  })

  it('writes host defaults into the new file', async () => {
    const relays = ['/ip4/127.0.0.1/tcp/9000/ws']
    const loaded = await loadNodeConfig({ home, env: {}, defaults: { relays, max_peers: 16 } })
    expect(loaded.config.relays).toEqual(relays)
    expect(loaded.config.max_peers).toBe(16)
    const written = JSON.parse(await readFile(defaultConfigPath(home), 'utf8')) as NodeConfig
    expect(written.relays).toEqual(relays)
    expect(written.max_peers).toBe(16)
    expect(written.storage_path).toBe(join(home, 'data'))
  })

  it('the second start reads the file it wrote', async () => {
    const first = await loadNodeConfig({ home, env: {} })
    const second = await loadNodeConfig({ home, env: {} })
    expect(second.config).toEqual(first.config)
    expect(second.sources).toEqual(allSources('file'))
    expect(second.warnings).toEqual([])
  })
})

describe('loadNodeConfig: existing file', () => {
  it('loads the file and fills missing optional fields with defaults', async () => {
    const path = defaultConfigPath(home)
    await writeJson(path, { max_peers: 8, log_level: 'DEBUG' })
    const before = await readFile(path, 'utf8')

    const loaded = await loadNodeConfig({ home, env: {} })
    expect(loaded.path).toBe(path)
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      max_peers: 8,
      log_level: 'DEBUG',
      storage_path: join(home, 'data'),
    })
    expect(loaded.sources).toEqual({
      ...allSources('default'),
      max_peers: 'file',
      log_level: 'file',
    })
    // the operator's file is not rewritten
    expect(await readFile(path, 'utf8')).toBe(before)
  })

  it('reads an explicit configPath instead of the default location', async () => {
    const path = join(tmp, 'elsewhere', 'custom.json')
    await writeJson(path, { network_port: 9500 })
    const loaded = await loadNodeConfig({ home, configPath: path, env: {} })
    expect(loaded.path).toBe(path)
    expect(loaded.config.network_port).toBe(9500)
    expect(loaded.sources.network_port).toBe('file')
    expect(await exists(defaultConfigPath(home))).toBe(false)
  })

  it('warns about unknown fields and ignores node_id', async () => {
    const path = defaultConfigPath(home)
    await writeJson(path, { node_id: '12D3KooWXYZ', max_peers: 8, colour: 'blue' })
    const loaded = await loadNodeConfig({ home, env: {} })
    expect(loaded.config.max_peers).toBe(8)
    expect(loaded.config).not.toHaveProperty('node_id')
    expect(loaded.warnings).toEqual([`${path}: unknown field "colour" ignored`])
  })

  it('reports invalid JSON in the default file as config_unreadable', async () => {
    const path = defaultConfigPath(home)
    await mkdir(join(home, 'config'), { recursive: true })
    await writeFile(path, '{"max_peers": 8,')
    const err = await loadError({ home, env: {} })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatchObject({ field: path, code: 'config_unreadable' })
    // the broken file is left as it was
    expect(await readFile(path, 'utf8')).toBe('{"max_peers": 8,')
  })

  it('reports a file that is not an object as config_unreadable', async () => {
    await writeJson(defaultConfigPath(home), [1, 2, 3])
    const err = await loadError({ home, env: {} })
    expect(err.problems.map((p) => p.code)).toEqual(['config_unreadable'])
  })

  it('collects every invalid field of the file in one ConfigError', async () => {
    await writeJson(defaultConfigPath(home), {
      network_port: 1023,
      max_peers: 257,
      max_memory_mb: 127,
      log_level: 'LOUD',
    })
    const err = await loadError({ home, env: {} })
    expect(err.problems.map((p) => [p.field, p.code])).toEqual([
      ['network_port', 'network_port_below_minimum'],
      ['max_peers', 'max_peers_exceeds_limit'],
      ['max_memory_mb', 'max_memory_mb_below_minimum'],
      ['log_level', 'invalid_log_level'],
    ])
    expect(err.problems[0]?.message).toBe('Invalid port number (must be 1024-65535)')
  })
})

describe('loadNodeConfig: explicit configPath that does not exist', () => {
  it('fails with config_unreadable naming the path, and writes nothing', async () => {
    const path = join(tmp, 'missing', 'node_config.json')
    const err = await loadError({ home, configPath: path, env: {} })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatchObject({ field: path, code: 'config_unreadable' })
    expect(err.problems[0]?.message).toContain('cannot read config file')
    expect(err.message).toContain(path)
    expect(await exists(path)).toBe(false)
    expect(await exists(defaultConfigPath(home))).toBe(false)
  })

  it('is reported together with other problems', async () => {
    const path = join(tmp, 'missing.json')
    const err = await loadError({ home, configPath: path, env: { P2P_AI_MAX_PEERS: 'abc' } })
    expect(err.problems.map((p) => [p.field, p.code])).toEqual([
      [path, 'config_unreadable'],
      ['P2P_AI_MAX_PEERS', 'invalid_max_peers'],
    ])
  })
})

describe('loadNodeConfig: oversized files', () => {
  it.each([
    ['1 MB', 1024 * 1024],
    ['2 MB', 2 * 1024 * 1024],
    ['MAX_CONFIG_BYTES + 1', MAX_CONFIG_BYTES + 1],
  ])('a %s default config file fails with config_too_large', async (_label, bytes) => {
    const path = defaultConfigPath(home)
    await writeSized(path, bytes)
    const err = await loadError({ home, env: {} })
    expect(err.problems).toEqual([
      {
        field: path,
        code: 'config_too_large',
        message: `config file is ${bytes} bytes; the maximum is ${MAX_CONFIG_BYTES} bytes`,
      },
    ])
  })

  it.each([
    ['1 MB', 1024 * 1024],
    ['2 MB', 2 * 1024 * 1024],
  ])('a %s file given as configPath fails with config_too_large', async (_label, bytes) => {
    const path = join(tmp, 'big.json')
    await writeSized(path, bytes)
    const err = await loadError({ home, configPath: path, env: {} })
    expect(err.problems.map((p) => [p.field, p.code])).toEqual([[path, 'config_too_large']])
  })

  it('an oversized file of garbage is not parsed: only config_too_large', async () => {
    const path = join(tmp, 'garbage.json')
    await writeFile(path, 'x'.repeat(1024 * 1024))
    const err = await loadError({ home, configPath: path, env: {} })
    expect(err.problems.map((p) => p.code)).toEqual(['config_too_large'])
  })

  it('a file of exactly MAX_CONFIG_BYTES loads', async () => {
    const path = defaultConfigPath(home)
    await writeSized(path, MAX_CONFIG_BYTES)
    const loaded = await loadNodeConfig({ home, env: {} })
    expect(loaded.config.max_peers).toBe(8)
  })
})

describe('loadNodeConfig: precedence', () => {
  it('the environment overrides the file', async () => {
    await writeJson(defaultConfigPath(home), {
      network_port: 9100,
      max_peers: 10,
      max_memory_mb: 256,
      log_level: 'DEBUG',
    })
    const storage = join(tmp, 'env-storage')
    const loaded = await loadNodeConfig({
      home,
      env: {
        P2P_AI_NODE_PORT: '9001',
        P2P_AI_MAX_PEERS: '64',
        P2P_AI_STORAGE_PATH: storage,
        P2P_AI_MAX_MEMORY_MB: '1024',
        PATH: '/usr/bin',
      },
    })
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      network_port: 9001,
      max_peers: 64,
      storage_path: storage,
      max_memory_mb: 1024,
      log_level: 'DEBUG',
    })
    expect(loaded.sources).toEqual({
      ...allSources('default'),
      network_port: 'env',
      max_peers: 'env',
      storage_path: 'env',
      max_memory_mb: 'env',
      log_level: 'file',
    })
    expect((await stat(storage)).isDirectory()).toBe(true)
  })

  it('flags override the environment and the file', async () => {
    await writeJson(defaultConfigPath(home), {
      network_port: 9100,
      max_peers: 10,
      log_level: 'WARN',
    })
    const loaded = await loadNodeConfig({
      home,
      env: { P2P_AI_NODE_PORT: '9200', P2P_AI_MAX_PEERS: '20' },
      flags: { network_port: '9300', log_level: 'error' },
    })
    expect(loaded.config.network_port).toBe(9300)
    expect(loaded.config.max_peers).toBe(20)
    expect(loaded.config.log_level).toBe('ERROR')
    expect(loaded.sources.network_port).toBe('flag')
    expect(loaded.sources.max_peers).toBe('env')
    expect(loaded.sources.log_level).toBe('flag')
  })

  it('environment and flags apply on first start too, but the written file keeps the defaults', async () => {
    const loaded = await loadNodeConfig({
      home,
      env: { P2P_AI_MAX_PEERS: '64' },
      flags: { network_port: '9300' },
    })
    expect(loaded.config.max_peers).toBe(64)
    expect(loaded.config.network_port).toBe(9300)
    const written = JSON.parse(await readFile(defaultConfigPath(home), 'utf8')) as NodeConfig
    expect(written.max_peers).toBe(32)
    expect(written.network_port).toBe(9000)
  })

  it('P2P_AI_HOME is not warned about; other unknown P2P_AI_ variables are', async () => {
    const loaded = await loadNodeConfig({ home, env: { P2P_AI_HOME: home, P2P_AI_FOO: 'bar' } })
    expect(loaded.warnings).toHaveLength(1)
    expect(loaded.warnings[0]).toContain('P2P_AI_FOO')
  })

  it('P2P_AI_MAX_PEERS=abc is reported naming the variable', async () => {
    const err = await loadError({ home, env: { P2P_AI_MAX_PEERS: 'abc' } })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatchObject({ field: 'P2P_AI_MAX_PEERS', code: 'invalid_max_peers' })
    expect(err.problems[0]?.message).toContain('P2P_AI_MAX_PEERS')
  })
})

describe('loadNodeConfig: storage_path', () => {
  it('an unwritable storage_path is reported together with an invalid max_peers', async () => {
    const afile = join(tmp, 'afile')
    await writeFile(afile, 'not a directory')
    const storage = join(afile, 'data')
    await writeJson(defaultConfigPath(home), { storage_path: storage, max_peers: 0 })

    const err = await loadError({ home, env: {} })
    expect(err.problems.map((p) => [p.field, p.code]).sort()).toEqual([
      ['max_peers', 'max_peers_below_minimum'],
      ['storage_path', 'storage_path_not_writable'],
    ])
    const problem = err.problems.find((p) => p.code === 'storage_path_not_writable')
    expect(problem?.message).toContain(storage)
    expect(err.message).toContain('storage_path_not_writable')
    expect(err.message).toContain('max_peers_below_minimum')
  })

  it('an unwritable storage_path from the environment is reported with a bad variable', async () => {
    const afile = join(tmp, 'afile')
    await writeFile(afile, '')
    const err = await loadError({
      home,
      env: { P2P_AI_STORAGE_PATH: join(afile, 'data'), P2P_AI_MAX_PEERS: '257' },
    })
    expect(err.problems.map((p) => p.code).sort()).toEqual([
      'max_peers_exceeds_limit',
      'storage_path_not_writable',
    ])
  })

  it('the storage_path that wins is the one checked', async () => {
    const afile = join(tmp, 'afile')
    await writeFile(afile, '')
    const good = join(tmp, 'flag-storage')
    const loaded = await loadNodeConfig({
      home,
      env: { P2P_AI_STORAGE_PATH: join(afile, 'data') },
      flags: { storage_path: good },
    })
    expect(loaded.config.storage_path).toBe(good)
    expect(loaded.sources.storage_path).toBe('flag')
    expect((await stat(good)).isDirectory()).toBe(true)

    const err = await loadError({
      home,
      env: { P2P_AI_STORAGE_PATH: good },
      flags: { storage_path: join(afile, 'data') },
    })
    expect(err.problems.map((p) => p.code)).toEqual(['storage_path_not_writable'])
  })

  it('an unwritable default <home>/data is reported', async () => {
    await mkdir(home, { recursive: true })
    await writeFile(join(home, 'data'), 'a file where the data directory should be')
    const err = await loadError({ home, env: {} })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toMatchObject({
      field: 'storage_path',
      code: 'storage_path_not_writable',
    })
    expect(err.problems[0]?.message).toContain(join(home, 'data'))
  })
})

describe('checkStoragePath', () => {
  it('creates a missing nested directory and accepts it', async () => {
    const path = join(tmp, 'a', 'b', 'c')
    expect(await checkStoragePath(path)).toBeUndefined()
    expect((await stat(path)).isDirectory()).toBe(true)
  })

  it('accepts an existing directory', async () => {
    expect(await checkStoragePath(tmp)).toBeUndefined()
  })

  it('rejects a path under a regular file', async () => {
    const afile = join(tmp, 'afile')
    await writeFile(afile, '')
    const problem = await checkStoragePath(join(afile, 'data'))
    expect(problem).toMatchObject({ field: 'storage_path', code: 'storage_path_not_writable' })
    expect(problem?.message).toContain(join(afile, 'data'))
  })
})

describe('readConfigFile', () => {
  it('returns undefined for a missing file that is not required', async () => {
    expect(await readConfigFile(join(tmp, 'none.json'), false)).toBeUndefined()
  })

  it('returns a config_unreadable problem for a missing required file', async () => {
    const path = join(tmp, 'none.json')
    const layer = await readConfigFile(path, true)
    expect(layer?.source).toBe('file')
    expect(layer?.values).toEqual({})
    expect(layer?.problems.map((p) => [p.field, p.code])).toEqual([[path, 'config_unreadable']])
  })

  it('reads and parses an existing file', async () => {
    const path = join(tmp, 'c.json')
    await writeJson(path, { max_peers: 8 })
    const layer = await readConfigFile(path, true)
    expect(layer).toEqual({ source: 'file', values: { max_peers: 8 }, problems: [], warnings: [] })
  })

  it('reports an oversized file without reading it', async () => {
    const path = join(tmp, 'big.json')
    await writeSized(path, 1024 * 1024)
    const layer = await readConfigFile(path, false)
    expect(layer?.problems.map((p) => [p.field, p.code])).toEqual([[path, 'config_too_large']])
  })
})

describe('expandHome', () => {
  it('expands ~ and ~/ to the home directory, and nothing else', () => {
    expect(expandHome('~')).toBe(homedir())
    expect(expandHome('~/.p2p-ai-agents/data')).toBe(`${homedir()}/.p2p-ai-agents/data`)
    expect(expandHome('/srv/~data')).toBe('/srv/~data')
    expect(expandHome('~user/data')).toBe('~user/data')
  })
})
