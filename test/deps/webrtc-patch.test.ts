/**
 * @libp2p/webrtc 6.0.33 waits for the dialler's `init` data channel to fire 'open', but the
 * answerer closes that channel as soon as it sees it, so it can go connecting → closed without
 * 'open' and the dial hangs until its 6 s timeout (~9 % of dials here). patches/ fixes it (applied
 * by patch-package on install); this fails when the patch is missing or no longer applies, e.g.
 * after a version bump: then check whether upstream fixed it and drop or redo the patch.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)

describe('@libp2p/webrtc dial race patch', () => {
  it('is applied: the dialler waits for the init channel to open or close', async () => {
    // the package exports only its entry point: dist/src/index.js
    const src = dirname(require.resolve('@libp2p/webrtc'))
    const pkg = join(src, '..', '..', 'package.json')
    const file = join(src, 'private-to-private', 'initiate-connection.js')
    const code = await readFile(file, 'utf8')
    expect(code).toContain("await pEvent(channel, ['open', 'close']")
    expect(code).not.toMatch(/await pEvent\(channel, 'open',/)
    const version = (JSON.parse(await readFile(pkg, 'utf8')) as { version: string }).version
    expect(version).toBe('6.0.33')
  })
})
