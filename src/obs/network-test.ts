/**
 * `debug network-test` (FR23.1): round-trip times and throughput to one node of the mesh, over
 * routed messages with delivery confirmation (NodeApi.send, the dashboard's ping): `count` empty
 * pings one after another, then `count` payloads of `bytes` with WINDOW in flight.
 */
import type { NetworkTestOptions, NetworkTestReport } from '../core/debug.js'
import { LOAD_TOPIC, PING_TOPIC } from '../core/debug.js'
import { DebugError, errorCode } from '../core/errors.js'
import type { NodeApi } from '../core/node-api.js'
import { nodeIdFromPeerId } from '../core/node-id.js'
import { perSecond, summarize } from './stats.js'

export type NetworkTestSource = Pick<NodeApi, 'send' | 'topology' | 'peers' | 'config' | 'peerId'>

/** Payloads in flight at once while measuring throughput. */
export const WINDOW = 4
export const MAX_COUNT = 1000
const NODE_ID = /^[0-9a-f]{32}$/

/** The options with their defaults, checked: DebugError invalid_debug_option naming the one at fault. */
export function networkTestOptions(
  options: NetworkTestOptions,
  maxBytes: number,
): Required<Omit<NetworkTestOptions, 'signal'>> {
  const count = options.count ?? 20
  const bytes = options.bytes ?? Math.min(65_536, maxBytes)
  const timeoutMs = options.timeoutMs ?? 5000
  const whole = (v: number, min: number, max: number, name: string): void => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new DebugError(
        'invalid_debug_option',
        `${name} must be a whole number from ${min} to ${max}`,
        name,
      )
  }
  whole(count, 1, MAX_COUNT, 'count')
  whole(bytes, 0, maxBytes, 'bytes')
  whole(timeoutMs, 100, 60_000, 'timeoutMs')
  return { count, bytes, timeoutMs }
}

/**
 * The node `target` names: a node id (32 hex) or a peer id of a node this one knows (a
 * neighbour or a node of the gossiped topology). DebugError invalid_node_id for neither form,
 * unknown_node for one the mesh does not know.
 */
export function resolveTarget(
  node: Pick<NetworkTestSource, 'topology' | 'peers' | 'peerId'>,
  target: string,
): { peerId: string; nodeId?: string } {
  const byNodeId = NODE_ID.test(target)
  if (!byNodeId && nodeIdOf(target) == null)
    throw new DebugError(
      'invalid_node_id',
      `not a node id (32 hex characters) or a peer id: ${JSON.stringify(target.slice(0, 80))}`,
      'node',
    )
  const known = new Map<string, string | undefined>()
  for (const p of node.peers()) known.set(p.peerId, p.nodeId)
  for (const n of node.topology().nodes)
    if (!n.self && n.peerId !== node.peerId) known.set(n.peerId, n.nodeId ?? known.get(n.peerId))
  for (const [peerId, nodeId] of known) {
    const id = nodeId ?? nodeIdOf(peerId)
    if (byNodeId ? id === target : peerId === target) return { peerId, nodeId: id }
  }
  throw new DebugError(
    'unknown_node',
    `node ${target} is not known to this node's mesh; "p2p-ai-agents node peers" lists its neighbours`,
    'node',
  )
}

export async function networkTest(
  node: NetworkTestSource,
  target: string,
  options: NetworkTestOptions = {},
): Promise<NetworkTestReport> {
  const { count, bytes, timeoutMs } = networkTestOptions(options, node.config.max_message_bytes)
  const { peerId, nodeId } = resolveTarget(node, target)
  const signal = options.signal
  const started = performance.now()
  const startedAt = new Date().toISOString()

  // a lost message (no confirmation in time) is counted; any other failure ends the test
  const lostOr = (err: unknown): undefined => {
    if (errorCode(err) === 'delivery_timeout') return undefined
    throw err
  }
  const rtts: number[] = []
  let hops: number | null = null
  for (let i = 0; i < count; i++) {
    signal?.throwIfAborted()
    const t0 = performance.now()
    const d = await node
      .send(peerId, PING_TOPIC, new Uint8Array(), { timeoutMs, signal })
      .catch(lostOr)
    if (d == null) continue
    rtts.push(performance.now() - t0)
    hops = d.hops
  }

  const payload = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) payload[i] = (i * 31 + 7) & 0xff
  let next = 0
  let delivered = 0
  const t1 = performance.now()
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++
      signal?.throwIfAborted()
      const d = await node.send(peerId, LOAD_TOPIC, payload, { timeoutMs, signal }).catch(lostOr)
      if (d != null) delivered++
    }
  }
  await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, worker))
  const throughputMs = performance.now() - t1

  const lost = count - rtts.length
  return {
    target: { peer_id: peerId, node_id: nodeId },
    hops,
    rtt: {
      ...summarize(rtts),
      sent: count,
      lost,
      loss_rate: Math.round((lost / count) * 1000) / 1000,
    },
    throughput: {
      bytes_per_message: bytes,
      messages: count,
      delivered,
      lost: count - delivered,
      window: Math.min(WINDOW, count),
      duration_ms: Math.round(throughputMs * 10) / 10,
      bytes_per_sec: Math.round(perSecond(delivered * bytes, throughputMs)),
    },
    started_at: startedAt,
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
  }
}

function nodeIdOf(peerId: string): string | undefined {
  try {
    return nodeIdFromPeerId(peerId)
  } catch {
    return undefined
  }
}
