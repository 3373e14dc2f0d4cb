/** What a platform provides to the node core: storage, identity persistence, probes, listening. */
import type { InferenceEngine, ModelSource } from '../ai/engine.js'
import type { Libp2pOptions } from 'libp2p'
import type { Platform } from '../core/types.js'
import type { ResultsStore } from '../store/results-store.js'
import type { SpanStore } from '../core/spans.js'
import type { StorageAdapter } from '../store/storage.js'
import type { IdentityStore } from './identity.js'
import type { LogSink } from '../core/log.js'
import type { Dialable } from '../mesh/dialable.js'

export interface NodeHost {
  platform: Platform
  storage: StorageAdapter
  identityStore: IdentityStore
  /** libp2p listen addresses for this host */
  listen: string[]
  /** addresses to announce instead (e.g. a relay's public name) */
  announce?: string[]
  /** certificate and key (PEM) the WebSocket listener serves /tls/ws addresses with (Node only) */
  tls?: { cert: string; key: string }
  /** re-reads and validates the stored configuration (health check); throws if unreadable */
  configProbe(): Promise<void>
  /** bytes of memory in use, when the platform can tell */
  memoryBytes(): number | undefined
  logSinks: LogSink[]
  /** additions to the WebRTC RTCConfiguration for this platform */
  rtcExtras?: Record<string, unknown>
  /** the AI task engine's parts, where this host runs tasks (peers; a relay does not) */
  inference?: InferenceHost
  /** extra libp2p services this host needs (e.g. HTTP on the WebSocket port) */
  services?: Record<string, (components: never) => unknown>
  /** libp2p transports this host adds to the platform's (the in-memory transport in tests) */
  transports?: Libp2pOptions['transports']
  /** libp2p's metrics implementation (Prometheus on a Node host) */
  metrics?: Libp2pOptions['metrics']
  /** which addresses the mesh announces and dials (relayed WebRTC unless a simulation says) */
  dialable?: Dialable
  /**
   * deadlines of the storage and crypto health checks, ms (500 and 100 by default): a host whose
   * event loop many nodes share (a simulation) allows more
   */
  healthDeadlines?: { storageMs: number; cryptoMs: number }
}

export interface InferenceHost {
  /** a fresh engine (a Web Worker in a tab, a worker thread on Node) */
  createEngine(): InferenceEngine
  /** opens the results store (IndexedDB / files) */
  openResults(): Promise<ResultsStore>
  /** opens the span store (IndexedDB / SQLite); spans are kept in memory without one */
  openSpans?(): Promise<SpanStore>
  /** resolves config model_source ("auto", "hub", a path) for this platform */
  modelSource(setting: string): Promise<ModelSource>
  preferWebGpu: boolean
}
