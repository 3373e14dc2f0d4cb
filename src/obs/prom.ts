/**
 * prom-client's metric classes, loadable in a tab as well as in Node. prom-client's root module
 * starts its default Node metrics at load and so fails in a browser ("process is not defined");
 * the classes themselves use no Node API on the paths we call (observe, inc, set, collect; not
 * startTimer). Same module instances as the root's on Node, so they share one Registry type.
 */
import type * as prom from 'prom-client'
import CounterClass from 'prom-client/lib/counter.js'
import GaugeClass from 'prom-client/lib/gauge.js'
import HistogramClass from 'prom-client/lib/histogram.js'
import RegistryClass from 'prom-client/lib/registry.js'

export const Counter = CounterClass
export type Counter<T extends string = string> = prom.Counter<T>
export const Gauge = GaugeClass
export type Gauge<T extends string = string> = prom.Gauge<T>
export const Histogram = HistogramClass
export type Histogram<T extends string = string> = prom.Histogram<T>
export const Registry = RegistryClass
export type Registry = prom.Registry
