import { defineConfig } from '@playwright/test'

/** Benchmarks run under Playwright's runner (TypeScript, Chromium) but are not tests: they print figures. */
export default defineConfig({
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 15 * 60_000,
  workers: 1,
  reporter: [['list']],
})
