import { nodeIdFromPeerId } from '../core/node-id.js'

/** "4 s", "2 min 5 s", "1 h 3 min" */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** First and last characters of a long id. */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-keep)}`
}

/** The node id of a peer id; undefined when it is not one (e.g. a malformed id). */
export function nodeIdOf(peerId: string): string | undefined {
  try {
    return nodeIdFromPeerId(peerId)
  } catch {
    return undefined
  }
}

/** How the page names a node: the short form of its node id (the peer id is in the title). */
export function nodeLabel(peerId: string): string {
  return shortId(nodeIdOf(peerId) ?? peerId)
}
