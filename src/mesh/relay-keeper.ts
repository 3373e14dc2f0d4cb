/**
 * Keeps this node connected to a relay (FR10.1: the relay is the bootstrap). Relays come from
 * config as multiaddrs or as http(s) URLs of a relay, whose /bootstrap.json names its current
 * addresses. They are tried in random order until one answers; when the relay connection drops
 * (a relay restart), it redials with backoff 1, 2, 4, 8, 16, 30 s, resolving URLs afresh each
 * round. The circuit-relay transport then re-reserves on the relay it finds connected.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { backoffDelay } from './backoff.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'

export interface RelayKeeperOptions {
  libp2p: Libp2p
  relays: readonly string[]
  log: Logger
  /** per-attempt dial timeout, ms. @default 5000 */
  dialTimeoutMs?: number
}

export interface RelayStatus {
  /** peer ids of relays we are connected to */
  connected: string[]
  /** every relay peer id ever resolved */
  known: string[]
  /** consecutive failed rounds */
  failures: number
}

export interface RelayKeeperEvents {
  'relay:connected': CustomEvent<string>
  'relay:disconnected': CustomEvent<string>
}

/** What a relay answers at /bootstrap.json. */
export interface BootstrapInfo {
  peerId: string
  multiaddrs: string[]
}

export class RelayKeeper extends TypedEventEmitter<RelayKeeperEvents> implements Startable {
  private readonly known = new Set<string>()
  private readonly connected = new Set<string>()
  private controller = new AbortController()
  private wake?: () => void
  private failures = 0
  private loop?: Promise<void>

  constructor(private readonly opts: RelayKeeperOptions) {
    super()
  }

  isRelay(peerId: string): boolean {
    return this.known.has(peerId)
  }

  status(): RelayStatus {
    return { connected: [...this.connected], known: [...this.known], failures: this.failures }
  }

  start(): void {
    if (this.loop != null) return
    this.controller = new AbortController()
    this.opts.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.loop = this.run(this.controller.signal)
  }

  async stop(): Promise<void> {
    this.controller.abort()
    this.wake?.()
    this.opts.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    await this.loop
    this.loop = undefined
  }

  /** Try again now instead of waiting out the backoff. */
  retryNow(): void {
    this.failures = 0
    this.wake?.()
  }

  private readonly onDisconnect = (evt: CustomEvent<{ toString(): string }>): void => {
    const peer = evt.detail.toString()
    if (!this.connected.delete(peer)) return
    this.opts.log.warn('lost relay connection; reconnecting', { relay: peer })
    this.safeDispatchEvent('relay:disconnected', { detail: peer })
    this.wake?.()
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.connected.size > 0) {
        await this.sleep(signal) // until a relay disconnects
        continue
      }
      if (this.opts.relays.length === 0) return
      if (await this.connectOnce(signal)) {
        this.failures = 0
        continue
      }
      this.failures++
      const delay = backoffDelay(this.failures)
      this.opts.log.warn('no relay reachable; retrying', {
        attempt: this.failures,
        retryInMs: delay,
      })
      await this.sleep(signal, delay)
    }
  }

  /** One round over all relays in random order; true once one is connected. */
  private async connectOnce(signal: AbortSignal): Promise<boolean> {
    for (const entry of shuffle([...this.opts.relays])) {
      if (signal.aborted) return false
      let target: { peerId?: string; addrs: Multiaddr[] }
      try {
        target = await resolveRelay(entry, signal)
      } catch (err) {
        this.opts.log.info('relay did not resolve', { relay: entry, error: err as Error })
        continue
      }
      try {
        const timeout = AbortSignal.timeout(this.opts.dialTimeoutMs ?? 5000)
        const conn = await this.opts.libp2p.dial(target.addrs, {
          signal: AbortSignal.any([signal, timeout]),
        })
        const peer = conn.remotePeer.toString()
        this.known.add(peer)
        // it may have dropped again before we got here, and then no disconnect event will come
        if (conn.status !== 'open') throw new Error('relay connection closed at once')
        this.connected.add(peer)
        this.opts.log.info('connected to relay', { relay: peer, addr: conn.remoteAddr.toString() })
        this.safeDispatchEvent('relay:connected', { detail: peer })
        return true
      } catch (err) {
        this.opts.log.info('relay dial failed', { relay: entry, error: err as Error })
      }
    }
    return false
  }

  private async sleep(signal: AbortSignal, ms?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
      const timer = ms == null ? undefined : setTimeout(done, ms)
      this.wake = done
      if (signal.aborted) done()
    })
  }
}

/** Resolves a configured relay to dialable addresses. */
export async function resolveRelay(
  entry: string,
  signal?: AbortSignal,
): Promise<{ peerId?: string; addrs: Multiaddr[] }> {
  if (entry.startsWith('/')) {
    const ma = multiaddr(entry)
    return { peerId: ma.getComponents().find((c) => c.name === 'p2p')?.value, addrs: [ma] }
  }
  const url = new URL('bootstrap.json', entry.endsWith('/') ? entry : `${entry}/`)
  const timeout = AbortSignal.timeout(3000)
  const res = await fetch(url, {
    signal: signal == null ? timeout : AbortSignal.any([signal, timeout]),
  })
  if (!res.ok) throw new Error(`${url.href} answered ${res.status}`)
  const info = (await res.json()) as Partial<BootstrapInfo>
  if (
    typeof info.peerId !== 'string' ||
    !Array.isArray(info.multiaddrs) ||
    info.multiaddrs.length === 0
  ) {
    throw new Error(`${url.href} is not a relay bootstrap document`)
  }
  return { peerId: info.peerId, addrs: info.multiaddrs.map((a) => multiaddr(a)) }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}
