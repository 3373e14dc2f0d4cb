/** What a platform provides to the node core: storage, identity persistence, probes, listening. */
import type { Platform } from '../core/types.js'
import type { LogSink } from '../obs/logger.js'
import type { StorageAdapter } from '../store/storage.js'
import type { IdentityStore } from './identity.js'

export interface NodeHost {
  platform: Platform
  storage: StorageAdapter
  identityStore: IdentityStore
  /** libp2p listen addresses for this host */
  listen: string[]
  /** addresses to announce instead (e.g. a relay's public name) */
  announce?: string[]
  /** re-reads and validates the stored configuration (health check); throws if unreadable */
  configProbe(): Promise<void>
  /** bytes of memory in use, when the platform can tell */
  memoryBytes(): number | undefined
  logSinks: LogSink[]
  /** additions to the WebRTC RTCConfiguration for this platform */
  rtcExtras?: Record<string, unknown>
  /** extra libp2p services this host needs (e.g. HTTP on the WebSocket port) */
  services?: Record<string, (components: never) => unknown>
}
