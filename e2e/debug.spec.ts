/**
 * The debug tools (FR23.1) and `node monitor` (FR18.2) against real processes: a snapshot holds
 * no secret (the identity key in none of its encodings, no ICE credential), a network test
 * between two headless nodes reports numbers, a stress run of 20 tasks completes them all, the
 * monitor draws frames until Ctrl-C; and the page's debug panel tests the network to a node and
 * downloads a snapshot of the tab, without the tab's key.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { expect, test } from '@playwright/test'
import type { DebugSnapshot, NetworkTestReport } from '../src/core/debug.js'
import { identitySecrets } from '../src/obs/redact.js'
import { launchChromium, newProfile } from './browser.js'
import type { CliResult } from './processes.js'
import { CliProcess, freePorts, HeadlessNode, Relay, runCli, tempHome } from './processes.js'
import { openTab } from './tabs.js'

const ICE_USERNAME = 'turn-user-5be1f0c2'
const ICE_CREDENTIAL = 'turn-credential-9d41a7e3c0'
/** a first model load on a loaded 2-core machine, worker thread included */
const LOAD_MS = 120_000

let relay: Relay
let a: HeadlessNode
let b: HeadlessNode

test.describe('headless nodes', () => {
  test.beforeAll(async () => {
    test.setTimeout(180_000)
    relay = await Relay.create()
    const [pa, pb] = (await freePorts(2)) as [number, number]
    const homeA = await tempHome('debug-a')
    // an ICE server with a credential: the snapshot must not show it
    const config = join(homeA, 'config.json')
    await writeFile(
      config,
      JSON.stringify({
        ice_servers: [
          { urls: 'turn:127.0.0.1:3478', username: ICE_USERNAME, credential: ICE_CREDENTIAL },
        ],
      }),
    )
    a = new HeadlessNode(pa, homeA, relay.url, ['--config', config])
    b = new HeadlessNode(pb, await tempHome('debug-b'), relay.url)
    a.start()
    b.start()
    // two nodes starting at once on a shared 2-core machine
    await Promise.all([a.waitFor(/^Node started/m, 90_000), b.waitFor(/^Node started/m, 90_000)])
    // linked: the snapshot shows its peers (started is not yet meshed)
    await expect
      .poll(async () => (await a.api<unknown[]>('/peers')).length, { timeout: 60_000 })
      .toBeGreaterThan(0)
  })

  test.afterAll(async () => {
    await a?.terminate()
    await b?.terminate()
    await a?.dispose()
    await b?.dispose()
    await relay?.dispose()
  })

  const cli = async (node: HeadlessNode, args: string[], timeoutMs?: number): Promise<CliResult> =>
    runCli([...args, '--port', String(node.port), '--home', node.home], { timeoutMs })

  test('debug snapshot writes one JSON file with the node, its peers, logs and metrics, and no secret', async () => {
    const out = join(a.home, 'snapshot.json')
    const r = await cli(a, ['debug', 'snapshot', '--out', out])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Snapshot written to ${out}`)
    const text = await readFile(out, 'utf8')
    const snapshot = JSON.parse(text) as DebugSnapshot
    const status = await a.api<{ node_id: string }>('/status')
    expect(snapshot.node_id).toBe(status.node_id)
    expect(snapshot.metadata.state).toBe('ACTIVE')
    expect(snapshot.peers.length).toBeGreaterThan(0)
    expect(snapshot.topology.nodes.length).toBeGreaterThan(1)
    expect(snapshot.logs.length).toBeGreaterThan(0)
    expect(snapshot.health?.status).toBe('PASS')
    expect(snapshot.tasks?.stats).toBeDefined()
    expect(snapshot.memory?.rss).toBeGreaterThan(0)
    expect(String(snapshot.host?.metrics)).toContain('p2p_ai_node_info')
    expect(snapshot.config.ice_servers[0]).toEqual({
      urls: ['turn:127.0.0.1:3478'],
      username: '[REDACTED]',
      credential: '[REDACTED]',
    })

    // the key as the identity file stores it, and the raw key and seed in every encoding
    const identity = JSON.parse(
      await readFile(join(a.home, 'config', 'node_identity.json'), 'utf8'),
    ) as { private_key: string }
    const forms = identitySecrets(identity)
    expect(forms).toContain(identity.private_key)
    // (two encodings coincide when a key has no + or / in base64)
    expect(forms.length).toBeGreaterThanOrEqual(12)
    for (const form of forms) expect(text).not.toContain(form)
    expect(text).not.toContain(ICE_CREDENTIAL)
    expect(text).not.toContain(ICE_USERNAME)

    // the relay answers one too, without its own key
    const relayOut = join(a.home, 'relay-snapshot.json')
    const rr = await runCli(['debug', 'snapshot', '--out', relayOut, '--port', String(relay.port)])
    expect(rr.code, rr.stderr).toBe(0)
    const relayText = await readFile(relayOut, 'utf8')
    expect((JSON.parse(relayText) as DebugSnapshot).role).toBe('relay')
    const relayKey = JSON.parse(
      await readFile(join(relay.home, 'config', 'node_identity.json'), 'utf8'),
    ) as unknown
    for (const form of identitySecrets(relayKey)) expect(relayText).not.toContain(form)
  })

  test('debug network-test between two headless nodes reports RTT and throughput; an unknown node exits 3', async () => {
    const target = (await b.api<{ node_id: string }>('/status')).node_id
    let report: NetworkTestReport | undefined
    // until a knows b (through the relay's gossip)
    await expect
      .poll(
        async () => {
          const r = await cli(a, [
            'debug',
            'network-test',
            target,
            '--count',
            '10',
            '--bytes',
            '16384',
            '--json',
          ])
          if (r.code === 0) report = JSON.parse(r.stdout) as NetworkTestReport
          return r.code
        },
        { timeout: 60_000, intervals: [1000] },
      )
      .toBe(0)
    const rep = report as NetworkTestReport
    expect(rep.target.node_id).toBe(target)
    expect(rep.target.peer_id).toBe(b.peerId)
    expect(rep.rtt.sent).toBe(10)
    expect(rep.rtt.samples).toBeGreaterThan(0)
    expect(rep.rtt.p50_ms).toBeGreaterThan(0)
    expect(rep.rtt.p99_ms).toBeGreaterThanOrEqual(rep.rtt.p50_ms as number)
    expect(rep.throughput.delivered).toBeGreaterThan(0)
    expect(rep.throughput.bytes_per_sec).toBeGreaterThan(0)

    const text = await cli(a, ['debug', 'network-test', target, '--count', '3', '--bytes', '1024'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/RTT: +p50 [\d.]+ ms, p99 [\d.]+ ms/)
    expect(text.stdout).toMatch(/Throughput: [\d.]+ (MB|kB|B)\/s/)

    const stranger = randomBytes(16).toString('hex')
    const unknown = await cli(a, ['debug', 'network-test', stranger])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toContain('[unknown_node]')
    expect(unknown.stderr).toContain(stranger)
    const malformed = await cli(a, ['debug', 'network-test', 'not-a-node'])
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toContain('not a node id')
  })

  test('debug stress --tasks 20 --concurrency 4 completes every task and reports throughput and latency', async () => {
    test.setTimeout(LOAD_MS + 120_000)
    const r = await cli(
      a,
      [
        'debug',
        'stress',
        '--tasks',
        '20',
        '--concurrency',
        '4',
        '--type',
        'text_embedding',
        '--json',
      ],
      LOAD_MS + 60_000,
    )
    expect(r.code, `${r.stdout}\n${r.stderr.slice(-2000)}`).toBe(0)
    const report = JSON.parse(r.stdout) as {
      completed: number
      failed: number
      timed_out: number
      tasks_per_sec: number
      latency: { samples: number; p50_ms: number; p99_ms: number }
    }
    expect(report).toMatchObject({ completed: 20, failed: 0, timed_out: 0 })
    expect(report.tasks_per_sec).toBeGreaterThan(0)
    expect(report.latency.samples).toBe(20)
    expect(report.latency.p99_ms).toBeGreaterThanOrEqual(report.latency.p50_ms)
  })

  test('node monitor draws a frame every second until Ctrl-C, then exits 0', async () => {
    const monitor = new CliProcess(['node', 'monitor', '--port', String(a.port), '--home', a.home])
    monitor.start()
    try {
      // two frames: it refreshes
      await monitor.waitFor(
        /Peers \(\d+\)[\s\S]*Ctrl-C to quit[\s\S]*Peers \(\d+\)[\s\S]*Ctrl-C to quit/,
        15_000,
      )
      expect(monitor.stdout).toContain('State ACTIVE')
      expect(monitor.stdout).toMatch(/Health PASS/)
      expect(monitor.stdout).toMatch(/Tasks +\d+ completed/)
      // not a terminal: no escape sequences, frames one after another
      expect(monitor.stdout).not.toContain('\u001b')
      monitor.signal('SIGINT')
      expect(await monitor.exitWithin(5000)).toBe(0)
      expect(monitor.stderr).toBe('')
    } finally {
      await monitor.terminate()
    }
  })
})

test.describe('the page', () => {
  let browser: Browser
  let node: HeadlessNode

  test.afterEach(async () => {
    await browser?.close()
    await node?.dispose()
    await relay?.dispose()
  })

  test('the debug panel tests the network to a headless node and downloads a snapshot without the key', async () => {
    test.setTimeout(240_000)
    relay = await Relay.create()
    node = await HeadlessNode.create(relay.url)
    browser = await launchChromium()
    const context = await newProfile(browser, relay.url)
    const page = await openTab(context, relay.url, 120_000)
    const panel = page.getByTestId('debug-panel')
    await expect(
      panel.getByTestId('debug-target').locator(`option[value="${node.peerId}"]`),
    ).toHaveCount(1, {
      timeout: 60_000,
    })
    await panel.getByTestId('debug-target').selectOption(node.peerId)
    await panel.getByTestId('debug-count').fill('5')
    await panel.getByTestId('debug-bytes').fill('8192')
    await panel.getByTestId('debug-network-run').click()
    const result = panel.getByTestId('debug-network-result')
    await expect(result).toHaveAttribute('data-ok', 'true', { timeout: 60_000 })
    await expect(panel.getByTestId('debug-rtt')).toHaveText(/^p50 [\d.]+ ms, p99 [\d.]+ ms$/)
    await expect(panel.getByTestId('debug-throughput')).toHaveText(/^[\d.]+ (MB|kB|B)\/s$/)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByTestId('debug-snapshot').click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^debug_snapshot_.+\.json$/)
    const text = await readFile(await download.path(), 'utf8')
    const snapshot = JSON.parse(text) as DebugSnapshot
    expect(snapshot.platform).toBe('browser')
    expect(snapshot.peers.map((p) => p.peerId)).toContain(node.peerId)
    expect(snapshot.logs.length).toBeGreaterThan(0)
    await expect(panel.getByTestId('debug-snapshot-result')).toHaveAttribute('data-ok', 'true')

    // the tab's key, as its IndexedDB holds it
    const record = await page.evaluate(
      async () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('p2p-ai-agents')
          open.onerror = () => reject(open.error as Error)
          open.onsuccess = () => {
            const get = open.result.transaction('identity').objectStore('identity').get('slot-0')
            get.onsuccess = () => resolve(get.result)
            get.onerror = () => reject(get.error as Error)
          }
        }),
    )
    const forms = identitySecrets(record)
    // (two encodings coincide when a key has no + or / in base64)
    expect(forms.length).toBeGreaterThanOrEqual(12)
    for (const form of forms) expect(text).not.toContain(form)
  })
})
