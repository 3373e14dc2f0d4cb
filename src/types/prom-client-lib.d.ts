// prom-client's root module reads `process` at load (its default Node metrics), which a tab does
// not have; its metric classes do not. src/obs/prom.ts imports those classes by file, which
// prom-client ships without per-file types: these give them the types of its root module.
declare module 'prom-client/lib/registry.js' {
  import type { Registry } from 'prom-client'
  const RegistryClass: typeof Registry
  export default RegistryClass
}
declare module 'prom-client/lib/counter.js' {
  import type { Counter } from 'prom-client'
  const CounterClass: typeof Counter
  export default CounterClass
}
declare module 'prom-client/lib/gauge.js' {
  import type { Gauge } from 'prom-client'
  const GaugeClass: typeof Gauge
  export default GaugeClass
}
declare module 'prom-client/lib/histogram.js' {
  import type { Histogram } from 'prom-client'
  const HistogramClass: typeof Histogram
  export default HistogramClass
}
