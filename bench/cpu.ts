/**
 * CPU time (user + system) from Linux's /proc: what a run costs beyond its wall time, counting
 * every thread (an idle-spinning thread pool shows here, not in throughput).
 */
import { readFileSync, readdirSync } from 'node:fs'

/** /proc's clock ticks per second (USER_HZ, 100 on Linux) */
const TICKS_PER_S = 100

interface Stat {
  ppid: number
  cpuMs: number
}

function stat(pid: string): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after the command name (which may hold spaces): state ppid … utime(12th) stime(13th)
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return {
      ppid: Number(fields[1]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S,
    }
  } catch {
    return undefined // ended meanwhile
  }
}

/** CPU ms used so far by the processes descending from `pid` (not `pid` itself), e.g. a browser's */
export function descendantsCpuMs(pid = process.pid): number {
  const stats = new Map<number, Stat>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const s = stat(entry)
    if (s != null) stats.set(Number(entry), s)
  }
  let total = 0
  const parents = new Set([pid])
  let grew = true
  while (grew) {
    grew = false
    for (const [child, s] of stats) {
      if (!parents.has(s.ppid) || parents.has(child)) continue
      parents.add(child)
      total += s.cpuMs
      grew = true
    }
  }
  return total
}

/** CPU ms used so far by this process, all its threads */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** CPU ms used so far by one process, all its threads (0 once it has ended) */
export function pidCpuMs(pid: number): number {
  return stat(String(pid))?.cpuMs ?? 0
}
