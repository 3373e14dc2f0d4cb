import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import type { ConfigLayer } from '../../src/node/config.js'
import {
  configFromEnv,
  configFromFlags,
  configFromQuery,
  parseConfigFile,
  resolveConfig,
} from '../../src/node/config.js'
import type { ConfigProblem, NodeConfig } from '../../src/core/config.js'
import {
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  MAX_CONFIG_BYTES,
  sampleConfig,
} from '../../src/node/config-fields.js'
import { LOG_LEVELS } from '../../src/core/log.js'
import { validateConfig } from '../../src/node/config-validate.js'

/** A complete, valid config with the given fields replaced. */
function candidate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...DEFAULT_CONFIG, storage_path: '/srv/p2p/data', ...overrides }
}

function codes(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => p.code)
}

/** Runs fn, which must throw a ConfigError, and returns it. */
function configError(fn: () => unknown): ConfigError {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(ConfigError)
  const err = thrown as ConfigError
  expect(err.name).toBe('ConfigError')
  return err
}

function fileLayer(json: unknown, location = '/etc/p2p/node_config.json'): ConfigLayer {
  const text = JSON.stringify(json)
  return parseConfigFile(text, Buffer.byteLength(text), location)
}

const ALL_KEYS: Array<keyof NodeConfig> = [
  'network_port',
  'max_peers',
  'storage_path',
  'health_check_interval_secs',
  'max_memory_mb',
  'log_level',
  'log_file_max_bytes',
  'log_file_max_age_days',
  'log_file_max_count',
  'relays',
  'ice_servers',
  'heartbeat_interval_secs',
  'announce_interval_secs',
  'deny_peers',
  'dial_private_addresses',
  'max_message_bytes',
  'peer_rate_limit',
  'peer_ban_secs',
  'relay_max_reservations',
  'relay_max_connections_per_ip',
  'relay_max_connections_per_peer',
  'max_concurrent_tasks',
  'max_batch_size',
  'max_stored_results',
  'result_expiry_hours',
  'model_source',
  'model_warmup',
  'serve_tasks',
  'max_remote_queued_per_peer',
  'max_inflight_per_peer',
  'inference_threads',
  'metrics_push_interval_secs',
  'metrics_max_nodes',
  'models',
  'alert_check_interval_secs',
  'alert_clear_secs',
  'alert_grace_secs',
  'alert_min_peers',
  'alert_task_failure_percent',
  'alert_task_window_secs',
  'alert_task_min_count',
  'alert_memory_percent',
  'alert_queue_wait_p95_ms',
  'alert_relay_unreachable_secs',
  'otlp_endpoint',
  'mesh_key',
]

describe('DEFAULT_CONFIG', () => {
  it('has the documented default for every field', () => {
    expect({ ...DEFAULT_CONFIG }).toEqual({
      network_port: 9000,
      max_peers: 32,
      storage_path: '',
      health_check_interval_secs: 30,
      max_memory_mb: 512,
      log_level: 'INFO',
      log_file_max_bytes: 104857600,
      log_file_max_age_days: 7,
      log_file_max_count: 10,
      relays: [],
      ice_servers: [],
      heartbeat_interval_secs: 10,
      announce_interval_secs: 30,
      deny_peers: [],
      dial_private_addresses: true,
      max_message_bytes: 1048576,
      peer_rate_limit: 5000,
      peer_ban_secs: 60,
      relay_max_reservations: 512,
      relay_max_connections_per_ip: 128,
      relay_max_connections_per_peer: 4,
      max_concurrent_tasks: 4,
      max_batch_size: 32,
      max_stored_results: 10000,
      result_expiry_hours: 24,
      model_source: 'auto',
      model_warmup: 'after_join',
      serve_tasks: true,
      max_remote_queued_per_peer: 256,
      max_inflight_per_peer: 128,
      inference_threads: 0,
      metrics_push_interval_secs: 10,
      metrics_max_nodes: 1000,
      models: {
        text_embedding: { model: 'local/universal-sentence-encoder-lite', dtype: 'q8' },
        classification: { model: 'local/use-lite-sentiment-prototype', dtype: 'q8' },
      },
      alert_check_interval_secs: 5,
      alert_clear_secs: 30,
      alert_grace_secs: 60,
      alert_min_peers: 2,
      alert_task_failure_percent: 10,
      alert_task_window_secs: 300,
      alert_task_min_count: 10,
      alert_memory_percent: 85,
      alert_queue_wait_p95_ms: 30000,
      alert_relay_unreachable_secs: 60,
      otlp_endpoint: '',
      mesh_key: '',
    })
  })

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true)
  })

  it('lists exactly the config fields in CONFIG_KEYS', () => {
    expect(CONFIG_KEYS).toEqual(ALL_KEYS)
  })

  it('offers the six log levels, least severe first', () => {
    expect([...LOG_LEVELS]).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])
  })

  it('passes validation (with the storage path the host fills in)', () => {
    expect(validateConfig({ ...DEFAULT_CONFIG })).toEqual([])
    expect(validateConfig(candidate())).toEqual([])
  })

  it('is what resolveConfig returns with no layers, every source "default", no warnings', () => {
    const resolved = resolveConfig([])
    expect(resolved.config).toEqual({ ...DEFAULT_CONFIG })
    expect(resolved.warnings).toEqual([])
    expect(resolved.sources).toEqual(Object.fromEntries(ALL_KEYS.map((k) => [k, 'default'])))
  })
})

describe('validateConfig: integer ranges', () => {
  it('network_port: 1023 and 65536 fail with the port message; 1024 and 65535 pass', () => {
    expect(validateConfig(candidate({ network_port: 1023 }))).toEqual([
      {
        field: 'network_port',
        code: 'network_port_below_minimum',
        message: 'Invalid port number (must be 1024-65535)',
      },
    ])
    expect(validateConfig(candidate({ network_port: 1024 }))).toEqual([])
    expect(validateConfig(candidate({ network_port: 65535 }))).toEqual([])
    expect(validateConfig(candidate({ network_port: 65536 }))).toEqual([
      {
        field: 'network_port',
        code: 'network_port_exceeds_limit',
        message: 'Invalid port number (must be 1024-65535)',
      },
    ])
  })

  it('network_port: 0, negative and 80 are rejected', () => {
    for (const port of [0, -1, 80]) {
      expect(codes(validateConfig(candidate({ network_port: port })))).toEqual([
        'network_port_below_minimum',
      ])
    }
  })

  it('max_peers: 0 fails, 1 passes, 256 passes, 257 fails with max_peers_exceeds_limit', () => {
    expect(validateConfig(candidate({ max_peers: 0 }))).toEqual([
      {
        field: 'max_peers',
        code: 'max_peers_below_minimum',
        message: 'max_peers must be 1-256, got 0',
      },
    ])
    expect(validateConfig(candidate({ max_peers: 1 }))).toEqual([])
    expect(validateConfig(candidate({ max_peers: 256 }))).toEqual([])
    expect(validateConfig(candidate({ max_peers: 257 }))).toEqual([
      {
        field: 'max_peers',
        code: 'max_peers_exceeds_limit',
        message: 'max_peers must be 1-256, got 257',
      },
    ])
  })

  it('max_memory_mb: 127 and 16385 fail; 128 and 16384 pass', () => {
    expect(validateConfig(candidate({ max_memory_mb: 127 }))).toEqual([
      {
        field: 'max_memory_mb',
        code: 'max_memory_mb_below_minimum',
        message: 'max_memory_mb must be 128-16384, got 127',
      },
    ])
    expect(validateConfig(candidate({ max_memory_mb: 128 }))).toEqual([])
    expect(validateConfig(candidate({ max_memory_mb: 16384 }))).toEqual([])
    expect(validateConfig(candidate({ max_memory_mb: 16385 }))).toEqual([
      {
        field: 'max_memory_mb',
        code: 'max_memory_mb_exceeds_limit',
        message: 'max_memory_mb must be 128-16384, got 16385',
      },
    ])
  })

  const ranges: Array<[keyof NodeConfig, number, number]> = [
    ['network_port', 1024, 65535],
    ['max_peers', 1, 256],
    ['health_check_interval_secs', 1, 86400],
    ['max_memory_mb', 128, 16384],
    ['heartbeat_interval_secs', 1, 300],
    ['announce_interval_secs', 5, 3600],
    ['max_message_bytes', 1024, 4 * 1024 * 1024],
    ['peer_rate_limit', 0, 1_000_000],
    ['peer_ban_secs', 1, 86_400],
    ['relay_max_reservations', 1, 100000],
    ['relay_max_connections_per_ip', 1, 100000],
    ['relay_max_connections_per_peer', 1, 64],
    ['max_concurrent_tasks', 1, 64],
    ['max_batch_size', 1, 256],
    ['max_stored_results', 1, 1_000_000],
    ['result_expiry_hours', 1, 8760],
    ['metrics_push_interval_secs', 0, 3600],
    ['metrics_max_nodes', 1, 100_000],
    ['log_file_max_bytes', 1024, 2 ** 40],
    ['log_file_max_age_days', 1, 3650],
    ['log_file_max_count', 1, 10_000],
  ]

  it.each(ranges)('%s accepts %i..%i and rejects one past each end', (key, min, max) => {
    expect(validateConfig(candidate({ [key]: min }))).toEqual([])
    expect(validateConfig(candidate({ [key]: max }))).toEqual([])
    const below = validateConfig(candidate({ [key]: min - 1 }))
    expect(below).toHaveLength(1)
    expect(below[0]).toMatchObject({ field: key, code: `${key}_below_minimum` })
    const above = validateConfig(candidate({ [key]: max + 1 }))
    expect(above).toHaveLength(1)
    expect(above[0]).toMatchObject({ field: key, code: `${key}_exceeds_limit` })
    if (key !== 'network_port') {
      expect(below[0]?.message).toBe(`${key} must be ${min}-${max}, got ${min - 1}`)
      expect(above[0]?.message).toBe(`${key} must be ${min}-${max}, got ${max + 1}`)
    }
  })

  it.each(ranges)('%s must be an integer number', (key) => {
    for (const value of ['32', '9000', 12.5, Number.NaN, Number.POSITIVE_INFINITY, true, [], {}]) {
      const problems = validateConfig(candidate({ [key]: value }))
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ field: key, code: `invalid_${key}` })
      expect(problems[0]?.message).toContain('must be an integer')
    }
  })

  it('reports a string port and a fractional max_peers with their values', () => {
    expect(validateConfig(candidate({ network_port: '9000', max_peers: 2.5 }))).toEqual([
      {
        field: 'network_port',
        code: 'invalid_network_port',
        message: 'network_port must be an integer, got "9000"',
      },
      {
        field: 'max_peers',
        code: 'invalid_max_peers',
        message: 'max_peers must be an integer, got 2.5',
      },
    ])
  })
})

describe('validateConfig: other fields', () => {
  it.each(['after_join', 'at_start', 'on_demand'])('accepts model_warmup %s', (when) => {
    expect(validateConfig(candidate({ model_warmup: when }))).toEqual([])
  })

  it('refuses a model_warmup it does not know, naming the choices', () => {
    const problems = validateConfig(candidate({ model_warmup: 'later' }))
    expect(problems).toEqual([
      {
        field: 'model_warmup',
        code: 'invalid_model_warmup',
        message: 'model_warmup must be one of after_join, at_start, on_demand, got "later"',
      },
    ])
  })

  it('reads model_warmup from the environment and a URL query in any case', () => {
    expect(configFromEnv({ P2P_AI_MODEL_WARMUP: 'AT_START' }).values).toEqual({
      model_warmup: 'at_start',
    })
    expect(configFromQuery(new URLSearchParams('model_warmup=on_demand')).values).toEqual({
      model_warmup: 'on_demand',
    })
  })

  it.each(LOG_LEVELS)('accepts log_level %s', (level) => {
    expect(validateConfig(candidate({ log_level: level }))).toEqual([])
  })

  it('reads TRACE and FATAL from the environment and a URL query in any case', () => {
    expect(configFromEnv({ P2P_AI_LOG_LEVEL: 'trace' }).values).toEqual({ log_level: 'TRACE' })
    expect(configFromQuery(new URLSearchParams('log_level=Fatal')).values).toEqual({
      log_level: 'FATAL',
    })
  })

  it('reads the log file limits from the environment', () => {
    const layer = configFromEnv({
      P2P_AI_LOG_FILE_MAX_BYTES: '2048',
      P2P_AI_LOG_FILE_MAX_AGE_DAYS: '30',
      P2P_AI_LOG_FILE_MAX_COUNT: '3',
    })
    expect(layer.problems).toEqual([])
    expect(layer.values).toEqual({
      log_file_max_bytes: 2048,
      log_file_max_age_days: 30,
      log_file_max_count: 3,
    })
  })

  it('rejects unknown or non-string log levels', () => {
    for (const level of ['VERBOSE', 'WARNING', 'trace', '', 3, ['INFO']]) {
      const problems = validateConfig(candidate({ log_level: level }))
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ field: 'log_level', code: 'invalid_log_level' })
      expect(problems[0]?.message).toContain('TRACE, DEBUG, INFO, WARN, ERROR, FATAL')
    }
  })

  it('accepts relays given as multiaddrs or http(s) URLs', () => {
    const relays = [
      '/ip4/127.0.0.1/tcp/9000/ws',
      '/ip6/::1/tcp/9000/ws',
      '/dns4/relay.example.com/tcp/443/wss/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
      '/dns/relay.example.com/tcp/443/wss',
      '/dnsaddr/bootstrap.example.com',
      'http://localhost:9000',
      'https://relay.example.com/',
    ]
    expect(validateConfig(candidate({ relays }))).toEqual([])
    expect(validateConfig(candidate({ relays: [] }))).toEqual([])
  })

  it('rejects relays that are neither a multiaddr nor an http(s) URL, naming the culprit', () => {
    for (const bad of [
      'relay.example.com',
      'ftp://relay.example.com',
      'http://',
      '/tcp/9000',
      'ws x',
    ]) {
      const problems = validateConfig(candidate({ relays: ['/ip4/127.0.0.1/tcp/9000/ws', bad] }))
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ field: 'relays', code: 'invalid_relays' })
      expect(problems[0]?.message).toContain(JSON.stringify(bad))
    }
  })

  it('rejects relays with a multiaddr prefix but an unparseable address', () => {
    // '/ip4/not-an-ip/…' and a bare '/ip4/' are not multiaddrs: multiaddr() throws on both, so the
    // relay keeper could never dial them. They must be caught at startup with the other problems.
    for (const bad of ['/ip4/not-an-ip/tcp/9000/ws', '/ip4/']) {
      expect(codes(validateConfig(candidate({ relays: [bad] })))).toEqual(['invalid_relays'])
    }
  })

  it('rejects relays that are not a list of non-empty strings', () => {
    for (const relays of ['http://localhost:9000', [''], [42], [null], { 0: 'http://x' }]) {
      expect(validateConfig(candidate({ relays }))).toEqual([
        {
          field: 'relays',
          code: 'invalid_relays',
          message: 'relays must be a list of non-empty strings',
        },
      ])
    }
  })

  it('accepts well-formed ice_servers', () => {
    const ice_servers = [
      { urls: 'stun:stun.example.com:3478' },
      { urls: 'stuns:stun.example.com:5349' },
      {
        urls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349'],
        username: 'user',
        credential: 'secret',
      },
    ]
    expect(validateConfig(candidate({ ice_servers }))).toEqual([])
    expect(validateConfig(candidate({ ice_servers: [] }))).toEqual([])
  })

  it('rejects malformed ice_servers', () => {
    const bad: unknown[] = [
      { urls: 'stun:stun.example.com' }, // not a list
      ['stun:stun.example.com'], // entries must be objects
      [null],
      [{}],
      [{ urls: [] }],
      [{ urls: 'http://stun.example.com' }],
      [{ urls: ['stun:ok.example.com', 5] }],
      [{ urls: ['stun:ok.example.com', 'ws://no.example.com'] }],
    ]
    for (const ice_servers of bad) {
      const problems = validateConfig(candidate({ ice_servers }))
      expect(problems, JSON.stringify(ice_servers)).toHaveLength(1)
      expect(problems[0]).toMatchObject({ field: 'ice_servers', code: 'invalid_ice_servers' })
    }
  })

  it('accepts deny_peers as a list of peer ids and rejects anything else', () => {
    expect(validateConfig(candidate({ deny_peers: ['12D3KooWA', 'QmB'] }))).toEqual([])
    for (const deny_peers of ['12D3KooWA', [''], [7], ['ok', null]]) {
      expect(validateConfig(candidate({ deny_peers }))).toEqual([
        {
          field: 'deny_peers',
          code: 'invalid_deny_peers',
          message: 'deny_peers must be a list of non-empty strings',
        },
      ])
    }
  })

  it('dial_private_addresses must be a boolean', () => {
    expect(validateConfig(candidate({ dial_private_addresses: false }))).toEqual([])
    for (const value of ['true', 1, 0]) {
      expect(codes(validateConfig(candidate({ dial_private_addresses: value })))).toEqual([
        'invalid_dial_private_addresses',
      ])
    }
  })

  it('storage_path must be a string (empty is left for the host to fill in)', () => {
    expect(validateConfig(candidate({ storage_path: '' }))).toEqual([])
    expect(validateConfig(candidate({ storage_path: 5 }))).toEqual([
      {
        field: 'storage_path',
        code: 'invalid_storage_path',
        message: 'storage_path must be a string',
      },
    ])
  })

  it('otlp_endpoint: "" (none) and http(s) URLs pass; anything else fails with invalid_otlp_endpoint', () => {
    for (const ok of ['', 'http://127.0.0.1:4318', 'https://collector.example/v1/traces'])
      expect(validateConfig(candidate({ otlp_endpoint: ok }))).toEqual([])
    for (const bad of ['localhost:4318', 'ftp://x', 'http//x', 4318])
      expect(codes(validateConfig(candidate({ otlp_endpoint: bad })))).toEqual([
        'invalid_otlp_endpoint',
      ])
  })

  it('mesh_key: "" (an open mesh) or 16-1024 characters; else invalid_mesh_key, the key not repeated', () => {
    for (const ok of ['', 'x'.repeat(16), 'correct horse battery staple', 'k'.repeat(1024)])
      expect(validateConfig(candidate({ mesh_key: ok }))).toEqual([])
    for (const bad of ['fifteen-chars15', 'k'.repeat(1025), 42]) {
      const problems = validateConfig(candidate({ mesh_key: bad }))
      expect(codes(problems)).toEqual(['invalid_mesh_key'])
      if (typeof bad === 'string') expect(JSON.stringify(problems)).not.toContain(bad)
    }
  })

  it('reads mesh_key from P2P_AI_MESH_KEY and a URL query', () => {
    expect(configFromEnv({ P2P_AI_MESH_KEY: 'correct horse battery staple' }).values).toEqual({
      mesh_key: 'correct horse battery staple',
    })
    expect(
      configFromQuery(new URLSearchParams('mesh_key=a%20long%20shared%20secret')).values,
    ).toEqual({ mesh_key: 'a long shared secret' })
  })

  it('reads otlp_endpoint from P2P_AI_OTLP_ENDPOINT and a URL query', () => {
    expect(configFromEnv({ P2P_AI_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).values).toEqual({
      otlp_endpoint: 'http://127.0.0.1:4318',
    })
    expect(configFromQuery(new URLSearchParams('otlp_endpoint=http://h:4318')).values).toEqual({
      otlp_endpoint: 'http://h:4318',
    })
  })
})

describe('validateConfig: missing fields', () => {
  it('reports every missing field of an empty object, each with <field>_missing', () => {
    const problems = validateConfig({})
    expect(problems.map((p) => p.field)).toEqual(ALL_KEYS)
    expect(codes(problems)).toEqual(ALL_KEYS.map((k) => `${k}_missing`))
  })

  it('suggests the default in the message of a missing or null field', () => {
    const expected: Array<[keyof NodeConfig, string]> = [
      ['network_port', '9000'],
      ['max_peers', '32'],
      ['health_check_interval_secs', '30'],
      ['max_memory_mb', '512'],
      ['log_level', '"INFO"'],
      ['relays', '[]'],
      ['ice_servers', '[]'],
      ['heartbeat_interval_secs', '10'],
      ['announce_interval_secs', '30'],
      ['deny_peers', '[]'],
      ['dial_private_addresses', 'true'],
      ['max_message_bytes', '1048576'],
      ['relay_max_reservations', '512'],
    ]
    for (const [key, fallback] of expected) {
      for (const value of [undefined, null]) {
        const c = candidate()
        if (value === undefined) delete c[key]
        else c[key] = value
        expect(validateConfig(c)).toEqual([
          {
            field: key,
            code: `${key}_missing`,
            message: `${key} is required; the default is ${fallback}`,
          },
        ])
      }
    }
  })

  it('reports a null field from a file through resolveConfig', () => {
    const err = configError(() => resolveConfig([fileLayer({ max_peers: null, log_level: null })]))
    expect(err.problems).toEqual([
      {
        field: 'max_peers',
        code: 'max_peers_missing',
        message: 'max_peers is required; the default is 32',
      },
      {
        field: 'log_level',
        code: 'log_level_missing',
        message: 'log_level is required; the default is "INFO"',
      },
    ])
  })
})

describe('collecting every problem', () => {
  it('validateConfig returns one problem per invalid field, in field order', () => {
    const problems = validateConfig(
      candidate({
        log_level: 'LOUD',
        max_memory_mb: 100,
        max_peers: 257,
        network_port: 80,
        relays: ['nonsense'],
        heartbeat_interval_secs: null,
      }),
    )
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['network_port', 'network_port_below_minimum'],
      ['max_peers', 'max_peers_exceeds_limit'],
      ['max_memory_mb', 'max_memory_mb_below_minimum'],
      ['log_level', 'invalid_log_level'],
      ['relays', 'invalid_relays'],
      ['heartbeat_interval_secs', 'heartbeat_interval_secs_missing'],
    ])
  })

  it('resolveConfig throws one ConfigError listing all of them, with a readable message', () => {
    const err = configError(() =>
      resolveConfig([fileLayer({ network_port: 1023, max_peers: 0, max_memory_mb: 16385 })]),
    )
    expect(codes(err.problems)).toEqual([
      'network_port_below_minimum',
      'max_peers_below_minimum',
      'max_memory_mb_exceeds_limit',
    ])
    expect(err.message).toContain('invalid configuration:')
    expect(err.message).toContain(
      'network_port: Invalid port number (must be 1024-65535) (network_port_below_minimum)',
    )
    expect(err.message).toContain(
      'max_peers: max_peers must be 1-256, got 0 (max_peers_below_minimum)',
    )
    expect(err.message).toContain('(max_memory_mb_exceeds_limit)')
  })

  it('collects problems from every layer, host problems and validation together', () => {
    const hostProblem: ConfigProblem = {
      field: 'storage_path',
      code: 'storage_path_not_writable',
      message: 'storage_path /nope is not readable and writable',
    }
    const err = configError(() =>
      resolveConfig(
        [
          fileLayer({ max_peers: 999 }),
          configFromEnv({ P2P_AI_MAX_MEMORY_MB: 'lots' }),
          configFromFlags({ network_port: 'x' }),
        ],
        {},
        [hostProblem],
      ),
    )
    expect(err.problems.map((p) => [p.field, p.code])).toEqual([
      ['storage_path', 'storage_path_not_writable'],
      ['P2P_AI_MAX_MEMORY_MB', 'invalid_max_memory_mb'],
      ['--network_port', 'invalid_network_port'],
      ['max_peers', 'max_peers_exceeds_limit'],
    ])
  })

  it('a host problem alone makes an otherwise valid config fail', () => {
    const hostProblem: ConfigProblem = {
      field: 'storage_path',
      code: 'storage_path_not_writable',
      message: 'no',
    }
    expect(configError(() => resolveConfig([], {}, [hostProblem])).problems).toEqual([hostProblem])
  })
})

describe('parseConfigFile', () => {
  const location = '/home/op/.p2p-ai-agents/config/node_config.json'

  it('reads known fields as a "file" layer', () => {
    const layer = fileLayer(
      { network_port: 9100, max_peers: 8, relays: ['http://r.example.com'] },
      location,
    )
    expect(layer).toEqual({
      source: 'file',
      values: { network_port: 9100, max_peers: 8, relays: ['http://r.example.com'] },
      problems: [],
      warnings: [],
    })
  })

  it('keeps values as written, leaving type checks to validation', () => {
    const layer = fileLayer({ max_peers: '8' }, location)
    expect(layer.values).toEqual({ max_peers: '8' })
    expect(layer.problems).toEqual([])
    expect(codes(configError(() => resolveConfig([layer])).problems)).toEqual(['invalid_max_peers'])
  })

  it('reports invalid JSON as config_unreadable, naming the file', () => {
    const text = '{"max_peers": 8,'
    const layer = parseConfigFile(text, text.length, location)
    expect(layer.values).toEqual({})
    expect(layer.problems).toHaveLength(1)
    expect(layer.problems[0]).toMatchObject({ field: location, code: 'config_unreadable' })
    expect(layer.problems[0]?.message).toMatch(/^not valid JSON: /)
  })

  it('reports an empty file as config_unreadable', () => {
    expect(codes(parseConfigFile('', 0, location).problems)).toEqual(['config_unreadable'])
  })

  it.each(['[]', '[{"max_peers": 8}]', '"max_peers"', '42', 'null', 'true'])(
    'reports the non-object %s as config_unreadable',
    (text) => {
      const layer = parseConfigFile(text, text.length, location)
      expect(layer.problems).toEqual([
        { field: location, code: 'config_unreadable', message: 'must be a JSON object' },
      ])
      expect(layer.values).toEqual({})
    },
  )

  it('MAX_CONFIG_BYTES is below 1 MB and far above a real config', () => {
    expect(MAX_CONFIG_BYTES).toBeLessThan(1024 * 1024)
    expect(MAX_CONFIG_BYTES).toBeGreaterThan(Buffer.byteLength(sampleConfig()) * 10)
  })

  it('rejects a file over MAX_CONFIG_BYTES with config_too_large without parsing it', () => {
    // the text is not valid JSON: a parse would add config_unreadable
    const layer = parseConfigFile('{not json', MAX_CONFIG_BYTES + 1, location)
    expect(layer.problems).toEqual([
      {
        field: location,
        code: 'config_too_large',
        message: `config file is ${MAX_CONFIG_BYTES + 1} bytes; the maximum is ${MAX_CONFIG_BYTES} bytes`,
      },
    ])
    expect(layer.values).toEqual({})
  })

  it('rejects a 1 MB file (valid JSON) with config_too_large', () => {
    const text = JSON.stringify({ max_peers: 8, pad: 'x'.repeat(1024 * 1024 - 30) })
    const size = Buffer.byteLength(text)
    expect(size).toBeGreaterThanOrEqual(1024 * 1024 - 10)
    const layer = parseConfigFile(text, size, location)
    expect(codes(layer.problems)).toEqual(['config_too_large'])
    expect(layer.values).toEqual({})
    expect(codes(configError(() => resolveConfig([layer])).problems)).toEqual(['config_too_large'])
  })

  it('accepts a file of exactly MAX_CONFIG_BYTES', () => {
    const head = '{"max_peers": 8}'
    const text = head + ' '.repeat(MAX_CONFIG_BYTES - head.length)
    expect(Buffer.byteLength(text)).toBe(MAX_CONFIG_BYTES)
    const layer = parseConfigFile(text, MAX_CONFIG_BYTES, location)
    expect(layer.problems).toEqual([])
    expect(layer.values).toEqual({ max_peers: 8 })
  })

  it('warns about unknown fields instead of failing, and drops them', () => {
    const layer = fileLayer({ max_peers: 8, colour: 'blue', maxPeers: 9 }, location)
    expect(layer.problems).toEqual([])
    expect(layer.values).toEqual({ max_peers: 8 })
    expect(layer.warnings).toEqual([
      `${location}: unknown field "colour" ignored`,
      `${location}: unknown field "maxPeers" ignored`,
    ])
    const resolved = resolveConfig([layer])
    expect(resolved.config.max_peers).toBe(8)
    expect(resolved.warnings).toEqual(layer.warnings)
    expect(Object.keys(resolved.config).sort()).toEqual([...ALL_KEYS].sort())
  })

  it('warns about unknown fields named like Object.prototype members and drops them', () => {
    const text = '{"constructor": 1, "toString": "x", "hasOwnProperty": 2, "__proto__": {"a": 1}}'
    const layer = parseConfigFile(text, text.length, location)
    expect(layer.problems).toEqual([])
    expect(Object.keys(layer.values)).toEqual([])
    expect(layer.warnings).toEqual([
      `${location}: unknown field "constructor" ignored`,
      `${location}: unknown field "toString" ignored`,
      `${location}: unknown field "hasOwnProperty" ignored`,
      `${location}: unknown field "__proto__" ignored`,
    ])
    expect(Object.keys(resolveConfig([layer]).config).sort()).toEqual([...ALL_KEYS].sort())
  })

  it('ignores node_id silently', () => {
    const layer = fileLayer({ node_id: '12D3KooWXYZ', max_peers: 8 }, location)
    expect(layer).toEqual({ source: 'file', values: { max_peers: 8 }, problems: [], warnings: [] })
    expect(resolveConfig([layer]).config).not.toHaveProperty('node_id')
  })
})

describe('configFromEnv', () => {
  it('applies P2P_AI_NODE_PORT, P2P_AI_MAX_PEERS, P2P_AI_STORAGE_PATH and P2P_AI_MAX_MEMORY_MB', () => {
    const env = {
      P2P_AI_NODE_PORT: '9001',
      P2P_AI_MAX_PEERS: '64',
      P2P_AI_STORAGE_PATH: '/srv/p2p',
      P2P_AI_MAX_MEMORY_MB: '1024',
    }
    const layer = configFromEnv(env)
    expect(layer).toEqual({
      source: 'env',
      values: { network_port: 9001, max_peers: 64, storage_path: '/srv/p2p', max_memory_mb: 1024 },
      problems: [],
      warnings: [],
    })
    const resolved = resolveConfig([layer])
    expect(resolved.config).toMatchObject({
      network_port: 9001,
      max_peers: 64,
      storage_path: '/srv/p2p',
      max_memory_mb: 1024,
    })
    expect(resolved.sources).toMatchObject({
      network_port: 'env',
      max_peers: 'env',
      storage_path: 'env',
      max_memory_mb: 'env',
      log_level: 'default',
    })
  })

  it('accepts P2P_AI_NETWORK_PORT as another name for the port', () => {
    expect(configFromEnv({ P2P_AI_NETWORK_PORT: '9002' }).values).toEqual({ network_port: 9002 })
  })

  it('reads every kind of field', () => {
    const layer = configFromEnv({
      P2P_AI_HEALTH_CHECK_INTERVAL_SECS: '60',
      P2P_AI_LOG_LEVEL: 'debug',
      P2P_AI_RELAYS: '/ip4/10.0.0.1/tcp/9000/ws, https://relay.example.com ,',
      P2P_AI_ICE_SERVERS: 'stun:stun.example.com:3478,turn:turn.example.com',
      P2P_AI_HEARTBEAT_INTERVAL_SECS: '5',
      P2P_AI_ANNOUNCE_INTERVAL_SECS: '45',
      P2P_AI_DENY_PEERS: 'peerA,peerB',
      P2P_AI_DIAL_PRIVATE_ADDRESSES: 'false',
      P2P_AI_MAX_MESSAGE_BYTES: '2048',
      P2P_AI_RELAY_MAX_RESERVATIONS: '64',
    })
    expect(layer.problems).toEqual([])
    expect(layer.warnings).toEqual([])
    expect(layer.values).toEqual({
      health_check_interval_secs: 60,
      log_level: 'DEBUG',
      relays: ['/ip4/10.0.0.1/tcp/9000/ws', 'https://relay.example.com'],
      ice_servers: [{ urls: 'stun:stun.example.com:3478' }, { urls: 'turn:turn.example.com' }],
      heartbeat_interval_secs: 5,
      announce_interval_secs: 45,
      deny_peers: ['peerA', 'peerB'],
      dial_private_addresses: false,
      max_message_bytes: 2048,
      relay_max_reservations: 64,
    })
    expect(() => resolveConfig([layer])).not.toThrow()
  })

  it('parses booleans as true/false/1/0 in any case', () => {
    for (const [raw, value] of [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['false', false],
      ['False', false],
      ['0', false],
    ] as const) {
      expect(configFromEnv({ P2P_AI_DIAL_PRIVATE_ADDRESSES: raw }).values).toEqual({
        dial_private_addresses: value,
      })
    }
    const layer = configFromEnv({ P2P_AI_DIAL_PRIVATE_ADDRESSES: 'yes' })
    expect(layer.values).toEqual({})
    expect(layer.problems).toEqual([
      {
        field: 'P2P_AI_DIAL_PRIVATE_ADDRESSES',
        code: 'invalid_dial_private_addresses',
        message: 'P2P_AI_DIAL_PRIVATE_ADDRESSES="yes" is not true or false',
      },
    ])
  })

  it('trims whitespace around integers', () => {
    expect(configFromEnv({ P2P_AI_MAX_PEERS: ' 64 ' }).values).toEqual({ max_peers: 64 })
  })

  it('P2P_AI_MAX_PEERS=abc is a problem naming the variable', () => {
    const layer = configFromEnv({ P2P_AI_MAX_PEERS: 'abc' })
    expect(layer.values).toEqual({})
    expect(layer.problems).toEqual([
      {
        field: 'P2P_AI_MAX_PEERS',
        code: 'invalid_max_peers',
        message: 'P2P_AI_MAX_PEERS="abc" is not an integer',
      },
    ])
    const err = configError(() => resolveConfig([layer]))
    expect(err.problems).toEqual(layer.problems)
    expect(err.message).toContain('P2P_AI_MAX_PEERS')
  })

  it.each(['', '1.5', '1e3', '0x10', '64 peers', '6 4'])(
    'P2P_AI_NODE_PORT=%j is not an integer',
    (raw) => {
      const layer = configFromEnv({ P2P_AI_NODE_PORT: raw })
      expect(layer.values).toEqual({})
      expect(layer.problems).toHaveLength(1)
      expect(layer.problems[0]).toMatchObject({
        field: 'P2P_AI_NODE_PORT',
        code: 'invalid_network_port',
      })
      expect(layer.problems[0]?.message).toContain('P2P_AI_NODE_PORT')
    },
  )

  it('an out-of-range value from the environment fails validation', () => {
    const err = configError(() => resolveConfig([configFromEnv({ P2P_AI_MAX_PEERS: '257' })]))
    expect(codes(err.problems)).toEqual(['max_peers_exceeds_limit'])
  })

  it('collects several bad variables together', () => {
    const layer = configFromEnv({ P2P_AI_MAX_PEERS: 'abc', P2P_AI_NODE_PORT: 'http' })
    expect(layer.problems.map((p) => p.field).sort()).toEqual([
      'P2P_AI_MAX_PEERS',
      'P2P_AI_NODE_PORT',
    ])
  })

  it('warns about an unknown P2P_AI_ variable, naming it, without failing', () => {
    const layer = configFromEnv({ P2P_AI_FOO: 'bar', P2P_AI_MAX_PEERS: '8' })
    expect(layer.problems).toEqual([])
    expect(layer.values).toEqual({ max_peers: 8 })
    expect(layer.warnings).toHaveLength(1)
    expect(layer.warnings[0]).toContain('P2P_AI_FOO')
    expect(resolveConfig([layer]).warnings).toEqual(layer.warnings)
  })

  it('ignores variables without the P2P_AI_ prefix and unset ones', () => {
    const layer = configFromEnv({
      PATH: '/usr/bin',
      HOME: '/root',
      MAX_PEERS: '5',
      p2p_ai_max_peers: '5',
      P2P_AI_LOG_LEVEL: undefined,
    })
    expect(layer).toEqual({ source: 'env', values: {}, problems: [], warnings: [] })
  })

  it('skips the variables in the ignore list, known or not', () => {
    const layer = configFromEnv(
      {
        P2P_AI_HOME: '/srv/p2p',
        P2P_AI_MAX_PEERS: 'abc',
        P2P_AI_FOO: 'x',
        P2P_AI_NODE_PORT: '9001',
      },
      ['P2P_AI_HOME', 'P2P_AI_MAX_PEERS'],
    )
    expect(layer.values).toEqual({ network_port: 9001 })
    expect(layer.problems).toEqual([])
    expect(layer.warnings).toHaveLength(1)
    expect(layer.warnings[0]).toContain('P2P_AI_FOO')
    expect(layer.warnings.join('\n')).not.toContain('P2P_AI_HOME')
  })
})

describe('configFromQuery', () => {
  it('reads ?max_peers=8&deny_peers=a,b', () => {
    const layer = configFromQuery(new URLSearchParams('?max_peers=8&deny_peers=a,b'))
    expect(layer).toEqual({
      source: 'query',
      values: { max_peers: 8, deny_peers: ['a', 'b'] },
      problems: [],
      warnings: [],
    })
    const resolved = resolveConfig([layer])
    expect(resolved.config.max_peers).toBe(8)
    expect(resolved.config.deny_peers).toEqual(['a', 'b'])
    expect(resolved.sources.max_peers).toBe('query')
    expect(resolved.sources.deny_peers).toBe('query')
    expect(resolved.sources.network_port).toBe('default')
  })

  it('ignores unrelated parameters without warnings', () => {
    const layer = configFromQuery(
      new URLSearchParams('room=lobby&debug=1&max_peers=4&constructor=x&toString=y&__proto__=z'),
    )
    expect(layer).toEqual({ source: 'query', values: { max_peers: 4 }, problems: [], warnings: [] })
  })

  it('reports a bad value naming the parameter', () => {
    const layer = configFromQuery(new URLSearchParams('max_peers=lots'))
    expect(layer.values).toEqual({})
    expect(layer.problems).toEqual([
      {
        field: '?max_peers',
        code: 'invalid_max_peers',
        message: '?max_peers="lots" is not an integer',
      },
    ])
  })

  it('reads booleans, levels and relay lists, which then validate', () => {
    const layer = configFromQuery(
      new URLSearchParams({
        dial_private_addresses: '0',
        log_level: 'warn',
        relays: 'https://a.example.com,/dns4/b.example.com/tcp/443/wss',
      }),
    )
    expect(layer.values).toEqual({
      dial_private_addresses: false,
      log_level: 'WARN',
      relays: ['https://a.example.com', '/dns4/b.example.com/tcp/443/wss'],
    })
    expect(() => resolveConfig([layer])).not.toThrow()
  })

  it('a query value that parses but is invalid fails validation', () => {
    const err = configError(() =>
      resolveConfig([configFromQuery(new URLSearchParams('max_peers=0'))]),
    )
    expect(codes(err.problems)).toEqual(['max_peers_below_minimum'])
  })
})

describe('configFromFlags', () => {
  it('reads flag values as a "flag" layer, skipping unset ones', () => {
    const layer = configFromFlags({
      network_port: '9300',
      log_level: 'error',
      storage_path: ' /data ',
      max_peers: undefined,
    })
    expect(layer).toEqual({
      source: 'flag',
      values: { network_port: 9300, log_level: 'ERROR', storage_path: '/data' },
      problems: [],
      warnings: [],
    })
  })

  it('reports a bad flag by its name', () => {
    const layer = configFromFlags({ max_peers: 'many' })
    expect(layer.problems).toEqual([
      {
        field: '--max_peers',
        code: 'invalid_max_peers',
        message: '--max_peers="many" is not an integer',
      },
    ])
  })

  it('--port 80 fails with the port message', () => {
    const err = configError(() => resolveConfig([configFromFlags({ network_port: '80' })]))
    expect(err.problems).toEqual([
      {
        field: 'network_port',
        code: 'network_port_below_minimum',
        message: 'Invalid port number (must be 1024-65535)',
      },
    ])
  })
})

describe('precedence: defaults < file < env < flags', () => {
  const file = fileLayer({
    network_port: 9100,
    max_peers: 10,
    log_level: 'DEBUG',
    storage_path: '/from/file',
  })
  const env = configFromEnv({ P2P_AI_NODE_PORT: '9200', P2P_AI_MAX_PEERS: '20', P2P_AI_FOO: '1' })
  const flags = configFromFlags({ network_port: '9300' })

  it('later layers win field by field, and sources say where each value came from', () => {
    const resolved = resolveConfig([file, env, flags], {
      max_memory_mb: 1024,
      storage_path: '/host',
    })
    expect(resolved.config).toEqual({
      ...DEFAULT_CONFIG,
      network_port: 9300,
      max_peers: 20,
      log_level: 'DEBUG',
      storage_path: '/from/file',
      max_memory_mb: 1024,
    })
    expect(resolved.sources).toEqual({
      ...Object.fromEntries(ALL_KEYS.map((k) => [k, 'default'])),
      network_port: 'flag',
      max_peers: 'env',
      log_level: 'file',
      storage_path: 'file',
    })
    expect(resolved.warnings).toHaveLength(1)
    expect(resolved.warnings[0]).toContain('P2P_AI_FOO')
  })

  it('without flags the environment wins over the file', () => {
    const resolved = resolveConfig([file, env])
    expect(resolved.config.network_port).toBe(9200)
    expect(resolved.sources.network_port).toBe('env')
  })

  it('host defaults override built-in defaults but not any layer', () => {
    const resolved = resolveConfig([file], { max_peers: 99, heartbeat_interval_secs: 20 })
    expect(resolved.config.max_peers).toBe(10)
    expect(resolved.config.heartbeat_interval_secs).toBe(20)
    expect(resolved.sources.heartbeat_interval_secs).toBe('default')
  })

  it('a bad value in an overridden layer is still reported', () => {
    const err = configError(() =>
      resolveConfig([
        configFromEnv({ P2P_AI_MAX_PEERS: 'abc' }),
        configFromFlags({ max_peers: '8' }),
      ]),
    )
    expect(codes(err.problems)).toEqual(['invalid_max_peers'])
    expect(err.problems[0]?.field).toBe('P2P_AI_MAX_PEERS')
  })

  it('a valid later layer fixes an out-of-range earlier value', () => {
    const resolved = resolveConfig([
      fileLayer({ max_peers: 500 }),
      configFromFlags({ max_peers: '50' }),
    ])
    expect(resolved.config.max_peers).toBe(50)
    expect(resolved.sources.max_peers).toBe('flag')
  })
})

describe('sampleConfig', () => {
  it('parses, validates and resolves without problems or warnings', () => {
    const text = sampleConfig()
    expect(validateConfig(JSON.parse(text) as Record<string, unknown>)).toEqual([])
    const layer = parseConfigFile(text, Buffer.byteLength(text), 'sample.json')
    expect(layer.problems).toEqual([])
    expect(layer.warnings).toEqual([])
    const resolved = resolveConfig([layer])
    expect(resolved.config).toEqual({ ...DEFAULT_CONFIG, storage_path: '~/.p2p-ai-agents/data' })
    expect(resolved.warnings).toEqual([])
  })

  it('lists every field with its default, and the given storage path', () => {
    const parsed = JSON.parse(sampleConfig('/var/lib/p2p')) as Record<string, unknown>
    expect(Object.keys(parsed)).toEqual(ALL_KEYS)
    expect(parsed).toEqual({ ...DEFAULT_CONFIG, storage_path: '/var/lib/p2p' })
  })
})

describe('the models registry', () => {
  const good = DEFAULT_CONFIG.models
  it('accepts a model and dtype for every task type', () => {
    expect(
      validateConfig(
        candidate({
          models: { ...good, classification: { model: 'Xenova/distilbert-sst2', dtype: 'fp32' } },
        }),
      ),
    ).toEqual([])
  })

  it.each([
    ['not an object', 'x', /must be an object/],
    [
      'an unknown task type',
      { ...good, translation: { model: 'm', dtype: 'q8' } },
      /unknown task type "translation"/,
    ],
    ['a missing task type', { text_embedding: good.text_embedding }, /no entry for classification/],
    [
      'an empty model id',
      { ...good, text_embedding: { model: '', dtype: 'q8' } },
      /text_embedding.model must be a model id/,
    ],
    [
      'an unknown dtype',
      { ...good, text_embedding: { model: 'm', dtype: 'q7' } },
      /dtype must be one of/,
    ],
  ])('refuses %s', (_what, models, message) => {
    const problems = validateConfig(candidate({ models }))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ field: 'models', code: 'invalid_models' })
    expect(problems[0]?.message).toMatch(message)
  })

  it('reads P2P_AI_MODELS as JSON, and names the variable when it is not', () => {
    const json = JSON.stringify({
      ...good,
      text_embedding: { model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8' },
    })
    expect(configFromEnv({ P2P_AI_MODELS: json }).values.models).toMatchObject({
      text_embedding: { model: 'Xenova/all-MiniLM-L6-v2' },
    })
    expect(configFromEnv({ P2P_AI_MODELS: '{oops' }).problems).toEqual([
      { field: 'P2P_AI_MODELS', code: 'invalid_models', message: 'P2P_AI_MODELS is not JSON' },
    ])
  })
})

describe('alert thresholds (FR22.1)', () => {
  it('reads every alert_* field from P2P_AI_ALERT_* and a URL query', () => {
    const env = configFromEnv({
      P2P_AI_ALERT_MIN_PEERS: '3',
      P2P_AI_ALERT_CLEAR_SECS: '0',
      P2P_AI_ALERT_QUEUE_WAIT_P95_MS: '5000',
    })
    expect(env.problems).toEqual([])
    expect(env.values).toEqual({
      alert_min_peers: 3,
      alert_clear_secs: 0,
      alert_queue_wait_p95_ms: 5000,
    })
    const query = configFromQuery(new URLSearchParams('alert_grace_secs=0&alert_min_peers=1'))
    expect(resolveConfig([query]).config).toMatchObject({ alert_grace_secs: 0, alert_min_peers: 1 })
  })

  it('checks the ranges: percentages 1-100, a check interval of at least 1 s, min peers 0-256', () => {
    expect(
      codes(
        validateConfig(
          candidate({
            alert_memory_percent: 101,
            alert_task_failure_percent: 0,
            alert_check_interval_secs: 0,
            alert_min_peers: -1,
            alert_task_window_secs: 5,
          }),
        ),
      ),
    ).toEqual([
      'alert_check_interval_secs_below_minimum',
      'alert_min_peers_below_minimum',
      'alert_task_failure_percent_below_minimum',
      'alert_task_window_secs_below_minimum',
      'alert_memory_percent_exceeds_limit',
    ])
    expect(validateConfig(candidate({ alert_min_peers: 0, alert_clear_secs: 0 }))).toEqual([])
  })
})
