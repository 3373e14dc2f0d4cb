/**
 * The network a simulation's nodes share: libp2p's in-memory transport, which can be cut.
 * Each node's transport is the real `@libp2p/memory` one behind a check: a dial across a
 * partition, or to or from a killed node, fails as an unreachable host would
 * (`ConnectionRefusedError`, which the dialer retries), and `cut` aborts the connections that
 * cross it.
 */
import type { Connection, Libp2p, Transport } from '@libp2p/interface'
import type { MemoryTransportComponents } from '@libp2p/memory'
import { memory } from '@libp2p/memory'
import type { Multiaddr } from '@multiformats/multiaddr'

export class UnreachableError extends Error {
  override name = 'ConnectionRefusedError'
}

export class SimNetwork {
  /** peer id → side of the partition; everyone is on side 0 when there is none */
  private readonly side = new Map<string, number>()
  private readonly dead = new Set<string>()
  private readonly hosts = new Set<Libp2p>()
  /** memory address → peer id of the node listening there */
  private readonly owners = new Map<string, string>()

  /** A transport for one node: `/memory/<name>` addresses, reachable while the network allows. */
  transport(): (components: MemoryTransportComponents) => Transport {
    return (components) => {
      const inner = memory()(components)
      const self = components.peerId.toString()
      return new Proxy(inner, {
        get: (target, prop, receiver) => {
          const value = Reflect.get(target, prop, receiver) as unknown
          if (prop !== 'dial' || typeof value !== 'function') return value
          return async (ma: Multiaddr, options: unknown) => {
            const to = this.peerAt(ma)
            if (!this.reachable(self, to))
              throw new UnreachableError(`${to ?? ma.toString()} is unreachable from ${self}`)
            return (value as (ma: Multiaddr, o: unknown) => Promise<Connection>).call(
              target,
              ma,
              options,
            )
          }
        },
      })
    }
  }

  /** Registers a started node (its listen addresses, and its connections for cutting). */
  attach(libp2p: Libp2p): void {
    this.hosts.add(libp2p)
    const peer = libp2p.peerId.toString()
    for (const ma of libp2p.getMultiaddrs()) this.owners.set(memoryName(ma) ?? '', peer)
    // a dial under way when the network was cut opens after it: it crosses the cut, so it goes
    libp2p.addEventListener('connection:open', (evt) => {
      if (!this.reachable(peer, evt.detail.remotePeer.toString()))
        evt.detail.abort(new UnreachableError('the network was cut'))
    })
  }

  reachable(from: string, to: string | undefined): boolean {
    if (to == null) return true
    if (this.dead.has(from) || this.dead.has(to)) return false
    return (this.side.get(from) ?? 0) === (this.side.get(to) ?? 0)
  }

  /** Splits the network: `sideOf` says each peer's side; connections across are aborted. */
  partition(sideOf: (peerId: string) => number): void {
    for (const host of this.hosts) {
      const peer = host.peerId.toString()
      this.side.set(peer, sideOf(peer))
    }
    this.cut()
  }

  /** One network again: nodes reach each other when they next dial. */
  heal(): void {
    this.side.clear()
  }

  /** The node is gone at once, as if its process were killed: no goodbyes, every link dropped. */
  kill(libp2p: Libp2p): void {
    this.dead.add(libp2p.peerId.toString())
    this.cut()
    this.hosts.delete(libp2p)
  }

  /** Forgets a node that has stopped, so that a long run holds only the nodes alive. */
  detach(libp2p: Libp2p): void {
    this.hosts.delete(libp2p)
  }

  /** Aborts every connection the network no longer allows. */
  private cut(): void {
    const error = new UnreachableError('the network was cut')
    for (const host of this.hosts) {
      const self = host.peerId.toString()
      for (const conn of host.getConnections()) {
        if (!this.reachable(self, conn.remotePeer.toString())) conn.abort(error)
      }
    }
  }

  private peerAt(ma: Multiaddr): string | undefined {
    const p2p = ma.getComponents().find((c) => c.name === 'p2p')?.value
    return p2p ?? this.owners.get(memoryName(ma) ?? '')
  }
}

function memoryName(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'memory')?.value
}
