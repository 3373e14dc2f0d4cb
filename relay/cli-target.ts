/** Which running node a command is about. */
import type { Values } from './cli-args.js'
import { homeOf } from './cli-args.js'
import { CliError } from './cli-errors.js'
import { runningNodes } from './control.js'

/** The node a command is about: --port, else the only running node of this home. */
export async function targetPort(values: Values): Promise<number> {
  if (values.port != null) {
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 1024 || port > 65535)
      throw new CliError('usage', 'Invalid port number (must be 1024-65535)')
    return port
  }
  const nodes = await runningNodes(homeOf(values, 'peer'))
  if (nodes.length === 0)
    throw new CliError(
      'node_not_running',
      'no running node found; start one with "p2p-ai-agents node start"',
    )
  if (nodes.length > 1) {
    throw new CliError(
      'node_ambiguous',
      `${nodes.length} nodes are running (ports ${nodes.map((n) => n.port).join(', ')}); choose one with --port`,
    )
  }
  return (nodes[0] as { port: number }).port
}
