/**
 * bin/p2p-ai-agents.js when it re-runs itself on the project's Node 22 (as on an older Node;
 * forced here with P2P_AI_REEXEC=1): a signal to the wrapper reaches the real node, which stops
 * as it would on its own, and the wrapper exits as the node did. No orphans. No browser.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { cliEnv, freePorts, tempHome } from './processes.js'

const BIN = join(import.meta.dirname, '..', 'bin', 'p2p-ai-agents.js')
const NODE_STARTED = /^Node started \(id: [0-9a-f]{32}, port: \d+\)$/m

interface Wrapper {
  proc: ChildProcess
  pid: number
  /** the real node's pid, from its "PID: n" line */
  childPid: number
  out: { stdout: string; stderr: string }
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

let wrappers: Wrapper[] = []
let dirs: string[] = []

// whatever happened: kill the wrapper's process group (the node is in it too) and remove the homes
test.afterEach(async () => {
  for (const w of wrappers) {
    // (never 0 or -0: that would be the test's own process group)
    for (const target of [-w.pid, w.childPid].filter((pid) => pid !== 0)) {
      try {
        process.kill(target, 'SIGKILL')
      } catch {
        // gone already
      }
    }
  }
  await Promise.all(dirs.map(async (d) => rm(d, { recursive: true, force: true })))
  wrappers = []
  dirs = []
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/** `node start` through the wrapper, in its own process group, until the node has started. */
async function startWrapped(
  env: Record<string, string> = { P2P_AI_REEXEC: '1' },
): Promise<Wrapper> {
  const home = await tempHome('wrapper')
  dirs.push(home)
  const [port] = (await freePorts(1)) as [number]
  const proc = spawn(
    process.execPath,
    [BIN, 'node', 'start', '--port', String(port), '--home', home],
    { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  const out = { stdout: '', stderr: '' }
  proc.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()))
  // 'exit', not 'close': an orphaned node would hold the pipes open
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const w: Wrapper = { proc, pid: proc.pid as number, childPid: 0, out, exited }
  wrappers.push(w)
  const output = (): string => `stdout:\n${out.stdout}\nstderr:\n${out.stderr.slice(-4000)}`
  await expect.poll(() => NODE_STARTED.test(out.stdout), { message: output() }).toBe(true)
  await expect.poll(() => /^PID: (\d+)$/m.test(out.stdout), { message: output() }).toBe(true)
  w.childPid = Number(/^PID: (\d+)$/m.exec(out.stdout)?.[1])
  return w
}

/** The wrapper's exit, or a failure with its output after `timeoutMs`. */
async function exitWithin(
  w: Wrapper,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(
        new Error(
          `wrapper still runs after ${timeoutMs} ms\nstdout:\n${w.out.stdout}\nstderr:\n${w.out.stderr.slice(-4000)}`,
        ),
      )
    }, timeoutMs)
  })
  try {
    return await Promise.race([w.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The signals pending for `pid` as a process (Linux: ShdPnd of /proc/<pid>/status). */
function pendingSignals(pid: number): bigint {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return BigInt(`0x${/^ShdPnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`)
}

const bit = (signal: number): bigint => 1n << BigInt(signal - 1)

async function expectGone(pid: number): Promise<void> {
  await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false)
}

test.describe('the re-running wrapper', () => {
  test('SIGTERM to the wrapper stops the node gracefully; the wrapper exits 0', async () => {
    const w = await startWrapped()
    // the node printed its own pid: the wrapper did re-run it
    expect(w.childPid).toBeGreaterThan(0)
    expect(w.childPid).not.toBe(w.pid)
    expect(alive(w.childPid)).toBe(true)
    // the hook is the wrapper's, not a setting: the node does not warn about it
    expect(w.out.stderr).not.toContain('P2P_AI_REEXEC')

    process.kill(w.pid, 'SIGTERM')
    expect(await exitWithin(w, 10_000)).toEqual({ code: 0, signal: null })
    await expect.poll(() => w.out.stdout).toContain('Node stopped gracefully')
    await expectGone(w.childPid)
  })

  test('SIGINT to the wrapper stops the node; the wrapper exits with its code', async () => {
    const w = await startWrapped()
    expect(w.childPid).not.toBe(w.pid)

    process.kill(w.pid, 'SIGINT')
    const exit = await exitWithin(w, 10_000)
    await expectGone(w.childPid)
    // the node exits 0 right after "Node stopped gracefully", 130 when it cut operations off
    await expect
      .poll(() => /Node stopped gracefully|Stopped after cutting/.test(w.out.stdout))
      .toBe(true)
    const childCode = w.out.stdout.includes('Node stopped gracefully') ? 0 : 130
    expect(exit).toEqual({ code: childCode, signal: null })
  })

  test('a second signal is passed on too: the node exits now, 130, and so does the wrapper', async () => {
    const w = await startWrapped()
    // frozen, the node keeps what the wrapper passes on pending: both signals, then both at once
    process.kill(w.childPid, 'SIGSTOP')
    try {
      process.kill(w.pid, 'SIGTERM')
      process.kill(w.pid, 'SIGINT')
      await expect
        .poll(() => pendingSignals(w.childPid) & (bit(15) | bit(2)), {
          message: 'the wrapper did not pass both signals on',
        })
        .toBe(bit(15) | bit(2))
    } finally {
      process.kill(w.childPid, 'SIGCONT')
    }
    const exit = await exitWithin(w, 10_000)
    expect(w.out.stderr).toContain('second signal: exiting now')
    // 130; but a native addon sometimes aborts on that early exit (SIGABRT: 128 + 6)
    const childCode = w.out.stderr.includes('terminate called after throwing') ? 134 : 130
    expect(exit).toEqual({ code: childCode, signal: null })
    expect(w.out.stdout).not.toContain('Node stopped gracefully')
    await expectGone(w.childPid)
  })

  test('SIGHUP (which the node does not handle) ends both; the wrapper exits 128 + 1', async () => {
    const w = await startWrapped()
    process.kill(w.pid, 'SIGHUP')
    expect(await exitWithin(w, 10_000)).toEqual({ code: 129, signal: null })
    await expectGone(w.childPid)
  })

  test('without P2P_AI_REEXEC, on Node >= 22, the node runs in the wrapper process itself', async () => {
    test.skip(Number(process.versions.node.split('.')[0]) < 22, 'this Node re-runs anyway')
    const w = await startWrapped({})
    expect(w.childPid).toBe(w.pid)
    process.kill(w.pid, 'SIGTERM')
    expect(await exitWithin(w, 10_000)).toEqual({ code: 0, signal: null })
    await expect.poll(() => w.out.stdout).toContain('Node stopped gracefully')
  })
})
