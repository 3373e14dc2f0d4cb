import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import type { Multiaddr } from '@multiformats/multiaddr'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import type { RelayServices } from '../../src/mesh/relay-role.js'
import { RelayRole } from '../../src/mesh/relay-role.js'
import { queryDirectory } from '../../src/mesh/directory.js'
import { resolveRelay } from '../../src/mesh/relay-keeper.js'
import { silentLogger } from '../../src/obs/logger.js'
import type { TestNode } from './harness.js'
import { testNode } from './harness.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async (f) => f()))
})

async function relayNode(): Promise<{ libp2p: Libp2p<RelayServices>; addr: string }> {
  const libp2p = (await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      relay: circuitRelayServer(),
    },
  })) as unknown as Libp2p<RelayServices>
  const role = new RelayRole(libp2p, 15, silentLogger)
  await role.start()
  cleanup.push(async () => {
    await role.stop()
    await libp2p.stop()
  })
  return { libp2p, addr: (libp2p.getMultiaddrs()[0] as Multiaddr).toString() }
}

async function peer(relays: string[]): Promise<TestNode> {
  const node = await testNode({ config: { relays } })
  cleanup.push(async () => node.stop())
  return node
}

describe('relay keeper', () => {
  it('connects to the first reachable relay of the list, skipping dead ones', async () => {
    const relay = await relayNode()
    const dead = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy'
    const node = await peer([dead, dead, relay.addr])
    await expect
      .poll(() => node.mesh.relays.status().connected, { timeout: 10_000 })
      .toEqual([relay.libp2p.peerId.toString()])
  })

  it('keeps retrying with backoff while no relay answers', async () => {
    const node = await peer(['/ip4/127.0.0.1/tcp/1'])
    await expect
      .poll(() => node.mesh.relays.status().failures, { timeout: 5000 })
      .toBeGreaterThanOrEqual(2)
    expect(node.mesh.relays.status().connected).toEqual([])
  })

  it('reconnects when the relay connection drops', async () => {
    const relay = await relayNode()
    const node = await peer([relay.addr])
    const id = relay.libp2p.peerId.toString()
    await expect.poll(() => node.mesh.relays.status().connected).toEqual([id])
    await relay.libp2p.hangUp(node.libp2p.peerId)
    await expect.poll(() => node.mesh.relays.status().connected, { timeout: 10_000 }).toEqual([id])
    await expect
      .poll(() => node.libp2p.getConnections(relay.libp2p.peerId).length, { timeout: 10_000 })
      .toBeGreaterThan(0)
  })
})

describe('relay directory', () => {
  it('tells a newcomer who holds a reservation on the relay', async () => {
    const relay = await relayNode()
    const first = await peer([relay.addr])
    const second = await peer([relay.addr])
    await expect
      .poll(() => relay.libp2p.services.relay.reservations.size, { timeout: 10_000 })
      .toBe(2)
    const newcomer = await peer([relay.addr])
    await expect.poll(() => newcomer.mesh.relays.status().connected.length).toBe(1)
    const conn = newcomer.libp2p.getConnections(relay.libp2p.peerId)[0] as Connection
    const found = await queryDirectory(conn, newcomer.id)
    expect(found.map((f) => f.peerId).sort()).toEqual([first.id, second.id].sort())
    // each as a WebRTC address through the relay the newcomer reached
    for (const f of found) {
      expect(f.addrs.map(String)).toEqual([
        `${conn.remoteAddr.toString()}/p2p-circuit/webrtc/p2p/${f.peerId}`,
      ])
    }
  })
})

describe('resolveRelay', () => {
  it('takes a multiaddr as it is, with its peer id', async () => {
    const r = await resolveRelay(
      '/ip4/127.0.0.1/tcp/9000/ws/p2p/12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy',
    )
    expect(r.peerId).toBe('12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy')
    expect(r.addrs.map(String)).toEqual([
      '/ip4/127.0.0.1/tcp/9000/ws/p2p/12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy',
    ])
  })

  it("reads an http relay's /bootstrap.json, and refuses anything else", async () => {
    let body = JSON.stringify({
      peerId: 'p',
      multiaddrs: [
        '/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWGUTLGHwSN7PXdes3xMnYyKBA7mbEmU2suoFDzVARNnBy',
      ],
    })
    let status = 200
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/bootstrap.json' ? status : 404).end(body)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanup.push(async () => new Promise<void>((r) => server.close(() => r())))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const r = await resolveRelay(url)
    expect(r.addrs).toHaveLength(1)
    body = '{"hello": "world"}'
    await expect(resolveRelay(url)).rejects.toThrow(/not a relay bootstrap document/)
    status = 500
    await expect(resolveRelay(url)).rejects.toThrow(/answered 500/)
  })
})
