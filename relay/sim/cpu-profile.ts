/**
 * A CPU profile of part of a run (`npm run sim -- --cpu-prof DIR`): the idle window only, where
 * node's own --cpu-prof would mix in every node's start-up. Open the file in Chrome DevTools.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

/** Starts profiling; the returned function stops and writes `<dir>/<name>.cpuprofile`. */
export async function profileCpu(dir: string, name: string): Promise<() => Promise<string>> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    await mkdir(dir, { recursive: true })
    const file = join(dir, `${name}.cpuprofile`)
    await writeFile(file, JSON.stringify(profile))
    return file
  }
}
