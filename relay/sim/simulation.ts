/**
 * A mesh of N real nodes in one process: the same createNode(), protocols and libp2p as a
 * headless node, over libp2p's in-memory transport (relay/sim/sim-network.ts), with a relay as
 * the bootstrap. It measures what a mesh of that size does: joining, gossip, routed messages,
 * and recovery from a partition or from losing half its nodes.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from '@libp2p/gossipsub'
import type { NodeConfig } from '../../src/core/config.js'
import { TOPOLOGY_TOPIC } from '../../src/core/protocol.js'
import type { P2PNode } from '../../src/node/create-node.js'
import { createNode } from '../../src/node/create-node.js'
import { resolveConfig } from '../../src/node/config.js'
import { simHost } from './sim-host.js'
import { SimNetwork } from './sim-network.js'
import type { LinkGraph } from './link-graph.js'
import { linkGraph } from './link-graph.js'

/** The topic gossip probes are published on (not one the product uses). */
export const PROBE_TOPIC = 'p2p-ai/sim/probe/1'

export interface SimOptions {
  nodes: number
  /** each node's max_peers: below `nodes`, so the mesh is partial and routing multi-hop */
  maxPeers: number
  /** config values for every node over the simulation's */
  config?: Partial<NodeConfig>
  /**
   * nodes starting at a time. @default 2: one process starting dozens at once starves its own
   * event loop, and nodes then fail their start-up health checks' deadlines (FR1.3)
   */
  startConcurrency?: number
  /** told how many nodes have started, every tenth */
  onStarted?: (count: number) => void
}

export interface Member {
  index: number
  node: P2PNode
  peerId: string
  /** when its start() was called, and when it got its first mesh link (ms since epoch) */
  startedAt: number
  joinedAt?: number
  alive: boolean
  /** ids of routed messages it received */
  received: Set<string>
  /** gossip probes it received: probe id → ms after publication */
  probes: Map<string, number>
  /** topology announcements it received (each one signature-checked) */
  announcements: number
}

export interface GossipResult {
  probes: number
  /** deliveries expected: every alive node but the publisher, per probe */
  expected: number
  /** ms from publication to receipt, one per delivery */
  latencies: number[]
}

export interface RoutedResult {
  sent: number
  /** acknowledged end to end */
  acked: number
  /** acknowledged, yet not in the recipient's inbox (must be 0) */
  lost: number
  hops: number[]
  rtts: number[]
  /** why the others failed, by error code */
  failures: Record<string, number>
}

let runs = 0

export class Simulation {
  readonly network = new SimNetwork()
  readonly members: Member[] = []
  relay?: P2PNode
  relayPeerId = ''
  startedAt = 0
  /**
   * Nodes whose start failed and was tried again: a process holding a hundred or more joining
   * nodes on 2 cores can miss a start-up health check's deadline (storage in 500 ms, FR1.3).
   */
  startRetries = 0
  private relayAddr = ''
  private dir = ''
  private readonly run = `${process.pid}-${runs++}`

  constructor(readonly opts: SimOptions) {}

  /** Topology announcements received, summed over the alive nodes. */
  announcementsHeard(): number {
    return this.alive().reduce((sum, m) => sum + m.announcements, 0)
  }

  /**
   * A counter family summed over the alive nodes, by its samples' label values (e.g.
   * p2p_ai_connections_refused_total → { max_peers_reached: 12 }).
   */
  async counters(family: string): Promise<Record<string, number>> {
    const sums: Record<string, number> = {}
    for (const m of this.alive()) {
      const f = (await m.node.metrics()).find((x) => x.name === family)
      for (const sample of f?.samples ?? []) {
        const key = sample.labels.reason ?? (Object.values(sample.labels).join(',') || 'total')
        sums[key] = (sums[key] ?? 0) + sample.value
      }
    }
    return sums
  }

  /** Starts the relay, then the nodes as fast as they start; resolves once all have started. */
  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'p2p-ai-sim-'))
    this.relay = await this.startNode('relay', 'relay', [])
    this.relayPeerId = this.relay.peerId ?? ''
    const relayAddr = this.relay.libp2p.getMultiaddrs()[0]?.toString() ?? ''
    this.relayAddr = relayAddr
    this.startedAt = Date.now()
    let next = 0
    const starter = async (): Promise<void> => {
      while (next < this.opts.nodes) {
        // claimed before waiting: two starters that both saw the last index free would start N + 1
        const index = next++
        await calm()
        await this.add(index, relayAddr)
        const started = this.members.filter(Boolean).length
        if (started % 10 === 0) this.opts.onStarted?.(started)
      }
    }
    await Promise.all(Array.from({ length: this.opts.startConcurrency ?? 2 }, starter))
  }

  /** A new node joins the running mesh (after the `opts.nodes` of the start); resolves once started. */
  async join(): Promise<Member> {
    const index = this.members.reduce((max, m) => Math.max(max, m.index + 1), this.opts.nodes)
    await this.add(index, this.relayAddr)
    return this.members.at(-1) as Member
  }

  /**
   * `member` leaves: killed (no goodbye, as a killed process) or stopped (a clean shutdown), and
   * the simulation forgets it, so a long run with churn holds only the nodes alive.
   */
  async leave(member: Member, how: 'kill' | 'stop'): Promise<void> {
    member.alive = false
    if (how === 'kill') this.network.kill(member.node.libp2p)
    await member.node.stop().catch(() => undefined)
    this.network.detach(member.node.libp2p)
    this.members.splice(this.members.indexOf(member), 1)
  }

  private async add(index: number, relayAddr: string): Promise<void> {
    const startedAt = Date.now()
    const node = await this.startPeer(index, relayAddr)
    const member: Member = {
      index,
      node,
      peerId: node.peerId ?? '',
      startedAt,
      alive: true,
      received: new Set(),
      probes: new Map(),
      announcements: 0,
    }
    if ((node.mesh?.peers.size ?? 0) > 0) member.joinedAt = Date.now()
    node.addEventListener('peer:add', () => {
      member.joinedAt ??= Date.now()
    })
    node.addEventListener('message', (evt) => {
      member.received.add(evt.detail.id)
    })
    const pubsub = node.libp2p.services.pubsub
    pubsub.subscribe(PROBE_TOPIC)
    pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
      if (evt.detail.topic === TOPOLOGY_TOPIC) member.announcements++
      if (evt.detail.topic !== PROBE_TOPIC) return
      const probe = JSON.parse(new TextDecoder().decode(evt.detail.data)) as {
        id: string
        at: number
      }
      if (!member.probes.has(probe.id)) member.probes.set(probe.id, Date.now() - probe.at)
    })
    if (index < this.opts.nodes) this.members[index] = member
    else this.members.push(member)
  }

  /** Starts node `index`, again (up to twice, once the process is calm) if its start failed. */
  private async startPeer(index: number, relayAddr: string, attempt = 0): Promise<P2PNode> {
    try {
      return await this.startNode(`node-${index}`, 'peer', [relayAddr], attempt)
    } catch (err) {
      if (attempt >= 2 || (err as { code?: string }).code !== 'part_start_failed') throw err
      this.startRetries++
      await calm()
      return this.startPeer(index, relayAddr, attempt + 1)
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.alive().map(async (m) => m.node.stop()))
    await this.relay?.stop()
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true, maxRetries: 5 })
  }

  alive(): Member[] {
    return this.members.filter((m) => m.alive)
  }

  /** The direct mesh links between alive nodes (or those of `among`), as they stand. */
  graph(among: Member[] = this.alive()): LinkGraph {
    return linkGraph(
      among.map((m) => m.peerId),
      (peer) => this.byPeer(peer)?.node.mesh?.peers.neighbours() ?? [],
    )
  }

  byPeer(peerId: string): Member | undefined {
    return this.members.find((m) => m.peerId === peerId)
  }

  /**
   * Publishes `count` probes from random alive nodes (of `among`), `gapMs` apart, then waits
   * `graceMs` for the last to spread; counts the deliveries to those nodes.
   */
  async gossip(
    count: number,
    gapMs = 100,
    graceMs = 3000,
    among: () => Member[] = () => this.alive(),
  ): Promise<GossipResult> {
    // each probe counts the nodes there were when it went out, not those that came after
    const probes: Array<{ id: string; from: Member; to: Member[] }> = []
    for (let i = 0; i < count; i++) {
      const nodes = among()
      const from = pick(nodes)
      const id = `${this.run}-${Date.now()}-${i}`
      probes.push({ id, from, to: nodes.filter((m) => m !== from) })
      const data = new TextEncoder().encode(JSON.stringify({ id, at: Date.now() }))
      await from.node.libp2p.services.pubsub.publish(PROBE_TOPIC, data).catch(() => undefined)
      await sleep(gapMs)
    }
    await sleep(graceMs)
    const latencies: number[] = []
    for (const { id, to } of probes)
      for (const m of to) {
        const ms = m.probes.get(id)
        if (ms != null) latencies.push(ms)
      }
    const expected = probes.reduce((sum, p) => sum + p.to.length, 0)
    return { probes: count, expected, latencies }
  }

  /**
   * Sends `count` routed messages between random pairs of alive nodes that are not neighbours,
   * `concurrency` at a time, and checks every acknowledged one reached its recipient.
   */
  async routed(count: number, concurrency = 16, among?: () => Member[]): Promise<RoutedResult> {
    const result: RoutedResult = { sent: 0, acked: 0, lost: 0, hops: [], rtts: [], failures: {} }
    const acked: Array<{ to: Member; id: string }> = []
    const payload = new TextEncoder().encode('sim')
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++
        const pool = (among ?? (() => this.alive()))()
        const from = pick(pool)
        const neighbours = new Set(from.node.mesh?.peers.neighbours() ?? [])
        const far = pool.filter((m) => m !== from && !neighbours.has(m.peerId))
        const to = pick(far.length > 0 ? far : pool.filter((m) => m !== from))
        result.sent++
        try {
          const delivery = await from.node.send(to.peerId, 'sim', payload, { timeoutMs: 10_000 })
          result.acked++
          result.hops.push(delivery.hops)
          result.rtts.push(delivery.rttMs)
          acked.push({ to, id: delivery.id })
        } catch (err) {
          const code = (err as { code?: string }).code ?? (err as Error).name
          result.failures[code] = (result.failures[code] ?? 0) + 1
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    result.lost = acked.filter((a) => !a.to.received.has(a.id)).length
    return result
  }

  /** Cuts the network in two: the first half (with the relay) and the second. */
  partition(): void {
    const second = new Set(this.members.slice(this.members.length / 2).map((m) => m.peerId))
    this.network.partition((peer) => (second.has(peer) ? 1 : 0))
  }

  heal(): void {
    this.network.heal()
  }

  /** Kills these nodes at once: their links drop with no goodbye, as a killed process's would. */
  kill(members: Member[]): void {
    for (const m of members) {
      m.alive = false
      this.network.kill(m.node.libp2p)
    }
    // stopped behind the cut, so they leave no timers running in the process
    for (const m of members) void m.node.stop().catch(() => undefined)
  }

  /** Polls `ready` every 100 ms; the ms it took, or undefined after `timeoutMs`. */
  async until(ready: () => boolean, timeoutMs: number): Promise<number | undefined> {
    const started = Date.now()
    while (Date.now() - started < timeoutMs) {
      if (ready()) return Date.now() - started
      await sleep(100)
    }
    return ready() ? Date.now() - started : undefined
  }

  private async startNode(
    name: string,
    role: 'relay' | 'peer',
    relays: string[],
    attempt = 0,
  ): Promise<P2PNode> {
    // a new name for another attempt: the failed one may still hold its own
    const id = attempt === 0 ? name : `${name}.${attempt}`
    const dir = join(this.dir, id)
    const config = resolveConfig([], {
      storage_path: dir,
      relays,
      log_level: 'ERROR',
      max_peers: this.opts.maxPeers,
      ...this.opts.config,
    })
    const node = createNode({
      host: simHost({ network: this.network, name: `sim-${this.run}-${id}`, dir }),
      config,
      role,
    })
    await node.start()
    this.network.attach(node.libp2p)
    return node
  }
}

export function pick<T>(items: T[]): T {
  const item = items[Math.floor(Math.random() * items.length)]
  if (item == null) throw new Error('nothing to pick from')
  return item
}

/** Until a 20 ms timer fires less than 100 ms late (the event loop keeps up), or 5 s passed. */
async function calm(): Promise<void> {
  const until = Date.now() + 5000
  while (Date.now() < until) {
    const asked = Date.now()
    await sleep(20)
    if (Date.now() - asked < 120) return
  }
}

export async function sleep(ms: number): Promise<void> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
}
