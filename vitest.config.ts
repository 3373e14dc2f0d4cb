import { playwright } from '@vitest/browser-playwright'
import type { Page } from '@playwright/test'
import type { BrowserCommand } from 'vitest/node'
import { configDefaults, defineConfig } from 'vitest/config'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH } from './e2e/chromium.js'

/**
 * Extra tabs for browser tests: pages opened in the test's own browser context (same origin,
 * same IndexedDB and Web Locks, their own sessionStorage), driven from the test via
 * `commands` from 'vitest/browser'. A tab shows an empty same-origin document; code runs in it
 * through `tabImport`, which imports a module from the Vite server and calls one export.
 */
const tabs = new Map<string, Page>()
let nextTab = 0
const TAB_PATH = '/__vitest_extra_tab__'

function tab(id: string): Page {
  const page = tabs.get(id)
  if (page == null) throw new Error(`no open tab ${id}`)
  return page
}

const openTab: BrowserCommand<[]> = async ({ context, page }) => {
  const url = new URL(TAB_PATH, page.url()).href
  const extra = await context.newPage()
  await extra.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>extra tab</title>' }),
  )
  await extra.goto(url)
  const id = `tab-${nextTab++}`
  tabs.set(id, extra)
  return id
}

const tabImport: BrowserCommand<[id: string, module: string, fn: string]> = async (
  _ctx,
  id,
  module,
  fn,
) =>
  tab(id).evaluate(
    async ([m, f]) => {
      const mod = (await import(/* @vite-ignore */ m)) as Record<string, () => unknown>
      return mod[f]!()
    },
    [module, fn] as const,
  )

const tabEval: BrowserCommand<[id: string, expression: string]> = async (_ctx, id, expression) =>
  tab(id).evaluate(expression)

const reloadTab: BrowserCommand<[id: string]> = async (_ctx, id) => {
  await tab(id).reload()
}

const closeTab: BrowserCommand<[id: string]> = async (_ctx, id) => {
  await tab(id).close()
  tabs.delete(id)
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_BASE_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
            commands: { openTab, tabImport, tabEval, reloadTab, closeTab },
          },
        },
      },
    ],
  },
})
