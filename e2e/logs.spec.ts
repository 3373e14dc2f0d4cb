/**
 * Logs (FR21.1) end to end: a tab's log panel over its ring buffer (lines, the level filter, a
 * JSON-lines download), and a headless node's log file under `<home>/logs/`, written through the
 * worker thread and complete after a graceful stop.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay } from './processes.js'
import { nodeIdOf, openTab } from './tabs.js'

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']

interface Line {
  timestamp: string
  level: string
  component: string
  node_id?: string
  msg: string
  [field: string]: unknown
}

let browser: Browser | undefined
let relay: Relay | undefined
let node: HeadlessNode | undefined

test.afterEach(async () => {
  await browser?.close()
  await node?.dispose()
  await relay?.dispose()
  browser = node = relay = undefined
})

function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Line)
}

/** Every line of the node's log files, oldest file first. */
async function logFileLines(home: string): Promise<Line[]> {
  const dir = join(home, 'logs')
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.log')).sort()
  const texts = await Promise.all(names.map(async (n) => readFile(join(dir, n), 'utf8')))
  return texts.flatMap(parseLines)
}

test('a tab shows its log lines, filters them by level and downloads them as JSON lines', async () => {
  relay = await Relay.create()
  node = await HeadlessNode.create(relay.url)
  browser = await launchChromium()
  const context = await newProfile(browser, relay.url)
  // DEBUG: lines below INFO, for the filter to hide
  const page = await openTab(context, `${relay.url}/?log_level=DEBUG`)
  const nodeId = await nodeIdOf(page)
  const panel = page.getByRole('region', { name: 'logs' })
  const rows = panel.getByTestId('log-line')

  // the lines of the start, and the headless node joining as a peer (INFO, with its transport)
  await expect(rows.filter({ hasText: 'state transition' }).first()).toBeVisible()
  const connected = rows.filter({ hasText: 'peer connected' }).filter({ hasText: node.peerId })
  await expect(connected.first()).toBeVisible({ timeout: 60_000 })
  await expect(connected.first()).toHaveAttribute('data-level', 'INFO')
  await expect(connected.first()).toContainText(/"transport":"(webrtc|websocket|relay)"/)
  await expect(rows.and(page.locator('[data-level="DEBUG"]')).first()).toBeVisible()

  // WARN and above: no INFO or DEBUG line is left, and the WARN ones stay
  const levelsShown = async (): Promise<string[]> =>
    rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-level') ?? ''))])
  await panel.getByTestId('log-level').selectOption('WARN')
  await expect.poll(levelsShown).not.toContain('INFO')
  expect(await levelsShown()).not.toContain('DEBUG')
  for (const level of await levelsShown()) expect(['WARN', 'ERROR', 'FATAL']).toContain(level)

  // back to everything: the download is one JSON object per line, each with the named fields
  await panel.getByTestId('log-level').selectOption('TRACE')
  await expect.poll(levelsShown).toContain('DEBUG')
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByTestId('log-download').click(),
  ])
  expect(download.suggestedFilename()).toMatch(/\.jsonl$/)
  const path = await download.path()
  const lines = parseLines(await readFile(path, 'utf8'))
  expect(lines.length).toBeGreaterThan(5)
  for (const line of lines) {
    expect(Date.parse(line.timestamp)).not.toBeNaN()
    expect(LEVELS).toContain(line.level)
    expect(line.component).toMatch(/^node/)
    expect(typeof line.msg).toBe('string')
  }
  // once the identity is loaded, every line names this node
  const identity = lines.findIndex((l) => /node identity$/.test(l.msg))
  expect(identity).toBeGreaterThanOrEqual(0)
  for (const line of lines.slice(identity)) expect(line.node_id).toBe(nodeId)
  expect(lines.some((l) => l.msg === 'peer connected' && l.peer === node?.peerId)).toBe(true)
  expect(lines.some((l) => l.level === 'DEBUG')).toBe(true)

  // filtered, the download has only what the panel shows
  await panel.getByTestId('log-level').selectOption('INFO')
  await expect.poll(levelsShown).not.toContain('DEBUG')
  const [filtered] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByTestId('log-download').click(),
  ])
  const kept = parseLines(await readFile(await filtered.path(), 'utf8'))
  expect(kept.length).toBeGreaterThan(0)
  for (const line of kept) expect(['INFO', 'WARN', 'ERROR', 'FATAL']).toContain(line.level)
})

test('a headless node writes its log lines to <home>/logs/ as well as stderr', async () => {
  relay = await Relay.create()
  node = await HeadlessNode.create(relay.url)
  const home = node.home
  // written by the worker thread: wait for the start-up lines to reach the file
  await expect
    .poll(async () => (await logFileLines(home)).map((l) => l.msg), { timeout: 20_000 })
    .toContain('node active')
  const names = (await readdir(join(home, 'logs'))).filter((n) => n.endsWith('.log'))
  expect(names).toHaveLength(1)
  expect(names[0]).toMatch(/^node\.\d{4}-\d{2}-\d{2}\.\d+\.log$/)

  // a graceful stop: its last line, logged just before the process exits, is in the file too
  expect(await node.stop()).toBe(0)
  const lines = await logFileLines(home)
  expect(lines.at(-1)).toMatchObject({ level: 'INFO', component: 'node', msg: 'node stopped' })
  const nodeId = lines.find((l) => l.msg === 'node active')?.node_id
  expect(nodeId).toMatch(/^[0-9a-f]{32}$/)
  // the same lines as on stderr
  const stderr = parseLines(
    node.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .join('\n'),
  )
  expect(stderr.map((l) => l.msg)).toEqual(lines.map((l) => l.msg))
})
