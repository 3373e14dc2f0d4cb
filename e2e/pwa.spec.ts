/**
 * The installable app in real Chromium: the service worker is active and Chromium finds nothing
 * against installing; with the network off a reload still shows the node, its stored results and
 * runs a task on the cached model, and the node rejoins when the network is back; a new version
 * on the server is announced with "reload".
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { chromium, expect, test } from '@playwright/test'
import { CHROMIUM_ARGS, launchChromium, newProfile } from './browser.js'
import { CHROMIUM_PATH } from './chromium.js'
import { Relay, tempHome } from './processes.js'
import { nodeIdOf, openTab } from './tabs.js'

let browser: Browser
let relay: Relay | undefined

test.beforeEach(async () => {
  browser = await launchChromium()
})

test.afterEach(async () => {
  await browser?.close()
  await relay?.dispose()
  relay = undefined
})

async function controlled(page: Page): Promise<void> {
  await expect
    .poll(async () => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'), {
      timeout: 60_000,
      message: 'the service worker controls the page',
    })
    .toBe('activated')
}

async function runTask(page: Page, text: string): Promise<void> {
  const before = await page.getByTestId('task-row').count()
  await page.getByTestId('task-type').selectOption('text_embedding')
  await page.getByTestId('task-input').fill(text)
  await page.getByTestId('task-placement').selectOption('local')
  await page.getByTestId('task-submit').click()
  await expect(page.getByTestId('task-row')).toHaveCount(before + 1)
  await expect(page.getByTestId('task-row').first()).toHaveAttribute('data-status', 'COMPLETED', {
    timeout: 120_000,
  })
}

test('installable: an active service worker, no installability errors, the manifest and storage', async () => {
  relay = await Relay.create()
  // a real profile on disk: Chromium does not offer to install from an incognito one
  const profile = await tempHome('profile')
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  await context.grantPermissions(['microphone'], { origin: relay.url })
  const page = await openTab(context, relay.url, 120_000)
  await controlled(page)
  const cdp = await context.newCDPSession(page)
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: unknown[]
  }
  expect(installabilityErrors).toEqual([])
  const manifest = (await (await fetch(`${relay.url}/manifest.webmanifest`)).json()) as {
    display: string
    icons: Array<{ sizes: string; purpose?: string }>
  }
  expect(manifest.display).toBe('standalone')
  expect(
    manifest.icons.map((i) => `${i.sizes}${i.purpose == null ? '' : ` ${i.purpose}`}`),
  ).toEqual(['192x192', '512x512', '512x512 maskable'])
  // persistence was asked for, and the answer and the estimate are shown
  await expect(page.getByTestId('storage')).toHaveAttribute('data-persisted', /true|false/)
  await expect(page.getByTestId('storage')).toContainText(/MB of/)
  // the precache holds the app shell and onnxruntime's wasm; model weights are not in it
  const cached = await page.evaluate(async () => {
    const urls: string[] = []
    for (const name of await caches.keys())
      if (name.startsWith('workbox-precache'))
        for (const req of await (await caches.open(name)).keys())
          urls.push(new URL(req.url).pathname)
    return urls
  })
  expect(cached).toContain('/index.html')
  expect(cached.some((u) => /ort-wasm-simd-threaded-.*\.wasm$/.test(u))).toBe(true)
  expect(cached.some((u) => u.startsWith('/models/'))).toBe(false)
  await context.close()
  await rm(profile, { recursive: true, force: true })
})

test('offline: a reload shows the node and its results, runs a task locally, and rejoins when back online', async () => {
  test.setTimeout(300_000)
  relay = await Relay.create()
  const context = await newProfile(browser, relay.url)
  const page = await openTab(context, relay.url, 120_000)
  const nodeId = await nodeIdOf(page)
  await controlled(page)
  await runTask(page, 'stored before going offline')
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-connected', 'true')

  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('node-state')).toHaveText('ACTIVE', { timeout: 30_000 })
  expect(await nodeIdOf(page)).toBe(nodeId)
  await expect(page.getByTestId('task-row')).toHaveCount(1)
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-connected', 'false')
  await runTask(page, 'run with the network off')

  await context.setOffline(false)
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-connected', 'true', {
    timeout: 60_000,
  })
})

/** The page's service worker registration: each worker's state and script, and the controller. */
async function workers(page: Page): Promise<Record<string, string | undefined>> {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration()
    const show = (w: ServiceWorker | null | undefined) =>
      w == null ? undefined : `${w.state} ${w.scriptURL}`
    return {
      installing: show(reg?.installing),
      waiting: show(reg?.waiting),
      active: show(reg?.active),
      controller: show(navigator.serviceWorker.controller),
    }
  })
}

test('a new version on the server shows "update available", and reload takes it', async () => {
  test.setTimeout(240_000)
  // the relay serves a copy of the built app, which the test then "deploys" anew
  const appDir = join(await tempHome('app'), 'app')
  await cp('dist/app', appDir, { recursive: true })
  relay = await Relay.create(['--app-dir', appDir])
  const context = await newProfile(browser, relay.url)
  const page = await openTab(context, relay.url, 120_000)
  await controlled(page)
  const first = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)
  await expect(page.getByTestId('update-available')).toHaveCount(0)

  // deploy: the relay restarts (same port and home) serving a changed service worker
  await relay.stop()
  const sw = join(appDir, 'sw.js')
  await writeFile(sw, `${await readFile(sw, 'utf8')}\n// deployed again\n`)
  relay.start()
  await relay.waitFor(/Relay started/)
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update())
  await expect(page.getByTestId('update-available')).toBeVisible({ timeout: 60_000 })
  await page.evaluate(() => ((window as unknown as { beforeUpdate: boolean }).beforeUpdate = true))
  // the page reloads under the new worker
  const reloaded = page.waitForEvent('load', { timeout: 90_000 })
  await page.getByTestId('update-reload').click()
  // if it does not come, say where the service workers stood
  await reloaded.catch(async (err: Error) => {
    throw new Error(`${err.message}; service workers: ${JSON.stringify(await workers(page))}`)
  })
  expect(
    await page.evaluate(
      () => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate ?? false,
    ),
  ).toBe(false)
  await expect(page.getByTestId('node-state')).toHaveText('ACTIVE', { timeout: 120_000 })
  await expect(page.getByTestId('update-available')).toHaveCount(0)
  // the waiting worker took over: nothing waits any more, and it controls the page
  await expect
    .poll(async () => workers(page), { timeout: 60_000 })
    .toMatchObject({ waiting: undefined, controller: expect.stringMatching(/^activated /) })
  expect(first).toMatch(/\/sw\.js$/)
  await rm(appDir, { recursive: true, force: true })
})
