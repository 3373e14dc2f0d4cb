/** The demo's options, from `npm run demo -- …` or `p2p-ai-agents demo …`, checked alike. */

export interface DemoSettings {
  /** browser tabs (the Playwright form only) */
  tabs: number
  /** headless nodes */
  nodes: number
  /** tasks submitted once the mesh has formed */
  tasks: number
  /** commands to run instead of reading stdin */
  script?: string
  /** the relay's port */
  port: number
  /** how long quit waits for tasks still running before it counts them lost, ms */
  graceMs: number
}

/** The options as given, as strings. */
export interface DemoFlags {
  tabs?: string
  nodes?: string
  tasks?: string
  script?: string
  port?: string
  grace?: string
}

export const DEMO_DEFAULTS = {
  tabs: 2,
  nodes: 1,
  /** with no --script: a first workload to watch */
  tasks: 20,
  port: 9000,
  graceSecs: 60,
}

/** Checked settings, or an Error naming the option and what it takes. */
export function demoSettings(flags: DemoFlags, opts: { browser: boolean }): DemoSettings | Error {
  const whole = (
    name: keyof DemoFlags,
    fallback: number,
    min: number,
    max: number,
  ): number | Error => {
    const raw = flags[name]
    if (raw == null) return fallback
    if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max)
      return new Error(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`)
    return Number(raw)
  }
  if (!opts.browser && flags.tabs != null)
    return new Error('--tabs needs a browser: run "npm run demo" for the demo with tabs')
  const tabs = opts.browser ? whole('tabs', DEMO_DEFAULTS.tabs, 0, 16) : 0
  const nodes = whole('nodes', opts.browser ? DEMO_DEFAULTS.nodes : 2, 0, 32)
  const tasks = whole('tasks', flags.script == null ? DEMO_DEFAULTS.tasks : 0, 0, 10_000)
  const port = whole('port', DEMO_DEFAULTS.port, 1024, 65535)
  const grace = whole('grace', DEMO_DEFAULTS.graceSecs, 0, 3600)
  for (const v of [tabs, nodes, tasks, port, grace]) if (v instanceof Error) return v
  if ((tabs as number) + (nodes as number) === 0)
    return new Error('the demo needs at least one tab or node')
  return {
    tabs: tabs as number,
    nodes: nodes as number,
    tasks: tasks as number,
    script: flags.script,
    port: port as number,
    graceMs: (grace as number) * 1000,
  }
}

export const DEMO_USAGE = `options:
  --nodes M         headless nodes (default: 1 with tabs, 2 without)
  --tasks N         tasks to run once the mesh has formed (default ${DEMO_DEFAULTS.tasks}; 0 with --script)
  --script "…"      commands separated by ";" instead of stdin, e.g. "tasks 50; kill 1; tasks 50; quit"
  --port P          the relay's port (default ${DEMO_DEFAULTS.port})
  --grace S         seconds quit waits for running tasks before they count as lost (default ${DEMO_DEFAULTS.graceSecs})`
