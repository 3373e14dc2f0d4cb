/**
 * A node's task tracing (FR21.3), on the OpenTelemetry API and SDK. Each node has its own
 * TracerProvider (never the global one: tests run several nodes in one process). The task
 * engine, the dispatcher and the executor open and close spans by (task id, span name); a
 * span's parent comes from a W3C `traceparent`, the same string that travels on the task
 * protocol and in routed envelopes, so one task's spans on every node form one trace.
 *
 * Where finished spans go:
 * - a task this node runs for another (the span carries `p2p.served`): kept until the executor
 *   sends the result, which carries them back (`takeServed`);
 * - any other: the span store (48 h, purged every 10 min), and OTLP/HTTP JSON when
 *   `otlpEndpoint` is set. Spans an executor returned join them there (`addRemote`).
 */
import type { Context, Span, SpanContext, Tracer } from '@opentelemetry/api'
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api'
import {
  hrTimeToMilliseconds,
  millisToHrTime,
  W3CTraceContextPropagator,
} from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { Logger } from '../core/log.js'
import type { ReturnedSpan, SpanName, SpanRecord, SpanStore } from '../core/spans.js'
import { SPAN_RETENTION_MS } from '../core/spans.js'
import type { Startable } from '../core/startable.js'
import { MemorySpanStore } from './memory-spans.js'

/** How often spans past their retention are deleted, ms. */
const PURGE_EVERY_MS = 10 * 60_000
/** How long finished spans wait to be written together, ms. */
const WRITE_DELAY_MS = 200
/** Most spans kept for one served task (a task requeued again and again stops adding). */
const MAX_SERVED_SPANS = 32
/** Most served tasks whose spans wait for their result; the oldest are dropped beyond. */
const MAX_SERVED_TASKS = 10_000
const SERVICE_NAME = 'p2p-ai-agents'
/** How far returned spans may cross their window before they are moved, ms. */
const CLOCK_SLACK_MS = 2

export interface TaskTracerOptions {
  nodeId: string
  log: Logger
  /** opens the span store (IndexedDB / SQLite); the tracer closes it on stop. @default in memory */
  openStore?: () => Promise<SpanStore>
  /** an OTLP/HTTP collector (config otlp_endpoint): its base URL or its /v1/traces URL */
  otlpEndpoint?: string
  /** more exporters every local span goes to (tests) */
  exporters?: SpanExporter[]
  /** the clock of the purge, ms since the epoch. @default Date.now */
  now?: () => number
  /** how long spans are kept, ms. @default SPAN_RETENTION_MS (48 h) */
  retentionMs?: number
  /** how often old spans are purged, ms. @default 600000 */
  purgeEveryMs?: number
}

export interface SpanOptions {
  /** the span's start, ms since the epoch. @default now */
  startTime?: number
  attributes?: Record<string, string | number | boolean>
  /** the span belongs to a task run for another node: it goes back with the result */
  served?: boolean
}

export interface EndOptions {
  /** the span's end, ms since the epoch. @default now */
  endTime?: number
  /** the span ended in error, for this reason */
  error?: string
  attributes?: Record<string, string | number | boolean>
}

const propagator = new W3CTraceContextPropagator()

/** The context a `traceparent` carries (the root context when it carries none). */
export function extractContext(traceparent: string | undefined): Context {
  if (traceparent == null || traceparent === '') return ROOT_CONTEXT
  return propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter)
}

/** The `traceparent` of a span's context. */
export function injectContext(context: Context): string {
  const carrier: Record<string, string> = {}
  propagator.inject(context, carrier, defaultTextMapSetter)
  return carrier.traceparent ?? ''
}

export class TaskTracer implements Startable {
  private readonly provider: TracerProvider
  private readonly tracer: Tracer
  /** spans open, by task id then span name */
  private readonly open = new Map<string, Map<string, Span>>()
  /** when each open span started, ms since the epoch */
  private readonly starts = new WeakMap<Span, number>()
  private readonly served = new Map<string, SpanRecord[]>()
  private pending: SpanRecord[] = []
  private writeTimer?: ReturnType<typeof setTimeout>
  private purgeTimer?: ReturnType<typeof setInterval>
  private writing: Promise<void> = Promise.resolve()
  private store?: SpanStore
  /** where spans are exported (OTLP, tests' exporters); the OTLP one is added on start */
  private readonly exporting: SpanProcessor[] = []
  private readonly otlp?: SpanProcessor
  private readonly resources = new Map<string, Resource>()
  private otlpLoaded = false

  constructor(private readonly opts: TaskTracerOptions) {
    for (const exporter of opts.exporters ?? []) this.exporting.push(batched(exporter))
    const exports = this.exporting.length > 0 || (opts.otlpEndpoint ?? '') !== ''
    this.otlp = exports ? fanOut(this.exporting) : undefined
    this.provider = new TracerProvider({
      resource: this.resourceOf(opts.nodeId),
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (span) => {
            this.finished(span)
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
        ...(this.otlp == null ? [] : [this.otlp]),
      ],
    })
    this.tracer = this.provider.getTracer(SERVICE_NAME)
  }

  async start(): Promise<void> {
    const endpoint = this.opts.otlpEndpoint ?? ''
    if (endpoint !== '' && !this.otlpLoaded) {
      this.otlpLoaded = true
      // loaded only when configured: the OTLP exporter is most of the tracing code a tab loads
      const { otlpExporter } = await import('./otlp.js')
      this.exporting.push(batched(otlpExporter(endpoint)))
    }
    this.store ??= await (this.opts.openStore?.() ?? Promise.resolve(new MemorySpanStore()))
    this.purgeTimer ??= setInterval(() => {
      void this.purge()
    }, this.opts.purgeEveryMs ?? PURGE_EVERY_MS)
    await this.purge()
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer)
    this.purgeTimer = undefined
    for (const spans of this.open.values()) for (const span of spans.values()) span.end()
    this.open.clear()
    await this.flush()
    await this.provider.shutdown().catch((err: unknown) => {
      this.opts.log.warn('could not export the last spans', { error: err as Error })
    })
    await this.store?.close()
    this.store = undefined
  }

  /**
   * Opens span `name` of a task, a child of `parent` (a traceparent; a new trace without one),
   * and returns its own traceparent. A span of that name still open for the task is ended first.
   */
  begin(
    taskId: string,
    name: SpanName,
    parent: string | undefined,
    options: SpanOptions = {},
  ): string {
    this.end(taskId, name)
    const span = this.tracer.startSpan(
      name,
      {
        kind: name === 'transfer' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        startTime: options.startTime,
        attributes: {
          'task.id': taskId,
          'node.id': this.opts.nodeId,
          ...(options.served === true ? { 'p2p.served': true } : {}),
          ...options.attributes,
        },
      },
      extractContext(parent),
    )
    let spans = this.open.get(taskId)
    if (spans == null) this.open.set(taskId, (spans = new Map()))
    spans.set(name, span)
    this.starts.set(span, options.startTime ?? Date.now())
    return injectContext(trace.setSpan(ROOT_CONTEXT, span))
  }

  /** Ends span `name` of a task, when it is open. */
  end(taskId: string, name: SpanName, options: EndOptions = {}): void {
    const spans = this.open.get(taskId)
    const span = spans?.get(name)
    if (spans == null || span == null) return
    spans.delete(name)
    if (spans.size === 0) this.open.delete(taskId)
    if (options.attributes != null) span.setAttributes(options.attributes)
    if (options.error != null)
      span.setStatus({ code: SpanStatusCode.ERROR, message: options.error })
    span.end(options.endTime)
  }

  /** Sets the status and attributes of open span `name` of a task, leaving it open. */
  mark(taskId: string, name: SpanName, options: Omit<EndOptions, 'endTime'>): void {
    const span = this.open.get(taskId)?.get(name)
    if (span == null) return
    if (options.attributes != null) span.setAttributes(options.attributes)
    if (options.error != null)
      span.setStatus({ code: SpanStatusCode.ERROR, message: options.error })
  }

  /** Whether span `name` of a task is open. */
  isOpen(taskId: string, name: SpanName): boolean {
    return this.open.get(taskId)?.has(name) === true
  }

  /** When open span `name` of a task started, ms since the epoch. */
  startOf(taskId: string, name: SpanName): number | undefined {
    const span = this.open.get(taskId)?.get(name)
    return span == null ? undefined : this.starts.get(span)
  }

  /** The traceparent of open span `name` of a task. */
  traceparent(taskId: string, name: SpanName): string | undefined {
    const span = this.open.get(taskId)?.get(name)
    return span == null ? undefined : injectContext(trace.setSpan(ROOT_CONTEXT, span))
  }

  /** The finished spans of a task run here for another node (once: they go with its result). */
  takeServed(taskId: string): SpanRecord[] {
    const spans = this.served.get(taskId) ?? []
    this.served.delete(taskId)
    return spans
  }

  /**
   * Keeps the spans an executor returned with a task's result, as spans of `nodeId`. Only spans
   * of the task's own trace are taken. They were timed on the executor's clock: given the
   * `window` they must lie in here (the transfer, from sending the task to receiving its
   * result), spans outside it are moved into it (see alignToWindow).
   */
  addRemote(
    taskId: string,
    traceId: string,
    nodeId: string,
    spans: readonly ReturnedSpan[],
    window?: { start: number; end: number },
  ): void {
    const ours = spans.filter((s) => s.trace_id === traceId)
    const { spans: aligned, shiftMs } =
      window == null ? { spans: ours, shiftMs: 0 } : alignToWindow(ours, window)
    const taken = aligned.map((s): SpanRecord => ({
      ...s,
      task_id: taskId,
      node_id: nodeId,
      ...(shiftMs === 0 ? {} : { attributes: { 'clock.shift_ms': Math.round(shiftMs) } }),
    }))
    if (taken.length === 0) return
    this.keep(taken)
    if (this.otlp != null) for (const s of taken) this.otlp.onEnd(this.readable(s))
  }

  /** A task's spans: those still to be written and those stored. */
  async spans(taskId: string): Promise<SpanRecord[]> {
    await this.flush()
    return (await this.store?.byTask(taskId)) ?? []
  }

  /** Writes the spans waiting to be written; resolves once they are. */
  async flush(): Promise<void> {
    clearTimeout(this.writeTimer)
    this.writeTimer = undefined
    const batch = this.pending
    this.pending = []
    const store = this.store
    if (batch.length > 0 && store != null)
      this.writing = this.writing.then(async () =>
        store.put(batch).catch((err: unknown) => {
          this.opts.log.warn('could not store spans', { spans: batch.length, error: err as Error })
        }),
      )
    await this.writing
  }

  /** Deletes spans past their retention; how many. */
  async purge(): Promise<number> {
    const now = (this.opts.now ?? Date.now)()
    const n =
      (await this.store
        ?.purge(now - (this.opts.retentionMs ?? SPAN_RETENTION_MS))
        .catch((err: unknown) => {
          this.opts.log.warn('could not purge old spans', { error: err as Error })
          return 0
        })) ?? 0
    if (n > 0) this.opts.log.debug('purged old spans', { spans: n })
    return n
  }

  private finished(span: ReadableSpan): void {
    const record = toRecord(span, this.opts.nodeId)
    if (span.attributes['p2p.served'] === true) {
      const list = this.served.get(record.task_id) ?? []
      if (list.length >= MAX_SERVED_SPANS) return
      if (list.length === 0) {
        if (this.served.size >= MAX_SERVED_TASKS) {
          const oldest = this.served.keys().next().value
          if (oldest != null) this.served.delete(oldest)
        }
        this.served.set(record.task_id, list)
      }
      list.push(record)
      return
    }
    this.keep([record])
  }

  private keep(records: SpanRecord[]): void {
    this.pending.push(...records)
    this.writeTimer ??= setTimeout(() => {
      void this.flush()
    }, WRITE_DELAY_MS)
  }

  private resourceOf(nodeId: string): Resource {
    let r = this.resources.get(nodeId)
    if (r == null) {
      r = resourceFromAttributes({ 'service.name': SERVICE_NAME, 'service.instance.id': nodeId })
      this.resources.set(nodeId, r)
    }
    return r
  }

  /** A returned span as the SDK's exporters take it (for OTLP). */
  private readable(s: SpanRecord): ReadableSpan {
    const context: SpanContext = {
      traceId: s.trace_id,
      spanId: s.span_id,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    }
    const start = millisToHrTime(s.start_ms)
    const end = millisToHrTime(s.end_ms)
    return {
      name: s.name,
      kind: SpanKind.INTERNAL,
      spanContext: () => context,
      parentSpanContext:
        s.parent_span_id == null
          ? undefined
          : { traceId: s.trace_id, spanId: s.parent_span_id, traceFlags: TraceFlags.SAMPLED },
      startTime: start,
      endTime: end,
      status:
        s.error == null
          ? { code: SpanStatusCode.UNSET }
          : { code: SpanStatusCode.ERROR, message: s.error },
      attributes: { 'task.id': s.task_id, 'node.id': s.node_id },
      links: [],
      events: [],
      duration: millisToHrTime(s.end_ms - s.start_ms),
      ended: true,
      resource: this.resourceOf(s.node_id),
      instrumentationScope: { name: SERVICE_NAME },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    }
  }
}

/**
 * Spans timed on another node's clock, placed on ours: unchanged when they lie within `window`
 * (their clocks agree to within the network time); else all moved by one shift that centres
 * them in it (the network time split evenly both ways, as NTP assumes).
 */
export function alignToWindow<T extends { start_ms: number; end_ms: number }>(
  spans: readonly T[],
  window: { start: number; end: number },
): { spans: T[]; shiftMs: number } {
  if (spans.length === 0) return { spans: [], shiftMs: 0 }
  const first = Math.min(...spans.map((s) => s.start_ms))
  const last = Math.max(...spans.map((s) => s.end_ms))
  // Date.now() has whole ms: a span timed finer may seem to cross the window by less than that
  if (first >= window.start - CLOCK_SLACK_MS && last <= window.end + CLOCK_SLACK_MS)
    return { spans: [...spans], shiftMs: 0 }
  const shiftMs = (window.start + window.end) / 2 - (first + last) / 2
  return {
    spans: spans.map((s) => ({ ...s, start_ms: s.start_ms + shiftMs, end_ms: s.end_ms + shiftMs })),
    shiftMs,
  }
}

/** A finished SDK span as this project keeps it. */
export function toRecord(span: ReadableSpan, nodeId: string): SpanRecord {
  const ctx = span.spanContext()
  const attributes: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(span.attributes))
    if (k !== 'task.id' && k !== 'node.id' && k !== 'p2p.served' && isSimple(v)) attributes[k] = v
  return {
    task_id: String(span.attributes['task.id'] ?? ''),
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    ...(span.parentSpanContext == null ? {} : { parent_span_id: span.parentSpanContext.spanId }),
    name: span.name,
    node_id: nodeId,
    start_ms: hrTimeToMilliseconds(span.startTime),
    end_ms: hrTimeToMilliseconds(span.endTime),
    ...(span.status.code === SpanStatusCode.ERROR ? { error: span.status.message ?? 'error' } : {}),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  }
}

function isSimple(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}

function batched(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })
}

/** One processor that hands every span to each of `processors` (a list that may grow). */
function fanOut(processors: SpanProcessor[]): SpanProcessor {
  return {
    onStart: (span, context) => {
      for (const p of processors) p.onStart(span, context)
    },
    onEnd: (span) => {
      for (const p of processors) p.onEnd(span)
    },
    forceFlush: async () => {
      await Promise.all(processors.map(async (p) => p.forceFlush()))
    },
    shutdown: async () => {
      await Promise.all(processors.map(async (p) => p.shutdown()))
    },
  }
}
