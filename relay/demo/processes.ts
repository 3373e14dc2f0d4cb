/**
 * The demo's child processes: the relay and headless nodes, each `p2p-ai-agents … start` from
 * this build, in a process group of its own (so that a kill reaches the node, not a wrapper).
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** dist/node/relay/cli.js beside this file once built */
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url))
/** what is kept of a process's output, for errors */
const KEEP_CHARS = 8000

/** This process's environment without P2P_AI_* settings (they would change every node), plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('P2P_AI_')) env[k] = v
  return { ...env, ...extra }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** One `p2p-ai-agents` process: started, watched for a line, killed or stopped. */
export class CliChild {
  stdout = ''
  stderr = ''
  private child?: ChildProcess
  private exited?: Promise<void>

  constructor(
    readonly args: string[],
    private readonly env: Record<string, string> = {},
  ) {}

  get running(): boolean {
    return this.child != null && this.child.exitCode == null && this.child.signalCode == null
  }

  start(): void {
    this.stdout = ''
    this.stderr = ''
    const child = spawn(process.execPath, [CLI, ...this.args], {
      env: cliEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    child.stdout.on('data', (d: Buffer) => {
      this.stdout = (this.stdout + d.toString()).slice(-KEEP_CHARS)
    })
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-KEEP_CHARS)
    })
    this.exited = new Promise((resolve) => child.once('close', () => resolve()))
    this.child = child
  }

  /** The first match of `pattern` in its output; fails with the output if it exits or times out. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = this.stdout.match(pattern)
      if (m != null) return m
      if (!this.running || Date.now() > deadline)
        throw new Error(
          `p2p-ai-agents ${this.args.join(' ')} ${this.running ? `did not print ${pattern} in ${timeoutMs} ms` : 'exited'}\n${this.stdout}\n${this.stderr.slice(-2000)}`,
        )
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** SIGKILL to its group: no goodbye, no flush. */
  async kill(): Promise<void> {
    this.signalGroup('SIGKILL')
    await this.exited
  }

  /** SIGTERM (graceful stop), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return
    this.signalGroup('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs)
    })
    const tooLate = await Promise.race([this.exited?.then(() => false), late])
    clearTimeout(timer)
    if (tooLate === true) await this.kill()
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid
    if (pid == null || !this.running) return
    try {
      process.kill(-pid, signal)
    } catch {
      // already gone
    }
  }
}
