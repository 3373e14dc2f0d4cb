/** The tab: make this page a node of the mesh and render it. */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createNode } from './node/create-node.js'
import { createDebugTools } from './obs/debug-tools.js'
import { identitySecrets } from './obs/redact.js'
import { createBrowserHost } from './platform/browser/browser-host.js'
import { App, StartupError } from './ui/App.js'
import { InsecureContext } from './ui/InsecureContext.js'
import './ui/styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)

async function boot(): Promise<void> {
  const { host, config, logs } = await createBrowserHost()
  const node = createNode({ host, config })
  const debug = createDebugTools(node, {
    platform: 'browser',
    logs: () => logs.entries,
    memory: () => {
      const m = (performance as Performance & { memory?: Record<string, number> }).memory
      return m == null
        ? undefined
        : {
            usedJSHeapSize: m.usedJSHeapSize ?? 0,
            totalJSHeapSize: m.totalJSHeapSize ?? 0,
            jsHeapSizeLimit: m.jsHeapSizeLimit ?? 0,
          }
    },
    // the key never reaches a snapshot, not even as text in a log line
    secrets: async () => identitySecrets(await host.identityStore.load().catch(() => undefined)),
  })
  root.render(
    <StrictMode>
      <App
        node={node}
        dashboard={new URLSearchParams(location.search).get('dashboard') !== 'off'}
        logs={logs}
        debug={debug}
      />
    </StrictMode>,
  )
  // peers learn at once that this tab is gone (a closed tab's connections take ~8 s to time out)
  window.addEventListener('pagehide', () => {
    node.goodbye()
  })
  await node.start()
}

/** Does the relay that served this page speak HTTPS too (its bootstrap names /tls/ws)? */
async function relayServesTls(): Promise<boolean | undefined> {
  try {
    const res = await fetch('/bootstrap.json', { signal: AbortSignal.timeout(2000) })
    if (!res.ok) return undefined
    const info = (await res.json()) as { multiaddrs?: unknown }
    if (!Array.isArray(info.multiaddrs)) return undefined
    return info.multiaddrs.some((a) => typeof a === 'string' && a.includes('/tls/ws'))
  } catch {
    return undefined
  }
}

// plain HTTP from another device (localhost is secure): no Web Locks, no service worker, so
// no node; say why and where to go instead of failing on the first missing API
if (window.isSecureContext) {
  boot().catch((err: unknown) => {
    root.render(<StartupError error={err as Error} />)
  })
} else {
  void relayServesTls().then((relayTls) => {
    root.render(<InsecureContext href={location.href} relayTls={relayTls} />)
  })
}
