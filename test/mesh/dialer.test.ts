import { generateKeyPair } from '@libp2p/crypto/keys'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { MeshDialer } from '../../src/mesh/dialer.js'
import { PeerTable } from '../../src/mesh/peer-table.js'
import { silentLogger } from '../../src/obs/logger.js'

let libp2p: Libp2p | undefined
let dialer: MeshDialer | undefined
afterEach(async () => {
  dialer?.stop()
  await libp2p?.stop()
})

async function randomPeer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('mesh dialer', () => {
  it('redials a peer that cannot be reached with backoff 1 s, 2 s, …', async () => {
    libp2p = await createLibp2p({
      transports: [webSockets(), webRTC(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    })
    dialer = new MeshDialer({
      libp2p,
      peers: new PeerTable(),
      maxPeers: 8,
      denied: new Set(),
      isRelay: () => false,
      log: silentLogger,
      takeoverAfterMs: 0, // dial whatever the peer ids
    })
    dialer.start()
    const target = await randomPeer()
    const relay = await randomPeer()
    // a relay nobody listens for: every dial fails at once, a transient failure
    const addr = multiaddr(
      `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay.toString()}/p2p-circuit/webrtc/p2p/${target.toString()}`,
    )
    const attempts: number[] = []
    dialer.discovered(target, [addr])
    const t0 = Date.now()
    let last = 0
    await expect
      .poll(
        () => {
          const failures = dialer?.state(target.toString())?.failures ?? 0
          if (failures > last) {
            attempts.push(Date.now() - t0)
            last = failures
          }
          return failures
        },
        { timeout: 8000, interval: 20 },
      )
      .toBeGreaterThanOrEqual(3)
    expect(dialer.state(target.toString())?.refused).toBeUndefined()
    // first at once, then ≥ 1 s later, then ≥ 2 s after that
    expect(attempts[0]).toBeLessThan(1000)
    expect((attempts[1] as number) - (attempts[0] as number)).toBeGreaterThanOrEqual(1000)
    expect((attempts[2] as number) - (attempts[1] as number)).toBeGreaterThanOrEqual(2000)
    expect((attempts[2] as number) - (attempts[1] as number)).toBeLessThan(3000)
  })

  it('ignores peers without a WebRTC address, denied peers and itself', async () => {
    libp2p = await createLibp2p({
      connectionEncrypters: [noise()],
      services: { identify: identify() },
    })
    const denied = await randomPeer()
    dialer = new MeshDialer({
      libp2p,
      peers: new PeerTable(),
      maxPeers: 8,
      denied: new Set([denied.toString()]),
      isRelay: () => false,
      log: silentLogger,
    })
    dialer.start()
    const other = await randomPeer()
    dialer.discovered(other, [multiaddr('/ip4/127.0.0.1/tcp/1/ws')])
    dialer.discovered(denied, [
      multiaddr(`/ip4/127.0.0.1/tcp/1/ws/p2p-circuit/webrtc/p2p/${denied.toString()}`),
    ])
    dialer.discovered(libp2p.peerId, [
      multiaddr(`/ip4/127.0.0.1/tcp/1/ws/p2p-circuit/webrtc/p2p/${libp2p.peerId.toString()}`),
    ])
    expect(dialer.state(other.toString())).toBeUndefined()
    expect(dialer.state(denied.toString())).toBeUndefined()
    expect(dialer.state(libp2p.peerId.toString())).toBeUndefined()
  })
})
