/**
 * The dashboard bench page: the app's TopologyGraph on a synthetic mesh of N nodes that changes
 * once a second (states flip, nodes leave and join, queues move). Each change is applied inside
 * an animation frame, so the frame that carries it pays for React too. Per frame, the work is
 * measured from the frame's start (the rAF timestamp) to a task queued from the last rAF
 * callback, which runs once the frame's script, style, layout and paint are done.
 */
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import type { MeshView, MeshViewNode, PeerHealth } from '../../src/core/types.js'
import { TopologyGraph } from '../../src/ui/dashboard/TopologyGraph.js'
import '../../src/ui/styles.css'

const params = new URLSearchParams(location.search)
const N = Number(params.get('nodes') ?? 200)
let seed = 42
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const STATES: PeerHealth[] = ['ALIVE', 'ALIVE', 'ALIVE', 'SLOW', 'DEAD']
let next = 0
const fresh = (): MeshViewNode => ({
  peerId: `node-${next++}`,
  kind: random() < 0.7 ? 'tab' : 'node',
  self: next === 1,
  state: 'ALIVE',
  embeddingsPerSec: Math.round(random() * 900),
  queueDepth: 0,
  backend: 'wasm',
  startedAt: Date.now(),
})
let nodes: MeshViewNode[] = Array.from({ length: N }, fresh)

function edgesOf(list: MeshViewNode[]): MeshView['edges'] {
  const edges = new Map<string, MeshView['edges'][number]>()
  list.forEach((n, i) => {
    for (let k = 0; k < 3; k++) {
      const other = list[Math.floor(random() * list.length)] as MeshViewNode
      if (other === n) continue
      const [a, b] = n.peerId < other.peerId ? [n.peerId, other.peerId] : [other.peerId, n.peerId]
      edges.set(`${a} ${b}`, { a, b, transport: (i + k) % 5 === 0 ? 'relay' : 'webrtc' })
    }
  })
  return [...edges.values()]
}
let edges = edgesOf(nodes)

function mutate(): void {
  nodes = nodes.map((n) =>
    random() < 0.05
      ? { ...n, state: STATES[Math.floor(random() * STATES.length)] as PeerHealth }
      : { ...n, queueDepth: Math.floor(random() * 20) },
  )
  // two leave, two join: the graph's own churn
  nodes.splice(1 + Math.floor(random() * (nodes.length - 1)), 1)
  nodes.splice(1 + Math.floor(random() * (nodes.length - 1)), 1)
  const joined = [fresh(), fresh()]
  nodes.push(...joined)
  const ids = new Set(nodes.map((n) => n.peerId))
  edges = edges.filter((e) => ids.has(e.a) && ids.has(e.b))
  for (const j of joined) {
    const other = nodes[Math.floor(random() * (nodes.length - 2))] as MeshViewNode
    edges.push({ a: j.peerId, b: other.peerId, transport: 'webrtc' })
  }
}

const root = createRoot(document.getElementById('root') as HTMLElement)
const render = (): void => {
  root.render(<TopologyGraph view={{ nodes, edges }} now={Date.now()} />)
}
flushSync(render)

const frames: number[] = []
let updates = 0
let lastUpdate = performance.now()
let running = true
const frame = (ts: number): void => {
  if (!running) return
  if (ts - lastUpdate >= 1000) {
    lastUpdate = ts
    updates++
    mutate()
    flushSync(render)
  }
  const channel = new MessageChannel()
  channel.port1.onmessage = () => {
    frames.push(performance.now() - ts)
  }
  channel.port2.postMessage(null)
  requestAnimationFrame(frame)
}
requestAnimationFrame(frame)

declare global {
  interface Window {
    graphBench: { stop(): { frames: number[]; updates: number; nodes: number; edges: number } }
  }
}
window.graphBench = {
  stop() {
    running = false
    return { frames, updates, nodes: nodes.length, edges: edges.length }
  },
}
