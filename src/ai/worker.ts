/** The tab's inference Web Worker: the runtime, exposed over comlink. The page never runs a model. */
import { exposeRuntime } from './expose-runtime.js'
import { browserPlatform } from './runtime-browser.js'
import { createRuntime } from './runtime.js'

exposeRuntime(createRuntime(browserPlatform()))
