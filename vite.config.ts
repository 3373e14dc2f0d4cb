import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The relay the dev server forwards bootstrap and probe requests to (`npm start` runs one on 9000). */
const relay = process.env.P2P_AI_DEV_RELAY ?? 'http://127.0.0.1:9000'

export default defineConfig({
  plugins: [react()],
  // the inference worker is an ES module worker (transformers.js and ORT load modules)
  worker: { format: 'es' },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
    // changeOrigin: the relay names its WebSocket address after the Host it was asked on
    proxy: Object.fromEntries(
      ['/bootstrap.json', '/healthz', '/readyz', '/models'].map((p) => [
        p,
        { target: relay, changeOrigin: true },
      ]),
    ),
  },
})
