import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidTransitionError } from '../../src/core/errors.js'
import type { StateTransition } from '../../src/core/types.js'
import { NodeState } from '../../src/core/types.js'
import { Lifecycle } from '../../src/node/lifecycle.js'
import { createLogger, MemorySink } from '../../src/obs/logger.js'
import type { LogEntry } from '../../src/core/log.js'

const { INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED } = NodeState
const STATES: NodeState[] = [INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED]

/** The FR1.2 table, written out independently of the implementation. */
const EXPECTED_ALLOWED: Record<NodeState | 'NONE', NodeState[]> = {
  NONE: [INITIALIZING],
  INITIALIZING: [REGISTERING, SHUTTING_DOWN],
  REGISTERING: [ACTIVE, SHUTTING_DOWN],
  ACTIVE: [SHUTTING_DOWN],
  SHUTTING_DOWN: [STOPPED],
  STOPPED: [],
}

/** Ways of reaching each state from a fresh lifecycle (null = never started). */
const PATHS: Array<{ label: string; path: NodeState[] }> = [
  { label: '(none)', path: [] },
  { label: 'INITIALIZING', path: [INITIALIZING] },
  { label: 'REGISTERING', path: [INITIALIZING, REGISTERING] },
  { label: 'ACTIVE', path: [INITIALIZING, REGISTERING, ACTIVE] },
  {
    label: 'SHUTTING_DOWN (from ACTIVE)',
    path: [INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN],
  },
  { label: 'SHUTTING_DOWN (from INITIALIZING)', path: [INITIALIZING, SHUTTING_DOWN] },
  { label: 'SHUTTING_DOWN (from REGISTERING)', path: [INITIALIZING, REGISTERING, SHUTTING_DOWN] },
  {
    label: 'STOPPED',
    path: [INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED],
  },
  { label: 'STOPPED (abandoned start)', path: [INITIALIZING, SHUTTING_DOWN, STOPPED] },
]

/** A fixed point on the fake clock for the timestamp tests. */
const T0 = Date.parse('2025-01-02T03:04:05.678Z')

afterEach(() => {
  vi.useRealTimers()
})

function driven(path: NodeState[]): Lifecycle {
  const lc = new Lifecycle()
  for (const s of path) lc.transition(s)
  return lc
}

function recordEvents(lc: Lifecycle): StateTransition[] {
  const events: StateTransition[] = []
  lc.addEventListener('state:change', (evt) => {
    events.push(evt.detail)
  })
  return events
}

describe('Lifecycle', () => {
  it('starts with no state, no history and nothing entered', () => {
    const lc = new Lifecycle()
    expect(lc.state).toBeNull()
    expect(lc.history).toEqual([])
    for (const s of STATES) expect(lc.enteredAt(s)).toBeUndefined()
  })

  it('follows the valid path INITIALIZING → REGISTERING → ACTIVE → SHUTTING_DOWN → STOPPED', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 })
    const lc = new Lifecycle()
    const events = recordEvents(lc)
    const returned: StateTransition[] = []
    const path = [INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED]
    for (const to of path) {
      returned.push(lc.transition(to))
      expect(lc.state).toBe(to)
      vi.advanceTimersByTime(3)
    }

    const expectedFrom = [null, INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN]
    expect(returned.map((t) => [t.from, t.to])).toEqual(path.map((to, i) => [expectedFrom[i], to]))
    expect(lc.history).toEqual(returned)
    expect(events).toEqual(returned)
    // each transition is stamped with the clock's time when it happened, 3 ms apart here
    expect(returned.map((t) => t.at)).toEqual([T0, T0 + 3, T0 + 6, T0 + 9, T0 + 12])
    for (const [i, s] of path.entries()) {
      expect(lc.enteredAt(s)).toBe((returned[i] as StateTransition).at)
    }
    // STOPPED is final
    for (const s of STATES) expect(lc.canTransition(s)).toBe(false)
  })

  it.each([
    ['INITIALIZING', [INITIALIZING]],
    ['REGISTERING', [INITIALIZING, REGISTERING]],
  ])('can abandon a start from %s', (_label, prefix) => {
    const lc = driven(prefix)
    const events = recordEvents(lc)
    const from = lc.state
    const shut = lc.transition(SHUTTING_DOWN)
    expect(shut.from).toBe(from)
    expect(shut.to).toBe(SHUTTING_DOWN)
    const stop = lc.transition(STOPPED)
    expect(stop).toMatchObject({ from: SHUTTING_DOWN, to: STOPPED })
    expect(lc.state).toBe(STOPPED)
    expect(lc.history.map((t) => t.to)).toEqual([...prefix, SHUTTING_DOWN, STOPPED])
    expect(events).toEqual([shut, stop])
    expect(lc.enteredAt(ACTIVE)).toBeUndefined()
    if (!prefix.includes(REGISTERING)) expect(lc.enteredAt(REGISTERING)).toBeUndefined()
  })

  describe.each(PATHS)('from $label', ({ path }) => {
    const fromKey: NodeState | 'NONE' = path.length === 0 ? 'NONE' : (path.at(-1) as NodeState)
    const allowed = EXPECTED_ALLOWED[fromKey]

    it.each(STATES)('→ %s is allowed exactly when the FR1.2 table says so', (to) => {
      const lc = driven(path)
      const before = lc.state
      const historyBefore = [...lc.history]
      const events = recordEvents(lc)
      expect(lc.canTransition(to)).toBe(allowed.includes(to))

      if (allowed.includes(to)) {
        const t = lc.transition(to)
        expect(t).toEqual({ from: before, to, at: t.at })
        expect(lc.state).toBe(to)
        expect(lc.history).toEqual([...historyBefore, t])
        expect(events).toEqual([t])
        return
      }

      let caught: unknown
      try {
        lc.transition(to)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(Error)
      const err = caught as InvalidTransitionError
      expect(err.name).toBe('InvalidTransitionError')
      expect(err.name).toBe(InvalidTransitionError.NAME)
      expect(err.from).toBe(before)
      expect(err.to).toBe(to)
      expect(err.message).toBe(`invalid node state transition ${before ?? '(none)'} → ${to}`)
      // nothing changed
      expect(lc.state).toBe(before)
      expect(lc.history).toEqual(historyBefore)
      expect(events).toEqual([])
    })
  })

  it('refuses a restart after STOPPED and self-transitions everywhere', () => {
    for (const { path } of PATHS) {
      if (path.length === 0) continue
      const lc = driven(path)
      const current = lc.state as NodeState
      expect(() => lc.transition(current)).toThrow(
        expect.objectContaining({ name: 'InvalidTransitionError', from: current, to: current }),
      )
      expect(lc.state).toBe(current)
    }
    const stopped = driven([INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED])
    expect(() => stopped.transition(INITIALIZING)).toThrow(
      expect.objectContaining({ name: 'InvalidTransitionError', from: STOPPED, to: INITIALIZING }),
    )
    expect(stopped.history).toHaveLength(5)
  })

  it('dispatches state:change after the state has changed, with from/to/at', () => {
    const lc = new Lifecycle()
    const seen: Array<{ detail: StateTransition; stateDuringEvent: NodeState | null }> = []
    lc.addEventListener('state:change', (evt) => {
      seen.push({ detail: evt.detail, stateDuringEvent: lc.state })
    })
    const t1 = lc.transition(INITIALIZING)
    const t2 = lc.transition(REGISTERING)
    expect(seen).toEqual([
      { detail: { from: null, to: INITIALIZING, at: t1.at }, stateDuringEvent: INITIALIZING },
      { detail: { from: INITIALIZING, to: REGISTERING, at: t2.at }, stateDuringEvent: REGISTERING },
    ])
    expect(Object.keys(seen[0]?.detail ?? {}).sort()).toEqual(['at', 'from', 'to'])
  })

  it('logs each transition through the given logger', () => {
    const sink = new MemorySink()
    const log = createLogger({ level: 'INFO', sinks: [sink.sink], component: 'node' })
    const lc = new Lifecycle(log)
    const t1 = lc.transition(INITIALIZING)
    const t2 = lc.transition(SHUTTING_DOWN)
    expect(() => lc.transition(ACTIVE)).toThrow(
      expect.objectContaining({ name: 'InvalidTransitionError' }),
    )
    const entries = sink.entries.map(({ timestamp: _ts, ...rest }) => rest as Partial<LogEntry>)
    expect(entries).toEqual([
      {
        level: 'INFO',
        component: 'node',
        msg: 'state transition',
        from: null,
        to: INITIALIZING,
        at: new Date(t1.at).toISOString(),
      },
      {
        level: 'INFO',
        component: 'node',
        msg: 'state transition',
        from: INITIALIZING,
        to: SHUTTING_DOWN,
        at: new Date(t2.at).toISOString(),
      },
    ])
  })

  it('enteredAt reports when each state was entered, undefined for states never entered', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 })
    const lc = new Lifecycle()
    const t1 = lc.transition(INITIALIZING)
    vi.advanceTimersByTime(5)
    const t2 = lc.transition(REGISTERING)
    expect(t1.at).toBe(T0)
    expect(t2.at).toBe(T0 + 5)
    expect(lc.enteredAt(INITIALIZING)).toBe(T0)
    expect(lc.enteredAt(REGISTERING)).toBe(T0 + 5)
    expect(lc.enteredAt(ACTIVE)).toBeUndefined()
    expect(lc.enteredAt(SHUTTING_DOWN)).toBeUndefined()
    expect(lc.enteredAt(STOPPED)).toBeUndefined()
  })

  it('has logged and dispatched each transition by the time transition() returns', () => {
    // with a listener and a DEBUG logger attached, nothing is left for later: a caller that
    // reads the log or its own listener's record right after transition() sees this transition
    vi.useFakeTimers({ toFake: ['Date'], now: T0 })
    const sink = new MemorySink()
    const lc = new Lifecycle(createLogger({ level: 'DEBUG', sinks: [sink.sink] }))
    const events = recordEvents(lc)
    const path = [INITIALIZING, REGISTERING, ACTIVE, SHUTTING_DOWN, STOPPED]
    for (const [i, to] of path.entries()) {
      const t = lc.transition(to)
      expect(events).toHaveLength(i + 1)
      expect(events.at(-1)).toEqual(t)
      expect(sink.entries).toHaveLength(i + 1)
      expect(sink.entries.at(-1)).toMatchObject({
        msg: 'state transition',
        to,
        at: new Date(t.at).toISOString(),
      })
      vi.advanceTimersByTime(1)
    }
  })

  it('keeps independent instances independent', () => {
    const a = driven([INITIALIZING, REGISTERING, ACTIVE])
    const b = new Lifecycle()
    expect(b.state).toBeNull()
    expect(b.history).toEqual([])
    expect(b.canTransition(ACTIVE)).toBe(false)
    expect(a.state).toBe(ACTIVE)
  })
})
