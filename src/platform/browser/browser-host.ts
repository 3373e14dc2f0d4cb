/**
 * The tab host of the node core: IndexedDB for storage and identity, configuration from the
 * URL query over the defaults, console and in-page log sinks.
 */
import { configFromQuery, resolveConfig } from '../../node/config.js'
import { WorkerEngine } from '../../ai/worker-engine.js'
import type { InferenceHost, NodeHost } from '../../node/host.js'
import { IdbResultsStore, RESULTS_DATABASE } from '../../store/idb-results.js'
import { IdbSpanStore, SPANS_DATABASE } from '../../store/idb-spans.js'
import { spawnInferenceWorker } from './inference-worker.js'
import { StorageIdentityStore } from '../../node/storage-identity-store.js'
import { MemorySink } from '../../obs/logger.js'
import { IdbStorage } from '../../store/idb-storage.js'
import { Namespaces } from '../../store/storage.js'
import { acquireIdentitySlot } from './identity-slot.js'
import type { ResolvedConfig } from '../../core/config.js'
import { validateConfig } from '../../node/config-validate.js'
import type { LogEntry, LogSink } from '../../core/log.js'

export interface BrowserHost {
  host: NodeHost
  config: ResolvedConfig
  logs: MemorySink
  slot: number
}

export async function createBrowserHost(
  location: Location = window.location,
): Promise<BrowserHost> {
  const logs = new MemorySink(1000)
  const config = resolveConfig([configFromQuery(new URLSearchParams(location.search))], {
    relays: [location.origin],
    storage_path: 'indexeddb:p2p-ai-agents',
  })
  const storage = await IdbStorage.open()
  const slot = await acquireIdentitySlot()
  // this tab's effective configuration, beside its identity (tabs of a profile share the database)
  const configKey = `slot-${slot}`
  await storage.put(Namespaces.config, configKey, config.config)
  const host: NodeHost = {
    platform: 'browser',
    storage,
    identityStore: new StorageIdentityStore(storage, `slot-${slot}`),
    listen: ['/p2p-circuit', '/webrtc'],
    logSinks: [logs.sink, consoleSink],
    inference: browserInference(slot),
    memoryBytes: () =>
      (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize,
    configProbe: async () => {
      const stored = await storage.get(Namespaces.config, configKey)
      if (stored == null || typeof stored !== 'object')
        throw new Error('stored configuration is missing')
      const problems = validateConfig(stored as Record<string, unknown>)
      if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '))
    },
  }
  return { host, config, logs, slot }
}

const consoleSink: LogSink = (entry: LogEntry) => {
  const { level, component, msg, timestamp: _ts, ...fields } = entry
  const line = `[${component}] ${msg}`
  /* eslint-disable no-console -- the tab's log sink is the console */
  if (level === 'ERROR' || level === 'FATAL') console.error(line, fields)
  else if (level === 'WARN') console.warn(line, fields)
  else if (level === 'INFO') console.info(line, fields)
  else console.debug(line, fields)
  /* eslint-enable no-console */
}

/**
 * The results database of the node in identity slot `slot`. Tabs of one profile share an origin,
 * so each node keeps its results in its own database: in a shared one, keyed by task id, a tab
 * that ran another tab's task for it overwrote that tab's record of the task with its own (served)
 * copy. Slot 0 keeps the name every tab used before.
 */
export function resultsDatabase(slot: number): string {
  return slot === 0 ? RESULTS_DATABASE : `${RESULTS_DATABASE}-slot-${slot}`
}

/** Inference in a tab: a Web Worker, results in IndexedDB, models from the relay's /models/ or the hub. */
function browserInference(slot: number): InferenceHost {
  return {
    createEngine: () => new WorkerEngine(spawnInferenceWorker),
    openResults: async () => IdbResultsStore.open(resultsDatabase(slot)),
    openSpans: async () =>
      IdbSpanStore.open(slot === 0 ? SPANS_DATABASE : `${SPANS_DATABASE}-slot-${slot}`),
    modelSource: async (setting) => {
      if (setting === 'hub') return { allowRemote: true }
      if (setting !== 'auto') return { localPath: setting, allowRemote: false }
      // the relay that served this page has a models folder, or the hub it is
      const local = await fetch('/models/manifest.json').then(
        (res) => res.ok,
        () => false,
      )
      return local ? { localPath: '/models/', allowRemote: true } : { allowRemote: true }
    },
    preferWebGpu: true,
  }
}
