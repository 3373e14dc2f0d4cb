/** The debug tools of one node, as the page's debug panel and a Node host's routes use them. */
import type { DebugTools } from '../core/debug.js'
import type { NodeApi } from '../core/node-api.js'
import { networkTest } from './network-test.js'
import type { SnapshotInit } from './snapshot.js'
import { buildSnapshot } from './snapshot.js'
import { runStress } from './stress.js'

export function createDebugTools(node: NodeApi, snapshot: SnapshotInit): DebugTools {
  return {
    snapshot: async () => buildSnapshot(node, snapshot),
    networkTest: async (target, options) => networkTest(node, target, options),
    stress: async (options) => runStress(node, options),
  }
}
