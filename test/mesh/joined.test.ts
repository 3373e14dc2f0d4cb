/** MeshService.joined(): when a node has joined the mesh, so that AI start-up can wait for it. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestNode } from './harness.js'
import { link, testNode } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

describe('joined()', () => {
  it('resolves for a node without relays once nothing is left to connect to', async () => {
    const a = await testNode()
    const b = await testNode()
    nodes = [a, b]
    await link(a, b)
    let joined = false
    await a.mesh.joined({ quietMs: 100 }).then(() => (joined = true))
    expect(joined).toBe(true)
  })

  it('waits while its relay is unreachable, until maxWaitMs', async () => {
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const a = await testNode({ config: { relays: [`/ip4/127.0.0.1/tcp/1/p2p/${relay}`] } })
    nodes = [a]
    let joined = false
    const started = Date.now()
    const done = a.mesh.joined({ quietMs: 100, maxWaitMs: 1500 }).then(() => (joined = true))
    // no relay, so not joined: it can only end by its limit
    await new Promise((r) => setTimeout(r, 700))
    expect(joined).toBe(false)
    await done
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
  })

  it('gives up with the abort reason when its signal aborts', async () => {
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const a = await testNode({ config: { relays: [`/ip4/127.0.0.1/tcp/1/p2p/${relay}`] } })
    nodes = [a]
    const controller = new AbortController()
    const waiting = a.mesh.joined({ signal: controller.signal })
    controller.abort(new Error('stopping'))
    await expect(waiting).rejects.toThrow('stopping')
  })
})
