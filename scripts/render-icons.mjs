// Renders the app icons (public/icon-*.png) from public/favicon.svg with Chromium:
// `node scripts/render-icons.mjs`. The maskable icon keeps the glyph inside the 80 % safe zone
// on a full-bleed background, as the platform may crop it to any shape.
import { readFile } from 'node:fs/promises'
import process from 'node:process'
import { chromium } from '@playwright/test'

const svg = await readFile('public/favicon.svg', 'utf8')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
})
const page = await browser.newPage()
const icons = [
  { file: 'public/icon-192.png', size: 192, scale: 1, bleed: false },
  { file: 'public/icon-512.png', size: 512, scale: 1, bleed: false },
  { file: 'public/icon-maskable-512.png', size: 512, scale: 0.6, bleed: true },
]
for (const { file, size, scale, bleed } of icons) {
  await page.setViewportSize({ width: size, height: size })
  const inner = Math.round(size * scale)
  await page.setContent(
    `<body style="margin:0;display:grid;place-items:center;width:${size}px;height:${size}px;background:${bleed ? '#1d2330' : 'transparent'}">` +
      `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', '<svg width="100%" height="100%" ')}</div></body>`,
  )
  await page.screenshot({ path: file, omitBackground: !bleed })
}
await browser.close()
