/**
 * The mesh dashboard in real tabs: every tab draws the whole mesh (relay, tabs and a headless
 * node) from the gossiped topology, with the right transports; a crashed tab turns DEAD and
 * goes; the tooltip, the keyboard and the side panel work, and the panel runs a task there.
 */
import type { Browser, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { launchChromium, newProfile } from './browser.js'
import { HeadlessNode, Relay } from './processes.js'
import { expectPeers, openTab, peerIdOf } from './tabs.js'

/** liveness guard: 4 tabs and a node load a model and measure their speed at once on 2 cores */
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

function graphNode(page: Page, peerId: string) {
  return page.locator(`[data-testid="topology-node"][data-node-id="${peerId}"]`)
}

async function graph(page: Page): Promise<{ nodes: string[]; transports: string[] }> {
  return {
    nodes: (
      await page
        .getByTestId('topology-node')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? ''))
    ).sort(),
    transports: (
      await page
        .getByTestId('topology-edge')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-transport') ?? ''))
    ).sort(),
  }
}

test('every tab draws the whole mesh; a crashed tab turns DEAD and goes; the panel runs a task there', async () => {
  test.setTimeout(600_000)
  node = await HeadlessNode.create(relay.url)
  const context = await newProfile(browser, relay.url)
  const tabs: Page[] = []
  for (let i = 0; i < 4; i++) tabs.push(await openTab(context, relay.url, WARM_MS))
  const ids = await Promise.all(tabs.map(peerIdOf))
  const everyone = [...ids, node.peerId]
  for (const [i, tab] of tabs.entries())
    await expectPeers(
      tab,
      everyone.filter((p) => p !== ids[i]),
      'webrtc',
      WARM_MS,
    )

  // 4 tabs + the node + the relay; 10 WebRTC links between the 5 peers, 5 WebSockets to the relay
  for (const tab of tabs) {
    await expect
      .poll(async () => graph(tab), { timeout: 60_000, message: `graph of ${await peerIdOf(tab)}` })
      .toEqual({
        nodes: expect.arrayContaining(everyone) as unknown as string[],
        transports: [...Array<string>(10).fill('webrtc'), ...Array<string>(5).fill('websocket')],
      })
    await expect(tab.getByTestId('topology-node')).toHaveCount(6)
  }
  const [first] = tabs as [Page]
  await expect(first.locator('[data-testid="topology-node"][data-self="true"]')).toHaveAttribute(
    'data-node-id',
    ids[0] as string,
  )
  await expect(first.locator('[data-testid="topology-node"][data-kind="relay"]')).toHaveCount(1)
  await expect(graphNode(first, node.peerId)).toHaveAttribute('data-kind', 'node')

  // hover: the tooltip names the node, its kind and state, and its engine once measured
  await graphNode(first, node.peerId).hover()
  const tooltip = first.getByTestId('topology-tooltip')
  await expect(tooltip).toContainText('node')
  await expect(tooltip.getByTestId('tooltip-state')).toHaveText('ALIVE')
  await expect(tooltip).toContainText(/emb\/s|measuring/, { timeout: WARM_MS })

  // the keyboard: focus a node, Enter opens its panel, Escape closes it
  await graphNode(first, ids[1] as string).focus()
  await first.keyboard.press('Enter')
  const panel = first.getByTestId('node-panel')
  await expect(panel).toHaveAttribute('data-node-id', ids[1] as string)
  await expect(panel.getByTestId('panel-state')).toHaveText('ALIVE')
  await first.keyboard.press('Escape')
  await expect(panel).toHaveCount(0)

  // click the headless node; ping it, then run a task there
  await graphNode(first, node.peerId).click()
  await expect(panel).toHaveAttribute('data-node-id', node.peerId)
  await panel.getByTestId('panel-ping').click()
  await expect(panel.getByTestId('panel-outcome')).toHaveText(/^pong in \d+ ms over 1 hop$/)
  await expect(panel.getByTestId('panel-run-task')).toBeEnabled({ timeout: WARM_MS })
  await panel.getByTestId('panel-run-task').click()
  await expect(panel.getByTestId('panel-outcome')).toHaveText(/submitted to run there/)
  await expect(panel.getByTestId('panel-task')).toHaveAttribute('data-status', 'COMPLETED', {
    timeout: 60_000,
  })
  // it ran there: the row of the task table says where
  const nodeIdOfHeadless = /id: ([0-9a-f]{32})/.exec(node.stdout)?.[1] ?? ''
  await expect(first.getByTestId('task-where').first()).toHaveAttribute(
    'data-executed-by',
    nodeIdOfHeadless,
  )
  // the link to the node shows the task that went along it
  await expect(first.locator(`[data-testid="topology-edge"][data-tasks="1"]`)).toHaveCount(1)

  // a tab crashes: every other tab shows it DEAD, then it leaves the graph
  const crashed = tabs[3] as Page
  const cdp = await context.newCDPSession(crashed)
  // the renderer dies before it can answer: do not wait for one
  void cdp.send('Page.crash').catch(() => {})
  // watched in every tab at once: a ghost stays DEAD for 3 s before it fades out
  await Promise.all(
    tabs.slice(0, 3).map(async (tab) => {
      await expect(graphNode(tab, ids[3] as string)).toHaveAttribute('data-state', 'DEAD', {
        timeout: 60_000,
      })
      await expect(graphNode(tab, ids[3] as string)).toHaveCount(0, { timeout: 30_000 })
      await expect(tab.getByTestId('topology-node')).toHaveCount(5)
    }),
  )
})
