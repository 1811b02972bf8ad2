// `npm test`: every suite this machine can run, and a loud notice for each one it cannot.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skipped = [];
if (!process.env.DATABASE_URL)
  skipped.push(
    'int-postgres: DATABASE_URL is not set — the integration suites run on PGlite only. Set DATABASE_URL=postgres://… to run them on PostgreSQL too.',
  );
if (!process.env.REDIS_URL)
  skipped.push('Redis: REDIS_URL is not set — shared counters and rate limits are tested in memory only. Set REDIS_URL=redis://… to test them on Redis.');
if (!fs.existsSync(chromium)) skipped.push(`e2e: no Chromium at ${chromium} — end-to-end tests skipped. Install it with: apt-get install -y chromium`);

const banner = (lines) => {
  if (!lines.length) return;
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n${lines.map((l) => `!! SKIPPED ${l}`).join('\n')}\n${bar}\n`);
};
banner(skipped);

const out = path.resolve('.vitest-tmp/results.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: process.env,
});
banner(skipped);
try {
  const j = JSON.parse(fs.readFileSync(out, 'utf8'));
  console.log(`${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + j.numTodoTests} skipped`);
} catch {
  /* vitest failed before writing results */
}
process.exit(r.status ?? 1);
