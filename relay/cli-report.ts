/** How the command line reports a failure, decided by the error's code: the message and exit code. */
import type { ConfigProblem } from '../src/core/config.js'
import { errorCode } from '../src/core/errors.js'
import { sampleConfig } from '../src/node/config-fields.js'
import { USAGE } from './cli-args.js'

/**
 * Prints `err` and gives the exit code: 2 with the usage for a wrong use, the problems and a
 * sample configuration file (naming `sampleStoragePath`) for an invalid configuration, else
 * `error: <message>` and 1; 3 for a node id the mesh does not know. A part of the node that failed to start with an error of ours is
 * reported as that error (a corrupt identity says so, naming the file).
 */
export function report(err: unknown, sampleStoragePath: string): number {
  switch (errorCode(err)) {
    case 'usage':
    case 'node_ambiguous': // the remedy is a flag, --port: a wrong use too
      console.error(`error: ${messageOf(err)}\n\n${USAGE}`)
      return 2
    case 'config_invalid': {
      const problems = (err as { problems?: ConfigProblem[] }).problems
      if (problems == null) break
      console.error('error: invalid configuration')
      for (const p of problems) console.error(`  ${p.field}: ${p.message} [${p.code}]`)
      console.error(
        `\nA valid configuration file looks like this:\n${sampleConfig(sampleStoragePath)}`,
      )
      return 1
    }
    case 'unknown_node':
      // its own exit code: a script can tell "no such node" from a failed test
      console.error(`error: ${messageOf(err)} [unknown_node]`)
      return 3
    case 'part_start_failed': {
      const cause = (err as { cause?: unknown }).cause
      if (errorCode(cause) != null) return report(cause, sampleStoragePath)
      break
    }
  }
  console.error(`error: ${messageOf(err)}`)
  return 1
}

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : String(err)
}
