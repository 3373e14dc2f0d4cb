/**
 * A simulated node's host: the Node host's real storage and identity (files in a temp dir),
 * the simulation's in-memory network instead of sockets, no inference (the simulation is about
 * the mesh; models are not part of its memory figures), and the mesh told to announce and dial
 * memory addresses.
 */
import type { LogSink } from '../../src/core/log.js'
import type { Dialable } from '../../src/mesh/dialable.js'
import type { NodeHost } from '../../src/node/host.js'
import { StorageIdentityStore } from '../../src/node/storage-identity-store.js'
import { FileStorage } from '../../src/store/file-storage.js'
import type { SimNetwork } from './sim-network.js'

/** Memory addresses: what simulated nodes announce and dial. */
export const memoryAddresses: Dialable = (ma) => ma.getComponents().some((c) => c.name === 'memory')

export function simHost(opts: {
  network: SimNetwork
  /** listen address, unique in the process */
  name: string
  dir: string
  logSinks?: LogSink[]
}): NodeHost {
  const storage = new FileStorage(opts.dir)
  return {
    platform: 'node',
    storage,
    identityStore: new StorageIdentityStore(storage, 'node'),
    listen: [`/memory/${opts.name}`],
    transports: [opts.network.transport()],
    dialable: memoryAddresses,
    logSinks: opts.logSinks ?? [],
    configProbe: async () => {},
    // every node shares the process: the simulation measures memory for all of them
    memoryBytes: () => undefined,
    // and its event loop, which a few hundred joining nodes keep busy for seconds at a time
    healthDeadlines: { storageMs: 30_000, cryptoMs: 30_000 },
  }
}
