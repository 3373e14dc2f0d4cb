/**
 * Mesh compute with real tabs and a headless node (real models, real WebRTC on loopback): tasks
 * submitted in one tab run on the best nodes of the mesh, their results verified, and their
 * vectors those of local execution. Results are read from the submitting tab's IndexedDB.
 */
import type { Browser, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import type { EmbeddingOutput, TaskRecord } from '../src/core/tasks.js'
import { cosine } from '../src/compute/agreement.js'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay } from './processes.js'
import { allStoredRecords } from './results-db.js'
import { expectPeers, nodeIdOf, openTab, peerIdOf } from './tabs.js'

/**
 * Full precision for tests that compare vectors across nodes: the q8 model quantizes activations
 * with one scale per batch (DynamicQuantizeLinear), so a q8 embedding depends on the other texts
 * of its batch (min cosine about 0.998 between two batchings); fp32 does not.
 */
const FP32_MODELS = JSON.stringify({
  text_embedding: { model: 'local/universal-sentence-encoder-lite', dtype: 'fp32' },
  classification: { model: 'local/use-lite-sentiment-prototype', dtype: 'fp32' },
})
/** liveness guards on this 2-core machine: 4 nodes load a model and measure their speed at once */
const WARM_MS = 180_000
const BURST_MS = 180_000

let browser: Browser
let relay: Relay
let node: HeadlessNode | undefined

test.beforeEach(async () => {
  relay = await Relay.create()
  browser = await launchChromium()
})

test.afterEach(async () => {
  for (const a of test.info().annotations) console.log(`  ${a.type}: ${a.description ?? ''}`)
  await browser?.close()
  await node?.dispose()
  node = undefined
  await relay?.dispose()
})

/** Every task record the tabs of the page's profile stored (outputs only when asked). */
const storedRecords = allStoredRecords

/** Resolves once the tab's submitted tasks for these inputs are all final; their records. */
async function settledRecords(page: Page, nodeId: string, n: number): Promise<TaskRecord[]> {
  const mineOf = (records: TaskRecord[]): TaskRecord[] =>
    records.filter((r) => r.node_id === nodeId && r.served_for == null)
  let mine: TaskRecord[] = []
  await expect
    .poll(
      async () => {
        mine = mineOf(await storedRecords(page))
        return mine.filter((r) => ['COMPLETED', 'FAILED', 'TIMEOUT'].includes(r.status)).length
      },
      { timeout: BURST_MS, intervals: [1000], message: 'tasks settled' },
    )
    .toBe(n)
    .catch(async (e: unknown) => {
      // what the unsettled tasks were doing, and what the tab thought of its peers
      const stuck = mine.filter((r) => !['COMPLETED', 'FAILED', 'TIMEOUT'].includes(r.status))
      const peers = await page
        .getByTestId('peer-row')
        .allInnerTexts()
        .catch(() => [])
      test.info().annotations.push(
        ...stuck.map((r) => ({
          type: 'unsettled',
          description: `${r.task_id} ${r.status} ${JSON.stringify(r.attempts ?? [])}`,
        })),
        ...peers.map((p) => ({ type: 'peer', description: p.replace(/\s+/g, ' ') })),
        ...(logs.get(page) ?? []).slice(-40).map((l) => ({ type: 'log', description: l })),
      )
      throw e
    })
  return mineOf(await storedRecords(page, true))
}

/** The submitting tabs' task placement logs, shown when their tasks do not settle. */
const logs = new WeakMap<Page, string[]>()
function keepTaskLogs(page: Page): void {
  const lines: string[] = []
  logs.set(page, lines)
  page.on('console', (m) => {
    const text = m.text()
    if (/task|attempt|skipping|stream/i.test(text) && !/\[node:ui/.test(text))
      lines.push(`${new Date().toISOString().slice(11, 23)} ${text.slice(0, 300)}`)
    if (lines.length > 400) lines.splice(0, 200)
  })
}

/** Waits until the tab sees every one of `peers` serving tasks, with its speed measured. */
async function expectServing(page: Page, peers: string[]): Promise<void> {
  for (const p of peers) {
    const row = page.locator(`[data-testid="peer-row"][data-peer-id="${p}"]`)
    await expect(row.getByTestId('peer-speed')).toHaveText(/^\d+(\.\d+)?\/s$/, {
      timeout: WARM_MS,
    })
  }
}

async function submitLines(
  page: Page,
  lines: string[],
  placement = 'auto',
  replicas = 1,
): Promise<void> {
  await page.getByTestId('task-type').selectOption('text_embedding')
  await page.getByTestId('task-replicas').fill(String(replicas))
  await page.getByTestId('task-per-line').check()
  await page.getByTestId('task-input').fill(lines.join('\n'))
  await page.getByTestId('task-placement').selectOption(placement)
  await page.getByTestId('task-submit').click()
  await expect(page.getByTestId('task-error')).toHaveCount(0)
}

test('a burst of 200 embeddings from one tab runs on 3+ nodes of the mesh, matching local results', async () => {
  test.setTimeout(600_000)
  node = await HeadlessNode.create(relay.url, { P2P_AI_MODELS: FP32_MODELS })
  const context = await newProfile(browser, relay.url)
  const url = `${relay.url}/?models=${encodeURIComponent(FP32_MODELS)}`
  const tabs = [
    await openTab(context, url),
    await openTab(context, url),
    await openTab(context, url),
  ]
  const ids = [node.peerId, ...(await Promise.all(tabs.map(peerIdOf)))]
  const [submitter] = tabs as [Page]
  keepTaskLogs(submitter)
  const others = ids.filter((id) => id !== ids[1])
  await expectPeers(submitter, others)
  await expectServing(submitter, others)
  const self = await nodeIdOf(submitter)

  const lines = Array.from({ length: 200 }, (_, i) => `sentence number ${i} about the mesh`)
  await submitLines(submitter, lines)
  const spread = await settledRecords(submitter, self, 200)
  expect(spread.filter((r) => r.status !== 'COMPLETED').map((r) => r.error_reason)).toEqual([])
  const nodes = new Set(spread.map((r) => r.executed_by?.join(',')))
  test.info().annotations.push({
    type: 'spread',
    description: [...nodes]
      .map(
        (n) => `${n?.slice(0, 8)}: ${spread.filter((r) => r.executed_by?.join(',') === n).length}`,
      )
      .join(', '),
  })
  expect(nodes.size).toBeGreaterThanOrEqual(3)
  for (const r of spread) expect(r.placement).toBe('auto')
  // the other tabs kept their own (served) record of each task they ran, beside the submitter's
  const tabIds = await Promise.all(tabs.slice(1).map(nodeIdOf))
  const ranOnTabs = spread.filter((r) => tabIds.includes(r.executed_by?.[0] ?? ''))
  const served = (await storedRecords(submitter)).filter(
    (r) => r.node_id === self && r.served_for != null && r.status === 'COMPLETED',
  )
  expect(ranOnTabs.length).toBeGreaterThan(0)
  expect(new Set(served.map((r) => r.task_id))).toEqual(new Set(ranOnTabs.map((r) => r.task_id)))

  // the same texts run here: every vector agrees with the mesh's (backends differ in the last bits)
  await submitLines(submitter, lines, 'local')
  const all = await settledRecords(submitter, self, 400)
  const local = all.filter((r) => r.placement === 'local')
  expect(local).toHaveLength(200)
  const byInput = new Map(local.map((r) => [r.input_preview, r]))
  const worst = new Map<string, number>()
  const cosines = spread.map((r) => {
    const mine = byInput.get(r.input_preview)
    expect(mine?.executed_by).toEqual([self])
    const a = (r.output_data as EmbeddingOutput).embedding
    const b = (mine?.output_data as EmbeddingOutput).embedding
    const c = cosine(a, b)
    const by = r.executed_by?.join(',') ?? ''
    worst.set(by, Math.min(worst.get(by) ?? 1, c))
    return c
  })
  test.info().annotations.push({
    type: 'agreement',
    description: [...worst]
      .map(([n, c]) => `${n.slice(0, 8)}: min cosine ${c.toFixed(5)}`)
      .join(', '),
  })
  for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.999)
})

/** The node id a headless node printed. */
function nodeIdOfNode(n: HeadlessNode): string {
  return /Node started \(id: ([0-9a-f]{32})/.exec(n.stdout)?.[1] ?? ''
}

/** Waits until the tab's stored records show a task running on `nodeId`. */
async function expectRunningOn(page: Page, nodeId: string): Promise<void> {
  await expect
    .poll(
      async () =>
        (await storedRecords(page)).some((r) =>
          r.attempts?.some((a) => a.node_id === nodeId && a.outcome === 'running'),
        ),
      { timeout: BURST_MS, intervals: [250], message: `a task out on ${nodeId}` },
    )
    .toBe(true)
}

test.describe('no task lost', () => {
  /** long inputs (about 110 of the model's 128 tokens): real work for every task */
  const filler = 'the quick brown fox jumps over the lazy dog while it rains '.repeat(7)
  const lines = Array.from({ length: 300 }, (_, i) => `${i}: ${filler}`)

  test('SIGKILL of a headless executor holding tasks: every task completes, its ones on a 2nd attempt', async () => {
    test.setTimeout(600_000)
    // a slow executor (each call held 5 s), so that it still holds tasks when it is killed
    node = await HeadlessNode.create(relay.url, {
      P2P_AI_TEST_FAULTS: JSON.stringify({ call_delay_ms: 5000 }),
    })
    const victim = nodeIdOfNode(node)
    const context = await newProfile(browser, relay.url)
    const submitter = await openTab(context, relay.url)
    keepTaskLogs(submitter)
    const helper = await openTab(context, relay.url)
    const others = [node.peerId, await peerIdOf(helper)]
    await expectPeers(submitter, others)
    await expectServing(submitter, others)
    const self = await nodeIdOf(submitter)

    await submitLines(submitter, lines)
    await expectRunningOn(submitter, victim)
    // killed while it holds a call (the submitter's stored records can lag a finished one)
    const victimNode = node
    await expect
      .poll(
        async () =>
          (await victimNode.api<{ task_stats?: { running: number } }>('/status')).task_stats
            ?.running ?? 0,
        { timeout: BURST_MS, intervals: [100] },
      )
      .toBeGreaterThan(0)
    await node.kill()

    const records = await settledRecords(submitter, self, 300)
    expect(records.filter((r) => r.status !== 'COMPLETED').map((r) => r.error_reason)).toEqual([])
    // held: the victim had them when it died (a task it finished just before is not held)
    const held = records.filter((r) =>
      r.attempts?.some((a) => a.node_id === victim && a.outcome !== 'completed'),
    )
    expect(held.length).toBeGreaterThan(0)
    for (const r of held) {
      expect(r.attempts?.length).toBeGreaterThanOrEqual(2)
      expect(r.executed_by).not.toEqual([victim])
    }
    test.info().annotations.push({
      type: 'recovered',
      description: `${held.length} tasks held by the killed node, all completed elsewhere`,
    })
  })

  test('a tab executor closed mid-run: every task completes elsewhere', async () => {
    test.setTimeout(600_000)
    const context = await newProfile(browser, relay.url)
    const submitter = await openTab(context, relay.url)
    keepTaskLogs(submitter)
    // one task at a time: it holds queued tasks for a while
    const executor = await openTab(context, `${relay.url}/?max_batch_size=1&max_concurrent_tasks=1`)
    const victim = await nodeIdOf(executor)
    await expectPeers(submitter, [await peerIdOf(executor)])
    await expectServing(submitter, [await peerIdOf(executor)])
    const self = await nodeIdOf(submitter)

    await submitLines(submitter, lines)
    // the executor shows the tasks it runs for others; it is closed as soon as it has some
    await expect(executor.getByTestId('task-row').first()).toBeVisible({ timeout: 60_000 })
    await executor.close()

    const records = await settledRecords(submitter, self, 300)
    expect(records.filter((r) => r.status !== 'COMPLETED').map((r) => r.error_reason)).toEqual([])
    const held = records.filter(
      (r) => r.attempts?.some((a) => a.node_id === victim && a.outcome !== 'completed') === true,
    )
    expect(held.length).toBeGreaterThan(0)
    for (const r of held) expect(r.executed_by).toEqual([self])
  })

  test('the submitting tab reloaded mid-run: its tasks resume and complete, none lost', async () => {
    test.setTimeout(600_000)
    node = await HeadlessNode.create(relay.url, {
      P2P_AI_TEST_FAULTS: JSON.stringify({ call_delay_ms: 5000 }),
    })
    const context = await newProfile(browser, relay.url)
    const submitter = await openTab(context, relay.url)
    keepTaskLogs(submitter)
    await expectPeers(submitter, [node.peerId])
    await expectServing(submitter, [node.peerId])
    const self = await nodeIdOf(submitter)

    await submitLines(submitter, lines)
    await expectRunningOn(submitter, nodeIdOfNode(node))
    // every task is stored (group commit: within a second) before the reload
    await expect
      .poll(async () => (await storedRecords(submitter)).length, { timeout: 10_000 })
      .toBe(300)
    await submitter.reload()
    await expect(submitter.getByTestId('node-state')).toHaveText('ACTIVE')

    const records = await settledRecords(submitter, self, 300)
    expect(records.filter((r) => r.status !== 'COMPLETED').map((r) => r.error_reason)).toEqual([])
    const resumed = records.filter((r) => r.attempts?.some((a) => a.outcome === 'interrupted'))
    expect(resumed.length).toBeGreaterThan(0)
    for (const r of records) expect(r).not.toHaveProperty('pending_input')
  })
})

test('a flood of 1,000 tasks from one tab does not hold back another tab on the same executor', async () => {
  test.setTimeout(600_000)
  // one call of 32 at a time, each held 1 s: the flood takes a while to get through
  node = await HeadlessNode.create(relay.url, {
    P2P_AI_TEST_FAULTS: JSON.stringify({ call_delay_ms: 1000 }),
    P2P_AI_MAX_CONCURRENT_TASKS: '1',
  })
  const executor = nodeIdOfNode(node)
  const context = await newProfile(browser, relay.url)
  // the flooder keeps as many tasks out there as the executor queues for one peer (256)
  const flooder = await openTab(context, `${relay.url}/?max_inflight_per_peer=256`)
  const other = await openTab(context, relay.url)
  keepTaskLogs(flooder)
  keepTaskLogs(other)
  const [floodId, otherId] = [await peerIdOf(flooder), await peerIdOf(other)]
  await expectPeers(flooder, [node.peerId, otherId])
  await expectPeers(other, [node.peerId, floodId])
  for (const tab of [flooder, other]) await expectServing(tab, [node.peerId])
  const flood = Array.from({ length: 1000 }, (_, i) => `flood ${i}`)
  await submitLines(flooder, flood, executor)
  await expectRunningOn(flooder, executor)
  const few = Array.from({ length: 10 }, (_, i) => `other ${i}`)
  await submitLines(other, few, executor)

  const mine = await settledRecords(other, await nodeIdOf(other), 10)
  const flooded = await settledRecords(flooder, await nodeIdOf(flooder), 1000)
  for (const r of [...mine, ...flooded]) expect(r.status).toBe('COMPLETED')
  const onExecutor = flooded.filter((r) => r.executed_by?.[0] === executor)
  const at = (iso: string | undefined): number => Date.parse(iso ?? '')
  const otherFirst = Math.min(...mine.map((r) => at(r.submitted_at)))
  const otherLast = Math.max(...mine.map((r) => at(r.timestamp_completed)))
  // flood tasks the executor finished while the other tab's were waiting
  const meanwhile = onExecutor.filter((r) => {
    const t = at(r.timestamp_completed)
    return t > otherFirst && t <= otherLast
  }).length
  const after = onExecutor.filter((r) => at(r.timestamp_completed) > otherLast).length
  test.info().annotations.push({
    type: 'fairness',
    description: `while the other tab's 10 tasks waited, ${meanwhile} flood tasks were served; ${after} came after them`,
  })
  for (const r of mine) expect(r.executed_by).toEqual([executor])
  expect(onExecutor).toHaveLength(1000)
  // round-robin: the other tab waits for the call running (32) and shares the next one, not
  // for the flood's 200-odd tasks queued ahead of it (first come, first served would)
  expect(meanwhile).toBeLessThanOrEqual(96)
  expect(after).toBeGreaterThan(0)
})

test('replicas outvote a node that returns perturbed embeddings: it loses reputation, then work', async () => {
  test.setTimeout(600_000)
  // the fastest node of the mesh, and a liar: every embedding it returns is perturbed
  node = await HeadlessNode.create(relay.url, {
    P2P_AI_TEST_FAULTS: JSON.stringify({ perturb: 0.05 }),
  })
  const liar = nodeIdOfNode(node)
  const context = await newProfile(browser, relay.url)
  const tabs = [
    await openTab(context, relay.url),
    await openTab(context, relay.url),
    await openTab(context, relay.url),
  ]
  const [submitter] = tabs as [Page]
  keepTaskLogs(submitter)
  const others = [node.peerId, ...(await Promise.all(tabs.slice(1).map(peerIdOf)))]
  await expectPeers(submitter, others)
  await expectServing(submitter, others)
  const self = await nodeIdOf(submitter)

  // rounds of 3 replicated tasks until the liar has been outvoted twice (a round may find it
  // skipped for a while, e.g. after a stream that failed to open)
  let checked: TaskRecord[] = []
  let outvoted: TaskRecord[] = []
  for (let round = 0; round < 6 && outvoted.length < 2; round++) {
    if (round > 0) await submitter.waitForTimeout(5000)
    const lines = Array.from({ length: 3 }, (_, i) => `replicated sentence ${round}.${i}`)
    await submitLines(submitter, lines, 'auto', 3)
    checked = (await settledRecords(submitter, self, checked.length + 3)).filter(
      (r) => r.replicas === 3,
    )
    outvoted = checked.filter((r) =>
      r.attempts?.some((a) => a.node_id === liar && a.outcome === 'disagreed'),
    )
  }
  for (const r of checked.filter((x) => x.status !== 'COMPLETED'))
    test.info().annotations.push({
      type: 'not completed',
      description: `${r.task_id} ${r.status} ${r.error_reason ?? ''} ${r.error_details ?? ''} ${JSON.stringify(r.attempts ?? [])}`,
    })
  for (const r of checked) {
    expect(r).toMatchObject({ status: 'COMPLETED', replicas: 3 })
    expect(r.executed_by?.length).toBeGreaterThanOrEqual(2)
    expect(r.executed_by).not.toContain(liar)
  }
  const liarOutcomes = checked.flatMap(
    (r) => r.attempts?.filter((a) => a.node_id === liar).map((a) => a.outcome) ?? [],
  )
  test.info().annotations.push({
    type: 'liar attempts',
    description: liarOutcomes.join(', ') || 'none',
  })
  expect(outvoted.length).toBeGreaterThanOrEqual(2)
  const row = submitter.locator(`[data-testid="peer-row"][data-peer-id="${node.peerId}"]`)
  await expect(row.getByTestId('peer-reputation')).toContainText('untrusted')

  // auto sends the liar nothing now, fast as it is
  await submitLines(
    submitter,
    Array.from({ length: 40 }, (_, i) => `plain sentence ${i}`),
  )
  const all = await settledRecords(submitter, self, checked.length + 40)
  const plain = all.filter((r) => r.replicas == null)
  expect(plain).toHaveLength(40)
  for (const r of plain) expect(r.executed_by).not.toContain(liar)
  test.info().annotations.push({
    type: 'agreement',
    description: `${outvoted.length} of ${checked.length} replicated tasks outvoted the liar; 40 auto tasks ran on ${new Set(plain.map((r) => r.executed_by?.[0])).size} other nodes`,
  })
})
