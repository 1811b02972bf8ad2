/**
 * Bulk matching runs on a persistent database (imported once), for profiling (`node --cpu-prof`):
 *   DATABASE_URL=postgres://…/deces_prof npx tsx bench/deces/bulk-profile.ts [rows] [models]
 * models: `A,B,small` (default `A,B`). On first use the synthetic file of DECES_BENCH_COUNT records
 * (default 1,000,000, seed 1) is generated and imported; later runs reuse it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../server/src/env.ts';
import { createContext } from '../../server/src/platform/bootstrap.ts';
import { moduleFactories } from '../../server/src/modules/index.ts';
import { buildApp } from '../../server/src/app.ts';
import { seedOrganisations } from '../../server/src/platform/seed.ts';
import { writeSyntheticFile } from '../../server/src/modules/deces/index.ts';
import { importFile } from '../../server/src/modules/deces/import.service.ts';
import { SYSTEM } from '../../server/src/platform/auth/principal.ts';
import { benchQueries, benchQueriesB } from './noise.ts';
import { bulkRun } from './bulk-run.ts';

const COUNT = Number(process.env.DECES_BENCH_COUNT ?? 1_000_000);
const ROWS = Number(process.argv[2] ?? 20_000);
const MODELS = (process.argv[3] ?? 'A,B').split(',');
const env = loadEnv({
  ...process.env,
  LOG_LEVEL: 'warn',
  PATRIMOINE_ROLE: 'all',
  PATRIMOINE_DATA_DIR: process.env.PATRIMOINE_DATA_DIR ?? path.join(os.tmpdir(), 'deces-bulk-profile'),
  PATRIMOINE_UPLOAD_LIMIT: String(200 * 1024 * 1024),
});
const platform = await createContext(env, moduleFactories);
await seedOrganisations(platform.ctx);
for (const m of platform.modules) await m.seedReference?.();
const n = (await platform.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM deces_records'))[0]?.n ?? 0;
if (n < COUNT * 0.99) {
  const file = path.join(os.tmpdir(), `deces-bulk-profile-${COUNT}.txt.gz`);
  if (!fs.existsSync(file)) await writeSyntheticFile(file, COUNT, 1);
  await importFile(platform.ctx, file, { caller: SYSTEM, actor: { id: null, label: 'bench' } });
  await platform.ctx.database.exec('VACUUM (ANALYZE) deces_records').catch(() => undefined);
}
const app = await buildApp(platform, { logger: false });
await app.ready();
platform.ctx.jobs.start();
const login = `bench${Date.now()}`;
const { user } = await platform.ctx.users.create(
  { login, displayName: 'Bench', role: 'reader', password: 'correct horse battery staple' },
  { id: null, label: 'bench' },
);
const { token } = await platform.ctx.auth.createToken(user.id, 'bench', null, { id: null, label: 'bench' });
console.log(`bulk profile — ${COUNT.toLocaleString('en-US')} records on ${platform.ctx.database.kind}, ${os.cpus().length} CPU(s)`);
if (MODELS.includes('A')) await bulkRun(app, platform.ctx.jobs, token, 'model A', benchQueries(COUNT, 1, ROWS), platform.ctx.blobs);
if (MODELS.includes('B')) await bulkRun(app, platform.ctx.jobs, token, 'model B', benchQueriesB(COUNT, 1, ROWS), platform.ctx.blobs);
if (MODELS.includes('small')) await bulkRun(app, platform.ctx.jobs, token, '3,000 rows', benchQueriesB(COUNT, 1, 2_700), platform.ctx.blobs);
await app.close();
await platform.close();
process.exit(0);
