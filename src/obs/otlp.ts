/** OTLP/HTTP JSON export of spans (config otlp_endpoint): a collector, Jaeger, Tempo… */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import type { SpanExporter } from '@opentelemetry/sdk-trace'

/** The traces URL of an endpoint: its base URL gets `/v1/traces`, a full one is kept. */
export function otlpTracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '')
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`
}

export function otlpExporter(endpoint: string): SpanExporter {
  // headers given: a tab posts with fetch/XHR (its Content-Type), not sendBeacon
  return new OTLPTraceExporter({ url: otlpTracesUrl(endpoint), headers: {} })
}
