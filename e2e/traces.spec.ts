/**
 * Cross-node traces (FR21.3) with a real tab and a headless node (real models, real WebRTC on
 * loopback). A task submitted in the tab and run on the headless node gives one trace whose
 * spans span both nodes, the node's as children of the tab's transfer span, shown in the tab's
 * waterfall; a task submitted on the headless node and run in the tab is printed by
 * `p2p-ai-agents trace <id>` from the headless node, with both nodes' spans.
 */
import type { Browser, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import type { SpanRecord } from '../src/core/spans.js'
import type { PeerInfo } from '../src/core/types.js'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay, runCli } from './processes.js'
import { expectPeers, nodeIdOf, openTab } from './tabs.js'

/** a first model load and speed test on this loaded 2-core machine, tab and node at once */
const WARM_MS = 180_000

let browser: Browser
let relay: Relay
let node: HeadlessNode | undefined

test.beforeEach(async () => {
  relay = await Relay.create()
  browser = await launchChromium()
})

test.afterEach(async () => {
  await browser?.close()
  await node?.dispose()
  node = undefined
  await relay?.dispose()
})

interface ShownSpan {
  name: string
  node: string
  span: string
  parent: string
  trace: string
}

/** The spans a task's waterfall shows in the tab. */
async function shownSpans(page: Page, taskId: string): Promise<ShownSpan[]> {
  return page
    .locator(`[data-testid="task-trace"][data-task-id="${taskId}"] [data-testid="trace-span"]`)
    .evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-name') ?? '',
        node: e.getAttribute('data-node-id') ?? '',
        span: e.getAttribute('data-span-id') ?? '',
        parent: e.getAttribute('data-parent-id') ?? '',
        trace: e.getAttribute('data-trace-id') ?? '',
      })),
    )
}

function one<T extends { name: string }>(spans: T[], name: string, on: (s: T) => boolean): T {
  const found = spans.filter((s) => s.name === name && on(s))
  expect(found, `one ${name}`).toHaveLength(1)
  return found[0] as T
}

/** The id of the headless node, from its start-up lines. */
function nodeIdOfHeadless(n: HeadlessNode): string {
  return /id: ([0-9a-f]{32})/.exec(n.stdout)?.[1] ?? ''
}

test('a task from a tab run on a headless node is one trace across both, and trace prints one the other way', async () => {
  test.setTimeout(600_000)
  node = await HeadlessNode.create(relay.url)
  const context = await newProfile(browser, relay.url)
  const tab = await openTab(context, relay.url, WARM_MS)
  await expectPeers(tab, [node.peerId], 'webrtc', WARM_MS)
  const tabId = await nodeIdOf(tab)
  const headlessId = nodeIdOfHeadless(node)
  expect(headlessId).toMatch(/^[0-9a-f]{32}$/)

  // the tab: a task placed on the headless node, once the tab sees it serving
  const placement = tab.getByTestId('task-placement')
  await expect(placement.locator(`option[value="${headlessId}"]`)).toHaveCount(1, {
    timeout: WARM_MS,
  })
  await tab.getByTestId('task-type').selectOption('text_embedding')
  await tab.getByTestId('task-input').fill('follow me across the mesh')
  await placement.selectOption(headlessId)
  await tab.getByTestId('task-submit').click()
  const row = tab.getByTestId('task-row').first()
  await expect(row).toHaveAttribute('data-status', 'COMPLETED', { timeout: WARM_MS })
  await expect(row.getByTestId('task-where')).toHaveAttribute('data-executed-by', headlessId)
  const taskId = (await row.getAttribute('data-task-id')) ?? ''

  // its waterfall: 5 spans of the tab, 3 of the headless node, one trace
  await row.getByTestId('task-trace-toggle').click()
  let spans: ShownSpan[] = []
  await expect
    .poll(async () => (spans = await shownSpans(tab, taskId)).length, { timeout: 30_000 })
    .toBe(8)
  expect(new Set(spans.map((s) => s.trace))).toHaveProperty('size', 1)
  const inTab = (s: ShownSpan): boolean => s.node === tabId
  const onNode = (s: ShownSpan): boolean => s.node === headlessId
  const submit = one(spans, 'submit', inTab)
  expect(submit.parent).toBe('')
  for (const name of ['schedule', 'transfer', 'result', 'store'])
    expect(one(spans, name, inTab).parent, name).toBe(submit.span)
  const transfer = one(spans, 'transfer', inTab)
  for (const name of ['queue', 'inference', 'result'])
    expect(one(spans, name, onNode).parent, `${name} on the node`).toBe(transfer.span)

  // the other way: a task of the headless node run in the tab, then `trace` from the node
  await expect
    .poll(
      async () =>
        (await node!.api<PeerInfo[]>('/peers')).find((p) => p.nodeId === tabId)?.compute
          ?.embeddings_per_sec ?? 0,
      { timeout: WARM_MS },
    )
    .toBeGreaterThan(0)
  const submitted = await runCli([
    'task',
    'submit',
    '--type',
    'embedding',
    '--input',
    'and back again',
    '--placement',
    tabId,
    '--port',
    String(node.port),
  ])
  expect(submitted.code, submitted.stderr).toBe(0)
  const id = /Task submitted \(id: ([0-9a-f-]{36})\)/.exec(submitted.stdout)?.[1] ?? ''
  await expect
    .poll(async () => (await node!.api<{ status: string }>(`/tasks/${id}`)).status, {
      timeout: 60_000,
    })
    .toBe('COMPLETED')

  let json: { task_id: string; spans: SpanRecord[] } = { task_id: '', spans: [] }
  await expect
    .poll(
      async () => {
        const r = await runCli(['trace', id, '--json', '--port', String(node!.port)])
        json = JSON.parse(r.stdout) as typeof json
        return json.spans.length
      },
      { timeout: 30_000 },
    )
    .toBe(8)
  const records = json.spans
  expect(new Set(records.map((s) => s.trace_id))).toHaveProperty('size', 1)
  const back = one(records, 'transfer', (s) => s.node_id === headlessId)
  for (const name of ['queue', 'inference', 'result'])
    expect(one(records, name, (s) => s.node_id === tabId).parent_span_id, name).toBe(back.span_id)

  const printed = await runCli(['trace', id, '--port', String(node.port)])
  expect(printed.code, printed.stderr).toBe(0)
  const lines = printed.stdout.split('\n')
  expect(lines[0]).toBe(`Task ${id}`)
  expect(lines[1]).toBe(`Trace ${records[0]?.trace_id}`)
  expect(lines[2]).toMatch(/^SPAN +NODE +START +DURATION$/)
  expect(lines[3]).toMatch(new RegExp(`^submit +${headlessId} +\\+0\\.00 ms +[\\d.]+ ms$`))
  expect(
    lines.some((l) => new RegExp(`^ {4}inference +${tabId} +\\+[\\d.]+ ms +[\\d.]+ ms$`).test(l)),
  ).toBe(true)

  // an unknown task and a bad id, as the CLI says them
  const unknown = await runCli([
    'trace',
    '0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9',
    '--port',
    String(node.port),
  ])
  expect([unknown.code, unknown.stderr.trim()]).toEqual([
    1,
    'Task not found (id: 0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9)',
  ])
})
