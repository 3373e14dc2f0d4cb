/**
 * Metric families on the wire (/p2p-ai/metrics/1.0.0) and the checks a relay makes before it
 * keeps a push: only p2p_ai_* families of a known type, series named after their family, label
 * names Prometheus accepts, finite values, and within the size limits below. A push that fails
 * any check is refused whole, with the first reason.
 */
import type { MetricFamily, MetricType } from '../core/metrics.js'
import { METRIC_PREFIX } from '../core/metrics.js'
import type { MetricsPush } from '../core/proto/metrics.js'

/** Limits of one push: decoded with them (protons), then checked. */
export const PUSH_LIMITS = {
  /** bytes of one push message */
  maxBytes: 256 * 1024,
  families: 64,
  samples: 1024,
  labels: 8,
  /** characters of a name, a label value or a help text */
  text: 256,
} as const

export type PushRefusal =
  | 'invalid_family'
  | 'invalid_type'
  | 'invalid_sample'
  | 'invalid_label'
  | 'invalid_value'
  | 'duplicate_family'

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram']
/** set by the relay from the connection, never taken from a push */
const RESERVED_LABELS = new Set(['node_id'])

export function toWire(families: MetricFamily[]): MetricsPush {
  return {
    families: families.map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      samples: f.samples.map((s) => ({
        name: s.name,
        value: s.value,
        labels: Object.entries(s.labels)
          .filter(([name]) => !RESERVED_LABELS.has(name))
          .map(([name, value]) => ({ name, value })),
      })),
    })),
  }
}

/** The push's families once checked, or why it is refused. */
export function fromWire(push: MetricsPush): MetricFamily[] | PushRefusal {
  const seen = new Set<string>()
  const out: MetricFamily[] = []
  for (const f of push.families) {
    if (!f.name.startsWith(METRIC_PREFIX) || !NAME.test(f.name) || f.name.length > PUSH_LIMITS.text)
      return 'invalid_family'
    if (f.help.length > PUSH_LIMITS.text) return 'invalid_family'
    if (seen.has(f.name)) return 'duplicate_family'
    seen.add(f.name)
    if (!(TYPES as readonly string[]).includes(f.type)) return 'invalid_type'
    const type = f.type as MetricType
    const names = seriesNames(f.name, type)
    const samples: MetricFamily['samples'] = []
    for (const s of f.samples) {
      if (!names.has(s.name)) return 'invalid_sample'
      if (!Number.isFinite(s.value) || (type !== 'gauge' && s.value < 0)) return 'invalid_value'
      const labels: Record<string, string> = {}
      for (const l of s.labels) {
        if (!LABEL.test(l.name) || RESERVED_LABELS.has(l.name) || l.name in labels)
          return 'invalid_label'
        if (l.value.length > PUSH_LIMITS.text) return 'invalid_label'
        labels[l.name] = l.value
      }
      samples.push({ name: s.name, labels, value: s.value })
    }
    out.push({ name: f.name, help: f.help, type, samples })
  }
  return out
}

function seriesNames(family: string, type: MetricType): Set<string> {
  return type === 'histogram'
    ? new Set([`${family}_bucket`, `${family}_sum`, `${family}_count`])
    : new Set([family])
}
