/** The relay and headless nodes as child processes of the test, with their own homes and ports. */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cliEnv, freePort } from '../relay/demo/processes.js'
import type { AddressInfo, Server } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CLI = join(import.meta.dirname, '..', 'dist', 'node', 'relay', 'cli.js')

// the demo's (relay/demo) own: the same children, the same environment rule
export { cliEnv, freePort } from '../relay/demo/processes.js'

/** `n` distinct free ports (held until all are found, so no two are the same). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      async () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => {
            resolve(server)
          })
        }),
    ),
  )
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(servers.map(async (s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a short-lived CLI command to its end; fails (and kills it) after `timeoutMs`. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cliEnv(opts.env),
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `p2p-ai-agents ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr.slice(-4000)}`,
        ),
      )
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export async function tempHome(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `p2p-ai-${prefix}-`))
}

/** A CLI process (`relay start` / `node start`) and its output. */
export class CliProcess {
  stdout = ''
  stderr = ''
  private child?: ChildProcess
  private exited?: Promise<number | null>

  constructor(
    readonly args: string[],
    readonly env: Record<string, string> = {},
    readonly cwd?: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  start(): void {
    this.stdout = ''
    this.stderr = ''
    const child = spawn(process.execPath, [CLI, ...this.args], {
      env: cliEnv(this.env),
      cwd: this.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()))
    // 'close', not 'exit': by then all of its output has been read
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)))
    this.child = child
  }

  /** Resolves when stdout matches, or fails with the output so far. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = this.stdout.match(pattern)
      if (m != null) return m
      if (this.child?.exitCode != null) break
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(
      `process ${this.args.join(' ')} did not print ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-4000)}`,
    )
  }

  /** SIGTERM (graceful) and the exit code. */
  async stop(): Promise<number | null> {
    if (this.child == null || this.child.exitCode != null) return this.child?.exitCode ?? null
    this.child.kill('SIGTERM')
    return this.exited ?? null
  }

  /** SIGKILL: the process gets no chance to say goodbye. */
  async kill(): Promise<void> {
    if (this.child == null || this.child.exitCode != null || this.child.signalCode != null) return
    this.child.kill('SIGKILL')
    await this.exited
  }

  async exitCode(): Promise<number | null> {
    return this.exited ?? null
  }

  /** Sends `signal` (SIGTERM, SIGSTOP, SIGCONT…) to the process if it still runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.child != null && this.child.exitCode == null && this.child.signalCode == null)
      this.child.kill(signal)
  }

  /** The exit code once the process ends, or a failure with its output after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(
            `process ${this.args.join(' ')} still runs after ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-4000)}`,
          ),
        )
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.exitCode(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Cleanup: SIGCONT (in case it was frozen) and SIGTERM, then SIGKILL after `graceMs`. */
  async terminate(graceMs = 10_000): Promise<void> {
    if (this.child == null) return
    this.signal('SIGCONT')
    this.signal('SIGTERM')
    try {
      await this.exitWithin(graceMs)
    } catch {
      await this.kill()
    }
  }
}

export class Relay extends CliProcess {
  constructor(
    readonly port: number,
    readonly home: string,
    extraArgs: string[] = [],
    env: Record<string, string> = {},
  ) {
    super(['relay', 'start', '--port', String(port), '--home', home, ...extraArgs], env)
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async create(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Relay> {
    const relay = new Relay(await freePort(), await tempHome('relay'), extraArgs, env)
    relay.start()
    await relay.waitFor(/Relay started/)
    return relay
  }

  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.home, { recursive: true, force: true })
  }
}

export class HeadlessNode extends CliProcess {
  constructor(
    readonly port: number,
    readonly home: string,
    relayUrl: string,
    extraArgs: string[] = [],
    env: Record<string, string> = {},
  ) {
    super(
      ['node', 'start', '--port', String(port), '--home', home, '--relay', relayUrl, ...extraArgs],
      env,
    )
  }

  static async create(relayUrl: string, env: Record<string, string> = {}): Promise<HeadlessNode> {
    const node = new HeadlessNode(await freePort(), await tempHome('node'), relayUrl, [], env)
    node.start()
    await node.waitFor(/Peer ID: (\S+)/)
    return node
  }

  get peerId(): string {
    return /Peer ID: (\S+)/.exec(this.stdout)?.[1] ?? ''
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async api<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method: body == null ? 'GET' : 'POST',
      headers: body == null ? {} : { 'Content-Type': 'application/json' },
      body: body == null ? undefined : JSON.stringify(body),
    })
    return (await res.json()) as T
  }

  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.home, { recursive: true, force: true })
  }
}
