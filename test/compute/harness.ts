/**
 * Mesh compute nodes for tests: real libp2p nodes on the in-memory transport, each with a real
 * task engine over the fake inference engine (test/tasks/fake-engine.ts) and a real SQLite
 * results store, serving others' tasks through a TaskExecutor. Everything made is stopped after
 * each test.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { afterEach, expect } from 'vitest'
import type { ModelSpec } from '../../src/ai/engine.js'
import { nodeIdFromPeerId } from '../../src/core/node-id.js'
import { TaskType } from '../../src/core/tasks.js'
import { TaskExecutor } from '../../src/compute/executor.js'
import { DEFAULT_CONFIG } from '../../src/node/config-fields.js'
import { silentLogger } from '../../src/obs/logger.js'
import { SqliteResultsStore } from '../../src/store/sqlite-results.js'
import { TaskService } from '../../src/tasks/task-service.js'
import type { TaskTracerOptions } from '../../src/obs/tracing.js'
import { TaskTracer } from '../../src/obs/tracing.js'
import { tempDirs } from '../store/temp-dirs.js'
import { FakeEngine } from '../tasks/fake-engine.js'

const tempDir = tempDirs('p2p-ai-compute-')
export const EMBEDDING: ModelSpec = {
  task_type: TaskType.TEXT_EMBEDDING,
  ...DEFAULT_CONFIG.models.text_embedding,
}
let counter = 0
const cleanup: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

/** Runs `fn` after the test (in reverse order of registration). */
export function afterTest(fn: () => Promise<void>): void {
  cleanup.push(fn)
}

export type TestLibp2p = Libp2p & { addr: string }

export async function libp2pNode(privateKey?: PrivateKey): Promise<TestLibp2p> {
  const addr = `/memory/compute-test-${process.pid}-${counter++}`
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: [addr] },
    transports: [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  cleanup.push(async () => libp2p.stop())
  return Object.assign(libp2p, { addr: `${addr}/p2p/${libp2p.peerId.toString()}` })
}

export interface TaskNode {
  libp2p: TestLibp2p
  /** where its results store lives */
  dir: string
  key: PrivateKey
  nodeId: string
  engine: FakeEngine
  tasks: TaskService
  executor: TaskExecutor
  /** its tracer, when made with `traced` */
  tracer?: TaskTracer
}

export interface TaskNodeOptions {
  serve?: boolean
  maxQueuedPerPeer?: number
  modelHash?: string
  maxBatch?: number
  /** the identity and store of an earlier node: this one is that node restarted */
  restartOf?: TaskNode
  /** called with the task engine before it starts */
  beforeStart?(tasks: TaskService, nodeId: string): void
  /** give it a tracer (spans kept in memory), with these options */
  traced?: Partial<TaskTracerOptions>
  /** the executor's rate limit on task frames, per peer */
  admit?: (peerId: string) => boolean
  /** a closed mesh's admission: has this peer proved it knows the mesh_key? */
  admitted?: (peerId: string) => Promise<boolean>
}

/** A node that runs tasks (its own, and others' through its executor), started. */
export async function taskNode(over: TaskNodeOptions = {}): Promise<TaskNode> {
  const key = over.restartOf?.key ?? (await generateKeyPair('Ed25519'))
  const libp2p = await libp2pNode(key)
  const nodeId = nodeIdFromPeerId(libp2p.peerId)
  const engine = new FakeEngine()
  engine.modelHash = over.modelHash
  const dir = over.restartOf?.dir ?? (await tempDir())
  const tracer =
    over.traced == null ? undefined : new TaskTracer({ nodeId, log: silentLogger, ...over.traced })
  await tracer?.start()
  const tasks = new TaskService({
    tracer,
    nodeId,
    engine,
    runtime: { source: { allowRemote: false }, preferWebGpu: false },
    openStore: async () => SqliteResultsStore.open(dir),
    models: DEFAULT_CONFIG.models,
    maxConcurrent: 1,
    maxBatch: over.maxBatch ?? 8,
    maxStoredResults: 10_000,
    resultExpiryHours: 24,
    log: silentLogger,
  })
  over.beforeStart?.(tasks, nodeId)
  await tasks.start()
  const executor = new TaskExecutor({
    libp2p,
    tasks,
    privateKey: key,
    serve: over.serve ?? true,
    maxQueuedPerPeer: over.maxQueuedPerPeer ?? 256,
    log: silentLogger,
    tracer,
    admit: over.admit,
    admitted: over.admitted,
  })
  await executor.start()
  cleanup.push(async () => {
    await executor.stop()
    await tasks.stop()
    await tracer?.stop()
  })
  // the primary model has loaded (and so reports its hash)
  await expect.poll(() => engine.loads.length).toBeGreaterThan(0)
  return { libp2p, dir, key, nodeId, engine, tasks, executor, tracer }
}
