/**
 * The debug tools of a headless node over HTTP (loopback only, through nodeRoutes), for
 * `p2p-ai-agents debug snapshot|network-test|stress`: the core's tools (src/obs) with what
 * only a Node host has: its /metrics text, its process, and its identity file's key to scrub.
 */
import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import type { DebugTools } from '../src/core/debug.js'
import { DebugError } from '../src/core/errors.js'
import type { NodeApi } from '../src/core/node-api.js'
import { createDebugTools } from '../src/obs/debug-tools.js'
import type { MemorySink } from '../src/obs/logger.js'
import { identitySecrets } from '../src/obs/redact.js'
import { identityPath } from '../src/platform/node/node-host.js'
import { field, json, readObject } from './http-json.js'
import { metricsText } from './metrics.js'
import type { Route } from './http-json.js'

/** What the host gives the debug tools besides the node. */
export interface DebugHostParts {
  home: string
  registry?: Registry
  logs?: MemorySink
}

/** Longest stress run a request may ask for, seconds. */
const MAX_RUN_SECONDS = 3600

export function nodeDebugTools(node: NodeApi, parts: DebugHostParts): DebugTools {
  return createDebugTools(node, {
    platform: 'node',
    logs: () => parts.logs?.entries ?? [],
    memory: () => ({ ...process.memoryUsage() }),
    host: async () => ({
      // the /metrics text, as a scrape would read it now
      metrics: parts.registry == null ? undefined : await metricsText(parts.registry, node),
      process: {
        pid: process.pid,
        node_version: process.version,
        platform: process.platform,
        arch: process.arch,
        uptime_seconds: Math.round(process.uptime()),
        cpu_usage_us: process.cpuUsage(),
      },
    }),
    // the key never reaches a snapshot through any field, and not even as text in a log line
    secrets: async () => {
      try {
        return identitySecrets(JSON.parse(await readFile(identityPath(parts.home), 'utf8')))
      } catch {
        return []
      }
    },
  })
}

export function debugRoutes(tools: DebugTools): Record<string, Route> {
  return {
    'GET /debug/snapshot': async (_req, res) => {
      json(res, 200, await tools.snapshot())
    },
    'POST /debug/network-test': async (req, res) => {
      const body = await readObject(req)
      const node = field(body, 'node', 'string', { required: true }) as string
      const report = await tools.networkTest(node, {
        count: field(body, 'count', 'number'),
        bytes: field(body, 'bytes', 'number'),
        timeoutMs: field(body, 'timeout_ms', 'number'),
        signal: clientGone(res),
      })
      json(res, 200, report)
    },
    'POST /debug/stress': async (req, res) => {
      const body = await readObject(req)
      const run = field(body, 'run_timeout_seconds', 'number') ?? 600
      if (run <= 0 || run > MAX_RUN_SECONDS)
        throw new DebugError(
          'invalid_debug_option',
          `run_timeout_seconds must be over 0 and at most ${MAX_RUN_SECONDS}`,
          'run_timeout_seconds',
        )
      const report = await tools.stress({
        tasks: field(body, 'tasks', 'number', { required: true }) as number,
        concurrency: field(body, 'concurrency', 'number', { required: true }) as number,
        taskType: field(body, 'task_type', 'string'),
        placement: field(body, 'placement', 'string'),
        taskTimeoutSeconds: field(body, 'task_timeout_seconds', 'number'),
        // past the run's deadline the report counts what did not finish
        signal: AbortSignal.any([AbortSignal.timeout(run * 1000), clientGone(res)]),
      })
      json(res, 200, report)
    },
  }
}

/** Aborts when the client goes away before its answer is sent. */
function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client went away'))
  })
  return controller.signal
}
