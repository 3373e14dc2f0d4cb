/** Chromium for the mesh tests: WebRTC on loopback, and background tabs kept running. */
import type { Browser, BrowserContext } from '@playwright/test'
import { chromium } from '@playwright/test'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH } from './chromium.js'

export const CHROMIUM_ARGS = [
  ...CHROMIUM_BASE_ARGS,
  // WebRTC gathers loopback candidates only with this flag (and a media permission)
  '--allow-loopback-in-peer-connection',
  // background tabs must keep their timers running like foreground ones
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
}

/** A browser profile whose pages may use WebRTC on loopback. */
export async function newProfile(browser: Browser, origin: string): Promise<BrowserContext> {
  const context = await browser.newContext()
  await context.grantPermissions(['microphone'], { origin })
  return context
}
