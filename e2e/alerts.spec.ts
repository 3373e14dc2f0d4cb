/**
 * Alerts (FR22.1) on real nodes: a headless node asked for more peers than it has fires
 * peers_low once (GET /alerts, `alerts --json`, one log line), and clears it when a second node
 * joins; a tab shows the banner, and it goes when another tab joins. And the Prometheus rules of
 * prometheus/alerts.yml pass promtool's check and its unit tests (Debian's `prometheus` package;
 * `.ci/run` installs it).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { expect, test } from '@playwright/test'
import type { Alert } from '../src/core/alerts.js'
import { ALERT_RULES } from '../src/core/alerts.js'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay, runCli, tempHome } from './processes.js'
import { openTab, peerIdOf } from './tabs.js'

const PROMTOOL = process.env.PROMTOOL ?? 'promtool'
const PROMETHEUS = join(import.meta.dirname, '..', 'prometheus')

/** Fast alerts: evaluated every second, no grace period, cleared after 2 s. */
const FAST = {
  alert_min_peers: '1',
  alert_grace_secs: '0',
  alert_check_interval_secs: '1',
  alert_clear_secs: '2',
}
const FAST_ENV = Object.fromEntries(
  Object.entries(FAST).map(([k, v]) => [`P2P_AI_${k.toUpperCase()}`, v]),
)

function promtool(args: string[]): { code: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { cwd: PROMETHEUS, encoding: 'utf8' })
  if (r.error != null) throw new Error(`${PROMTOOL} could not run: ${r.error.message}`)
  return { code: r.status, output: `${r.stdout}${r.stderr}` }
}

/** The JSON log lines of a process's stderr about `rule`. */
function alertLogs(stderr: string, rule: string): Array<{ level: string; msg: string }> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string; alert?: string })
    .filter((e) => e.alert === rule)
    .map(({ level, msg }) => ({ level, msg }))
}

test('prometheus/alerts.yml: promtool checks the rules and runs their unit tests', () => {
  const check = promtool(['check', 'rules', 'alerts.yml'])
  expect(check.code, check.output).toBe(0)
  const unit = promtool(['test', 'rules', 'alerts.test.yml'])
  expect(unit.code, unit.output).toBe(0)
  // one Prometheus alert per rule of the nodes, labelled with the rule's name
  const rules = [...readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8').matchAll(/rule: (\w+)/g)]
  expect(rules.map((m) => m[1]).sort()).toEqual([...ALERT_RULES].sort())
})

test.describe('a headless node', () => {
  let relay: Relay
  const nodes: HeadlessNode[] = []

  test.beforeAll(async () => {
    relay = await Relay.create()
  })

  test.afterAll(async () => {
    await Promise.all(nodes.map(async (n) => n.dispose()))
    await relay?.dispose()
  })

  test('fires peers_low once alone, lists it, and clears it when a second node joins', async () => {
    const lonely = await HeadlessNode.create(relay.url, FAST_ENV)
    nodes.push(lonely)
    const peersLow = async (): Promise<Alert[]> =>
      (await lonely.api<Alert[]>('/alerts')).filter((a) => a.rule === 'peers_low')
    await expect.poll(async () => (await peersLow()).map((a) => a.state)).toEqual(['firing'])
    const [alert] = await peersLow()
    expect(alert).toMatchObject({
      severity: 'warning',
      value: 0,
      threshold: 1,
      message: expect.stringMatching(/^0 mesh peers, fewer than 1: /) as unknown,
    })
    await new Promise((r) => setTimeout(r, 2500)) // more evaluations: still one alert
    expect(await peersLow()).toEqual([alert])

    const json = await runCli(['alerts', '--json', '--port', String(lonely.port)])
    expect(json.code, json.stderr).toBe(0)
    const listed = (JSON.parse(json.stdout) as Alert[]).filter((a) => a.rule === 'peers_low')
    expect(listed).toEqual([alert])
    const human = await runCli(['alerts', '--port', String(lonely.port)])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^ALERT +SEVERITY +SINCE +VALUE +THRESHOLD +MESSAGE$/m)
    expect(human.stdout).toMatch(
      /^peers_low +warning +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +0 +1 +0 mesh peers/m,
    )

    nodes.push(await HeadlessNode.create(relay.url))
    await expect
      .poll(async () => (await peersLow()).map((a) => a.state), { timeout: 60_000 })
      .toEqual(['cleared'])
    const [cleared] = await peersLow()
    expect(cleared).toMatchObject({ fired_at: alert?.fired_at, value: 1 })
    expect(Date.parse(cleared?.cleared_at ?? '')).toBeGreaterThan(Date.parse(alert?.fired_at ?? ''))
    expect(alertLogs(lonely.stderr, 'peers_low')).toEqual([
      { level: 'WARN', msg: 'alert fired' },
      { level: 'INFO', msg: 'alert cleared' },
    ])
    const after = await runCli(['alerts', '--port', String(lonely.port)])
    expect(after.stdout).toMatch(/^No active alerts\n/)
    expect(after.stdout).toMatch(/Cleared in the last hour:\n.*\npeers_low +warning/)
  })

  test('alerts without a running node: the same error and exit code as the other commands', async () => {
    const home = await tempHome('empty')
    try {
      expect(await runCli(['alerts', '--home', home])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: no running node found; start one with "p2p-ai-agents node start"\n',
      })
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })
})

test.describe('a tab', () => {
  let relay: Relay
  let browser: Browser

  test.beforeAll(async () => {
    relay = await Relay.create()
    browser = await launchChromium()
  })

  test.afterAll(async () => {
    await browser?.close()
    await relay?.dispose()
  })

  test('shows a banner while peers_low fires, and drops it once another tab joins', async () => {
    const context = await newProfile(browser, relay.url)
    const query = new URLSearchParams(FAST).toString()
    const page = await openTab(context, `${relay.url}/?${query}`)
    const banner = page.getByTestId('alert-banner')
    await expect(banner.getByTestId('alert')).toHaveCount(1)
    await expect(banner.getByTestId('alert')).toHaveAttribute('data-rule', 'peers_low')
    await expect(banner).toContainText('0 mesh peers, fewer than 1')
    const other = await openTab(context, `${relay.url}/`)
    await peerIdOf(other)
    await expect(banner).toHaveCount(0, { timeout: 60_000 })
  })
})
