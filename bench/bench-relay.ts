import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CliProcess, freePort, tempHome } from '../e2e/processes.js'

/** A relay on a free loopback port serving the bench page (dist/bench) from a fresh home. */
export interface BenchRelay {
  url: string
  /** SIGKILL, then start again on the same port and home (same peer id) */
  restart(): Promise<void>
  dispose(): Promise<void>
}

export async function startBenchRelay(): Promise<BenchRelay> {
  const port = await freePort()
  const home = await tempHome('bench-relay')
  const relay = new CliProcess([
    'relay',
    'start',
    '--port',
    String(port),
    '--home',
    home,
    '--app-dir',
    join(import.meta.dirname, '..', 'dist', 'bench'),
  ])
  relay.start()
  await relay.waitFor(/Relay started/)
  return {
    url: `http://127.0.0.1:${port}`,
    async restart() {
      await relay.kill()
      relay.start()
      await relay.waitFor(/Relay started/)
    },
    async dispose() {
      await relay.stop()
      await rm(home, { recursive: true, force: true })
    },
  }
}
