import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

/** The relay the dev server forwards bootstrap and probe requests to (`npm start` runs one on 9000). */
const relay = process.env.P2P_AI_DEV_RELAY ?? 'http://127.0.0.1:9000'

/** A month, in seconds: how long the cached model manifest may serve an offline start. */
const MONTH = 30 * 24 * 3600

/**
 * The installable, offline-first app (workbox through vite-plugin-pwa). The service worker
 * precaches the app shell, the inference worker and onnxruntime's CPU wasm and loaders; the
 * 27 MB WebGPU (asyncify) wasm is cached on first use instead. Model weights are never cached
 * by the service worker: the inference worker keeps them in its own verified cache
 * ("p2p-ai-agents-models", checked against the relay's manifest), so only the small manifest
 * gets a runtime rule here, and the weights pass through (no double caching).
 */
const pwa = VitePWA({
  registerType: 'prompt',
  injectRegister: false,
  includeAssets: ['favicon.svg'],
  manifest: {
    name: 'p2p-ai-agents',
    short_name: 'p2p-ai',
    description: 'A peer-to-peer mesh where every browser tab is an AI node',
    theme_color: '#1d2330',
    background_color: '#1d2330',
    display: 'standalone',
    start_url: '/',
    scope: '/',
    icons: [
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: [
      '**/*.{js,mjs,css,html,svg,png,webmanifest}',
      'assets/ort-wasm-simd-threaded-*.wasm',
    ],
    globIgnores: ['**/*.map', '**/*asyncify*.wasm'],
    // onnxruntime's CPU wasm is 14 MB
    maximumFileSizeToCacheInBytes: 20 * 1024 * 1024,
    cleanupOutdatedCaches: true,
    // the first install takes the open page at once, so it starts offline next time; a later
    // version waits for the user's "reload" (registerType: 'prompt')
    clientsClaim: true,
    navigateFallback: '/index.html',
    // the node's own routes are never answered with the page
    navigateFallbackDenylist: [/^\/(healthz|readyz|metadata|bootstrap\.json|models|api|metrics)/],
    runtimeCaching: [
      {
        urlPattern: ({ url }) => url.pathname === '/models/manifest.json',
        handler: 'NetworkFirst',
        options: {
          cacheName: 'p2p-ai-agents-model-manifest',
          networkTimeoutSeconds: 3,
          expiration: { maxEntries: 4, maxAgeSeconds: MONTH, purgeOnQuotaError: true },
        },
      },
      {
        // weights: the inference worker's verified cache holds them
        urlPattern: ({ url }) => url.pathname.startsWith('/models/'),
        handler: 'NetworkOnly',
      },
      {
        urlPattern: ({ url }) =>
          /\/assets\/ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(url.pathname),
        handler: 'CacheFirst',
        options: {
          cacheName: 'p2p-ai-agents-ort-webgpu',
          expiration: { maxEntries: 2, purgeOnQuotaError: true },
        },
      },
    ],
  },
})

export default defineConfig({
  plugins: [react(), pwa],
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
