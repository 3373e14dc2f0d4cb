/**
 * bench/mesh: N tabs (4 and 8) against one relay, in a loopback-only network namespace.
 * For each N, twice: with the AI engine on (as users run it: the embedding model warms up once
 * the node has joined) and off (`?model_warmup=on_demand`: nothing loads, the baseline for
 * formation). Each time: load → full direct mesh; per tab, the time to discover (hold a WebRTC
 * link to) 95 % of the others, from page load and from the node's start; with the engine on,
 * load → every tab's model warmed up. Then, once warmed up (steady state), between two tabs:
 * routed-message RTT p50/p99, small messages/s, time to move 10 MiB; and the same over a raw
 * RTCDataChannel between the same two tabs, with the ratio. Last, at the largest N: the relay
 * is killed and restarted under the tabs (FR issue 12): how long until every tab is back on it,
 * whether their direct links held meanwhile, and how long a tab opened then takes to mesh; then
 * half the tabs crash at once (their renderers killed, no goodbye): how long until every
 * survivor has dropped them, and whether messages between survivors sent meanwhile got through.
 * Run: npm run bench:mesh (BENCH_TABS=4,8 BENCH_ENGINE=on,off BENCH_VERBOSE=1 BENCH_TIMELINE=1).
 * Figures go to stdout and bench/results/mesh-<time>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { test } from '@playwright/test'
import { launchChromium, newProfile } from '../e2e/browser.js'
import type { BenchRelay } from './bench-relay.js'
import { startBenchRelay } from './bench-relay.js'

const SIZES = (process.env.BENCH_TABS ?? '4,8').split(',').map(Number)
const ENGINES = (process.env.BENCH_ENGINE ?? 'on,off').split(',') as Array<'on' | 'off'>
const ENGINE_QUERY = { on: '', off: '?model_warmup=on_demand' }
const RTT_COUNT = 500
const SMALL = 100
const SMALL_COUNT = 5000
const BULK_TOTAL = 10 * 1024 * 1024
const BULK_CHUNK = Number(process.env.BENCH_BULK_CHUNK ?? 256 * 1024)
/** let announcements and their 2.5 s follow-ups settle before timing messages */
const SETTLE_MS = 5000

type Row = Record<string, number>

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** One warm-up run, then the median of three (SCTP starts slow on a fresh association). */
async function median3(run: () => Promise<number>): Promise<number> {
  await run()
  return percentile([await run(), await run(), await run()], 50)
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits

test('mesh', async () => {
  const rows: Row[] = []
  const restarts: Row[] = []
  const kills: Row[] = []
  const relay = await startBenchRelay()
  const url = relay.url
  const browser = await launchChromium()
  try {
    for (const n of SIZES) {
      for (const engine of ENGINES) {
        const context = await newProfile(browser, url)
        rows.push(await benchTabs(context, url, n, engine))
        if (n === Math.max(...SIZES) && engine === ENGINES[0]) {
          restarts.push(await relayRestart(context, relay, n))
          kills.push(await killHalf(context))
        }
        await context.close()
      }
    }
  } finally {
    await browser.close()
    await relay.dispose()
  }
  print(rows, restarts, kills)
  const dir = join(import.meta.dirname, 'results')
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, `mesh-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ rows, restarts, kills }, null, 2),
  )
})

async function benchTabs(
  context: BrowserContext,
  url: string,
  n: number,
  engine: 'on' | 'off',
): Promise<Row> {
  const pages: Page[] = await Promise.all(Array.from({ length: n }, async () => context.newPage()))
  const problems: string[] = []
  pages.forEach((p, i) => {
    p.on('console', (m) => {
      problems.push(`tab ${i} ${m.type()}: ${m.text()}`)
    })
  })
  const t0 = Date.now()
  const progress = (what: string): void => {
    if (process.env.BENCH_VERBOSE != null)
      console.log(`[${n} tabs, engine ${engine}] ${what} at ${Date.now() - t0} ms`)
  }
  const query = [ENGINE_QUERY[engine], process.env.BENCH_QUERY ?? '']
    .filter((q) => q !== '')
    .map((q, i) => (i === 0 ? q : q.replace(/^\?/, '&')))
    .join('')
  await Promise.all(pages.map(async (p) => p.goto(`${url}/${query}`)))
  try {
    await Promise.all(
      pages.map(async (p) =>
        p.waitForFunction(
          () => document.getElementById('state')?.textContent === 'ACTIVE',
          undefined,
          {
            timeout: 30_000,
          },
        ),
      ),
    )
  } catch (err) {
    for (const [i, p] of pages.entries()) {
      console.log(
        `tab ${i}: ${await p.evaluate(() => document.getElementById('state')?.textContent)}`,
      )
    }
    console.log(problems.join('\n'))
    throw err
  }
  const ids = await Promise.all(pages.map(async (p) => p.evaluate(() => window.bench.peerId())))
  try {
    await Promise.all(
      pages.map(async (p) =>
        p.waitForFunction((want) => Object.keys(window.bench.webrtcSince()).length >= want, n - 1, {
          timeout: 60_000,
          polling: 20,
        }),
      ),
    )
  } catch (err) {
    console.log(`no full mesh of ${n} tabs within 60 s; peers per tab:`)
    for (const [i, p] of pages.entries()) {
      const view = await p.evaluate(() =>
        window.bench.peers().map((x) => `${x.peerId.slice(-4)}:${x.transport}:${x.health}`),
      )
      console.log(`  tab ${i} (${ids[i]?.slice(-4)}): ${view.join(' ')}`)
    }
    console.log(problems.slice(-40).join('\n'))
    throw err
  }
  progress('full mesh')
  if (process.env.BENCH_LOG != null) {
    console.log(
      problems.filter((l) => new RegExp(process.env.BENCH_LOG as string).test(l)).join('\n'),
    )
  }
  const seen = await Promise.all(
    pages.map(async (p) =>
      p.evaluate(() => ({
        start: window.bench.navigationStart(),
        active: window.bench.activeAt(),
        since: window.bench.webrtcSince(),
      })),
    ),
  )
  if (process.env.BENCH_TIMELINE != null) {
    for (const p of pages)
      console.log(JSON.stringify(await p.evaluate(() => window.bench.timeline())))
  }
  const need = Math.ceil(0.95 * (n - 1))
  const at95 = seen.map((s) => Object.values(s.since).sort((a, b) => a - b)[need - 1] as number)
  const fromLoad = seen.map((s, i) => (at95[i] as number) - s.start)
  const fromActive = seen.map((s, i) => (at95[i] as number) - s.active)

  const formation = {
    tabs: n,
    engine: engine === 'on' ? 1 : 0,
    full_mesh_ms:
      Math.max(...at95.map((_, i) => Math.max(...Object.values(seen[i]?.since ?? {})))) - t0,
    discover95_from_load_ms_median: Math.round(percentile(fromLoad, 50)),
    discover95_from_load_ms_max: Math.round(Math.max(...fromLoad)),
    discover95_from_active_ms_median: Math.round(percentile(fromActive, 50)),
    discover95_from_active_ms_max: Math.round(Math.max(...fromActive)),
  }
  if (engine === 'off') return formation
  // messaging is measured in the steady state: every tab's engine warmed up
  await Promise.all(pages.map(async (p) => p.evaluate(async () => window.bench.modelsReady())))
  const warmMs = Date.now() - t0
  progress('engines warmed up')

  await new Promise((r) => setTimeout(r, SETTLE_MS))
  const [a, b] = pages as [Page, Page]
  const to = ids[1] as string
  await a.evaluate(async (peer) => window.bench.rtt(peer, 50, 32), to) // warm-up
  const rtts = await a.evaluate(async ([peer, count]) => window.bench.rtt(peer, count, 32), [
    to,
    RTT_COUNT,
  ] as const)
  progress('rtt')
  const small = async (): Promise<number> =>
    a.evaluate(async ([peer, count, size]) => window.bench.pipeline(peer, count, size, 64), [
      to,
      SMALL_COUNT,
      SMALL,
    ] as const)
  await small() // warm-up
  const smallMs = await small()
  progress('small messages')
  const bulkMs = await median3(async () =>
    a.evaluate(async ([peer, count, size]) => window.bench.pipeline(peer, count, size, 8), [
      to,
      BULK_TOTAL / BULK_CHUNK,
      BULK_CHUNK,
    ] as const),
  )
  progress('bulk')

  // the baseline: a raw RTCDataChannel between the same two tabs, measured the same way
  const offer = await a.evaluate(async () => window.bench.rawOffer())
  const answer = await b.evaluate(async (sdp) => window.bench.rawAnswer(sdp), offer)
  await a.evaluate(async (sdp) => window.bench.rawAccept(sdp), answer)
  await a.evaluate(async () => window.bench.rawRtt(50, 32))
  const rawRtts = await a.evaluate(async (count) => window.bench.rawRtt(count, 32), RTT_COUNT)
  const rawSmall = async (): Promise<number> =>
    a.evaluate(async ([count, size]) => window.bench.rawPipeline(count, size), [
      SMALL_COUNT,
      SMALL,
    ] as const)
  await rawSmall()
  const rawSmallMs = await rawSmall()
  const rawBulkMs = await median3(async () =>
    a.evaluate(async ([count, size]) => window.bench.rawPipeline(count, size), [
      BULK_TOTAL / BULK_CHUNK,
      BULK_CHUNK,
    ] as const),
  )
  progress('raw')
  return {
    ...formation,
    engines_warm_ms: warmMs,
    rtt_p50_ms: round(percentile(rtts, 50)),
    rtt_p99_ms: round(percentile(rtts, 99)),
    raw_rtt_p50_ms: round(percentile(rawRtts, 50)),
    raw_rtt_p99_ms: round(percentile(rawRtts, 99)),
    small_msgs_per_s: Math.round(SMALL_COUNT / (smallMs / 1000)),
    raw_small_msgs_per_s: Math.round(SMALL_COUNT / (rawSmallMs / 1000)),
    bulk_10mib_ms: Math.round(bulkMs),
    raw_bulk_10mib_ms: Math.round(rawBulkMs),
  }
}

/**
 * The relay killed and restarted under the `n` tabs of `context` (already a full mesh): ms until
 * every tab is connected to it again, the fewest WebRTC links any tab held meanwhile, and ms
 * until a tab opened after the restart holds WebRTC links to all `n`.
 */
async function relayRestart(context: BrowserContext, relay: BenchRelay, n: number): Promise<Row> {
  const pages = context.pages()
  const webrtcLinks = async (p: Page): Promise<number> =>
    p.evaluate(() => window.bench.peers().filter((x) => x.transport === 'webrtc').length)
  const t0 = Date.now()
  await relay.restart()
  const restartedMs = Date.now() - t0
  let fewestLinks = Infinity
  for (;;) {
    const links = await Promise.all(pages.map(webrtcLinks))
    fewestLinks = Math.min(fewestLinks, ...links)
    const back = await Promise.all(
      pages.map(async (p) => p.evaluate(() => window.bench.relaysConnected())),
    )
    if (back.every((r) => r > 0)) break
    if (Date.now() - t0 > 120_000)
      throw new Error(`tabs not back on the relay after 120 s: ${back.join(',')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const allBackMs = Date.now() - t0
  const newcomer = await context.newPage()
  const t1 = Date.now()
  await newcomer.goto(`${relay.url}/?model_warmup=on_demand`)
  await newcomer.waitForFunction(
    (want) => Object.keys(window.bench?.webrtcSince?.() ?? {}).length >= want,
    n,
    { timeout: 120_000, polling: 50 },
  )
  return {
    tabs: n,
    relay_restarted_ms: restartedMs,
    all_tabs_back_ms: allBackMs,
    fewest_webrtc_links_meanwhile: fewestLinks,
    newcomer_full_mesh_ms: Date.now() - t1,
  }
}

/**
 * Half the tabs of `context` (a full mesh) crash at once, as killed processes: ms until every
 * survivor's peer list has dropped them all, and messages between survivors, sent in a ring
 * while it happened: how many were confirmed, and how many failed.
 */
async function killHalf(context: BrowserContext): Promise<Row> {
  const pages = context.pages()
  const doomed = pages.filter((_, i) => i % 2 === 1)
  const survivors = pages.filter((_, i) => i % 2 === 0)
  const dead = new Set(
    await Promise.all(doomed.map(async (p) => p.evaluate(() => window.bench.peerId()))),
  )
  const survivorIds = await Promise.all(
    survivors.map(async (p) => p.evaluate(() => window.bench.peerId())),
  )
  // each survivor sends to the next, one message at a time, until the kill is noticed
  let noticed = false
  let confirmed = 0
  let failed = 0
  const ring = survivors.map(async (p, i) => {
    const to = survivorIds[(i + 1) % survivors.length] as string
    while (!noticed) {
      try {
        await p.evaluate(async (peer) => window.bench.rtt(peer, 1, 100), to)
        confirmed++
      } catch {
        failed++
      }
    }
  })
  await new Promise((r) => setTimeout(r, 500))
  const t0 = Date.now()
  for (const p of doomed) {
    const cdp = await context.newCDPSession(p)
    void cdp.send('Page.crash').catch(() => {}) // the renderer dies mid-call
  }
  for (;;) {
    const views = await Promise.all(
      survivors.map(async (p) => p.evaluate(() => window.bench.peers().map((x) => x.peerId))),
    )
    if (views.every((v) => v.every((peer) => !dead.has(peer)))) break
    if (Date.now() - t0 > 120_000) throw new Error('survivors still list crashed tabs after 120 s')
    await new Promise((r) => setTimeout(r, 100))
  }
  const noticedMs = Date.now() - t0
  noticed = true
  await Promise.all(ring)
  return {
    tabs: pages.length,
    crashed: doomed.length,
    all_dropped_ms: noticedMs,
    ring_confirmed: confirmed,
    ring_failed: failed,
  }
}

function print(rows: Row[], restarts: Row[], kills: Row[]): void {
  const ratio = (a: number | undefined, b: number | undefined): string =>
    `${round((a ?? 0) / (b ?? 1))}x`
  const lines = ['', 'bench/mesh (loopback namespace, one Chromium, the tabs of one profile)', '']
  lines.push(
    '| tabs | AI engine | full mesh from load | 95 % discovered from load / from node start (median, max) | all engines warmed up |',
    '|---:|---|---:|---:|---:|',
  )
  for (const r of rows) {
    lines.push(
      `| ${r.tabs} | ${r.engine === 1 ? 'on' : 'off'} | ${r.full_mesh_ms} ms | ` +
        `${r.discover95_from_load_ms_median}, ${r.discover95_from_load_ms_max} / ` +
        `${r.discover95_from_active_ms_median}, ${r.discover95_from_active_ms_max} ms | ` +
        `${r.engines_warm_ms == null ? '-' : `${r.engines_warm_ms} ms`} |`,
    )
  }
  lines.push(
    '',
    'once warmed up, between two tabs:',
    '',
    '| tabs | RTT p50 / p99 [raw] (p99 ratio) | small msgs/s [raw] (ratio) | 10 MiB [raw] (ratio) |',
    '|---:|---:|---:|---:|',
  )
  for (const r of rows.filter((x) => x.rtt_p50_ms != null)) {
    lines.push(
      `| ${r.tabs} | ` +
        `${r.rtt_p50_ms} / ${r.rtt_p99_ms} ms [${r.raw_rtt_p50_ms} / ${r.raw_rtt_p99_ms}] (${ratio(r.rtt_p99_ms, r.raw_rtt_p99_ms)}) | ` +
        `${r.small_msgs_per_s} [${r.raw_small_msgs_per_s}] (${ratio(r.small_msgs_per_s, r.raw_small_msgs_per_s)}) | ` +
        `${r.bulk_10mib_ms} ms [${r.raw_bulk_10mib_ms} ms] (${ratio(r.bulk_10mib_ms, r.raw_bulk_10mib_ms)}) |`,
    )
  }
  for (const r of restarts) {
    lines.push(
      '',
      `relay killed and restarted under ${r.tabs} tabs: up again in ${r.relay_restarted_ms} ms; every tab back on it ${r.all_tabs_back_ms} ms after the kill; ` +
        `fewest direct links any tab held meanwhile ${r.fewest_webrtc_links_meanwhile} of ${(r.tabs ?? 1) - 1}; a tab opened then meshed with all ${r.tabs} in ${r.newcomer_full_mesh_ms} ms`,
    )
  }
  for (const k of kills) {
    lines.push(
      '',
      `${k.crashed} of ${k.tabs} tabs crashed at once: every survivor had dropped them ${k.all_dropped_ms} ms later; ` +
        `messages between survivors meanwhile: ${k.ring_confirmed} confirmed, ${k.ring_failed} failed`,
    )
  }
  lines.push(
    '',
    'seed targets: 95 % of peers discovered < 3 s; direct delivery < 10 ms p99; > 1000 msgs/s per node; 10 MB < 500 ms',
    '',
  )
  console.log(lines.join('\n'))
}
