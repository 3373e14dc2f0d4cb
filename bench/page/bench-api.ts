import type { TaskStats } from '../../src/core/tasks.js'
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
  /** relays this node is connected to now */
  relaysConnected(): number
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
  /** waits for the primary model and its speed measurement; embeddings/s */
  modelsReady(): Promise<number>
  /**
   * runs tasks with `concurrent` in flight until all are final and stored; elapsed ms, each
   * task's submit → final status ms, statuses, and what the engine counted meanwhile
   */
  runTasks(
    inputs: string[],
    taskType: string,
    concurrent: number,
  ): Promise<{
    elapsedMs: number
    latencies: number[]
    statuses: Record<string, number>
    stats: TaskStats
  }>
  /**
   * the page's memory (workers included) and each worker's, by script file name, where the
   * browser can measure it (Chromium answers at its next garbage collection: up to a minute)
   */
  memory(): Promise<{ bytes: number; workers: Record<string, number> } | undefined>
  /** the bare transformers.js pipeline in its own worker: threads */
  bareInit(model: string, dtype: string): Promise<number>
  bareOneAtATime(texts: string[]): Promise<number>
  bareBatches(texts: string[], size: number): Promise<number>
}

declare global {
  interface Window {
    bench: BenchApi
  }
}
