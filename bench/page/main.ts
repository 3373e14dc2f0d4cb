/**
 * The bench tab: a node exactly as the app makes one, plus measuring hooks the bench drives
 * from Playwright, and a raw RTCDataChannel between the same tabs as the baseline.
 */
import { createNode } from '../../src/node/create-node.js'
import { createBrowserHost } from '../../src/platform/browser/browser-host.js'
import type { BenchApi } from './bench-api.js'
import { RawChannel } from './raw-channel.js'

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

const bench: BenchApi = {
  peerId: (): string => node.peerId as string,
  navigationStart: (): number => performance.timeOrigin,
  activeAt: (): number => activeAt,
  webrtcSince: (): Record<string, number> => Object.fromEntries(webrtcSince),
  peers: () => node.peers(),
  timeline: () => timeline,

  async rtt(to: string, count: number, size: number): Promise<number[]> {
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
}
window.bench = bench
