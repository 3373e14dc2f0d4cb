/**
 * Periodic announcements stretch with the mesh's size (each reaches every node), and a record is
 * kept for as long as its author said it would take to announce again.
 */
import { describe, expect, it } from 'vitest'
import {
  MAX_REFRESH_STRETCH,
  REFRESH_NODES,
  refreshIntervalMs,
} from '../../src/mesh/topology-gossip.js'
import { PRUNE_AFTER_REFRESHES, TopologyTable } from '../../src/mesh/topology.js'

describe('the periodic announcement', () => {
  it('comes every interval in a mesh of up to REFRESH_NODES nodes', () => {
    for (const known of [1, 2, 10, REFRESH_NODES])
      expect(refreshIntervalMs(30_000, known)).toBe(30_000)
    expect(refreshIntervalMs(200, 5)).toBe(200)
  })

  it('stretches with the mesh beyond, so a node hears about REFRESH_NODES per interval', () => {
    expect(refreshIntervalMs(30_000, 60)).toBe(60_000)
    expect(refreshIntervalMs(30_000, 100)).toBe(100_000)
    expect(refreshIntervalMs(30_000, 200)).toBe(200_000)
    // whole seconds: announcements say it in seconds
    expect(refreshIntervalMs(10_000, 41)).toBe(14_000)
  })

  it('comes at least every MAX_REFRESH_STRETCH intervals however large the mesh', () => {
    expect(refreshIntervalMs(30_000, 10_000)).toBe(30_000 * MAX_REFRESH_STRETCH)
  })
})

describe('a topology record', () => {
  it("is pruned after PRUNE_AFTER_REFRESHES of its author's refresh intervals", () => {
    const table = new TopologyTable()
    const heard = 1_000_000
    table.applyAnnouncement('said-nothing', 1n, [], {}, heard)
    table.applyAnnouncement('said-100s', 1n, [], { refreshMs: 100_000 }, heard)
    const at = (ms: number): string[] => table.prune(30_000, new Set(), heard + ms)
    expect(at(PRUNE_AFTER_REFRESHES * 30_000)).toEqual([])
    expect(at(PRUNE_AFTER_REFRESHES * 30_000 + 1)).toEqual(['said-nothing'])
    expect(at(PRUNE_AFTER_REFRESHES * 100_000)).toEqual([])
    expect(at(PRUNE_AFTER_REFRESHES * 100_000 + 1)).toEqual(['said-100s'])
    expect(table.size).toBe(0)
  })

  it('of a connected peer is kept however old', () => {
    const table = new TopologyTable()
    table.applyAnnouncement('neighbour', 1n, [], { refreshMs: 30_000 }, 0)
    expect(table.prune(30_000, new Set(['neighbour']), 10_000_000)).toEqual([])
    expect(table.get('neighbour')).toBeDefined()
  })
})
