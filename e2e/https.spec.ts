/**
 * Joining from another device (issue 10, item 3), on real Chromium: `mesh.test` is mapped to
 * 127.0.0.1, so the page has an origin that is not localhost, as a phone on the LAN has. Over
 * HTTPS from a relay with `--tls self-signed` (the certificate error ignored, as a user accepts
 * it) tabs are nodes and mesh; over plain HTTP the page explains instead of failing.
 */
import { connect } from 'node:tls'
import type { Browser } from '@playwright/test'
import { chromium, expect, test } from '@playwright/test'
import { CHROMIUM_ARGS, newProfile } from './browser.js'
import { CHROMIUM_PATH } from './chromium.js'
import { HeadlessNode, Relay } from './processes.js'
import { expectPeers, openTab, peerIdOf } from './tabs.js'

const NAME = 'mesh.test'

let browser: Browser
let relay: Relay | undefined
let node: HeadlessNode | undefined

test.beforeEach(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      `--host-resolver-rules=MAP ${NAME} 127.0.0.1`,
      '--ignore-certificate-errors',
    ],
  })
})

test.afterEach(async () => {
  await node?.dispose()
  node = undefined
  await browser?.close()
  await relay?.dispose()
  relay = undefined
})

/** The SHA-256 fingerprint of the certificate the relay presents on its port. */
async function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: NAME, rejectUnauthorized: false })
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256
      socket.end()
      resolve(fingerprint)
    })
    socket.once('error', reject)
  })
}

test('tabs at https://mesh.test:<port>/ on a relay with --tls self-signed are nodes and mesh', async () => {
  relay = await Relay.create(['--tls', 'self-signed'])
  const { port } = relay
  await relay.waitFor(/in a browser to join the mesh\.\n/)
  const fingerprint = (await relay.waitFor(/^SHA-256 fingerprint: (\S+)$/m))[1]
  expect(relay.stdout).toMatch(/^TLS certificate \(new\): .*self-signed-cert\.pem$/m)
  expect(relay.stdout).toContain(`Open https://localhost:${port}/ in a browser to join the mesh.`)
  expect(await servedFingerprint(port)).toBe(fingerprint)

  const origin = `https://${NAME}:${port}`
  const context = await newProfile(browser, origin)
  const a = await openTab(context, `${origin}/`)
  // whoever types http:// is sent to https:// on the same port
  const b = await openTab(context, `http://${NAME}:${port}/`)
  expect(b.url()).toBe(`${origin}/`)
  const plain = await fetch(`http://127.0.0.1:${port}/healthz?x=1`, { redirect: 'manual' })
  expect([plain.status, plain.headers.get('location')]).toEqual([
    308,
    `https://127.0.0.1:${port}/healthz?x=1`,
  ])
  expect(await a.evaluate(() => window.isSecureContext)).toBe(true)
  await expect(a.getByTestId('insecure-context')).toHaveCount(0)
  // the relay tells a tab that came over HTTPS to dial it over WSS, by the name it used
  const boot = await a.evaluate(async () => (await fetch('/bootstrap.json')).json())
  const multiaddrs = (boot as { multiaddrs: string[] }).multiaddrs
  expect(multiaddrs[0]).toMatch(new RegExp(`^/dns4/${NAME}/tcp/${port}/tls/ws/p2p/12D3KooW`))
  expect(multiaddrs.every((m) => m.includes('/tls/ws/'))).toBe(true)

  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)]
  expect(idA).not.toBe(idB)
  await expectPeers(a, [idB])
  await expectPeers(b, [idA])

  // a headless node joins over WSS too, trusting the relay's certificate through Node's
  // NODE_EXTRA_CA_CERTS (the README says so), and meets the tabs
  node = await HeadlessNode.create(`https://localhost:${port}`, {
    NODE_EXTRA_CA_CERTS: relay.stdout.match(/^TLS certificate \(new\): (.*)$/m)?.[1] ?? '',
  })
  await expectPeers(a, [idB, node.peerId])
  await expectPeers(b, [idA, node.peerId])

  // the https page of a self-signed relay registers its service worker (the installable app)
  expect(
    await a.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL),
  ).toBe(`https://mesh.test:${port}/sw.js`)
})

test('http://mesh.test:<port>/ on a relay without TLS shows one screen that explains, not an error', async () => {
  relay = await Relay.create()
  const { port } = relay
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`http://${NAME}:${port}/`)
  const screen = page.getByTestId('insecure-context')
  await expect(screen).toBeVisible()
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false)
  await expect(screen).toContainText('This relay serves plain HTTP only')
  await expect(screen).toContainText('Web Locks')
  await expect(screen).toContainText('service worker')
  await expect(page.getByTestId('https-url')).toHaveText(`https://${NAME}:${port}/`)
  await expect(page.getByTestId('https-url')).toHaveAttribute('href', `https://${NAME}:${port}/`)
  await expect(screen).toContainText(`--port ${port} --tls self-signed`)
  await expect(screen).toContainText(`mkcert ${NAME}`)
  // one screen: no node, no startup error
  await expect(page.getByTestId('startup-error')).toHaveCount(0)
  await expect(page.getByTestId('node-state')).toHaveCount(0)
  await expect(page.locator('main')).toHaveCount(1)
})
