import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

/**
 * Test projects:
 * - unit: pure logic, once;
 * - int-pglite / int-postgres: the same integration suites (*.int.test.ts) on each engine;
 * - e2e: the built app driven in headless Chromium.
 * scripts/test.mjs says loudly which projects cannot run on this machine and why.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasPostgres = !!process.env.DATABASE_URL;
const hasChromium = fs.existsSync(chromium);
const integration = ['server/**/*.int.test.ts'];
// One id per run names the migrated templates that every test file copies.
process.env.PATRIMOINE_TEST_RUN ??= randomBytes(4).toString('hex');

export default defineConfig({
  test: {
    // Vitest's default is one worker per core but one: a single worker on a 2-core machine, which
    // runs one file at a time while most of the time is spent waiting on PostgreSQL, Redis, the
    // server or Chromium. At least two (ADR 0015); PATRIMOINE_TEST_WORKERS overrides. The e2e
    // project runs alone, one file at a time, after the others (fileParallelism: false puts it in
    // Vitest's last, sequential group).
    maxWorkers: Number(process.env.PATRIMOINE_TEST_WORKERS) || Math.max(2, os.availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'contracts/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: [...integration, '**/node_modules/**'],
        },
      },
      {
        extends: true as const,
        test: {
          name: 'int-pglite',
          include: integration,
          isolate: false,
          env: { PATRIMOINE_TEST_DB: 'pglite' },
          globalSetup: ['server/test/global-setup-pglite.ts'],
        },
      },
      ...(hasPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'int-postgres',
                include: integration,
                isolate: false,
                env: { PATRIMOINE_TEST_DB: 'postgres' },
                globalSetup: ['server/test/global-setup-postgres.ts'],
              },
            },
          ]
        : []),
      ...(hasChromium
        ? [
            {
              extends: true as const,
              test: {
                name: 'e2e',
                include: ['web/e2e/**/*.e2e.test.ts'],
                globalSetup: ['web/e2e/global-setup.ts'],
                testTimeout: 60_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
