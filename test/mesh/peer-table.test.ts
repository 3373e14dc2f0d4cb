import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Link } from '../../src/mesh/link.js'
import { PeerTable, peerListHash } from '../../src/mesh/peer-table.js'

describe('peerListHash', () => {
  it('is 8 bytes, independent of order, and differs for different lists', () => {
    const a = peerListHash(['b', 'a', 'c'])
    expect(a).toHaveLength(8)
    expect(peerListHash(['c', 'b', 'a'])).toEqual(a)
    expect(peerListHash(['a', 'b'])).not.toEqual(a)
  })
})

/** A link to a fresh peer, as much of one as the table reads. */
async function linkTo(peerId?: string): Promise<Link> {
  const id = peerId ?? peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const connection = { remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1/ws') }
  return { peerId: id, connection, isOpen: true, opened: 0 } as unknown as Link
}

describe('PeerTable.neighbours', () => {
  it('changes its version exactly when the live neighbours change, and hands out copies', async () => {
    const table = new PeerTable()
    const [a, b] = [await linkTo(), await linkTo()]
    const v0 = table.version
    table.addLink(a)
    table.addLink(b)
    expect(table.neighbours()).toEqual([a.peerId, b.peerId].sort())
    const v1 = table.version
    expect(v1).not.toBe(v0)
    // a second link to a known peer, or a slow one, is still the same neighbours
    table.addLink(await linkTo(a.peerId))
    table.setHealth(a.peerId, 'SLOW')
    expect(table.version).toBe(v1)
    table.neighbours().pop()
    expect(table.neighbours()).toHaveLength(2)
    table.setHealth(a.peerId, 'DEAD')
    expect(table.neighbours()).toEqual([b.peerId])
    const v2 = table.version
    expect(v2).not.toBe(v1)
    table.setHealth(a.peerId, 'ALIVE')
    expect(table.neighbours()).toHaveLength(2)
    expect(table.version).not.toBe(v2)
    table.remove(b.peerId, 'test')
    expect(table.neighbours()).toEqual([a.peerId])
  })
})
