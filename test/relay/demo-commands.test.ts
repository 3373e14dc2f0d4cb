import { describe, expect, it } from 'vitest'
import { MAX_TASKS_PER_COMMAND, parseCommand, parseScript } from '../../relay/demo/commands.js'
import { demoSettings } from '../../relay/demo/options.js'

describe('parseCommand', () => {
  it('reads every command, case and spacing aside', () => {
    expect(parseCommand('kill 2')).toEqual({ kind: 'kill', member: 2 })
    expect(parseCommand('  KILL   12 ')).toEqual({ kind: 'kill', member: 12 })
    expect(parseCommand('heal')).toEqual({ kind: 'heal' })
    expect(parseCommand('add tab')).toEqual({ kind: 'add', what: 'tab' })
    expect(parseCommand('add Node')).toEqual({ kind: 'add', what: 'node' })
    expect(parseCommand('tasks 50')).toEqual({ kind: 'tasks', count: 50 })
    expect(parseCommand('status')).toEqual({ kind: 'status' })
    expect(parseCommand('help')).toEqual({ kind: 'help' })
    expect(parseCommand('quit')).toEqual({ kind: 'quit' })
    expect(parseCommand('exit')).toEqual({ kind: 'quit' })
  })

  it('a blank line is no command', () => {
    expect(parseCommand('')).toBeUndefined()
    expect(parseCommand('   \t ')).toBeUndefined()
  })

  it.each([
    ['dance', /unknown command "dance"; commands: kill <n>/],
    ['kill', /usage: kill <n>/],
    ['kill 1 2', /usage: kill <n>/],
    ['kill 0', /"0" is not a member number/],
    ['kill -1', /"-1" is not a member number/],
    ['kill one', /"one" is not a member number/],
    ['kill 1.5', /"1.5" is not a member number/],
    ['add', /usage: add tab\|node/],
    ['add relay', /add: "relay"; use add tab\|node/],
    ['tasks', /usage: tasks <count>/],
    ['tasks 0', /from 1 to 10000/],
    ['tasks 10001', /from 1 to 10000/],
    ['tasks lots', /from 1 to 10000/],
    ['heal now', /usage: heal/],
    ['quit please', /usage: quit/],
  ])('"%s" is an error that says what to type', (line, message) => {
    const parsed = parseCommand(line)
    expect(parsed?.kind).toBe('error')
    expect(parsed?.kind === 'error' ? parsed.message : '').toMatch(message)
  })

  it('takes the largest count it allows', () => {
    expect(parseCommand(`tasks ${MAX_TASKS_PER_COMMAND}`)).toEqual({
      kind: 'tasks',
      count: MAX_TASKS_PER_COMMAND,
    })
  })
})

describe('parseScript', () => {
  it('splits on ";" and new lines, skipping empty parts', () => {
    expect(parseScript('tasks 50; kill 1;; tasks 50\nheal; quit;')).toEqual([
      { kind: 'tasks', count: 50 },
      { kind: 'kill', member: 1 },
      { kind: 'tasks', count: 50 },
      { kind: 'heal' },
      { kind: 'quit' },
    ])
  })

  it('refuses the whole script for one bad command, naming it', () => {
    const parsed = parseScript('tasks 5; kil 1; quit')
    expect(parsed).toEqual({
      kind: 'error',
      message: expect.stringMatching(/^script command 2 \("kil 1"\): unknown command "kil"/),
    })
  })
})

describe('demoSettings', () => {
  it('small defaults for a 2-core machine: 2 tabs and 1 node, or 2 nodes headless', () => {
    expect(demoSettings({}, { browser: true })).toEqual({
      tabs: 2,
      nodes: 1,
      tasks: 20,
      script: undefined,
      port: 9000,
      graceMs: 60_000,
    })
    expect(demoSettings({}, { browser: false })).toMatchObject({ tabs: 0, nodes: 2 })
  })

  it('a script starts with no workload of its own unless --tasks says so', () => {
    expect(demoSettings({ script: 'quit' }, { browser: false })).toMatchObject({ tasks: 0 })
    expect(demoSettings({ script: 'quit', tasks: '5' }, { browser: false })).toMatchObject({
      tasks: 5,
    })
  })

  it('refuses bad numbers, tabs without a browser, and an empty mesh', () => {
    const message = (s: ReturnType<typeof demoSettings>): string =>
      s instanceof Error ? s.message : 'accepted'
    expect(message(demoSettings({ nodes: 'x' }, { browser: false }))).toMatch(
      /--nodes must be a whole number from 0 to 32, not "x"/,
    )
    expect(message(demoSettings({ port: '80' }, { browser: false }))).toMatch(/--port must be/)
    expect(message(demoSettings({ grace: '-1' }, { browser: false }))).toMatch(/--grace must be/)
    expect(message(demoSettings({ tabs: '2' }, { browser: false }))).toMatch(/needs a browser/)
    expect(message(demoSettings({ tabs: '0', nodes: '0' }, { browser: true }))).toMatch(
      /at least one tab or node/,
    )
  })
})
