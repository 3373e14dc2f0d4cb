/**
 * The demo a person can run (FR19.1), run here without a person: `npm run demo` (tabs in
 * Chromium, headless nodes, commands from --script) and `p2p-ai-agents demo` (headless only).
 * Each must end with every task done, none lost, and exit 0; one whose tasks are lost exits 1.
 */
import { spawn } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { cliEnv, freePort } from './processes.js'

const ROOT = join(import.meta.dirname, '..')
const CLI = join(ROOT, 'bin', 'p2p-ai-agents.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs a command in a process group of its own to its end; kills the group after `timeoutMs`. */
async function run(
  command: string,
  args: string[],
  opts: { timeoutMs: number; stdin?: string },
): Promise<Run> {
  const started = Date.now()
  // no display: the demo runs its browser headless and saves screenshots
  const env = cliEnv()
  delete env.DISPLAY
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: [opts.stdin == null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  if (opts.stdin != null) child.stdin?.end(opts.stdin)
  const timer = setTimeout(() => {
    if (child.pid != null) process.kill(-child.pid, 'SIGKILL')
  }, opts.timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr, ms: Date.now() - started }
}

function finalLine(r: Run): string {
  return (
    /^final: .*$/m.exec(r.stdout)?.[0] ?? `no final line\n${r.stdout}\n${r.stderr.slice(-3000)}`
  )
}

test('npm run demo: 2 tabs and a node, a tab killed between two rounds of 20 tasks: 40 done, 0 lost, exit 0', async () => {
  test.setTimeout(180_000)
  const port = await freePort()
  const since = Date.now()
  const r = await run(
    'npm',
    [
      'run',
      '-s',
      'demo:run',
      '--',
      '--tabs',
      '2',
      '--nodes',
      '1',
      '--port',
      String(port),
      '--script',
      'tasks 20; kill 1; tasks 20; quit',
    ],
    { timeoutMs: 170_000 },
  )
  test.info().annotations.push({ type: 'run time', description: `${(r.ms / 1000).toFixed(1)} s` })
  expect(finalLine(r)).toMatch(
    /^final: nodes 2\/3 \(1 tab, 1 headless\) \+ relay \| links \d+ \| tasks 40: done 40 \/ failed 0 \/ lost 0 \| p50 \d+ ms$/,
  )
  expect(r.stdout).toMatch(/^tab 1 started \(12D3KooW\S+\)$/m)
  expect(r.stdout).toMatch(/^node 3 started \(12D3KooW\S+\)$/m)
  expect(r.stdout).toMatch(/^killed tab 1$/m)
  expect(r.stdout).toMatch(/^submitted 20 tasks from 2 members$/m)
  expect(r.code, r.stderr.slice(-3000)).toBe(0)
  // headless: screenshots of the first tab, taken during this run
  const shots = join(ROOT, 'demo-output')
  const fresh = []
  for (const f of await readdir(shots))
    if (f.endsWith('.png') && (await stat(join(shots, f))).mtimeMs >= since) fresh.push(f)
  expect(fresh.length).toBeGreaterThan(0)
})

test('p2p-ai-agents demo --nodes 2 --tasks 20: headless only, 20 done, 0 lost, exit 0', async () => {
  test.setTimeout(120_000)
  const port = await freePort()
  const r = await run(
    process.execPath,
    [CLI, 'demo', '--nodes', '2', '--tasks', '20', '--port', String(port)],
    { timeoutMs: 110_000 },
  )
  test.info().annotations.push({ type: 'run time', description: `${(r.ms / 1000).toFixed(1)} s` })
  expect(finalLine(r)).toMatch(
    /^final: nodes 2\/2 \(2 headless\) \+ relay \| links 1 \| tasks 20: done 20 \/ failed 0 \/ lost 0 \| p50 \d+ ms$/,
  )
  expect(r.code, r.stderr.slice(-3000)).toBe(0)
})

test('p2p-ai-agents demo: bad commands are refused and it goes on; tasks whose submitter is killed are lost: exit 1', async () => {
  test.setTimeout(120_000)
  const port = await freePort()
  // the only node submits 300 tasks and is killed at once; quit waits 3 s for them
  const r = await run(
    process.execPath,
    [CLI, 'demo', '--nodes', '1', '--tasks', '0', '--grace', '3', '--port', String(port)],
    { timeoutMs: 110_000, stdin: 'dance\nkill 7\ntasks 300\nkill 1\nadd tab\nquit\n' },
  )
  expect(r.stdout).toMatch(/^error: unknown command "dance"; commands: kill <n>/m)
  expect(r.stdout).toMatch(/^error: no member 7; there are 1/m)
  expect(r.stdout).toMatch(/^error: no browser in this demo/m)
  expect(r.stdout).toMatch(/^killed node 1$/m)
  const lost = Number(/ lost (\d+) \|/.exec(finalLine(r))?.[1])
  expect(lost, finalLine(r)).toBeGreaterThan(0)
  expect(r.stdout).toMatch(/^lost: t\d+/m)
  expect(r.code).toBe(1)
})
