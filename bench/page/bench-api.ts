import type { PeerInfo } from '../../src/core/types.js'

/** What the bench page offers its driver (bench/mesh.bench.ts) as `window.bench`. */
export interface BenchApi {
  peerId(): string
  /** performance.timeOrigin of the page */
  navigationStart(): number
  /** when the node became ACTIVE (and started discovering), ms since the epoch */
  activeAt(): number
  /** peer id → when it was first seen over WebRTC, ms since the epoch */
  webrtcSince(): Record<string, number>
  peers(): PeerInfo[]
  /** joining phases, [what, ms since navigation start] */
  timeline(): Array<[string, number]>
  /** sequential routed messages: send → delivery confirmation, ms each */
  rtt(to: string, count: number, size: number): Promise<number[]>
  /** `count` messages with `window` in flight; ms until all are confirmed */
  pipeline(to: string, count: number, size: number, window: number): Promise<number>
  rawOffer(): Promise<string>
  rawAnswer(sdp: string): Promise<string>
  rawAccept(sdp: string): Promise<void>
  rawRtt(count: number, size: number): Promise<number[]>
  rawPipeline(count: number, size: number): Promise<number>
}

declare global {
  interface Window {
    bench: BenchApi
  }
}
