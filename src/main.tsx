/** The tab: make this page a node of the mesh and render it. */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createNode } from './node/create-node.js'
import { createBrowserHost } from './platform/browser/browser-host.js'
import { App, StartupError } from './ui/App.js'
import './ui/styles.css'

const root = createRoot(document.getElementById('root') as HTMLElement)

async function boot(): Promise<void> {
  const { host, config } = await createBrowserHost()
  const node = createNode({ host, config })
  root.render(
    <StrictMode>
      <App
        node={node}
        dashboard={new URLSearchParams(location.search).get('dashboard') !== 'off'}
      />
    </StrictMode>,
  )
  // peers learn at once that this tab is gone (a closed tab's connections take ~8 s to time out)
  window.addEventListener('pagehide', () => {
    node.goodbye()
  })
  await node.start()
}

boot().catch((err: unknown) => {
  root.render(<StartupError error={err as Error} />)
})
