/** The Node host's inference worker thread: the runtime, exposed over comlink. */
import { parentPort } from 'node:worker_threads'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { exposeRuntime } from './expose-runtime.js'
import { createRuntime } from './runtime.js'
import { nodePlatform } from './runtime-node.js'

if (parentPort == null) throw new Error('node-worker.ts runs as a worker thread')
exposeRuntime(createRuntime(nodePlatform()), nodeEndpoint(parentPort))
