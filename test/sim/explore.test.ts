import { it } from 'vitest'
import { Simulation } from '../../relay/sim/simulation.js'

it('explore', async () => {
  const sim = new Simulation({ nodes: Number(process.env.N ?? 30), maxPeers: 6 })
  const t0 = Date.now()
  await sim.start()
  console.log('started', Date.now() - t0)
  const whole = await sim.until(() => sim.graph().components.length === 1, 30_000)
  const g = sim.graph()
  console.log('whole after', whole, 'pieces', g.components.map((c) => c.length), 'diam', g.diameter, 'deg', g.degrees.join(','))
  const joined = sim.members.map((m) => (m.joinedAt ?? Infinity) - sim.startedAt).sort((a, b) => a - b)
  console.log('joined p95', joined[Math.floor(joined.length * 0.95)])
  await new Promise((r) => setTimeout(r, 3000))
  const gossip = await sim.gossip(10)
  console.log('gossip', gossip.latencies.length, '/', gossip.expected, 'max', Math.max(...gossip.latencies))
  const routed = await sim.routed(100)
  console.log('routed', routed.acked, '/', routed.sent, 'lost', routed.lost, 'hops', routed.hops.join(','), routed.failures)
  await sim.stop()
}, 120_000)
