/** A neighbour's arrival and departure are logged at INFO, with its peer id and transport. */
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger, MemorySink } from '../../src/obs/logger.js'
import type { TestNode } from './harness.js'
import { link, testNode } from './harness.js'

let nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.map(async (n) => n.stop()))
  nodes = []
})

describe('peer connect and disconnect logs', () => {
  it('logs both at INFO (a node at INFO keeps them) with the peer id and transport', async () => {
    const logs = new MemorySink()
    const a = await testNode({
      log: createLogger({ level: 'INFO', sinks: [logs.sink], component: 'node:mesh' }),
    })
    const b = await testNode()
    nodes = [a, b]
    await link(a, b)
    const connected = logs.entries.filter((e) => e.msg === 'peer connected')
    expect(connected).toHaveLength(1)
    expect(connected[0]).toMatchObject({
      level: 'INFO',
      component: 'node:mesh',
      peer: b.id,
      // the in-memory transport of a unit test; a tab says webrtc, websocket or relay
      transport: 'other',
    })
    b.mesh.goodbye('test')
    await expect
      .poll(() => logs.entries.find((e) => e.msg === 'peer disconnected'), { timeout: 5000 })
      .toMatchObject({ level: 'INFO', peer: b.id, transport: 'other', reason: 'goodbye' })
  })
})
