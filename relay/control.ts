/**
 * How the CLI finds and talks to running headless nodes: a pid file per node under
 * `<home>/run/`, and the node's HTTP port on loopback.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../src/store/file-storage.js'
import { answerError, CliError } from './cli-errors.js'

export interface RunRecord {
  pid: number
  port: number
  node_id: string
  peer_id: string
  started_at: string
}

function runDir(home: string): string {
  return join(home, 'run')
}

export async function writeRunRecord(home: string, record: RunRecord): Promise<string> {
  await mkdir(runDir(home), { recursive: true, mode: 0o700 })
  const path = join(runDir(home), `node-${record.port}.json`)
  await writeFileAtomic(path, JSON.stringify(record))
  return path
}

export async function removeRunRecord(home: string, port: number): Promise<void> {
  await rm(join(runDir(home), `node-${port}.json`), { force: true })
}

/** Written by a node as it exits, read (and removed) by `node stop`: how the stop went. */
export interface StopRecord {
  clean: boolean
  at: string
}

function stopPath(home: string, port: number): string {
  return join(runDir(home), `node-${port}.stopped.json`)
}

/** The node is gone: replace its run record by how it stopped. */
export async function recordStop(home: string, port: number, clean: boolean): Promise<void> {
  await mkdir(runDir(home), { recursive: true, mode: 0o700 })
  const record: StopRecord = { clean, at: new Date().toISOString() }
  await writeFileAtomic(stopPath(home, port), JSON.stringify(record))
  await removeRunRecord(home, port)
}

/** How the node on `port` stopped, if it said so; the record is consumed. */
export async function takeStopRecord(home: string, port: number): Promise<StopRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(stopPath(home, port), 'utf8')) as StopRecord
    return record
  } catch {
    return undefined
  } finally {
    await rm(stopPath(home, port), { force: true })
  }
}

/** Running nodes of this home; stale records (process gone) are removed. */
export async function runningNodes(home: string): Promise<RunRecord[]> {
  let names: string[]
  try {
    names = await readdir(runDir(home))
  } catch {
    return []
  }
  const out: RunRecord[] = []
  for (const name of names.filter((n) => /^node-\d+\.json$/.test(n))) {
    const path = join(runDir(home), name)
    try {
      const record = JSON.parse(await readFile(path, 'utf8')) as RunRecord
      if (isAlive(record.pid)) out.push(record)
      else await rm(path, { force: true })
    } catch {
      await rm(path, { force: true })
    }
  }
  return out.sort((a, b) => a.port - b.port)
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** SIGTERM and wait for the process to exit; true if it did within `timeoutMs`. */
export async function stopProcess(pid: number, timeoutMs = 8000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return true
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return !isAlive(pid)
}

/** A request to the node on `port`; a refused connection means no node runs there. */
async function request(port: number, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`http://127.0.0.1:${port}${path}`, init)
  } catch (err) {
    if (((err as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED') {
      throw new CliError(
        'node_not_running',
        `no running node on port ${port}; start one with "p2p-ai-agents node start"`,
        { cause: err },
      )
    }
    throw err
  }
}

/** The body of a node's answer; an error answer throws, keeping its code (see answerError). */
async function answerOf<T>(res: Response, path: string): Promise<T> {
  const body = (await res.json()) as unknown
  if (!res.ok) throw answerError(res.status, path, body)
  return body as T
}

export async function getJson<T>(port: number, path: string, timeoutMs = 3000): Promise<T> {
  const res = await request(port, path, { signal: AbortSignal.timeout(timeoutMs) })
  return answerOf<T>(res, path)
}

export async function postJson<T>(
  port: number,
  path: string,
  body: unknown,
  timeoutMs = 20_000,
): Promise<T> {
  const res = await request(port, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return answerOf<T>(res, path)
}
