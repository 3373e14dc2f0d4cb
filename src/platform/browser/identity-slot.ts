/**
 * Which stored identity this tab uses. Tabs of one browser profile share IndexedDB, yet each
 * tab is its own node: identities live in numbered slots, and a tab holds a Web Lock on its slot
 * for as long as it lives. sessionStorage (per tab, kept across reloads) remembers the slot, so
 * a reload comes back as the same node, and a new tab takes the lowest free slot.
 */
const SESSION_KEY = 'p2p-ai-agents:identity-slot'
const MAX_SLOTS = 256
/** how long a reloading tab waits for its previous document to release the slot */
const RELOAD_WAIT_MS = 3000

export async function acquireIdentitySlot(): Promise<number> {
  const remembered = Number(sessionStorage.getItem(SESSION_KEY) ?? NaN)
  if (Number.isInteger(remembered) && remembered >= 0 && remembered < MAX_SLOTS) {
    if (await holdLock(remembered, RELOAD_WAIT_MS)) return remembered
  }
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    if (await holdLock(slot, 0)) {
      sessionStorage.setItem(SESSION_KEY, String(slot))
      return slot
    }
  }
  throw new Error(`all ${MAX_SLOTS} identity slots are in use by other tabs of this browser`)
}

/** Takes the slot's lock and keeps it until the page goes away; false if not granted in time. */
async function holdLock(slot: number, waitMs: number): Promise<boolean> {
  const name = `p2p-ai-agents:identity:${slot}`
  return new Promise<boolean>((resolve) => {
    const options: LockOptions =
      waitMs === 0 ? { ifAvailable: true } : { signal: AbortSignal.timeout(waitMs) }
    navigator.locks
      .request(name, options, async (lock) => {
        resolve(lock != null)
        if (lock == null) return
        // held for the life of the page
        await new Promise<never>(() => {})
      })
      .catch(() => {
        resolve(false)
      })
  })
}
