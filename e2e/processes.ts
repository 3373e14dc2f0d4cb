/** The relay and headless nodes as child processes of the test, with their own homes and ports. */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CLI = join(import.meta.dirname, '..', 'dist', 'node', 'relay', 'cli.js')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        resolve(typeof address === 'object' && address != null ? address.port : 0)
      })
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
  ) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  start(): void {
    this.stdout = ''
    this.stderr = ''
    const child = spawn(process.execPath, [CLI, ...this.args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()))
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
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
    if (this.child == null || this.child.exitCode != null) return
    this.child.kill('SIGKILL')
    await this.exited
  }

  async exitCode(): Promise<number | null> {
    return this.exited ?? null
  }
}

export class Relay extends CliProcess {
  constructor(
    readonly port: number,
    readonly home: string,
  ) {
    super(['relay', 'start', '--port', String(port), '--home', home])
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async create(): Promise<Relay> {
    const relay = new Relay(await freePort(), await tempHome('relay'))
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
  ) {
    super(['node', 'start', '--port', String(port), '--home', home, '--relay', relayUrl])
  }

  static async create(relayUrl: string): Promise<HeadlessNode> {
    const node = new HeadlessNode(await freePort(), await tempHome('node'), relayUrl)
    node.start()
    await node.waitFor(/Peer ID: (\S+)/)
    return node
  }

  get peerId(): string {
    return /Peer ID: (\S+)/.exec(this.stdout)?.[1] ?? ''
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
