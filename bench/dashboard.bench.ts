/**
 * bench/dashboard: what the in-page dashboard costs.
 * 1. The graph alone on a synthetic mesh of 200 (and 50) nodes that changes once a second:
 *    main-thread work per frame, p50/p95/p99 (goal: p95 < 16 ms).
 * 2. A 4-tab mesh of the real app, with the dashboard on and off (`?dashboard=off`): each tab's
 *    main-thread busy time over 30 s of steady state, from Chromium's own TaskDuration metric
 *    (goal: the dashboard adds < 10 %).
 * 3. Offline start: a tab whose service worker is installed reloads with the network off;
 *    reload → ACTIVE, median of 5 (goal: < 1 s).
 * Run: npm run bench:dashboard (BENCH_PARTS=graph,mesh,offline). Figures go to stdout and bench/results/dashboard-<time>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { launchChromium, newProfile } from '../e2e/browser.js'
import { Relay } from '../e2e/processes.js'
import { expectPeers, openTab, peerIdOf } from '../e2e/tabs.js'
import { startBenchRelay } from './bench-relay.js'

const PARTS = (process.env.BENCH_PARTS ?? 'graph,mesh,offline').split(',')
const GRAPH_SIZES = [200, 50]
const GRAPH_MS = 20_000
const TABS = 4
const BUSY_MS = 30_000
const SETTLE_MS = 10_000
const RELOADS = 5

type Row = Record<string, number | string>

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits

async function graphFrames(browser: Browser, url: string, nodes: number): Promise<Row> {
  const page = await browser.newPage()
  await page.goto(`${url}/graph.html?nodes=${nodes}`)
  await page.waitForTimeout(GRAPH_MS)
  const r = await page.evaluate(() => window.graphBench.stop())
  await page.close()
  const frames = r.frames.slice(10) // the first layout of the whole graph is not steady state
  return {
    part: 'graph',
    nodes: r.nodes,
    edges: r.edges,
    updates: r.updates,
    frames: frames.length,
    frame_ms_p50: round(percentile(frames, 50)),
    frame_ms_p95: round(percentile(frames, 95)),
    frame_ms_p99: round(percentile(frames, 99)),
    over_16ms_pct: round((100 * frames.filter((f) => f > 16).length) / frames.length, 1),
  }
}

/** Chromium's main-thread task time of a page, seconds, counted from `Performance.enable`. */
async function taskClock(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  return async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as {
      metrics: Array<{ name: string; value: number }>
    }
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0
  }
}

async function meshBusy(browser: Browser, dashboard: 'on' | 'off'): Promise<Row> {
  const relay = await Relay.create()
  try {
    const context = await newProfile(browser, relay.url)
    const tabs: Page[] = []
    for (let i = 0; i < TABS; i++)
      tabs.push(await openTab(context, `${relay.url}/?dashboard=${dashboard}`, 120_000))
    const ids = await Promise.all(tabs.map(peerIdOf))
    for (const [i, tab] of tabs.entries())
      await expectPeers(
        tab,
        ids.filter((_, j) => j !== i),
        'webrtc',
        120_000,
      )
    const first = tabs[0] as Page
    if (dashboard === 'on') await expect(first.getByTestId('topology-node')).toHaveCount(TABS + 1)
    await first.waitForTimeout(SETTLE_MS)
    const clocks = await Promise.all(tabs.map(taskClock))
    const before = await Promise.all(clocks.map(async (c) => c()))
    await first.waitForTimeout(BUSY_MS)
    const after = await Promise.all(clocks.map(async (c) => c()))
    const busy = after.map((a, i) => (100 * (a - (before[i] as number))) / (BUSY_MS / 1000))
    await context.close()
    return {
      part: 'mesh',
      dashboard,
      tabs: TABS,
      busy_pct_mean: round(busy.reduce((s, b) => s + b, 0) / busy.length),
      busy_pct_max: round(Math.max(...busy)),
    }
  } finally {
    await relay.dispose()
  }
}

async function offlineReload(browser: Browser): Promise<Row> {
  const relay = await Relay.create()
  try {
    const context = await newProfile(browser, relay.url)
    const page = await openTab(context, relay.url, 120_000)
    await expect
      .poll(async () => page.evaluate(() => navigator.serviceWorker.controller?.state ?? ''), {
        timeout: 60_000,
      })
      .toBe('activated')
    // the model is cached once it has warmed up
    await expect(page.getByTestId('model-row').first()).toHaveAttribute('data-ready', 'true', {
      timeout: 120_000,
    })
    await context.setOffline(true)
    const times: number[] = []
    const phases: string[] = []
    for (let i = 0; i < RELOADS; i++) {
      const t0 = Date.now()
      await page.reload({ waitUntil: 'commit' })
      await expect(page.getByTestId('node-state')).toHaveText('ACTIVE', { timeout: 30_000 })
      times.push(Date.now() - t0)
      // where the time went: navigation to script start, and the node's own start phases
      phases.push(
        await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
          return `dcl ${Math.round(nav.domContentLoadedEventEnd)} ms`
        }),
      )
    }
    console.log(`offline reloads: ${times.join(', ')} ms; ${phases.join(', ')}`)
    await context.close()
    return {
      part: 'offline',
      reloads: RELOADS,
      reload_to_active_ms_median: percentile(times, 50),
      reload_to_active_ms_max: Math.max(...times),
    }
  } finally {
    await relay.dispose()
  }
}

test('dashboard', async () => {
  const rows: Row[] = []
  const benchRelay = await startBenchRelay()
  const browser = await launchChromium()
  try {
    if (PARTS.includes('graph'))
      for (const n of GRAPH_SIZES) rows.push(await graphFrames(browser, benchRelay.url, n))
    if (PARTS.includes('mesh')) {
      const on = await meshBusy(browser, 'on')
      const off = await meshBusy(browser, 'off')
      rows.push(on, off, {
        part: 'mesh',
        dashboard: 'added',
        busy_pct_added: round((on.busy_pct_mean as number) - (off.busy_pct_mean as number)),
        busy_ratio: round((on.busy_pct_mean as number) / (off.busy_pct_mean as number)),
      })
    }
    if (PARTS.includes('offline')) rows.push(await offlineReload(browser))
  } finally {
    await browser.close()
    await benchRelay.dispose()
  }
  console.table(rows)
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true })
  const file = join(
    import.meta.dirname,
    'results',
    `dashboard-${new Date().toISOString().replaceAll(/[:.]/g, '-')}.json`,
  )
  await writeFile(file, JSON.stringify(rows, null, 2))
  console.log(`results: ${file}`)
})
