/**
 * The demo's command language, shared by `npm run demo` (tabs) and `p2p-ai-agents demo`
 * (headless): one command per line on stdin, or `;`-separated in `--script`.
 */

/** A command the demo runs. Members are numbered from 1 in the order they joined. */
export type DemoCommand =
  | { kind: 'kill'; member: number }
  | { kind: 'heal' }
  | { kind: 'add'; what: 'tab' | 'node' }
  | { kind: 'tasks'; count: number }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'quit' }

/** A line that is not a command: what to tell the person typing it. */
export interface CommandError {
  kind: 'error'
  message: string
}

export const MAX_TASKS_PER_COMMAND = 10_000

export const COMMANDS_HELP =
  'commands: kill <n> | heal | add tab|node | tasks <count> | status | help | quit'

/** One line of input: a command, an error to print, or undefined for a blank line. */
export function parseCommand(line: string): DemoCommand | CommandError | undefined {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
  const [verb, ...args] = words
  if (verb == null) return undefined
  const arity = (n: number, usage: string): CommandError | undefined =>
    args.length === n ? undefined : error(`usage: ${usage}`)
  switch (verb.toLowerCase()) {
    case 'kill': {
      const bad = arity(1, 'kill <n> (a member number; see "status")')
      if (bad != null) return bad
      const n = wholeNumber(args[0] as string)
      if (n == null || n < 1) return error(`kill: "${args[0]}" is not a member number (1, 2, …)`)
      return { kind: 'kill', member: n }
    }
    case 'heal':
      return arity(0, 'heal') ?? { kind: 'heal' }
    case 'add': {
      const bad = arity(1, 'add tab|node')
      if (bad != null) return bad
      const what = (args[0] as string).toLowerCase()
      if (what !== 'tab' && what !== 'node') return error(`add: "${args[0]}"; use add tab|node`)
      return { kind: 'add', what }
    }
    case 'tasks': {
      const bad = arity(1, 'tasks <count>')
      if (bad != null) return bad
      const n = wholeNumber(args[0] as string)
      if (n == null || n < 1 || n > MAX_TASKS_PER_COMMAND)
        return error(`tasks: the count must be a whole number from 1 to ${MAX_TASKS_PER_COMMAND}`)
      return { kind: 'tasks', count: n }
    }
    case 'status':
      return arity(0, 'status') ?? { kind: 'status' }
    case 'help':
    case '?':
      return { kind: 'help' }
    case 'quit':
    case 'exit':
      return arity(0, 'quit') ?? { kind: 'quit' }
    default:
      return error(`unknown command "${verb}"; ${COMMANDS_HELP}`)
  }
}

/** A `--script`: commands separated by `;` (or new lines); every one must parse. */
export function parseScript(script: string): DemoCommand[] | CommandError {
  const commands: DemoCommand[] = []
  for (const [i, part] of script.split(/[;\n]/).entries()) {
    const parsed = parseCommand(part)
    if (parsed == null) continue
    if (parsed.kind === 'error')
      return error(`script command ${i + 1} ("${part.trim()}"): ${parsed.message}`)
    commands.push(parsed)
  }
  return commands
}

function wholeNumber(word: string): number | undefined {
  return /^\d{1,9}$/.test(word) ? Number(word) : undefined
}

function error(message: string): CommandError {
  return { kind: 'error', message }
}
