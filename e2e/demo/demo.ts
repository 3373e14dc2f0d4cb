/**
 * `npm run demo`: the Playwright multi-tab demo (FR19.1). A relay, N tabs in Chromium (headed
 * when there is a display, else headless, with a screenshot of the first tab every few seconds
 * in demo-output/), M headless nodes, and AI tasks across the mesh; commands on stdin or in
 * --script. Everything but the tabs is the headless demo's (relay/demo/), from the build.
 *
 * Run by Node's type stripping (`node e2e/demo/demo.ts`): no enums or parameter properties here,
 * and the project's modules are imported from dist/ (their own imports name .js files).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { chromium } from '@playwright/test'
import type { DemoTask, Member, TaskSeen } from '../../relay/demo/member.js'

import type * as RunnerModule from '../../relay/demo/runner.js'
import type * as OptionsModule from '../../relay/demo/options.js'
import type * as ChromiumModule from '../chromium.js'
import type * as ResultsDbModule from '../results-db.js'

type Runner = typeof RunnerModule
type Options = typeof OptionsModule
type ChromiumSettings = typeof ChromiumModule
type ResultsDb = typeof ResultsDbModule

const ROOT = new URL('../../', import.meta.url)
const OUTPUT = join(ROOT.pathname, 'demo-output')
const SCREENSHOT_EVERY_MS = 5000
const START_MS = 90_000

/** A tab of the demo: a page of one browser profile, closed to kill it, opened again to heal. */
class TabMember implements Member {
  readonly kind = 'tab'
  readonly number: number
  peerId: string | undefined
  page: Page | undefined
  /** the browser profile every tab shares (one IndexedDB, one identity slot per tab) */
  private readonly profile: () => Promise<BrowserContext>
  private readonly url: string

  constructor(number: number, profile: () => Promise<BrowserContext>, url: string) {
    this.number = number
    this.profile = profile
    this.url = url
  }

  get alive(): boolean {
    return this.page != null && !this.page.isClosed()
  }

  async start(): Promise<void> {
    const page = await (await this.profile()).newPage()
    this.page = page
    await page.goto(this.url)
    await page
      .getByTestId('node-state')
      .filter({ hasText: /^ACTIVE$/ })
      .waitFor({ timeout: START_MS })
    this.peerId = (await page.getByTestId('peer-id').textContent()) ?? undefined
  }

  async kill(): Promise<void> {
    // a closed tab: its pagehide says goodbye to its peers, as a person closing it would
    await this.page?.close()
  }

  /** Through the page's task box, one text per line, placement "best node" (auto). */
  async submit(tasks: DemoTask[]): Promise<void> {
    const page = this.page
    if (page == null) throw new Error(`tab ${this.number} is closed`)
    for (const type of ['text_embedding', 'classification'] as const) {
      const lines = tasks.filter((t) => t.task_type === type).map((t) => t.input)
      if (lines.length === 0) continue
      await page.getByTestId('task-type').selectOption(type)
      await page.getByTestId('task-per-line').check()
      await page.getByTestId('task-input').fill(lines.join('\n'))
      await page.getByTestId('task-placement').selectOption('auto')
      await page.getByTestId('task-submit').click()
      const error = page.getByTestId('task-error')
      if ((await error.count()) > 0) throw new Error((await error.textContent()) ?? 'task error')
    }
  }

  /** The tab's task records in the profile's IndexedDB: the demo's tasks this tab submitted. */
  async poll(keys: string[]): Promise<TaskSeen[]> {
    if (this.page == null || keys.length === 0) return []
    const { allStoredRecords } = (await import(
      new URL('e2e/results-db.ts', ROOT).href
    )) as ResultsDb
    const rows = (await allStoredRecords(this.page))
      .filter((r) => r.served_for == null)
      .map((r) => ({
        preview: r.input_preview,
        status: r.status as string,
        submitted_at: r.submitted_at,
        timestamp_completed: r.timestamp_completed,
        reason: r.error_reason as string | undefined,
      }))
    const wanted = new Set(keys)
    const seen: TaskSeen[] = []
    for (const r of rows) {
      const key = /^\[(t\d+)\]/.exec(r.preview)?.[1]
      if (key == null || !wanted.has(key)) continue
      const latency =
        r.submitted_at == null || r.timestamp_completed == null
          ? undefined
          : Date.parse(r.timestamp_completed) - Date.parse(r.submitted_at)
      seen.push({ key, status: r.status, latencyMs: latency, reason: r.reason })
    }
    return seen
  }

  async neighbours(): Promise<string[]> {
    if (this.page == null || this.page.isClosed()) return []
    return this.page
      .getByTestId('peer-row')
      .evaluateAll((rows) =>
        rows
          .filter((r) => r.getAttribute('data-health') === 'ALIVE')
          .map((r) => r.getAttribute('data-peer-id') ?? ''),
      )
      .catch(() => [])
  }

  async dispose(): Promise<void> {
    if (this.alive) await this.page?.close()
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      tabs: { type: 'string' },
      nodes: { type: 'string' },
      tasks: { type: 'string' },
      script: { type: 'string' },
      port: { type: 'string' },
      grace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  const options = (await import(new URL('dist/node/relay/demo/options.js', ROOT).href)) as Options
  if (values.help === true) {
    console.log(
      `npm run demo -- [options]\n  --tabs N          browser tabs (default ${options.DEMO_DEFAULTS.tabs})\n${options.DEMO_USAGE}`,
    )
    return 0
  }
  const settings = options.demoSettings(values, { browser: true })
  if (settings instanceof Error) {
    console.error(`error: ${settings.message} (--help lists the options)`)
    return 2
  }
  const { Demo } = (await import(new URL('dist/node/relay/demo/runner.js', ROOT).href)) as Runner
  const { CHROMIUM_BASE_ARGS, CHROMIUM_PATH } = (await import(
    new URL('e2e/chromium.ts', ROOT).href
  )) as ChromiumSettings

  const headless = (process.env.DISPLAY ?? '') === ''
  let browser: Browser | undefined
  // made on the first tab's start, once the relay's URL is known; shared by every tab
  let context: Promise<BrowserContext> | undefined
  const tabs: TabMember[] = []
  const launch = async (relayUrl: string): Promise<BrowserContext> => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless,
      args: [
        ...CHROMIUM_BASE_ARGS,
        // WebRTC on loopback needs this flag and a media permission (docs/ENVIRONMENT.md)
        '--allow-loopback-in-peer-connection',
        // background tabs keep their timers running like the one in front
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
        '--disable-backgrounding-occluded-windows',
      ],
    })
    const made = await browser.newContext()
    await made.grantPermissions(['microphone'], { origin: relayUrl })
    return made
  }
  // tabs start at once: the first one launches the browser, the others wait for the same one
  const profile = async (relayUrl: string): Promise<BrowserContext> =>
    (context ??= launch(relayUrl))
  let shot = 0
  const demo = new Demo(settings, {
    newTab(number, relayUrl) {
      const tab = new TabMember(number, async () => profile(relayUrl), `${relayUrl}/`)
      tabs.push(tab)
      return tab
    },
    periodic: headless
      ? {
          everyMs: SCREENSHOT_EVERY_MS,
          run: async () => {
            const first = tabs.find((t) => t.alive)
            if (first?.page == null) return
            await mkdir(OUTPUT, { recursive: true })
            shot++
            const name = `tab${first.number}-${String(shot).padStart(4, '0')}.png`
            await first.page.screenshot({ path: join(OUTPUT, name), fullPage: true })
          },
        }
      : undefined,
    async close() {
      await browser?.close()
    },
  })
  if (headless) console.log(`headless (no $DISPLAY): screenshots of the first tab go to ${OUTPUT}/`)
  return demo.run()
}

main().then(
  (code) => {
    process.exitCode = code
    // everything was stopped; should anything still hold the event loop, do not hang on it
    setTimeout(() => process.exit(code), 10_000).unref()
  },
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`)
    process.exitCode = 1
  },
)
