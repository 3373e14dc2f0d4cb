/** The tab's inference Web Worker: the runtime, exposed over comlink. The page never runs a model. */
import { expose } from 'comlink'
import { browserPlatform } from './runtime-browser.js'
import { createRuntime } from './runtime.js'

expose(createRuntime(browserPlatform()))
