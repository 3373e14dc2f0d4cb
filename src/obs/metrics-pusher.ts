/**
 * A tab's side of /p2p-ai/metrics/1.0.0 (FR21.2): every `intervalMs` it pushes its metric
 * families to each relay it is connected to, so one scrape of the relay covers the tabs, which
 * serve no /metrics of their own. A push that fails is logged and the next one tries again.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import type { Logger } from '../core/log.js'
import type { MetricFamily } from '../core/metrics.js'
import { MetricsAck, MetricsPush } from '../core/proto/metrics.js'
import { METRICS_PROTOCOL } from '../core/protocol.js'
import type { Startable } from '../core/startable.js'
import { PUSH_LIMITS, toWire } from './metrics-wire.js'

const TIMEOUT_MS = 5000

export interface MetricsPusherOptions {
  libp2p: Libp2p
  intervalMs: number
  /** the peer ids of the relays to push to, now */
  relays(): string[]
  families(): Promise<MetricFamily[]>
  log: Logger
}

export class MetricsPusher implements Startable {
  private timer?: ReturnType<typeof setInterval>
  private pushing = false
  /** pushes the relays accepted, and those that failed or were refused */
  readonly counts = { accepted: 0, failed: 0 }

  constructor(private readonly opts: MetricsPusherOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.pushAll()
    }, this.opts.intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One round: the families now, to every relay connected now. Overlapping rounds are skipped. */
  async pushAll(): Promise<void> {
    if (this.pushing) return
    this.pushing = true
    try {
      const relays = this.opts.relays()
      if (relays.length === 0) return
      const push = toWire(await this.opts.families())
      await Promise.all(relays.map(async (relay) => this.push(relay, push)))
    } finally {
      this.pushing = false
    }
  }

  private async push(relay: string, push: MetricsPush): Promise<void> {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    try {
      const stream = await this.opts.libp2p.dialProtocol(
        peerIdFromString(relay),
        METRICS_PROTOCOL,
        {
          signal,
        },
      )
      const pb = pbStream(stream, { maxDataLength: PUSH_LIMITS.maxBytes })
      await pb.write(push, MetricsPush, { signal })
      const ack = await pb.read(MetricsAck, { signal })
      await stream.close({ signal }).catch(() => {})
      if (ack.accepted) this.counts.accepted++
      else {
        this.counts.failed++
        this.opts.log.warn('metrics push refused', { relay, reason: ack.reason })
      }
    } catch (err) {
      this.counts.failed++
      this.opts.log.debug('metrics push failed', { relay, error: err as Error })
    }
  }
}
