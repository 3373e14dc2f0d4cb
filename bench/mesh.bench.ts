/**
 * bench/mesh: N tabs (4 and 8) against one relay, in a loopback-only network namespace.
 * For each N: load → full direct mesh time, per-tab time to discover 95 % of the others;
 * between two tabs: routed-message RTT p50/p99, small messages/s, time to move 10 MiB; and the
 * same figures over a raw RTCDataChannel between the same two tabs, with the ratio.
 * Run: npm run bench:mesh. Figures go to stdout and bench/results/mesh-<time>.json.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { test } from '@playwright/test'
import { launchChromium, newProfile } from '../e2e/browser.js'
import type {} from './page/bench-api.js'
import { CliProcess, freePort, tempHome } from '../e2e/processes.js'

const SIZES = (process.env.BENCH_TABS ?? '4,8').split(',').map(Number)
const RTT_COUNT = 500
const SMALL = 100
const SMALL_COUNT = 5000
const BULK_TOTAL = 10 * 1024 * 1024
const BULK_CHUNK = 256 * 1024

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits

test('mesh', async () => {
  const results: Record<string, unknown>[] = []
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const home = await tempHome('bench-relay')
  const relay = new CliProcess([
    'relay',
    'start',
    '--port',
    String(port),
    '--home',
    home,
    '--app-dir',
    join(import.meta.dirname, '..', 'dist', 'bench'),
  ])
  relay.start()
  await relay.waitFor(/Relay started/)
  const browser = await launchChromium()
  try {
    for (const n of SIZES) {
      const context = await newProfile(browser, url)
      const pages: Page[] = await Promise.all(
        Array.from({ length: n }, async () => context.newPage()),
      )
      const t0 = Date.now()
      await Promise.all(pages.map(async (p) => p.goto(url)))
      await Promise.all(
        pages.map(async (p) =>
          p.waitForFunction(() => document.getElementById('state')?.textContent === 'ACTIVE'),
        ),
      )
      const ids = await Promise.all(pages.map(async (p) => p.evaluate(() => window.bench.peerId())))
      // wait for the full mesh: every tab has every other over WebRTC
      await Promise.all(
        pages.map(async (p) =>
          p.waitForFunction(
            (want) => Object.keys(window.bench.webrtcSince()).length >= want,
            n - 1,
            { timeout: 60_000, polling: 20 },
          ),
        ),
      )
      const seen = await Promise.all(
        pages.map(async (p) =>
          p.evaluate(() => ({
            start: window.bench.navigationStart(),
            since: window.bench.webrtcSince(),
          })),
        ),
      )
      if (process.env.BENCH_TIMELINE != null) {
        for (const p of pages)
          console.log(JSON.stringify(await p.evaluate(() => window.bench.timeline())))
      }
      const fullMesh = Math.max(...seen.map((s) => Math.max(...Object.values(s.since)))) - t0
      const need = Math.ceil(0.95 * (n - 1))
      const discover95 = seen.map(
        (s) => (Object.values(s.since).sort((a, b) => a - b)[need - 1] as number) - s.start,
      )

      const [a, b] = pages as [Page, Page]
      const to = ids[1] as string
      await a.evaluate(async ([peer]) => window.bench.rtt(peer as string, 50, 32), [to]) // warm-up
      const rtts = await a.evaluate(
        async ([peer, count]) => window.bench.rtt(peer as string, count as number, 32),
        [to, RTT_COUNT] as const,
      )
      const smallMs = await a.evaluate(
        async ([peer, count, size]) =>
          window.bench.pipeline(peer as string, count as number, size as number, 64),
        [to, SMALL_COUNT, SMALL] as const,
      )
      const bulkMs = await a.evaluate(
        async ([peer, count, size]) =>
          window.bench.pipeline(peer as string, count as number, size as number, 8),
        [to, BULK_TOTAL / BULK_CHUNK, BULK_CHUNK] as const,
      )

      // baseline: a raw RTCDataChannel between the same two tabs
      const offer = await a.evaluate(async () => window.bench.rawOffer())
      const answer = await b.evaluate(async (sdp) => window.bench.rawAnswer(sdp), offer)
      await a.evaluate(async (sdp) => window.bench.rawAccept(sdp), answer)
      await a.evaluate(async () => window.bench.rawRtt(50, 32))
      const rawRtts = await a.evaluate(async (count) => window.bench.rawRtt(count, 32), RTT_COUNT)
      const rawSmallMs = await a.evaluate(
        async ([count, size]) => window.bench.rawPipeline(count, size),
        [SMALL_COUNT, SMALL] as const,
      )
      const rawBulkMs = await a.evaluate(
        async ([count, size]) => window.bench.rawPipeline(count, size),
        [BULK_TOTAL / BULK_CHUNK, BULK_CHUNK] as const,
      )

      const row = {
        tabs: n,
        full_mesh_ms: fullMesh,
        discover95_ms_median: Math.round(percentile(discover95, 50)),
        discover95_ms_max: Math.round(Math.max(...discover95)),
        rtt_p50_ms: round(percentile(rtts, 50)),
        rtt_p99_ms: round(percentile(rtts, 99)),
        raw_rtt_p50_ms: round(percentile(rawRtts, 50)),
        raw_rtt_p99_ms: round(percentile(rawRtts, 99)),
        small_msgs_per_s: Math.round(SMALL_COUNT / (smallMs / 1000)),
        raw_small_msgs_per_s: Math.round(SMALL_COUNT / (rawSmallMs / 1000)),
        bulk_10mib_ms: Math.round(bulkMs),
        raw_bulk_10mib_ms: Math.round(rawBulkMs),
      }
      results.push(row)
      await context.close()
    }
  } finally {
    await browser.close()
    await relay.stop()
    await rm(home, { recursive: true, force: true })
  }
  print(results)
  const dir = join(import.meta.dirname, 'results')
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, `mesh-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(results, null, 2),
  )
})

function print(rows: Record<string, unknown>[]): void {
  const ratio = (a: unknown, b: unknown): string =>
    Number(b) === 0 ? '-' : `${round(Number(a) / Number(b))}x`
  const lines = ['', 'bench/mesh (loopback namespace, one Chromium, tabs of one profile)', '']
  lines.push(
    '| tabs | full mesh | 95 % discovered (median / max) | RTT p50 / p99 (raw) | small msgs/s (raw, ratio) | 10 MiB (raw, ratio) |',
  )
  lines.push('|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    lines.push(
      `| ${r.tabs} | ${r.full_mesh_ms} ms | ${r.discover95_ms_median} / ${r.discover95_ms_max} ms | ` +
        `${r.rtt_p50_ms} / ${r.rtt_p99_ms} ms (${r.raw_rtt_p50_ms} / ${r.raw_rtt_p99_ms}; p99 ${ratio(r.rtt_p99_ms, r.raw_rtt_p99_ms)}) | ` +
        `${r.small_msgs_per_s} (${r.raw_small_msgs_per_s}; ${ratio(r.small_msgs_per_s, r.raw_small_msgs_per_s)}) | ` +
        `${r.bulk_10mib_ms} ms (${r.raw_bulk_10mib_ms} ms; ${ratio(r.bulk_10mib_ms, r.raw_bulk_10mib_ms)}) |`,
    )
  }
  lines.push(
    '',
    'targets (seed): 95 % of peers discovered < 3 s; direct delivery < 10 ms p99; > 1000 msgs/s; 10 MB < 500 ms',
    '',
  )
  console.log(lines.join('\n'))
}
