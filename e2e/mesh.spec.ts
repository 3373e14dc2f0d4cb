import type { Browser } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { launchChromium, newProfile } from './browser.js'
import { Relay } from './processes.js'
import { expectPeers, openTab, peerIdOf } from './tabs.js'

let browser: Browser
let relay: Relay

test.beforeEach(async () => {
  relay = await Relay.create()
  browser = await launchChromium()
})

test.afterEach(async () => {
  await browser?.close()
  await relay?.dispose()
})

test('4 tabs form a full mesh of direct WebRTC connections', async () => {
  const context = await newProfile(browser, relay.url)
  const pages = []
  for (let i = 0; i < 4; i++) pages.push(await openTab(context, relay.url))
  const ids = await Promise.all(pages.map(peerIdOf))
  expect(new Set(ids).size).toBe(4)
  for (const [i, page] of pages.entries()) {
    await expectPeers(page, ids.filter((_, j) => j !== i))
  }
})
