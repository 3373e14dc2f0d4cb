/**
 * A relay holds up against one host opening many connections (a Sybil's many peer ids) and
 * one peer opening many: over the caps, connections are refused, counted in the metrics and
 * logged. A peer's reservation goes when it disconnects. A real relay node (createNode) on
 * loopback WebSockets, and plain libp2p clients.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import type { MetricFamily } from '../../src/core/metrics.js'
import type { RelayServices } from '../../src/mesh/relay-role.js'
import type { P2PNode } from '../../src/node/create-node.js'
import { createNode } from '../../src/node/create-node.js'
import { tempDirs } from '../store/temp-dirs.js'
import { testHost, within } from './test-host.js'

const newDir = tempDirs('p2p-ai-relay-caps-')
let relay: P2PNode | undefined
let clients: Libp2p[] = []

afterEach(async () => {
  await Promise.all(clients.map(async (c) => c.stop()))
  clients = []
  if (relay != null) await within(relay.stop({ graceMs: 0 }), 'relay stop()')
  relay = undefined
})

async function client(reserve = false): Promise<Libp2p> {
  const c = await createLibp2p({
    addresses: { listen: reserve ? ['/p2p-circuit'] : [] },
    transports: [webSockets(), ...(reserve ? [circuitRelayTransport()] : [])],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  clients.push(c)
  return c
}

/** 'connected', or why not (a libp2p Connection does not print). */
async function outcome(dial: Promise<unknown>): Promise<string> {
  return dial.then(
    () => 'connected',
    (err: Error) => err.message,
  )
}

function refusals(families: MetricFamily[], reason: string): number {
  const family = families.find((f) => f.name === 'p2p_ai_connections_refused_total')
  return family?.samples.find((s) => s.labels.reason === reason)?.value ?? 0
}

describe('a relay under Sybil and connection abuse', () => {
  it('caps connections per IP address and per peer, and counts and logs what it refuses', async () => {
    const t = testHost(await newDir(), {
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      config: { relay_max_connections_per_ip: 3, relay_max_connections_per_peer: 1 },
    })
    relay = createNode({ host: t.host, config: t.config, role: 'relay' })
    await relay.start()
    const addr = relay.libp2p.getMultiaddrs()[0]!
    // one host, many peer ids: 3 get in, the 4th is refused
    const sybils = [await client(), await client(), await client(), await client()]
    for (const s of sybils.slice(0, 3)) await s.dial(addr)
    expect(await outcome(sybils[3]!.dial(addr))).not.toBe('connected')
    expect(refusals(await relay.metrics(), 'too_many_connections_from_ip')).toBe(1)
    expect(
      t.logs.entries.some(
        (e) => e.msg === 'connection refused' && e.reason === 'too_many_connections_from_ip',
      ),
    ).toBe(true)
    // room again once one leaves; and one peer gets one connection, not two
    await sybils[0]!.stop()
    await expect.poll(() => relay!.libp2p.getConnections().length).toBe(2)
    const one = sybils[1]!
    // (the dialler may count it as up for a moment: the relay refuses it once noise names the peer)
    await outcome(one.dial(addr, { force: true }))
    await expect
      .poll(async () => refusals(await relay!.metrics(), 'too_many_connections_from_peer'))
      .toBe(1)
    await expect.poll(() => one.getConnections().length).toBe(1)
    expect(relay.libp2p.getConnections(one.peerId)).toHaveLength(1)
  })

  it("drops a peer's reservation when it disconnects", async () => {
    const t = testHost(await newDir(), { listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    relay = createNode({ host: t.host, config: t.config, role: 'relay' })
    await relay.start()
    const reservations = (): number =>
      (relay!.libp2p as unknown as Libp2p<RelayServices>).services.relay.reservations.size
    const c = await client(true)
    await c.dial(relay.libp2p.getMultiaddrs()[0]!)
    await expect.poll(reservations, { timeout: 10_000 }).toBe(1)
    await c.stop()
    await expect.poll(reservations, { timeout: 10_000 }).toBe(0)
  })
})
