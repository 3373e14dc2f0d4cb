/**
 * Configuration of a Node host (FR1.4, FR1.9): `--config <file>` or `<home>/config/node_config.json`
 * (written with defaults on first start), then `P2P_AI_*` variables, then command-line flags.
 * The storage path must be readable and writable.
 */
import { constants } from 'node:fs'
import { access, mkdir, readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ConfigLayer } from '../../node/config.js'
import {
  configFromEnv,
  configFromFlags,
  parseConfigFile,
  resolveConfig,
} from '../../node/config.js'
import { writeFileAtomic } from '../../store/file-storage.js'
import type { ConfigProblem, NodeConfig, ResolvedConfig } from '../../core/config.js'
import { DEFAULT_CONFIG, MAX_CONFIG_BYTES } from '../../node/config-fields.js'

export interface NodeConfigSources {
  /** the node's home, e.g. ~/.p2p-ai-agents */
  home: string
  /** explicit --config path; missing → error (unlike the default location) */
  configPath?: string
  env: Record<string, string | undefined>
  flags?: Partial<Record<keyof NodeConfig, string>>
  /** host-specific defaults over the built-in ones */
  defaults?: Partial<NodeConfig>
}

export interface LoadedConfig extends ResolvedConfig {
  /** the config file read, if any */
  path?: string
}

export function defaultConfigPath(home: string): string {
  return join(home, 'config', 'node_config.json')
}

export async function loadNodeConfig(src: NodeConfigSources): Promise<LoadedConfig> {
  const defaults: Partial<NodeConfig> = { storage_path: join(src.home, 'data'), ...src.defaults }
  const path = expandHome(src.configPath ?? defaultConfigPath(src.home))
  const layers: ConfigLayer[] = []
  const fileLayer = await readConfigFile(path, src.configPath != null)
  if (fileLayer == null) {
    await writeDefaultConfig(path, { ...DEFAULT_CONFIG, ...defaults })
  } else {
    layers.push(fileLayer)
  }
  layers.push(configFromEnv(src.env, ['P2P_AI_HOME', 'P2P_AI_TEST_FAULTS']))
  if (src.flags != null) layers.push(configFromFlags(src.flags))
  for (const layer of layers) {
    if (typeof layer.values.storage_path === 'string')
      layer.values.storage_path = expandHome(layer.values.storage_path)
  }
  // storage_path is checked on the filesystem; its problem is reported with all the others
  const storagePath = [...layers].reverse().find((l) => typeof l.values.storage_path === 'string')
    ?.values.storage_path as string | undefined
  const storageProblem = await checkStoragePath(storagePath ?? (defaults.storage_path as string))
  const resolved = resolveConfig(layers, defaults, storageProblem == null ? [] : [storageProblem])
  return { ...resolved, path }
}

/** `~` and `~/…` mean the user's home directory, as in a shell. */
export function expandHome(path: string): string {
  if (path === '~') return homedir()
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path
}

/** Reads a config file; undefined when the default file does not exist yet. */
export async function readConfigFile(
  path: string,
  required: boolean,
): Promise<ConfigLayer | undefined> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined
    return unreadable(path, err)
  }
  if (size > MAX_CONFIG_BYTES) return parseConfigFile('', size, path)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    return unreadable(path, err)
  }
  return parseConfigFile(text, Buffer.byteLength(text), path)
}

function unreadable(path: string, err: unknown): ConfigLayer {
  const message = `cannot read config file: ${(err as Error).message}`
  return {
    source: 'file',
    values: {},
    warnings: [],
    problems: [{ field: path, code: 'config_unreadable', message }],
  }
}

async function writeDefaultConfig(path: string, config: NodeConfig): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o600)
}

/** FR1.6: storage_path must be usable; it is created if missing. */
export async function checkStoragePath(path: string): Promise<ConfigProblem | undefined> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 })
    await access(path, constants.R_OK | constants.W_OK)
    return undefined
  } catch (err) {
    return {
      field: 'storage_path',
      code: 'storage_path_not_writable',
      message: `storage_path ${path} is not readable and writable: ${(err as Error).message}`,
    }
  }
}
