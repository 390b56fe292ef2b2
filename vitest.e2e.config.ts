import { defineConfig } from 'vitest/config'

/** Browser journeys: one real server process on a fresh PGlite with demo data, Chromium driven by playwright-core. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { TZ: 'Europe/London' },
  },
})
