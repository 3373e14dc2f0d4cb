import { resolve } from 'node:path'
import { defineConfig } from 'vite'

/** The bench page: the app's node plus measuring hooks, built to dist/bench and served by a relay. */
export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  worker: { format: 'es' },
  build: {
    outDir: resolve(import.meta.dirname, '..', 'dist', 'bench'),
    emptyOutDir: true,
    target: 'es2022',
  },
})
