import { describe, expect, it } from 'vitest'
import { peerListHash } from '../../src/mesh/peer-table.js'

describe('peerListHash', () => {
  it('is 8 bytes, independent of order, and differs for different lists', () => {
    const a = peerListHash(['b', 'a', 'c'])
    expect(a).toHaveLength(8)
    expect(peerListHash(['c', 'b', 'a'])).toEqual(a)
    expect(peerListHash(['a', 'b'])).not.toEqual(a)
  })
})
