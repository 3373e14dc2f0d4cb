/**
 * The relay's models folder, served at /models/ for the tabs' inference workers, with a manifest
 * (size and SHA-256 of every file) that lets a tab tell a corrupt cached file from a good one.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join, relative, sep } from 'node:path'
import sirv from 'sirv'
import type { ModelManifest } from '../src/ai/engine.js'
import type { Route } from './http-json.js'
import { json } from './http-json.js'

export function modelsRoutes(dir: string): {
  manifest: Route
  files: (req: IncomingMessage, res: ServerResponse, next: () => void) => void
} {
  let manifest: Promise<ModelManifest> | undefined
  const serve = sirv(dir, { dev: false, etag: true, dotfiles: false })
  return {
    manifest: async (_req, res) => {
      manifest ??= buildManifest(dir)
      json(res, 200, await manifest)
    },
    files: (req, res, next) => {
      req.url = (req.url ?? '/').replace(/^\/models/, '') || '/'
      serve(req, res, next)
    },
  }
}

export async function buildManifest(dir: string): Promise<ModelManifest> {
  const files: ModelManifest['files'] = {}
  for (const path of await walk(dir)) {
    const { size, sha256 } = await digest(path)
    files[relative(dir, path).split(sep).join('/')] = { size, sha256 }
  }
  return { files }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

async function digest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    hash.update(chunk)
  }
  return { size, sha256: hash.digest('hex') }
}
