/** Validation of a would-be configuration: every field checked, every problem collected (FR1.6). */
import { multiaddr } from '@multiformats/multiaddr'
import type { ConfigProblem, ConfigProblemCode, NodeConfig } from '../core/config.js'
import { TASK_TYPES } from '../core/tasks.js'
import type { FieldSpec } from './config-fields.js'
import { CONFIG_KEYS, DEFAULT_CONFIG, DTYPES, FIELDS } from './config-fields.js'

/** String fields whose "" means none (rather than missing). */
const OPTIONAL_STRINGS: ReadonlySet<keyof NodeConfig> = new Set([
  'storage_path',
  'otlp_endpoint',
  'mesh_key',
])

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
      (spec.kind === 'string' && value === '' && !OPTIONAL_STRINGS.has(key))
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
  const bad = (code: ConfigProblemCode, message: string): ConfigProblem => ({
    field: key,
    code,
    message,
  })
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
      if (typeof value !== 'string') return bad(`invalid_${key}`, `${key} must be a string`)
      if (key === 'otlp_endpoint' && value !== '' && !isHttpUrl(value))
        return bad(
          'invalid_otlp_endpoint',
          `otlp_endpoint must be an http(s) URL such as http://localhost:4318, got ${JSON.stringify(value)}`,
        )
      // the key itself is never repeated in a message
      if (
        value !== '' &&
        ((spec.min != null && value.length < spec.min) ||
          (spec.max != null && value.length > spec.max))
      )
        return bad(
          `invalid_${key}`,
          `${key} must be ${spec.min}-${spec.max} characters (a long random secret, e.g. \`openssl rand -hex 16\`), or "" for an open mesh; got ${value.length}`,
        )
      return undefined
    case 'choice': {
      const choices = spec.choices ?? []
      return typeof value === 'string' && choices.includes(value)
        ? undefined
        : bad(
            `invalid_${key}`,
            `${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`,
          )
    }
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

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//.test(value) && URL.canParse(value)
}

function isRelayAddress(value: string): boolean {
  if (/^https?:\/\//.test(value)) return URL.canParse(value)
  // a multiaddr that parses and starts with a network address (memory: a simulation's, in-process)
  if (!/^\/(ip4|ip6|dns|dns4|dns6|dnsaddr|memory)\//.test(value)) return false
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
