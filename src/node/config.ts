/**
 * Node configuration (FR1.4, FR1.6, FR1.9): merging of sources (defaults < file < environment <
 * flags / URL query), each read into a layer with its problems, then validated as a whole. Pure:
 * reading files and the environment is the host's job.
 */
import type { ConfigProblem, ConfigSource, NodeConfig, ResolvedConfig } from '../core/config.js'
import { ConfigError } from '../core/errors.js'
import { CONFIG_KEYS, DEFAULT_CONFIG, FIELDS, MAX_CONFIG_BYTES } from './config-fields.js'
import { validateConfig } from './config-validate.js'

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
    case 'choice': {
      // log levels are upper case, the other choices lower case: take either
      const choice = spec.choices?.find((c) => c.toLowerCase() === text.toLowerCase())
      layer.values[key] = choice ?? text
      return
    }
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
