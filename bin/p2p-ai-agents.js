#!/usr/bin/env node
// The p2p-ai-agents CLI. libp2p needs Node >= 22; when an older Node starts this, re-run it on
// the project's own Node 22 (the `node` devDependency) if present.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
// test hook: P2P_AI_REEXEC=1 re-runs on the project's Node even when this one is new enough
const reexec = process.env.P2P_AI_REEXEC === '1'
// not a config setting (the CLI would warn about it), nor for the child (it would re-run again)
delete process.env.P2P_AI_REEXEC
if (major < 22 || reexec) {
  const local = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(local)) {
    console.error(
      `error: p2p-ai-agents needs Node.js >= 22 (this is ${process.version}); run "npm ci" in the project first`,
    )
    process.exit(1)
  }
  // asynchronous, so that this process stays alive to pass signals on: a stop signal must reach
  // the real node (its second one too: "exit now"), not leave it running without us
  const child = spawn(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  const forward = (signal) => {
    // Ctrl-C at the terminal already reached the child (our process group is in the
    // foreground, so is the child): passing it on would be a second SIGINT, "exit now"
    if (signal === 'SIGINT' && inForeground()) return
    child.kill(signal)
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, forward)
  child.once('error', (err) => {
    console.error(`error: cannot run ${local}: ${err.message}`)
    process.exit(1)
  })
  // exit as the child did; when a signal ended it, 128 + its number, like a shell (not by the
  // signal itself: a second core dump, of this process, could overwrite the child's)
  child.once('exit', (code, signal) => {
    process.exit(signal == null ? (code ?? 1) : 128 + (constants.signals[signal] ?? 0))
  })
} else {
  const cli = new URL('../dist/node/relay/cli.js', import.meta.url)
  if (!existsSync(fileURLToPath(cli))) {
    console.error('error: the CLI is not built yet; run "npm run build"')
    process.exit(1)
  }
  await import(cli.href)
}

/** Whether our process group is the terminal's foreground group (Linux; elsewhere: no). */
function inForeground() {
  try {
    // after "(comm)": state ppid pgrp session tty_nr tpgid …
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const [, , pgrp, , , tpgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return pgrp === tpgid
  } catch {
    return false
  }
}
