/**
 * Node configuration (FR1.4, FR1.6, FR1.9): defaults, the one table that describes every field,
 * merging of sources (defaults < file < environment < flags / URL query) and validation that
 * collects every problem. Pure: reading files and the environment is the host's job.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { ConfigProblem } from '../core/errors.js'
import { MAX_PAYLOAD_BYTES } from '../core/protocol.js'
import type { TaskType } from '../core/tasks.js'
import { TASK_TYPES } from '../core/tasks.js'
import { ConfigError } from '../core/errors.js'

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

export interface NodeConfig {
  /** TCP port of a Node host: libp2p WebSockets and HTTP (/healthz, /readyz, the app). @default 9000 */
  network_port: number
  /** most mesh peers (direct links) kept at once. @default 32 */
  max_peers: number
  /** where a Node host keeps its data. @default ~/.p2p-ai-agents/data (the host fills it in) */
  storage_path: string
  /** seconds between periodic health checks. @default 30 */
  health_check_interval_secs: number
  /** memory budget; the health check fails above 85 % of it. @default 512 */
  max_memory_mb: number
  /** @default INFO */
  log_level: LogLevel
  /** bootstrap relays: multiaddrs, or http(s) URLs of a relay serving /bootstrap.json. @default [] (host default) */
  relays: string[]
  /** STUN/TURN servers for WebRTC; none needed on one machine or LAN. @default [] */
  ice_servers: IceServer[]
  /** seconds between heartbeats to each peer (FR10.4). @default 10 */
  heartbeat_interval_secs: number
  /** seconds between a node's periodic announcements (it also announces on every change). @default 30 */
  announce_interval_secs: number
  /** peer ids this node never connects to, in either direction. @default [] */
  deny_peers: string[]
  /** allow dialling ws:// and private/loopback addresses (a LAN or one machine). @default true */
  dial_private_addresses: boolean
  /** largest routed message payload this node accepts or sends, bytes (at most 4 MiB). @default 1048576 */
  max_message_bytes: number
  /** relay only: circuit relay reservations held at once. @default 512 */
  relay_max_reservations: number
  /** inference calls in flight at once, each a batch of tasks of one model. @default 4 */
  max_concurrent_tasks: number
  /** most tasks of one model run in one inference call. @default 32 */
  max_batch_size: number
  /** results kept before the oldest are purged. @default 10000 */
  max_stored_results: number
  /** a result is deleted this long after it completed. @default 24 */
  result_expiry_hours: number
  /** where models come from: "auto" (the local models folder if there is one, else the hub), "hub", or a URL path / directory. @default auto */
  model_source: string
  /** task type → model and dtype (the text_embedding model is loaded at start) */
  models: ModelRegistry
}

export type ModelRegistry = Record<TaskType, { model: string; dtype: string }>

export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const

type FieldKind = 'int' | 'string' | 'level' | 'list' | 'ice' | 'bool' | 'models'

interface FieldSpec {
  kind: FieldKind
  min?: number
  max?: number
  /** environment variable names, first is canonical */
  env: string[]
  /** custom message for a range violation */
  rangeMessage?: string
}

export const FIELDS: Record<keyof NodeConfig, FieldSpec> = {
  network_port: {
    kind: 'int',
    min: 1024,
    max: 65535,
    env: ['P2P_AI_NODE_PORT', 'P2P_AI_NETWORK_PORT'],
    rangeMessage: 'Invalid port number (must be 1024-65535)',
  },
  max_peers: { kind: 'int', min: 1, max: 256, env: ['P2P_AI_MAX_PEERS'] },
  storage_path: { kind: 'string', env: ['P2P_AI_STORAGE_PATH'] },
  health_check_interval_secs: {
    kind: 'int',
    min: 1,
    max: 86400,
    env: ['P2P_AI_HEALTH_CHECK_INTERVAL_SECS'],
  },
  max_memory_mb: { kind: 'int', min: 128, max: 16384, env: ['P2P_AI_MAX_MEMORY_MB'] },
  log_level: { kind: 'level', env: ['P2P_AI_LOG_LEVEL'] },
  relays: { kind: 'list', env: ['P2P_AI_RELAYS'] },
  ice_servers: { kind: 'ice', env: ['P2P_AI_ICE_SERVERS'] },
  heartbeat_interval_secs: {
    kind: 'int',
    min: 1,
    max: 300,
    env: ['P2P_AI_HEARTBEAT_INTERVAL_SECS'],
  },
  announce_interval_secs: {
    kind: 'int',
    min: 5,
    max: 3600,
    env: ['P2P_AI_ANNOUNCE_INTERVAL_SECS'],
  },
  deny_peers: { kind: 'list', env: ['P2P_AI_DENY_PEERS'] },
  dial_private_addresses: { kind: 'bool', env: ['P2P_AI_DIAL_PRIVATE_ADDRESSES'] },
  max_message_bytes: {
    kind: 'int',
    min: 1024,
    max: MAX_PAYLOAD_BYTES,
    env: ['P2P_AI_MAX_MESSAGE_BYTES'],
  },
  relay_max_reservations: {
    kind: 'int',
    min: 1,
    max: 100000,
    env: ['P2P_AI_RELAY_MAX_RESERVATIONS'],
  },
  max_concurrent_tasks: { kind: 'int', min: 1, max: 64, env: ['P2P_AI_MAX_CONCURRENT_TASKS'] },
  max_batch_size: { kind: 'int', min: 1, max: 256, env: ['P2P_AI_MAX_BATCH_SIZE'] },
  max_stored_results: { kind: 'int', min: 1, max: 1_000_000, env: ['P2P_AI_MAX_STORED_RESULTS'] },
  result_expiry_hours: { kind: 'int', min: 1, max: 8760, env: ['P2P_AI_RESULT_EXPIRY_HOURS'] },
  model_source: { kind: 'string', env: ['P2P_AI_MODEL_SOURCE'] },
  models: { kind: 'models', env: ['P2P_AI_MODELS'] },
}

export const CONFIG_KEYS = Object.keys(FIELDS) as Array<keyof NodeConfig>

export const DEFAULT_CONFIG: Readonly<NodeConfig> = Object.freeze({
  network_port: 9000,
  max_peers: 32,
  storage_path: '',
  health_check_interval_secs: 30,
  max_memory_mb: 512,
  log_level: 'INFO',
  relays: [],
  ice_servers: [],
  heartbeat_interval_secs: 10,
  announce_interval_secs: 30,
  deny_peers: [],
  dial_private_addresses: true,
  max_message_bytes: 1024 * 1024,
  relay_max_reservations: 512,
  max_concurrent_tasks: 4,
  max_batch_size: 32,
  max_stored_results: 10_000,
  result_expiry_hours: 24,
  model_source: 'auto',
  models: {
    text_embedding: { model: 'local/universal-sentence-encoder-lite', dtype: 'q8' },
    classification: { model: 'local/use-lite-sentiment-prototype', dtype: 'q8' },
  },
})

/**
 * Largest config file accepted, bytes. FR1.4 caps files at 10 MB and FR1.6 requires a 1 MB file
 * to fail, so the cap sits below 1 MB; a real config is a few hundred bytes.
 */
export const MAX_CONFIG_BYTES = 256 * 1024

export type ConfigSource = 'default' | 'file' | 'env' | 'flag' | 'query' | 'stored'

export interface ResolvedConfig {
  config: NodeConfig
  /** where each value came from, for the startup log */
  sources: Record<keyof NodeConfig, ConfigSource>
  /** non-fatal notes: unknown fields, ignored variables */
  warnings: string[]
}

/** A partial config from one source, plus the problems met while reading it. */
export interface ConfigLayer {
  source: ConfigSource
  values: Partial<Record<keyof NodeConfig, unknown>>
  problems: ConfigProblem[]
  warnings: string[]
}

/** Parses a config file's text (FR1.4). `size` is the file's byte size, checked before parsing. */
export function parseConfigFile(text: string, size: number, location: string): ConfigLayer {
  const layer: ConfigLayer = { source: 'file', values: {}, problems: [], warnings: [] }
  if (size > MAX_CONFIG_BYTES) {
    layer.problems.push({
      field: location,
      code: 'config_too_large',
      message: `config file is ${size} bytes; the maximum is ${MAX_CONFIG_BYTES} bytes`,
    })
    return layer
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    layer.problems.push({
      field: location,
      code: 'config_unreadable',
      message: `not valid JSON: ${(err as Error).message}`,
    })
    return layer
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    layer.problems.push({
      field: location,
      code: 'config_unreadable',
      message: 'must be a JSON object',
    })
    return layer
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'node_id') continue // derived from the identity, written for the operator's information
    if (!Object.hasOwn(FIELDS, key)) {
      layer.warnings.push(`${location}: unknown field "${key}" ignored`)
      continue
    }
    layer.values[key as keyof NodeConfig] = value
  }
  return layer
}

/**
 * Reads `P2P_AI_*` variables (FR1.9). A known variable with an unparseable value is a problem
 * naming the variable; an unknown `P2P_AI_*` variable is a warning.
 */
export function configFromEnv(
  env: Record<string, string | undefined>,
  ignore: readonly string[] = [],
): ConfigLayer {
  const layer: ConfigLayer = { source: 'env', values: {}, problems: [], warnings: [] }
  const known = new Map<string, keyof NodeConfig>()
  for (const key of CONFIG_KEYS) for (const name of FIELDS[key].env) known.set(name, key)
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('P2P_AI_') || raw == null || ignore.includes(name)) continue
    const key = known.get(name)
    if (key == null) {
      layer.warnings.push(`environment variable ${name} is not a configuration setting; ignored`)
      continue
    }
    parseStringInto(layer, key, raw, name)
  }
  return layer
}

/** Reads config fields from URL query parameters of a tab (`?max_peers=8&deny_peers=a,b`). */
export function configFromQuery(params: URLSearchParams): ConfigLayer {
  const layer: ConfigLayer = { source: 'query', values: {}, problems: [], warnings: [] }
  for (const [name, raw] of params) {
    if (!Object.hasOwn(FIELDS, name)) continue // other parameters belong to the page
    parseStringInto(layer, name as keyof NodeConfig, raw, `?${name}`)
  }
  return layer
}

/** Command-line flags already parsed into config values (e.g. `--port` → network_port). */
export function configFromFlags(values: Partial<Record<keyof NodeConfig, string>>): ConfigLayer {
  const layer: ConfigLayer = { source: 'flag', values: {}, problems: [], warnings: [] }
  for (const [key, raw] of Object.entries(values)) {
    if (raw == null) continue
    parseStringInto(layer, key as keyof NodeConfig, raw, `--${key}`)
  }
  return layer
}

function parseStringInto(
  layer: ConfigLayer,
  key: keyof NodeConfig,
  raw: string,
  origin: string,
): void {
  const spec = FIELDS[key]
  const text = raw.trim()
  switch (spec.kind) {
    case 'int':
      if (!/^-?\d+$/.test(text)) {
        layer.problems.push({
          field: origin,
          code: `invalid_${key}`,
          message: `${origin}=${JSON.stringify(raw)} is not an integer`,
        })
        return
      }
      layer.values[key] = Number(text)
      return
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(text.toLowerCase())) {
        layer.problems.push({
          field: origin,
          code: `invalid_${key}`,
          message: `${origin}=${JSON.stringify(raw)} is not true or false`,
        })
        return
      }
      layer.values[key] = ['true', '1'].includes(text.toLowerCase())
      return
    case 'list':
      layer.values[key] = splitList(text)
      return
    case 'ice':
      layer.values[key] = splitList(text).map((urls) => ({ urls }))
      return
    case 'level':
      layer.values[key] = text.toUpperCase()
      return
    case 'models':
      try {
        layer.values[key] = JSON.parse(text) as unknown
      } catch {
        layer.problems.push({
          field: origin,
          code: `invalid_${key}`,
          message: `${origin} is not JSON`,
        })
      }
      return
    case 'string':
      layer.values[key] = text
      return
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * Merges layers over the defaults (later layers win) and validates the result, collecting every
 * problem (FR1.6). Throws ConfigError listing all of them.
 */
export function resolveConfig(
  layers: ConfigLayer[],
  defaults: Partial<NodeConfig> = {},
  /** problems found by the host (e.g. an unwritable storage_path), reported with the rest */
  hostProblems: ConfigProblem[] = [],
): ResolvedConfig {
  const base = { ...DEFAULT_CONFIG, ...defaults }
  // copies: a caller changing its config's lists must not change the defaults
  const merged: Record<string, unknown> = structuredClone(base)
  const sources = Object.fromEntries(CONFIG_KEYS.map((k) => [k, 'default'])) as Record<
    keyof NodeConfig,
    ConfigSource
  >
  const problems: ConfigProblem[] = [...hostProblems]
  const warnings: string[] = []
  for (const layer of layers) {
    problems.push(...layer.problems)
    warnings.push(...layer.warnings)
    for (const [key, value] of Object.entries(layer.values)) {
      merged[key] = value
      sources[key as keyof NodeConfig] = layer.source
    }
  }
  problems.push(...validateConfig(merged, base))
  if (problems.length > 0) throw new ConfigError(problems)
  return { config: merged as unknown as NodeConfig, sources, warnings }
}

/** Checks every field of a would-be config and returns all problems (empty when valid). */
export function validateConfig(
  candidate: Record<string, unknown>,
  /** the defaults in force, named in "missing" messages */
  defaults: Readonly<NodeConfig> = DEFAULT_CONFIG,
): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const key of CONFIG_KEYS) {
    const spec = FIELDS[key]
    const value = candidate[key]
    const fallback = JSON.stringify(defaults[key])
    if (
      value === undefined ||
      value === null ||
      (spec.kind === 'string' && value === '' && key !== 'storage_path')
    ) {
      problems.push({
        field: key,
        code: `${key}_missing`,
        message: `${key} is required; the default is ${fallback}`,
      })
      continue
    }
    const problem = checkField(key, spec, value)
    if (problem != null) problems.push(problem)
  }
  return problems
}

function checkField(
  key: keyof NodeConfig,
  spec: FieldSpec,
  value: unknown,
): ConfigProblem | undefined {
  const bad = (code: string, message: string): ConfigProblem => ({ field: key, code, message })
  switch (spec.kind) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return bad(`invalid_${key}`, `${key} must be an integer, got ${JSON.stringify(value)}`)
      }
      const range = `must be ${spec.min}-${spec.max}, got ${value}`
      if (spec.min != null && value < spec.min) {
        return bad(`${key}_below_minimum`, spec.rangeMessage ?? `${key} ${range}`)
      }
      if (spec.max != null && value > spec.max) {
        return bad(`${key}_exceeds_limit`, spec.rangeMessage ?? `${key} ${range}`)
      }
      return undefined
    }
    case 'bool':
      return typeof value === 'boolean'
        ? undefined
        : bad(`invalid_${key}`, `${key} must be true or false`)
    case 'string':
      return typeof value === 'string'
        ? undefined
        : bad(`invalid_${key}`, `${key} must be a string`)
    case 'level':
      return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)
        ? undefined
        : bad(
            `invalid_${key}`,
            `${key} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`,
          )
    case 'list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
        return bad(`invalid_${key}`, `${key} must be a list of non-empty strings`)
      }
      if (key === 'relays') {
        const wrong = value.find((v: string) => !isRelayAddress(v))
        if (wrong != null) {
          return bad(
            'invalid_relays',
            `relay ${JSON.stringify(wrong)} is neither a multiaddr (/ip4/…, /dns4/…) nor an http(s) URL`,
          )
        }
      }
      return undefined
    case 'models':
      return checkModels(value) ?? undefined
    case 'ice':
      if (!Array.isArray(value) || !value.every(isIceServer)) {
        return bad(
          `invalid_${key}`,
          `${key} must be a list of {"urls": "stun:…" | ["turn:…"], "username"?, "credential"?}`,
        )
      }
      return undefined
  }
}

/** A models registry: a {model, dtype} for every task type, nothing else. */
function checkModels(value: unknown): ConfigProblem | undefined {
  const bad = (message: string): ConfigProblem => ({
    field: 'models',
    code: 'invalid_models',
    message,
  })
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    return bad('models must be an object: task type → {"model": "…", "dtype": "q8"}')
  }
  for (const [type, entry] of Object.entries(value)) {
    if (!(TASK_TYPES as readonly string[]).includes(type))
      return bad(`unknown task type "${type}" (known: ${TASK_TYPES.join(', ')})`)
    const { model, dtype } = (entry ?? {}) as { model?: unknown; dtype?: unknown }
    if (typeof model !== 'string' || model.length === 0)
      return bad(`models.${type}.model must be a model id`)
    if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype))
      return bad(`models.${type}.dtype must be one of ${DTYPES.join(', ')}`)
  }
  const missing = TASK_TYPES.filter((t) => !Object.hasOwn(value, t))
  return missing.length > 0 ? bad(`models has no entry for ${missing.join(', ')}`) : undefined
}

function isRelayAddress(value: string): boolean {
  if (/^https?:\/\//.test(value)) return URL.canParse(value)
  // a multiaddr that parses and starts with a network address
  if (!/^\/(ip4|ip6|dns|dns4|dns6|dnsaddr)\//.test(value)) return false
  try {
    return multiaddr(value).getComponents().length > 0
  } catch {
    return false
  }
}

function isIceServer(value: unknown): boolean {
  if (value == null || typeof value !== 'object') return false
  const { urls, username, credential } = value as {
    urls?: unknown
    username?: unknown
    credential?: unknown
  }
  const list = Array.isArray(urls) ? urls : [urls]
  const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string'
  return (
    list.length > 0 &&
    list.every((u) => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u)) &&
    optionalString(username) &&
    optionalString(credential)
  )
}

/** A valid config to show an operator after a failed start (FR1.4). */
export function sampleConfig(storagePath = '~/.p2p-ai-agents/data'): string {
  return JSON.stringify({ ...DEFAULT_CONFIG, storage_path: storagePath }, null, 2)
}
