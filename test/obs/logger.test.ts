/** The logger: six levels filtered by the configured one, and the named fields of every entry. */
import { describe, expect, it } from 'vitest'
import type { LogContext, LogEntry, LogLevel, LogSink } from '../../src/core/log.js'
import { jsonLine, LOG_LEVELS } from '../../src/core/log.js'
import { atLeast, createLogger, MemorySink } from '../../src/obs/logger.js'

function logAll(level: LogLevel, sinks: LogSink[] = []): MemorySink {
  const memory = new MemorySink()
  const log = createLogger({ level, sinks: [memory.sink, ...sinks], component: 'node' })
  log.trace('t')
  log.debug('d')
  log.info('i')
  log.warn('w')
  log.error('e')
  log.fatal('f')
  return memory
}

describe('levels', () => {
  it.each([
    ['TRACE', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']],
    ['DEBUG', ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']],
    ['INFO', ['INFO', 'WARN', 'ERROR', 'FATAL']],
    ['WARN', ['WARN', 'ERROR', 'FATAL']],
    ['ERROR', ['ERROR', 'FATAL']],
    ['FATAL', ['FATAL']],
  ] as Array<[LogLevel, LogLevel[]]>)('at %s keeps %j', (level, kept) => {
    const memory = logAll(level)
    expect(memory.entries.map((e) => e.level)).toEqual(kept)
    expect(memory.entries.map((e) => e.msg)).toEqual(kept.map((l) => l[0]?.toLowerCase()))
  })

  it('enabled() agrees with what is written', () => {
    const log = createLogger({ level: 'WARN', sinks: [] })
    expect(LOG_LEVELS.filter((l) => log.enabled(l))).toEqual(['WARN', 'ERROR', 'FATAL'])
    expect(LOG_LEVELS.filter((l) => atLeast(l, 'DEBUG'))).toEqual(LOG_LEVELS.slice(1))
  })

  it('flushes buffering sinks after a FATAL line only', () => {
    const flushed: string[] = []
    const seen: string[] = []
    const sink: LogSink = (entry) => seen.push(entry.msg)
    sink.flush = () => flushed.push(seen.at(-1) ?? '')
    logAll('TRACE', [sink])
    expect(seen).toEqual(['t', 'd', 'i', 'w', 'e', 'f'])
    expect(flushed).toEqual(['f'])
  })
})

describe('entries', () => {
  it('carry timestamp, level, component and msg first, then the call fields', () => {
    const memory = new MemorySink()
    const log = createLogger({ level: 'INFO', sinks: [memory.sink], component: 'node' })
    const before = Date.now()
    log.child('mesh').info('peer connected', { peer: 'p1', transport: 'webrtc' })
    const [entry] = memory.entries
    expect(entry).toBeDefined()
    const e = entry as LogEntry
    expect(Object.keys(e)).toEqual(['timestamp', 'level', 'component', 'msg', 'peer', 'transport'])
    expect(e).toMatchObject({ level: 'INFO', component: 'node:mesh', msg: 'peer connected' })
    expect(e.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(Date.parse(e.timestamp)).toBeGreaterThanOrEqual(before - 1)
  })

  it('carry the node id once the context has it, on the logger and its children', () => {
    const memory = new MemorySink()
    const context: LogContext = {}
    const log = createLogger({ level: 'INFO', sinks: [memory.sink], component: 'node', context })
    const child = log.child('tasks')
    log.info('before identity')
    context.node_id = 'a'.repeat(32)
    log.info('after')
    child.info('child after')
    const [first, ...rest] = memory.entries
    expect(first).not.toHaveProperty('node_id')
    for (const e of rest) {
      expect(Object.keys(e).slice(0, 5)).toEqual([
        'timestamp',
        'level',
        'component',
        'node_id',
        'msg',
      ])
      expect(e.node_id).toBe('a'.repeat(32))
    }
  })

  it('turn a traceparent into trace_id and span_id, or keep a given trace_id', () => {
    const memory = new MemorySink()
    const log = createLogger({ level: 'INFO', sinks: [memory.sink] })
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    log.info('with traceparent', { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, task: 't1' })
    log.info('with trace id', { trace_id: traceId })
    log.info('with a broken traceparent', { traceparent: 'nonsense' })
    log.info('without')
    const [a, b, c, d] = memory.entries
    expect(a).toMatchObject({ trace_id: traceId, span_id: '00f067aa0ba902b7', task: 't1' })
    expect(a).not.toHaveProperty('traceparent')
    expect(Object.keys(a ?? {}).slice(0, 6)).toEqual([
      'timestamp',
      'level',
      'component',
      'trace_id',
      'span_id',
      'msg',
    ])
    expect(b).toMatchObject({ trace_id: traceId })
    expect(b).not.toHaveProperty('span_id')
    expect(c).not.toHaveProperty('trace_id')
    expect(c).toMatchObject({ traceparent: 'nonsense' })
    expect(d).not.toHaveProperty('trace_id')
  })

  it('never let a call field replace a named one', () => {
    const memory = new MemorySink()
    const log = createLogger({ level: 'INFO', sinks: [memory.sink], component: 'node' })
    log.info('real', { level: 'FATAL', component: 'x', msg: 'fake', timestamp: 'then' })
    expect(memory.entries[0]).toMatchObject({ level: 'INFO', component: 'node', msg: 'real' })
    expect(memory.entries[0]?.timestamp).not.toBe('then')
  })

  it('serialise to one JSON line each, errors as {name, message}', () => {
    const memory = new MemorySink()
    const log = createLogger({ level: 'INFO', sinks: [memory.sink], component: 'node' })
    log.error('failed', { error: new TypeError('boom') })
    const line = jsonLine(memory.entries[0] as LogEntry)
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toContain('\n')
    expect(JSON.parse(line)).toMatchObject({
      level: 'ERROR',
      component: 'node',
      msg: 'failed',
      error: { name: 'TypeError', message: 'boom' },
    })
  })
})

describe('MemorySink', () => {
  it('keeps the last `capacity` entries and tells subscribers of each', () => {
    const memory = new MemorySink(3)
    const heard: string[] = []
    const off = memory.subscribe((e) => heard.push(e.msg))
    const log = createLogger({ level: 'INFO', sinks: [memory.sink] })
    for (const m of ['a', 'b', 'c', 'd']) log.info(m)
    off()
    log.info('e')
    expect(memory.entries.map((e) => e.msg)).toEqual(['c', 'd', 'e'])
    expect(heard).toEqual(['a', 'b', 'c', 'd'])
  })
})
