/** The command line's words: its options, its usage text, and the home a command is about. */
import { parseArgs } from 'node:util'
import type { NodeRole } from '../src/core/types.js'
import { VERSION } from '../src/core/version.js'
import { defaultHome } from '../src/platform/node/node-host.js'
import { CliError } from './cli-errors.js'

export const USAGE = `p2p-ai-agents ${VERSION}: a browser-first peer-to-peer mesh of AI nodes

usage:
  p2p-ai-agents relay start [--port N] [--host IP] [--tls self-signed | --tls-cert FILE --tls-key FILE] [--config FILE] [--home DIR] [--app-dir DIR] [--models-dir DIR] [--startup-diagnostics]
  p2p-ai-agents node start  [--port N] [--host IP] [--config FILE] [--home DIR] [--relay URL|MULTIADDR]... [--startup-diagnostics]
  p2p-ai-agents node stop   [--port N | --all] [--home DIR]
  p2p-ai-agents node status [--port N] [--json] [--home DIR]
  p2p-ai-agents node peers  [--port N] [--json] [--home DIR]
  p2p-ai-agents node send <peer-id> <text> [--port N] [--home DIR]
  p2p-ai-agents node messages [--port N] [--json] [--home DIR]
  p2p-ai-agents node models [--port N] [--json] [--home DIR]
  p2p-ai-agents node monitor [--interval SECONDS] [--duration SECONDS] [--port N] [--home DIR]
  p2p-ai-agents task submit --input TEXT --type embedding|classification [--timeout SECONDS] [--placement auto|remote|local|NODE-ID] [--replicas N] [--port N]
  p2p-ai-agents task status <task-id> [--json] [--port N]
  p2p-ai-agents task result <task-id> [--format json] [--port N]
  p2p-ai-agents task list [--limit N] [--offset N] [--json] [--port N]
  p2p-ai-agents alerts [--port N] [--json] [--home DIR]
  p2p-ai-agents debug snapshot [--out FILE] [--port N]
  p2p-ai-agents debug network-test <node-id> [--count N] [--bytes B] [--json] [--port N]
  p2p-ai-agents debug stress --tasks N [--concurrency C] [--type text_embedding] [--timeout SECONDS] [--json] [--port N]
  p2p-ai-agents trace <task-id> [--json] [--port N]
  p2p-ai-agents demo [--nodes M] [--tasks N] [--script "tasks 50; kill 1; heal; quit"] [--port N] [--grace SECONDS]
  p2p-ai-agents --version

Configuration: defaults < config file < P2P_AI_* environment variables < flags.
The home directory (identity, config, data) is --home, else $P2P_AI_HOME, else ~/.p2p-ai-agents.
--host is the address to listen on: 127.0.0.1 (this machine only, the default) or 0.0.0.0 (the LAN).
Browsers on other devices need HTTPS: --tls self-signed makes a certificate (kept in the home).`

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  tls: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  config: { type: 'string' },
  home: { type: 'string' },
  relay: { type: 'string', multiple: true },
  'app-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  'startup-diagnostics': { type: 'boolean' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  input: { type: 'string' },
  type: { type: 'string' },
  timeout: { type: 'string' },
  placement: { type: 'string' },
  replicas: { type: 'string' },
  format: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  nodes: { type: 'string' },
  tasks: { type: 'string' },
  script: { type: 'string' },
  grace: { type: 'string' },
  out: { type: 'string' },
  count: { type: 'string' },
  bytes: { type: 'string' },
  concurrency: { type: 'string' },
  interval: { type: 'string' },
  duration: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The options given, by name. */
export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values']

export interface CommandLine {
  values: Values
  positionals: string[]
}

/** The options and words of `argv`; an unknown or malformed option is a usage error. */
export function parseCommandLine(argv: string[]): CommandLine {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    })
    return { values, positionals }
  } catch (err) {
    throw new CliError('usage', (err as Error).message, { cause: err })
  }
}

/** The home directory of a node of `role`: --home, else the default. */
export function homeOf(values: Values, role: NodeRole): string {
  return values.home ?? defaultHome(role)
}
