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
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DialerOptions } from '../../src/mesh/dialer.js'
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

/** A libp2p that can dial relayed WebRTC addresses (and fail to: nothing listens). */
async function dialingLibp2p(): Promise<Libp2p> {
  return createLibp2p({
    transports: [webSockets(), webRTC(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
}

function meshDialer(node: Libp2p, options: Partial<DialerOptions>): MeshDialer {
  return new MeshDialer({
    libp2p: node,
    peers: new PeerTable(),
    maxPeers: 8,
    denied: new Set(),
    isRelay: () => false,
    log: silentLogger,
    ...options,
  })
}

describe('mesh dialer', () => {
  it('redials a peer that cannot be reached with backoff 1 s, 2 s, …', async () => {
    libp2p = await dialingLibp2p()
    dialer = meshDialer(libp2p, {
      takeoverAfterMs: 0, // dial whatever the peer ids
    })
    dialer.start()
    // a peer id above ours: we are the side that dials, so the first dial goes out at discovery
    let target = await randomPeer()
    while (target.toString() <= libp2p.peerId.toString()) target = await randomPeer()
    const key = target.toString()
    const relay = await randomPeer()
    // a relay nobody listens for: every dial fails at once, a transient failure
    const addr = multiaddr(
      `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay.toString()}/p2p-circuit/webrtc/p2p/${key}`,
    )
    // Every dial still goes through the real libp2p; the spy notes what the dialer knew when it
    // started, when it failed, and what the dialer decided just after handling the failure.
    // Only happened-before relations between these clock readings are asserted, never a span.
    interface Attempt {
      startedAt: number
      failuresBefore?: number
      failedAt?: number
      after?: { failures: number; nextAttempt: number; seenAt: number }
    }
    const attempts: Attempt[] = []
    const realDial = libp2p.dial.bind(libp2p)
    vi.spyOn(libp2p, 'dial').mockImplementation(async (...args: Parameters<Libp2p['dial']>) => {
      const attempt: Attempt = {
        startedAt: Date.now(),
        failuresBefore: dialer?.state(key)?.failures,
      }
      attempts.push(attempt)
      try {
        return await realDial(...args)
      } catch (err) {
        attempt.failedAt = Date.now()
        // the dialer handles the failure in the microtasks that follow: look right after
        setImmediate(() => {
          const s = dialer?.state(key)
          if (s != null) {
            attempt.after = { failures: s.failures, nextAttempt: s.nextAttempt, seenAt: Date.now() }
          }
        })
        throw err
      }
    })

    dialer.discovered(target, [addr])
    // the first dial goes out with the discovery itself, not at a later tick
    expect(attempts).toHaveLength(1)
    expect(attempts[0]?.failuresBefore).toBe(0)

    // a liveness guard only (three failures need 1 s + 2 s of backoff); nothing is timed here
    await expect
      .poll(() => attempts.filter((a) => a.after != null).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3)
    expect(dialer.state(key)?.refused).toBeUndefined()
    const BACKOFF_MS = [1000, 2000, 4000]
    for (let i = 0; i < 3; i++) {
      const attempt = attempts[i] as Attempt
      const after = attempt.after as NonNullable<Attempt['after']>
      expect(attempt.failuresBefore).toBe(i)
      expect(after.failures).toBe(i + 1)
      // the retry is set for exactly 1 s, then 2 s, then 4 s after the failure: counted back
      // from it, it lands between our seeing the dial fail and our looking just after
      const retryFrom = after.nextAttempt - (BACKOFF_MS[i] as number)
      expect(retryFrom).toBeGreaterThanOrEqual(attempt.failedAt as number)
      expect(retryFrom).toBeLessThanOrEqual(after.seenAt)
      // and the next dial does not start before that time
      if (i > 0) {
        const previous = (attempts[i - 1] as Attempt).after as NonNullable<Attempt['after']>
        expect(attempt.startedAt).toBeGreaterThanOrEqual(previous.nextAttempt)
      }
    }
  })

  it('ignores peers without a WebRTC address, denied peers and itself', async () => {
    libp2p = await createLibp2p({
      connectionEncrypters: [noise()],
      services: { identify: identify() },
    })
    const denied = await randomPeer()
    dialer = meshDialer(libp2p, { denied: new Set([denied.toString()]) })
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

  it('does not dial a peer that would refuse the link', async () => {
    libp2p = await dialingLibp2p()
    const full = await randomPeer()
    dialer = meshDialer(libp2p, {
      takeoverAfterMs: 0, // dial whatever the peer ids
      welcomes: (peer) => peer !== full.toString(),
    })
    const dialled: string[] = []
    const dial = libp2p.dial.bind(libp2p)
    vi.spyOn(libp2p, 'dial').mockImplementation(async (addrs, options) => {
      dialled.push(String(addrs))
      return dial(addrs, options)
    })
    dialer.start()
    const relay = await randomPeer()
    const at = (p: PeerId): ReturnType<typeof multiaddr> =>
      multiaddr(
        `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay.toString()}/p2p-circuit/webrtc/p2p/${p.toString()}`,
      )
    const open = await randomPeer()
    dialer.discovered(full, [at(full)])
    dialer.discovered(open, [at(open)])
    // the open one is dialled (and fails: nobody listens), the full one never
    await expect.poll(() => dialer?.state(open.toString())?.failures ?? 0).toBeGreaterThan(0)
    expect(dialled.some((a) => a.includes(open.toString()))).toBe(true)
    expect(dialled.some((a) => a.includes(full.toString()))).toBe(false)
    expect(dialer.state(full.toString())?.failures).toBe(0)
  })

  it('while full, weighs a trade for a discovered peer on its tick, not for each announcement', async () => {
    libp2p = await dialingLibp2p()
    const weighed: string[] = []
    dialer = meshDialer(libp2p, {
      maxPeers: 0, // full
      takeoverAfterMs: 0,
      worthTrade: (peer) => {
        weighed.push(peer)
        return false
      },
    })
    dialer.start()
    const relay = await randomPeer()
    const peer = await randomPeer()
    const at = multiaddr(
      `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay.toString()}/p2p-circuit/webrtc/p2p/${peer.toString()}`,
    )
    for (let i = 0; i < 5; i++) dialer.discovered(peer, [at])
    expect(weighed).toEqual([])
    await expect.poll(() => weighed.length).toBeGreaterThan(0)
    expect(new Set(weighed)).toEqual(new Set([peer.toString()]))
  })

  it('counts a discovered peer as pending until it is connected, refused or failing repeatedly', async () => {
    libp2p = await dialingLibp2p()
    dialer = meshDialer(libp2p, {
      takeoverAfterMs: 60_000,
    })
    dialer.start()
    expect(dialer.pending()).toBe(0)
    const self = libp2p.peerId.toString()
    const relay = await randomPeer()
    const at = (p: PeerId): ReturnType<typeof multiaddr> =>
      multiaddr(
        `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay.toString()}/p2p-circuit/webrtc/p2p/${p.toString()}`,
      )
    // two peers below our id: they dial us, so we only wait for them (no dial of ours in flight)
    const below: PeerId[] = []
    while (below.length < 2) {
      const p = await randomPeer()
      if (p.toString() < self) below.push(p)
    }
    for (const p of below) dialer.discovered(p, [at(p)])
    expect(dialer.pending()).toBe(2)
    // a refused peer no longer holds joining up
    dialer.refuse(below[0] as PeerId, 'incompatible_version')
    expect(dialer.pending()).toBe(1)
    // nor one we dial that keeps failing: after 3 failures (backoff 1 s, 2 s between them)
    let above = await randomPeer()
    while (above.toString() <= self) above = await randomPeer()
    dialer.discovered(above, [at(above)])
    expect(dialer.pending()).toBe(2)
    await expect
      .poll(() => dialer?.state(above.toString())?.failures ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3)
    // once its last dial has failed too, only the peer we wait for is left
    await expect.poll(() => dialer?.pending(), { timeout: 10_000 }).toBe(1)
  })
})
