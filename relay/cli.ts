/**
 * The `p2p-ai-agents` command line (FR18.1, FR18.2): run a relay or a headless node, and
 * control running nodes. Human output on stdout, JSON-line logs on stderr. This is the entry
 * (dist/node/relay/cli.js): it parses the arguments, runs the command and reports its failure.
 */
import { join } from 'node:path'
import { VERSION } from '../src/core/version.js'
import type { Values } from './cli-args.js'
import { homeOf, parseCommandLine, USAGE } from './cli-args.js'
import { alerts } from './cli-alerts.js'
import { CliError } from './cli-errors.js'
import { messages, models, peers, send, status, stopNodes } from './cli-node.js'
import { demo } from './cli-demo.js'
import { debugNetworkTest, debugSnapshot, debugStress } from './cli-debug.js'
import { monitor } from './cli-monitor.js'
import { report } from './cli-report.js'
import { startProcessNode } from './cli-start.js'
import { taskList, taskResult, taskStatus, taskSubmit } from './cli-tasks.js'
import { traceTask } from './cli-trace.js'

type Command = (values: Values, args: string[]) => Promise<number>

const COMMANDS = new Map<string, Command>([
  ['relay start', async (values) => startProcessNode('relay', values)],
  ['node start', async (values) => startProcessNode('peer', values)],
  ['node stop', stopNodes],
  ['node status', status],
  ['node peers', peers],
  ['node send', send],
  ['node messages', messages],
  ['node models', models],
  ['task submit', taskSubmit],
  ['task status', taskStatus],
  ['task result', taskResult],
  ['task list', taskList],
  ['node monitor', monitor],
  ['debug snapshot', debugSnapshot],
  ['debug network-test', debugNetworkTest],
  ['debug stress', debugStress],
  ['demo', demo],
  ['alerts', alerts],
  ['trace', traceTask],
])

export async function main(argv: string[]): Promise<number> {
  let values: Values = {}
  let group: string | undefined
  try {
    const line = parseCommandLine(argv)
    values = line.values
    const [first, command, ...rest] = line.positionals
    group = first
    if (values.version === true) {
      console.log(VERSION)
      return 0
    }
    if (values.help === true || group == null || group === 'help') {
      console.log(USAGE)
      return 0
    }
    // a command of two words (`task status <id>`), else of one with its words (`trace <id>`)
    const pair = COMMANDS.get(`${group} ${command ?? ''}`.trim())
    const single = pair == null ? COMMANDS.get(group) : undefined
    if (pair == null && single == null)
      throw new CliError('usage', `unknown command "${line.positionals.join(' ')}"`)
    if (pair != null) return await pair(values, rest)
    return await (single as Command)(values, command == null ? [] : [command, ...rest])
  } catch (err) {
    // the sample names this home's real data directory: a literal "~" is not expanded
    return report(err, join(homeOf(values, group === 'relay' ? 'relay' : 'peer'), 'data'))
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`)
    process.exitCode = 1
  },
)
