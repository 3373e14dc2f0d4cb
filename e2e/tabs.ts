/** Reading a tab's node from its page, through the data-testid hooks only. */
import type { BrowserContext, Page } from '@playwright/test'
import { expect } from '@playwright/test'

export interface PeerRow {
  peerId: string
  transport: string
  health: string
}

export async function openTab(
  context: BrowserContext,
  url: string,
  timeout?: number,
): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await expect(page.getByTestId('node-state')).toHaveText('ACTIVE', { timeout })
  return page
}

export async function peerIdOf(page: Page): Promise<string> {
  const id = (await page.getByTestId('peer-id').textContent()) ?? ''
  expect(id).toMatch(/^12D3KooW/)
  return id
}

export async function nodeIdOf(page: Page): Promise<string> {
  const id = (await page.getByTestId('node-id').textContent()) ?? ''
  expect(id).toMatch(/^[0-9a-f]{32}$/)
  return id
}

export async function peerRows(page: Page): Promise<PeerRow[]> {
  return page.getByTestId('peer-row').evaluateAll((rows) =>
    rows.map((r) => ({
      peerId: r.getAttribute('data-peer-id') ?? '',
      transport: r.getAttribute('data-transport') ?? '',
      health: r.getAttribute('data-health') ?? '',
    })),
  )
}

/**
 * Waits until the tab lists exactly `peers` as ALIVE neighbours over `transport`. The timeout is
 * a liveness guard, not a figure: how fast tabs mesh is measured by bench/mesh (on this 2-core
 * machine a dial that fails while every tab starts up backs off 1-2-4-8-16 s).
 */
export async function expectPeers(
  page: Page,
  peers: string[],
  transport = 'webrtc',
  timeout = 60_000,
): Promise<void> {
  await expect
    .poll(
      async () =>
        (await peerRows(page))
          .filter((r) => r.health === 'ALIVE' && r.transport === transport)
          .map((r) => r.peerId)
          .sort(),
      { timeout, message: `peers of ${page.url()}` },
    )
    .toEqual([...peers].sort())
}

/** Sends a routed chat message from the page's form and returns the result line. */
export async function sendFromPage(page: Page, to: string, text: string): Promise<string> {
  await expect(page.getByTestId('send-to').locator(`option[value="${to}"]`)).toHaveCount(1)
  await page.getByTestId('send-to').selectOption(to)
  await page.getByTestId('send-text').fill(text)
  const result = page.getByTestId('send-result')
  const before = Number((await result.count()) > 0 ? await result.getAttribute('data-seq') : 0)
  await page.getByTestId('send-button').click()
  await expect(result).toHaveAttribute('data-seq', String(before + 1), { timeout: 30_000 })
  return (await result.textContent()) ?? ''
}
