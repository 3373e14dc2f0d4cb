import { IdbSpanStore } from '../../src/store/idb-spans.js'
import { runSpanStoreTests } from './spans-suite.js'

let n = 0
runSpanStoreTests('IdbSpanStore', async () => IdbSpanStore.open(`spans-test-${Date.now()}-${n++}`))
