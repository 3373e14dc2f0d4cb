#!/usr/bin/env node
// The p2p-ai-agents CLI. libp2p needs Node >= 22; when an older Node starts this, re-run it on
// the project's own Node 22 (the `node` devDependency) if present.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const local = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(local)) {
    console.error(
      `error: p2p-ai-agents needs Node.js >= 22 (this is ${process.version}); run "npm ci" in the project first`,
    )
    process.exit(1)
  }
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  process.exit(r.status ?? 1)
}
const cli = new URL('../dist/node/relay/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  console.error('error: the CLI is not built yet; run "npm run build"')
  process.exit(1)
}
await import(cli.href)
