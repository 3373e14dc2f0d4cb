/**
 * The demo (FR19.1): a relay, tabs and headless nodes, a workload of AI tasks across the mesh,
 * commands from a person (stdin) or a script, and a live one-line summary. Both forms run this:
 * `p2p-ai-agents demo` (headless nodes only) and `npm run demo` (e2e/demo/demo.ts, which adds
 * tabs in Chromium). It resolves with the exit code: 0 only if no task was lost.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { BookCounts } from './book.js'
import { countLinks, formatSummary, TaskBook, waitUntil } from './book.js'
import type { DemoCommand } from './commands.js'
import { COMMANDS_HELP, parseCommand, parseScript } from './commands.js'
import type { DemoTask, Member } from './member.js'
import { NodeMember } from './node-member.js'
import type { DemoSettings } from './options.js'
import { CliChild } from './processes.js'

/** What the browser form adds. */
export interface BrowserParts {
  /** a new tab member numbered `number`, not yet started */
  newTab(number: number, relayUrl: string): Member
  /** runs every `everyMs` while the demo runs (screenshots) */
  periodic?: { everyMs: number; run: () => Promise<void> }
  /** closes the browser, once every member is stopped */
  close(): Promise<void>
}

const MESH_WAIT_MS = 60_000
const TICK_MS = 1000
/** a script's `tasks` waits at most this long for its tasks before the next command */
const SCRIPT_SETTLE_MS = 180_000

const SENTENCES = [
  'the mesh shares the work between every node',
  'a browser tab is a full node of the network',
  'I love how fast this runs',
  'this is terrible and slow',
  'peers find each other through the relay',
  'embeddings turn text into vectors',
  'the quick brown fox jumps over the lazy dog',
  'no task is lost when a node dies',
]

export class Demo {
  private readonly book = new TaskBook()
  private readonly members: Member[] = []
  private relay?: CliChild
  private relayUrl = ''
  private workDir = ''
  private seq = 0
  private links = 0
  private lastSummary = ''
  private ticking?: ReturnType<typeof setInterval>
  private periodic?: ReturnType<typeof setInterval>
  private polling = false
  private quitting = false
  /** aborted by the first Ctrl-C: no more commands, no more waiting for them */
  private readonly stopCommands = new AbortController()
  /** aborted by the second: quit stops waiting for running tasks */
  private readonly stopWaiting = new AbortController()
  private readonly out: NodeJS.WriteStream

  constructor(
    private readonly settings: DemoSettings,
    private readonly browser?: BrowserParts,
    out: NodeJS.WriteStream = process.stdout,
  ) {
    this.out = out
  }

  /** Runs the demo to its end; the exit code. */
  async run(input: NodeJS.ReadableStream = process.stdin): Promise<number> {
    const script = this.settings.script == null ? undefined : parseScript(this.settings.script)
    if (script != null && !Array.isArray(script)) {
      this.say(`error: ${script.message}`)
      return 2
    }
    const stopSignals = this.onSignals()
    try {
      await this.setUp()
      this.ticking = setInterval(() => void this.tick(), TICK_MS)
      if (this.browser?.periodic != null) {
        const { everyMs, run } = this.browser.periodic
        this.periodic = setInterval(() => {
          run().catch(() => undefined)
        }, everyMs)
      }
      if (this.settings.tasks > 0) await this.submit(this.settings.tasks, script != null)
      if (script != null) {
        for (const command of script) {
          if (this.quitting) break
          this.say(`> ${describe(command)}`)
          await this.execute(command, true)
        }
      } else {
        this.say(`${COMMANDS_HELP}; type one per line (Ctrl-D quits)`)
        await this.readCommands(input)
      }
      return await this.quit()
    } catch (err) {
      this.say(`error: ${(err as Error).message}`)
      this.book.close()
      return 1
    } finally {
      stopSignals()
      await this.tearDown()
    }
  }

  private async setUp(): Promise<void> {
    this.workDir = await mkdtemp(join(tmpdir(), 'p2p-ai-demo-'))
    const port = this.settings.port
    this.relayUrl = `http://127.0.0.1:${port}`
    this.relay = new CliChild(
      ['relay', 'start', '--port', String(port), '--home', join(this.workDir, 'relay')],
      { P2P_AI_LOG_LEVEL: 'WARN' },
    )
    this.relay.start()
    await this.relay.waitFor(/Relay started/, 30_000)
    this.say(`relay at ${this.relayUrl}/ (open it in a browser to join too)`)
    for (let i = 0; i < this.settings.tabs; i++) this.addMember('tab')
    for (let i = 0; i < this.settings.nodes; i++) this.addMember('node')
    const started = Date.now()
    await Promise.all(this.members.map(async (m) => m.start()))
    for (const m of this.members) this.say(`${label(m)} started (${m.peerId ?? '?'})`)
    let meshed = false
    while (!meshed && Date.now() - started < MESH_WAIT_MS && !this.quitting) {
      await this.tick()
      meshed = this.meshed()
      if (!meshed) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    this.say(
      meshed
        ? `mesh formed: ${this.links} links, ${((Date.now() - started) / 1000).toFixed(1)} s after start`
        : `the mesh is not complete after ${MESH_WAIT_MS / 1000} s (${this.links} links); going on`,
    )
  }

  /** Every running member has a neighbour (when there are two or more). */
  private meshed(): boolean {
    const alive = this.members.filter((m) => m.alive)
    return alive.length < 2 || this.neighbourCounts.size >= alive.length
  }

  private neighbourCounts = new Map<number, number>()

  private addMember(kind: 'tab' | 'node'): Member {
    const number = this.members.length + 1
    const member =
      kind === 'tab' && this.browser != null
        ? this.browser.newTab(number, this.relayUrl)
        : new NodeMember(number, this.relayUrl, this.workDir)
    this.members.push(member)
    return member
  }

  private async readCommands(input: NodeJS.ReadableStream): Promise<void> {
    const lines = createInterface({ input, terminal: false })
    const close = (): void => lines.close()
    this.stopCommands.signal.addEventListener('abort', close)
    try {
      for await (const line of lines) {
        const parsed = parseCommand(line)
        if (parsed == null) continue
        if (parsed.kind === 'error') {
          this.say(`error: ${parsed.message}`)
          continue
        }
        if (parsed.kind === 'quit') break
        await this.execute(parsed, false)
        if (this.quitting) break
      }
    } finally {
      this.stopCommands.signal.removeEventListener('abort', close)
      lines.close()
    }
  }

  /** Runs one command; its failures are printed, and the demo goes on. */
  private async execute(command: DemoCommand, settle: boolean): Promise<void> {
    try {
      switch (command.kind) {
        case 'tasks':
          await this.submit(command.count, settle)
          break
        case 'kill': {
          const m = this.members[command.member - 1]
          if (m == null)
            throw new Error(
              `no member ${command.member}; there are ${this.members.length} (see "status")`,
            )
          if (!m.alive) throw new Error(`${label(m)} is not running ("heal" brings it back)`)
          await m.kill()
          this.say(`killed ${label(m)}`)
          break
        }
        case 'heal': {
          const dead = this.members.filter((m) => !m.alive)
          if (dead.length === 0) {
            this.say('nothing to heal: every member runs')
            break
          }
          await Promise.all(dead.map(async (m) => m.start()))
          this.say(`healed ${dead.map(label).join(', ')}`)
          break
        }
        case 'add': {
          if (command.what === 'tab' && this.browser == null)
            throw new Error('no browser in this demo: "npm run demo" runs one with tabs')
          const m = this.addMember(command.what)
          try {
            await m.start()
          } catch (err) {
            this.members.pop()
            await m.dispose().catch(() => undefined)
            throw err
          }
          this.say(`added ${label(m)} (${m.peerId ?? '?'})`)
          break
        }
        case 'status':
          await this.printStatus()
          break
        case 'help':
          this.say(COMMANDS_HELP)
          break
        case 'quit':
          this.quitting = true
          break
      }
    } catch (err) {
      this.say(`error: ${(err as Error).message}`)
    }
  }

  /** Spreads `count` new tasks over the running members; with `settle`, waits for them to end. */
  private async submit(count: number, settle: boolean): Promise<void> {
    const alive = this.members.filter((m) => m.alive)
    if (alive.length === 0) throw new Error('no member runs: "heal" or "add node" first')
    const shares = new Map<Member, DemoTask[]>(alive.map((m) => [m, []]))
    for (let i = 0; i < count; i++) {
      const n = ++this.seq
      const member = alive[(n - 1) % alive.length] as Member
      shares.get(member)?.push({
        key: `t${n}`,
        input: `[t${n}] ${SENTENCES[n % SENTENCES.length]}`,
        // one in four is a sentiment classification, the rest embeddings
        task_type: n % 4 === 0 ? 'classification' : 'text_embedding',
      })
    }
    const keys: string[] = []
    await Promise.all(
      [...shares].map(async ([member, tasks]) => {
        if (tasks.length === 0) return
        try {
          await member.submit(tasks)
          for (const t of tasks) {
            this.book.submit(t.key, member.number)
            keys.push(t.key)
          }
        } catch (err) {
          this.say(
            `error: ${label(member)} did not take its ${tasks.length} tasks: ${(err as Error).message}`,
          )
        }
      }),
    )
    this.say(
      `submitted ${keys.length} tasks from ${shares.size} member${shares.size === 1 ? '' : 's'}`,
    )
    if (!settle) return
    const ok = await waitUntil(() => this.book.settled(keys), {
      timeoutMs: SCRIPT_SETTLE_MS,
      signal: this.stopCommands.signal,
    })
    await this.tick()
    if (!ok) this.say(`${this.book.pending().length} tasks still running; going on`)
  }

  /** Polls the members once, then refreshes the summary line. */
  private async tick(): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      const alive = this.members.filter((m) => m.alive)
      const pairs: Array<[string, string]> = []
      const counts = new Map<number, number>()
      await Promise.all(
        alive.map(async (m) => {
          const [seen, neighbours] = await Promise.all([
            m.poll(this.book.pending(m.number)),
            m.neighbours(),
          ])
          for (const s of seen)
            this.book.observe(s.key, s.status, { latencyMs: s.latencyMs, reason: s.reason })
          if (m.peerId != null) for (const n of neighbours) pairs.push([m.peerId, n])
          if (neighbours.length > 0) counts.set(m.number, neighbours.length)
        }),
      )
      this.links = countLinks(pairs)
      this.neighbourCounts = counts
      this.refresh()
    } catch (err) {
      this.say(`error: poll: ${(err as Error).message}`)
    } finally {
      this.polling = false
    }
  }

  private summary(): string {
    const alive = this.members.filter((m) => m.alive)
    return formatSummary(
      {
        alive: alive.length,
        total: this.members.length,
        tabs: alive.filter((m) => m.kind === 'tab').length,
        headless: alive.filter((m) => m.kind === 'node').length,
        links: this.links,
      },
      this.book.counts(),
      this.book.p50(),
    )
  }

  /** The live line: redrawn in place on a terminal, else printed when it changes. */
  private refresh(): void {
    const line = this.summary()
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`)
    else if (line !== this.lastSummary) this.out.write(`summary: ${line}\n`)
    this.lastSummary = line
  }

  /** A line of its own, above the live summary. */
  private say(text: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}\n${this.lastSummary}`)
    else this.out.write(`${text}\n`)
  }

  private async printStatus(): Promise<void> {
    await this.tick()
    const rows = await Promise.all(
      this.members.map(async (m) => {
        const neighbours = m.alive ? (await m.neighbours()).length : 0
        const pending = this.book.pending(m.number).length
        return `  ${String(m.number).padStart(2)}  ${m.kind.padEnd(4)}  ${(m.alive ? 'running' : 'killed').padEnd(7)}  ${(m.peerId ?? '-').padEnd(52)}  ${neighbours} neighbours, ${pending} of its tasks running`
      }),
    )
    this.say([`  #   kind  state    peer id`, ...rows, `  ${this.summary()}`].join('\n'))
  }

  /** Waits up to the grace period for running tasks; those still running are lost. */
  private async quit(): Promise<number> {
    this.quitting = true
    const pending = this.book.pending().length
    if (pending > 0) {
      this.say(`quit: waiting up to ${this.settings.graceMs / 1000} s for ${pending} running tasks`)
      await waitUntil(() => this.book.settled(), {
        timeoutMs: this.settings.graceMs,
        signal: this.stopWaiting.signal,
      })
    }
    await this.tick()
    const lostKeys = this.book.pending()
    this.book.close()
    const counts: BookCounts = this.book.counts()
    if (this.out.isTTY) this.out.write('\r\x1b[2K')
    for (const [reason, n] of this.book.failureReasons())
      this.out.write(`failed: ${n} × ${reason}\n`)
    if (lostKeys.length > 0) this.out.write(`lost: ${lostKeys.join(' ')}\n`)
    this.out.write(`final: ${this.summary()}\n`)
    return counts.lost === 0 ? 0 : 1
  }

  private async tearDown(): Promise<void> {
    clearInterval(this.ticking)
    clearInterval(this.periodic)
    // once more at the end (a last screenshot), however short the run was
    await this.browser?.periodic?.run().catch(() => undefined)
    while (this.polling) await new Promise((resolve) => setTimeout(resolve, 50))
    await Promise.all(this.members.map(async (m) => m.dispose().catch(() => undefined)))
    await this.browser?.close().catch(() => undefined)
    await this.relay?.stop()
    if (this.workDir !== '') await rm(this.workDir, { recursive: true, force: true })
  }

  /** Ctrl-C quits (the grace period applies); a second one gives up waiting. */
  private onSignals(): () => void {
    let count = 0
    const handle = (): void => {
      count++
      this.quitting = true
      ;(count > 1 ? this.stopWaiting : this.stopCommands).abort()
      this.say(count > 1 ? 'stopping now' : 'quitting (Ctrl-C again to stop waiting for tasks)')
    }
    process.on('SIGINT', handle)
    process.on('SIGTERM', handle)
    return () => {
      process.off('SIGINT', handle)
      process.off('SIGTERM', handle)
    }
  }
}

function label(m: Member): string {
  return `${m.kind} ${m.number}`
}

function describe(c: DemoCommand): string {
  switch (c.kind) {
    case 'kill':
      return `kill ${c.member}`
    case 'add':
      return `add ${c.what}`
    case 'tasks':
      return `tasks ${c.count}`
    default:
      return c.kind
  }
}
