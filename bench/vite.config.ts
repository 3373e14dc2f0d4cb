import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/**
 * The bench pages, built to dist/bench and served by a relay: index.html (the app's node plus
 * measuring hooks) and graph.html (the dashboard's graph on a synthetic mesh).
 */
export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: resolve(import.meta.dirname, '..', 'dist', 'bench'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'page', 'index.html'),
        graph: resolve(import.meta.dirname, 'page', 'graph.html'),
      },
    },
  },
})
