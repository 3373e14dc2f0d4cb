/**
 * /metrics on the relay and on a headless node (FR21.2): Prometheus text that promtool accepts,
 * with libp2p's own series and ours, and values that move after a task. promtool comes from
 * Debian's `prometheus` package (`.ci/run` installs it).
 */
import { spawnSync } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay } from './processes.js'
import { expectPeers, nodeIdOf, openTab, peerIdOf, sendFromPage } from './tabs.js'

const PROMTOOL = process.env.PROMTOOL ?? 'promtool'

let relay: Relay
let node: HeadlessNode

test.beforeAll(async () => {
  relay = await Relay.create()
  node = await HeadlessNode.create(relay.url)
})

test.afterAll(async () => {
  await node.dispose()
  await relay.dispose()
})

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return res.text()
}

/** promtool's verdict on a scrape: its exit code and what it printed. */
function promtoolCheck(text: string): { code: number | null; output: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (r.error != null) throw new Error(`${PROMTOOL} could not run: ${r.error.message}`)
  return { code: r.status, output: `${r.stdout}${r.stderr}` }
}

/**
 * promtool parses the whole scrape (exit 1 is a parse error), and lints our series clean. Its
 * lint (exit 3) also flags some of libp2p's and prom-client's default series (gauges named
 * `_total`): theirs to rename, so only problems with a p2p_ai_ series fail here.
 */
function expectValid(text: string): void {
  const all = promtoolCheck(text)
  expect([0, 3], all.output).toContain(all.code)
  const problems = all.output.split('\n').filter((l) => l.trim() !== '')
  expect(problems.filter((l) => l.startsWith('p2p_ai_'))).toEqual([])
  const ours = text
    .split('\n')
    .filter((l) => /^(# (HELP|TYPE) )?p2p_ai_/.test(l))
    .join('\n')
  expect(ours).toContain('p2p_ai_tasks_total')
  expect(promtoolCheck(`${ours}\n`)).toEqual({ code: 0, output: '' })
}

/** The value of the first sample of `name` whose labels contain `labels`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue
    const rest = line.slice(name.length)
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue
    if (!rest.includes(labels)) continue
    return Number(rest.slice(rest.lastIndexOf(' ') + 1))
  }
  return undefined
}

test('the relay and a headless node serve /metrics that promtool accepts, with libp2p and p2p_ai series', async () => {
  await expect.poll(async () => sample(await scrape(node.url), 'p2p_ai_relays_connected')).toBe(1)
  for (const base of [relay.url, node.url]) {
    const text = await scrape(base)
    expectValid(text)
    expect(text).toMatch(/^libp2p_connection_manager_connections\{/m)
    expect(text).toMatch(/^libp2p_protocol_streams_total\{/m)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(sample(text, 'p2p_ai_node_info')).toBe(1)
    expect(sample(text, 'p2p_ai_memory_bytes')).toBeGreaterThan(1e6)
  }
  const relayText = await scrape(relay.url)
  expect(relayText).toContain('role="relay"')
  expect((await scrape(node.url)).match(/node_id="([0-9a-f]{32})"/)?.[1]).toMatch(/^[0-9a-f]{32}$/)
})

test('task counters move after a task ends on the node', async () => {
  const before = sample(await scrape(node.url), 'p2p_ai_tasks_total', 'status="completed"') ?? 0
  const inputsBefore = sample(await scrape(node.url), 'p2p_ai_inference_inputs_total') ?? 0
  const res = await fetch(`${node.url}/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      task_type: 'text_embedding',
      input: 'metrics move',
      placement: 'local',
    }),
  })
  expect(res.status).toBe(202)
  await expect
    .poll(async () => sample(await scrape(node.url), 'p2p_ai_tasks_total', 'status="completed"'), {
      timeout: 60_000,
    })
    .toBe(before + 1)
  const text = await scrape(node.url)
  expect(sample(text, 'p2p_ai_inference_inputs_total')).toBeGreaterThan(inputsBefore)
  expectValid(text)
})

test('tabs push their metrics to the relay, which shows them under each node id, capped', async () => {
  // a relay that keeps the metrics of one node only: a second tab drops the first
  const capped = await Relay.create([], { P2P_AI_METRICS_MAX_NODES: '1' })
  const browser = await launchChromium()
  try {
    const context = await newProfile(browser, capped.url)
    const url = `${capped.url}/?metrics_push_interval_secs=1`
    const a = await openTab(context, url, 60_000)
    const aId = await nodeIdOf(a)
    const tabInfo = (id: string): string => `node_id="${id}"`
    await expect
      .poll(async () => sample(await scrape(capped.url), 'p2p_ai_node_info', tabInfo(aId)), {
        timeout: 30_000,
      })
      .toBe(1)
    let text = await scrape(capped.url)
    expectValid(text)
    // the tab's own families, not the relay's: its peers and its message counters
    expect(text).toContain(`p2p_ai_node_info{role="peer",version=`)
    expect(sample(text, 'p2p_ai_memory_bytes', tabInfo(aId))).toBeGreaterThan(0)
    expect(sample(text, 'p2p_ai_metrics_nodes')).toBe(1)

    const b = await openTab(context, url, 60_000)
    const bId = await nodeIdOf(b)
    // linked first: a message sent before b has a way to a fails (no_route), and is counted so
    await expectPeers(b, [await peerIdOf(a)])
    expect(await sendFromPage(b, await a.getByTestId('peer-id').innerText(), 'metrics')).toMatch(
      /^delivered/,
    )
    // with a cap of one, the relay shows whichever tab pushed last. Both push every second, so
    // b's turn can be a few ms a second (their phases are chance): close a, and b's pushes stay
    await a.close()
    const delivered = `outcome="delivered",${tabInfo(bId)}`
    await expect
      .poll(
        async () => {
          text = await scrape(capped.url)
          return sample(text, 'p2p_ai_messages_total', delivered)
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(1)
    expectValid(text)
    expect(sample(text, 'p2p_ai_message_rtt_seconds_count', tabInfo(bId))).toBeGreaterThanOrEqual(1)
    expect(
      sample(text, 'p2p_ai_stream_bytes_total', `protocol="mesh",direction="out",${tabInfo(bId)}`),
    ).toBeGreaterThan(0)
    // the cap: one node kept, drops counted (each tab's push drops the other's)
    expect(sample(text, 'p2p_ai_metrics_nodes')).toBe(1)
    expect(sample(text, 'p2p_ai_metrics_nodes_dropped_total')).toBeGreaterThanOrEqual(1)
    expect(
      sample(text, 'p2p_ai_metrics_pushes_total', 'outcome="accepted"'),
    ).toBeGreaterThanOrEqual(2)

    // the page's own metrics panel shows the same figures
    await b.getByTestId('metrics-panel').locator('summary').click()
    const row = b.locator(
      '[data-testid="metric-row"][data-metric="p2p_ai_messages_total"][data-labels="outcome=delivered"]',
    )
    await expect(row).toHaveAttribute('data-value', /^[1-9]/)
    await expect(
      b.locator('[data-testid="metric-row"][data-metric="p2p_ai_message_rtt_seconds"]'),
    ).toHaveCount(1)
  } finally {
    await browser.close()
    await capped.dispose()
  }
})
