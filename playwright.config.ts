import { defineConfig } from '@playwright/test'

/**
 * Browser tests: real Chromium (Debian's by default), several tabs, a real relay. Run through
 * scripts/loopback-netns.sh so that nothing but 127.0.0.1 is reachable (see docs/ENVIRONMENT.md).
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: process.env.CI != null,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
  },
})
