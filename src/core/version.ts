import pkg from '../../package.json' with { type: 'json' }

/** The semantic version of this build; carried in identify, heartbeats and metadata. */
export const VERSION: string = pkg.version

/** Product name, the prefix of the libp2p agent version (`p2p-ai-agents/0.1.0 (browser)`). */
export const AGENT_NAME = 'p2p-ai-agents'

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/

/**
 * Two versions can talk when their compatibility key matches: the major version, or for 0.x
 * releases the minor version too (semver: in 0.x every minor may break).
 * `isCompatibleVersion('0.1.0', '0.2.0')` is false; `('1.2.0', '1.9.3')` is true.
 */
export function isCompatibleVersion(a: string, b: string): boolean {
  const ka = compatibilityKey(a)
  const kb = compatibilityKey(b)
  return ka != null && ka === kb
}

function compatibilityKey(version: string): string | undefined {
  const m = SEMVER.exec(version)
  if (m == null) return undefined
  return m[1] === '0' ? `0.${m[2]}` : m[1]
}

/** Parses `p2p-ai-agents/0.1.0 (browser)` into its version, or undefined for other agents. */
export function versionFromAgent(agentVersion: string | undefined): string | undefined {
  if (agentVersion == null || !agentVersion.startsWith(`${AGENT_NAME}/`)) return undefined
  return agentVersion.slice(AGENT_NAME.length + 1).split(' ')[0]
}

export function agentVersion(platform: string, role: string): string {
  return `${AGENT_NAME}/${VERSION} (${platform}; ${role})`
}
