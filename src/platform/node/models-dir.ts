import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The local models folder of a Node host: $MODELS_DIR (or $P2P_AI_MODELS_DIR), else the team's
 * offline models at ../shared/models beside the project, when present.
 */
export function defaultModelsDir(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const configured = env.P2P_AI_MODELS_DIR ?? env.MODELS_DIR
  if (configured != null && configured !== '') return configured
  // this file is src/platform/node/ in the sources and dist/node/src/platform/node/ when built
  for (const up of ['../../../../shared/models/', '../../../../../../shared/models/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url))
    if (existsSync(dir)) return dir
  }
  return undefined
}
