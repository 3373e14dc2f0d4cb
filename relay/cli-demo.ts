/** `p2p-ai-agents demo`: the headless demo (FR19.1), a relay and headless nodes, no browser. */
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { demoSettings } from './demo/options.js'
import { Demo } from './demo/runner.js'

export async function demo(values: Values, args: string[]): Promise<number> {
  if (args.length > 0)
    throw new CliError('usage', `demo takes no words, only options: "${args.join(' ')}"`)
  const settings = demoSettings(
    {
      nodes: values.nodes,
      tasks: values.tasks,
      script: values.script,
      port: values.port,
      grace: values.grace,
    },
    { browser: false },
  )
  if (settings instanceof Error) throw new CliError('usage', settings.message)
  return new Demo(settings).run()
}
