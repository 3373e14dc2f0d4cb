/**
 * The installable app's bar: "update available: reload" when a new version's service worker
 * waits, the install button (beforeinstallprompt), and whether storage is persistent with how
 * much is used. Persistence is asked for once: a tab's identity and results live in IndexedDB.
 */
import { useEffect, useState } from 'react'
import { useRegisterSW } from 'virtual:pwa-register/react'
import type { NodeApi } from '../core/node-api.js'
import { NodeState } from '../core/types.js'
import { useNodeState } from './hooks.js'

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

interface StorageInfo {
  persisted: boolean
  usage?: number
  quota?: number
}

function mb(bytes: number | undefined): string {
  return bytes == null
    ? '?'
    : `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`
}

/** Set while the user's "reload" waits for the new version; survives the reload itself. */
const UPDATE_ASKED = 'p2p-ai-agents:update-asked'
/**
 * The browser activates the waiting version only once the old one has no work left, which a
 * busy page can put off for minutes (Chromium's limit is 5): after this long the page reloads
 * anyway, which ends its own requests through the old version.
 */
const RELOAD_ANYWAY_MS = 10_000

/** Reloads once a new version controls the page. Ours: workbox-window reloads only for an update it found itself. */
function reloadOnNewController(): void {
  navigator.serviceWorker.addEventListener(
    'controllerchange',
    () => {
      sessionStorage.removeItem(UPDATE_ASKED)
      window.location.reload()
    },
    { once: true },
  )
}

/**
 * Asks the waiting version to take over. workbox-window messages the waiting worker of the
 * registration it made; the page's registration is told as well, in case that one is another.
 */
async function skipWaiting(viaWorkbox?: () => Promise<void>): Promise<boolean> {
  await viaWorkbox?.()
  const waiting = (await navigator.serviceWorker.getRegistration())?.waiting
  waiting?.postMessage({ type: 'SKIP_WAITING' })
  return waiting != null
}

/** The user's "reload": the waiting version takes over and the page reloads under it. */
async function takeUpdate(viaWorkbox: () => Promise<void>): Promise<void> {
  sessionStorage.setItem(UPDATE_ASKED, '1')
  reloadOnNewController()
  await skipWaiting(viaWorkbox)
  setTimeout(() => {
    window.location.reload()
  }, RELOAD_ANYWAY_MS)
}

/** A page reloaded before the new version took over keeps asking for it, and reloads once it has. */
async function finishUpdate(): Promise<void> {
  if (sessionStorage.getItem(UPDATE_ASKED) == null || !('serviceWorker' in navigator)) return
  reloadOnNewController()
  if (!(await skipWaiting())) sessionStorage.removeItem(UPDATE_ASKED)
}

/** The service worker's news: a waiting new version, or ready to work offline. */
function UpdateStatus() {
  const {
    needRefresh: [needRefresh],
    offlineReady: [offlineReady],
    updateServiceWorker,
  } = useRegisterSW({
    // the page fetched the model manifest before the service worker controlled it: fetch it
    // again through the worker, so an offline start finds it cached
    onOfflineReady: () => {
      void fetch('/models/manifest.json').catch(() => {})
    },
  })
  return (
    <>
      {needRefresh && (
        <p className="update" role="alert" data-testid="update-available">
          A new version is available.{' '}
          <button onClick={() => void takeUpdate(updateServiceWorker)} data-testid="update-reload">
            Reload
          </button>
        </p>
      )}
      {offlineReady && !needRefresh && (
        <span className="muted" data-testid="offline-ready">
          Ready to work offline.
        </span>
      )}
    </>
  )
}

/**
 * Joining comes first: the service worker is registered (and precaches its 15 MB) only once
 * the node has been ACTIVE for a while, not while its first connections are being made. A page
 * it already controls is served by it from the start either way.
 */
const REGISTER_AFTER_ACTIVE_MS = 5000

export function PwaBar({ node }: { node: NodeApi }) {
  const state = useNodeState(node)
  const [register, setRegister] = useState(false)
  useEffect(() => {
    if (state !== NodeState.ACTIVE) return
    const t = setTimeout(() => setRegister(true), REGISTER_AFTER_ACTIVE_MS)
    return () => {
      clearTimeout(t)
    }
  }, [state])
  const [install, setInstall] = useState<InstallPromptEvent>()
  const [storage, setStorage] = useState<StorageInfo>()

  useEffect(() => {
    void finishUpdate()
  }, [])

  useEffect(() => {
    const onPrompt = (e: Event): void => {
      e.preventDefault() // shown from our button instead
      setInstall(e as InstallPromptEvent)
    }
    const onInstalled = (): void => {
      setInstall(undefined)
    }
    window.addEventListener('beforeinstallprompt', onPrompt)
    window.addEventListener('appinstalled', onInstalled)
    return () => {
      window.removeEventListener('beforeinstallprompt', onPrompt)
      window.removeEventListener('appinstalled', onInstalled)
    }
  }, [])

  useEffect(() => {
    let cancelled = false
    const ask = async (): Promise<void> => {
      if (!('storage' in navigator)) return
      const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist())
      const { usage, quota } = await navigator.storage.estimate()
      if (!cancelled) setStorage({ persisted, usage, quota })
    }
    void ask()
    const t = setInterval(() => void ask(), 30_000)
    return () => {
      cancelled = true
      clearInterval(t)
    }
  }, [])

  return (
    <div className="pwa-bar" data-testid="pwa-bar">
      {register && <UpdateStatus />}
      {install != null && (
        <button
          data-testid="install-button"
          onClick={() => {
            void install.prompt()
            void install.userChoice.finally(() => setInstall(undefined))
          }}
        >
          Install app
        </button>
      )}
      {storage != null && (
        <span
          className="muted"
          data-testid="storage"
          data-persisted={storage.persisted}
          title="IndexedDB holds this tab's identity and results; persistent storage is not evicted under pressure"
        >
          storage {storage.persisted ? 'persistent' : 'best-effort'}: {mb(storage.usage)} of{' '}
          {mb(storage.quota)}
        </span>
      )}
    </div>
  )
}
