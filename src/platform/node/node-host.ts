/**
 * The Node.js host of the node core: files for storage and identity, JSON-line logs on stderr and
 * in rotated files under `<home>/logs/`.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { Registry } from 'prom-client'
import { homedir, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import type { NodeRole } from '../../core/types.js'
import { parseTestFaults, withTestFaults } from '../../ai/test-faults.js'
import { WorkerEngine } from '../../ai/worker-engine.js'
import type { InferenceHost, NodeHost } from '../../node/host.js'
import { SqliteResultsStore } from '../../store/sqlite-results.js'
import { SqliteSpanStore } from '../../store/sqlite-spans.js'
import { spawnInferenceThread } from './inference-thread.js'
import { defaultModelsDir } from './models-dir.js'
import { logEntry } from '../../obs/logger.js'
import { FileStorage } from '../../store/file-storage.js'
import { FileIdentityStore } from './file-identity-store.js'
import type { LoadedConfig } from './load-config.js'
import { readConfigFile } from './load-config.js'
import { validateConfig } from '../../node/config-validate.js'
import type { LogSink } from '../../core/log.js'
import { jsonLine } from '../../core/log.js'
import { logFiles } from './log-files.js'

/** `P2P_AI_HOME`, else `~/.p2p-ai-agents` (`~/.p2p-ai-agents/relay` for a relay, so both can share a machine). */
export function defaultHome(
  role: NodeRole,
  env: Record<string, string | undefined> = process.env,
): string {
  const base = env.P2P_AI_HOME ?? join(homedir(), '.p2p-ai-agents')
  return role === 'relay' && env.P2P_AI_HOME == null ? join(base, 'relay') : base
}

export function identityPath(home: string): string {
  return join(home, 'config', 'node_identity.json')
}

/** Where a Node host writes its log files. */
export function logsDir(home: string): string {
  return join(home, 'logs')
}

export interface NodeHostInit {
  home: string
  config: LoadedConfig
  listen: string[]
  announce?: string[]
  /** where log entries go. @default JSON lines on stderr and in `<home>/logs/` */
  logSinks?: LogSink[]
  /** where log entries also go, beside `logSinks` or the default ones (a ring buffer) */
  alsoLogTo?: LogSink[]
  /** run AI tasks (a peer; a relay does not) */
  inference?: boolean
  /** certificate and key for a /tls/ws listen address (HTTPS + WSS) */
  tls?: { cert: string; key: string }
  /** where libp2p's own metrics go (with the process's default metrics), if anywhere */
  metricsRegistry?: Registry
}

export function createNodeHost(init: NodeHostInit): NodeHost {
  const sinks = [
    ...(init.logSinks ?? defaultLogSinks(init.home, init.config.config)),
    ...(init.alsoLogTo ?? []),
  ]
  return {
    platform: 'node',
    storage: new FileStorage(init.config.config.storage_path),
    identityStore: new FileIdentityStore(identityPath(init.home), (msg, fields) => {
      const entry = logEntry('WARN', 'node:identity', msg, fields)
      for (const sink of sinks) sink(entry)
    }),
    listen: init.listen,
    announce: init.announce,
    tls: init.tls,
    rtcExtras: webrtcBinding(),
    metrics:
      init.metricsRegistry == null
        ? undefined
        : prometheusMetrics({ registry: init.metricsRegistry, preserveExistingMetrics: true }),
    logSinks: sinks,
    memoryBytes: () => process.memoryUsage().rss,
    inference:
      init.inference === true ? nodeInference(init.config.config.storage_path, sinks) : undefined,
    configProbe: async () => {
      const path = init.config.path
      if (path == null) return
      const layer = await readConfigFile(path, true)
      const problems = [
        ...(layer?.problems ?? []),
        ...validateConfig({ ...init.config.config, ...layer?.values }),
      ]
      if (problems.length > 0)
        throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('; '))
    },
  }
}

/** JSON lines on stderr, and in files under `<home>/logs/` rolled over by size and day. */
function defaultLogSinks(home: string, config: LoadedConfig['config']): LogSink[] {
  const dir = logsDir(home)
  const files = logFiles({
    dir,
    maxBytes: config.log_file_max_bytes,
    maxCount: config.log_file_max_count,
    maxAgeDays: config.log_file_max_age_days,
    onError: (error) => {
      const entry = logEntry(
        'ERROR',
        'node',
        'cannot write the log files; logging to stderr only',
        {
          dir,
          error,
        },
      )
      process.stderr.write(jsonLine(entry))
    },
  })
  // one serialisation for both
  const sink: LogSink = (entry) => {
    const line = jsonLine(entry)
    process.stderr.write(line)
    files.writeLine(line)
  }
  sink.flush = files.sink.flush
  return [sink]
}

/**
 * node-datachannel (libjuice) never offers loopback ICE candidates, so on a machine whose only
 * interface is loopback (a container, a test namespace) it could not connect at all; binding to
 * 127.0.0.1 makes it offer one.
 */
function webrtcBinding(): Record<string, unknown> {
  const external = Object.values(networkInterfaces())
    .flat()
    .some((i) => i != null && !i.internal)
  return external ? {} : { bindAddress: '127.0.0.1' }
}

/** Inference on a Node host: a worker thread, results in SQLite, models from a folder or the hub. */
function nodeInference(storagePath: string, sinks: LogSink[]): InferenceHost {
  return {
    createEngine: () => {
      const engine = new WorkerEngine(spawnInferenceThread)
      const faults = parseTestFaults(process.env.P2P_AI_TEST_FAULTS)
      if (faults == null) return engine
      const entry = logEntry(
        'WARN',
        'node:tasks',
        'TEST FAULTS ON: this node misbehaves on purpose',
        {
          faults: JSON.stringify(faults),
        },
      )
      for (const sink of sinks) sink(entry)
      return withTestFaults(engine, faults)
    },
    openResults: async () =>
      SqliteResultsStore.open(storagePath, {
        warn: (msg, error) => {
          const entry = logEntry('WARN', 'node:results', msg, { error })
          for (const sink of sinks) sink(entry)
        },
      }),
    openSpans: async () => SqliteSpanStore.open(storagePath),
    modelSource: async (setting) => {
      if (setting === 'hub') return { allowRemote: true }
      if (setting !== 'auto') return { localPath: setting, allowRemote: false }
      return { localPath: defaultModelsDir(), allowRemote: true }
    },
    preferWebGpu: false,
  }
}
