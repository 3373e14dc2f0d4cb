/**
 * The bench tab: a node exactly as the app makes one, plus measuring hooks the bench drives
 * from Playwright, and a raw RTCDataChannel between the same tabs as the baseline.
 */
import { createNode } from '../../src/node/create-node.js'
import { createBrowserHost } from '../../src/platform/browser/browser-host.js'
import type { BenchApi } from './bench-api.js'
import { RawChannel } from './raw-channel.js'
import { statsSince } from '../task-stats.js'
import { wrap } from 'comlink'
import type { BareInference } from './bare-worker.js'
import type { TaskStatusReport } from '../../src/core/tasks.js'

const { host, config } = await createBrowserHost()
const node = createNode({ host, config })
/** when each peer was first seen over WebRTC, ms since the epoch */
const webrtcSince = new Map<string, number>()
for (const type of ['peer:add', 'peer:update'] as const) {
  node.addEventListener(type, (evt) => {
    if (evt.detail.transport === 'webrtc' && !webrtcSince.has(evt.detail.peerId))
      webrtcSince.set(evt.detail.peerId, Date.now())
  })
}
/**
 * Waits (up to 60 s) until `to` is a direct WebRTC neighbour: on a loaded machine a link of the
 * full mesh can drop and come back, and a measurement started meanwhile fails with no route.
 */
async function linkedTo(to: string): Promise<void> {
  const deadline = performance.now() + 60_000
  const linked = (): boolean =>
    node.peers().some((p) => (p.nodeId === to || p.peerId === to) && p.transport === 'webrtc')
  while (!linked()) {
    if (performance.now() > deadline) throw new Error(`no WebRTC link to ${to} for 60 s`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
window.addEventListener('pagehide', () => {
  node.goodbye()
})
/** phases of joining, ms since navigation start, to see where mesh formation time goes */
const timeline: Array<[string, number]> = []
const mark = (what: string): void => {
  timeline.push([what, Math.round(performance.now())])
}
node.addEventListener('state:change', (evt) => {
  mark(evt.detail.to)
})
node.addEventListener('relay:change', () => {
  mark('relay')
})
node.addEventListener('peer:add', (evt) => {
  mark(`link ${evt.detail.peerId.slice(-4)} ${evt.detail.transport}`)
})
await node.start()
const activeAt = Date.now()
node.libp2p.addEventListener('self:peer:update', (evt) => {
  if (evt.detail.peer.addresses.some((a) => a.multiaddr.toString().includes('p2p-circuit')))
    mark('circuit addr')
})
node.libp2p.addEventListener('connection:open', (evt) => {
  mark(
    `conn ${evt.detail.remotePeer.toString().slice(-4)} ${evt.detail.remoteAddr.toString().includes('webrtc') ? 'webrtc' : 'other'}`,
  )
})
;(document.getElementById('state') as HTMLElement).textContent = 'ACTIVE'

const payload = (size: number): Uint8Array => new Uint8Array(size).fill(7)

const raw = new RawChannel()

/** each task's submit → final status time, ms */
const finals = new Map<string, (report: TaskStatusReport) => void>()
node.addEventListener('task:update', (evt) => {
  if (['COMPLETED', 'FAILED', 'TIMEOUT'].includes(evt.detail.status))
    finals.get(evt.detail.task_id)?.(evt.detail)
})
let bareWorker: ReturnType<typeof wrap<BareInference>> | undefined

const bench: BenchApi = {
  peerId: (): string => node.peerId as string,
  navigationStart: (): number => performance.timeOrigin,
  activeAt: (): number => activeAt,
  webrtcSince: (): Record<string, number> => Object.fromEntries(webrtcSince),
  peers: () => node.peers(),
  relaysConnected: () => node.relayStatus().connected.length,
  timeline: () => timeline,

  async rtt(to: string, count: number, size: number): Promise<number[]> {
    await linkedTo(to)
    const data = payload(size)
    const out: number[] = []
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      await node.send(to, 'bench', data)
      out.push(performance.now() - t0)
    }
    return out
  },

  async pipeline(to: string, count: number, size: number, window: number): Promise<number> {
    await linkedTo(to)
    const data = payload(size)
    let next = 0
    const t0 = performance.now()
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++
        await node.send(to, 'bench', data, { timeoutMs: 60_000 })
      }
    }
    await Promise.all(Array.from({ length: window }, worker))
    return performance.now() - t0
  },

  rawOffer: async (): Promise<string> => raw.offer(),
  rawAnswer: async (sdp: string): Promise<string> => raw.answer(sdp),
  rawAccept: async (sdp: string): Promise<void> => raw.accept(sdp),
  rawRtt: async (count: number, size: number): Promise<number[]> => raw.rtt(count, size),
  rawPipeline: async (count: number, size: number): Promise<number> => raw.stream(count, size),

  async modelsReady() {
    for (;;) {
      const models = (await node.tasks?.models()) ?? []
      if (
        models.some((m) => m.task_type === 'text_embedding' && m.is_ready) &&
        (node.tasks?.capabilities()?.embeddings_per_sec ?? 0) > 0
      ) {
        return node.tasks?.capabilities()?.embeddings_per_sec ?? 0
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  },

  async runTasks(inputs, taskType, concurrent) {
    const tasks = node.tasks
    if (tasks == null) throw new Error('no task engine')
    const latencies: number[] = []
    const statuses: Record<string, number> = {}
    let next = 0
    const before = tasks.stats()
    const t0 = performance.now()
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const input = inputs[next++] as string
        const started = performance.now()
        const done = new Promise<TaskStatusReport>((resolve) => {
          const record = tasks.submit({ task_type: taskType, input })
          if (['COMPLETED', 'FAILED', 'TIMEOUT'].includes(record.status))
            resolve(record as TaskStatusReport)
          else finals.set(record.task_id, resolve)
        })
        const report = await done
        finals.delete(report.task_id)
        latencies.push(performance.now() - started)
        statuses[report.status] = (statuses[report.status] ?? 0) + 1
      }
    }
    await Promise.all(Array.from({ length: concurrent }, worker))
    // done means stored: the run ends once its records are written
    await tasks.flush()
    return {
      elapsedMs: performance.now() - t0,
      latencies,
      statuses,
      stats: statsSince(before, tasks.stats()),
    }
  },

  async memory() {
    const measure = (
      performance as Performance & {
        measureUserAgentSpecificMemory?: () => Promise<{
          bytes: number
          breakdown: Array<{ bytes: number; attribution: Array<{ url: string; scope: string }> }>
        }>
      }
    ).measureUserAgentSpecificMemory
    if (measure == null || !self.crossOriginIsolated) return undefined
    const { bytes, breakdown } = await measure.call(performance)
    const workers: Record<string, number> = {}
    for (const entry of breakdown)
      for (const a of entry.attribution)
        if (a.scope === 'DedicatedWorkerGlobalScope') {
          const name = new URL(a.url).pathname.split('/').pop() ?? a.url
          workers[name] = (workers[name] ?? 0) + entry.bytes
        }
    return { bytes, workers }
  },

  async bareInit(model, dtype) {
    bareWorker ??= wrap<BareInference>(
      new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' }),
    )
    return bareWorker.init(model, dtype)
  },
  bareOneAtATime: async (texts) =>
    (bareWorker as ReturnType<typeof wrap<BareInference>>).oneAtATime(texts),
  bareBatches: async (texts, size) =>
    (bareWorker as ReturnType<typeof wrap<BareInference>>).batches(texts, size),
}
window.bench = bench
