/**
 * What a node sets up first (INITIALIZING), in start order: its storage (opened by the host;
 * flushed and closed on stop) and its identity (loaded, or generated on first start).
 */
import type { ResolvedConfig } from '../core/config.js'
import type { Logger } from '../core/log.js'
import type { Part } from '../core/startable.js'
import type { NodeHost } from './host.js'
import type { Identity } from './identity.js'
import { loadOrCreateIdentity } from './identity.js'

export function initializingParts(
  host: NodeHost,
  log: Logger,
  loaded: (identity: Identity) => void,
): Part[] {
  return [
    {
      name: 'storage',
      service: {
        start: () => {},
        // flushed, then closed even if the flush failed
        stop: async () => {
          try {
            await host.storage.flush()
          } finally {
            await host.storage.close()
          }
        },
      },
    },
    {
      name: 'identity',
      service: {
        start: async () => {
          const identity = await loadOrCreateIdentity(host.identityStore)
          // first: from here on every line carries the node id
          loaded(identity)
          log.info(identity.generated ? 'generated node identity' : 'loaded node identity', {
            peer_id: identity.peerId.toString(),
            location: host.identityStore.location,
          })
        },
        stop: () => {},
      },
    },
  ]
}

/** Logs the configuration's warnings and every value that is not a default, with its source. */
export function logConfig({ config, sources, warnings }: ResolvedConfig, log: Logger): void {
  for (const w of warnings) log.warn(w)
  for (const key of Object.keys(config) as Array<keyof typeof config>) {
    if (sources[key] !== 'default')
      log.info('configuration value', { key, value: config[key], source: sources[key] })
  }
}
