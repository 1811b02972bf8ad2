import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadEnv, type Env } from '../src/env.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { createContext, type Platform } from '../src/platform/bootstrap.ts';
import { moduleFactories } from '../src/modules/index.ts';
import { buildApp } from '../src/app.ts';
import { systemClock, type Clock } from '../src/platform/clock.ts';
import { seedOrganisations } from '../src/platform/seed.ts';
import type { Role } from '../src/platform/auth/auth.table.ts';

/**
 * Test harness: every integration suite runs on the engine named by PATRIMOINE_TEST_DB — the
 * embedded PGlite, or the PostgreSQL server of DATABASE_URL — on a fresh database per test file.
 */
export type TestDbKind = 'pglite' | 'postgres';
export const testDbKind: TestDbKind = process.env.PATRIMOINE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export const PGLITE_SNAPSHOT = path.join(os.tmpdir(), `patrimoine-test-pglite-${process.env.PATRIMOINE_TEST_RUN ?? 'local'}.tar.gz`);
export const PG_TEMPLATE = `patrimoine_tpl_${process.env.PATRIMOINE_TEST_RUN ?? 'local'}`;

function adminUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('PATRIMOINE_TEST_DB=postgres needs DATABASE_URL');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(sqlText: string): Promise<void> {
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

/**
 * A fresh, migrated database on the engine under test; `drop()` removes it. It starts from the run's
 * migrated template; `fromZero` starts from a brand-new empty database and applies every migration.
 */
export async function createTestDatabase(opts: { fromZero?: boolean } = {}): Promise<{ database: Database; drop(): Promise<void>; url?: string }> {
  if (testDbKind === 'postgres') {
    const name = `patrimoine_t_${randomBytes(6).toString('hex')}`;
    const tplReady = process.env.PATRIMOINE_TEST_RUN !== undefined && !opts.fromZero;
    await adminQuery(tplReady ? `CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}` : `CREATE DATABASE ${name}`);
    const url = withDatabase(adminUrl(), name);
    const database = await openDatabase({ url, poolSize: 5 });
    await runMigrations(database);
    return {
      database,
      url,
      async drop() {
        await database.close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const snapshot = !opts.fromZero && fs.existsSync(PGLITE_SNAPSHOT) ? new Blob([fs.readFileSync(PGLITE_SNAPSHOT)]) : undefined;
  const database = await openDatabase({ dataDir: 'memory://', loadDataDir: snapshot });
  await runMigrations(database);
  return { database, drop: () => database.close() };
}

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PATRIMOINE_SCRYPT_N: '1024',
    PATRIMOINE_DATA_DIR: path.join(os.tmpdir(), `patrimoine-test-${randomBytes(4).toString('hex')}`),
    PATRIMOINE_JOB_POLL_MS: '50',
    REDIS_URL: process.env.REDIS_URL,
    REDIS_PREFIX: `ptest:${randomBytes(4).toString('hex')}:`,
    ...overrides,
  });
}

export interface TestPlatform extends Platform {
  app: FastifyInstance;
  clock: Clock;
  /** Creates a user and returns a bearer token for it. */
  tokenFor(role: Role, opts?: { login?: string; organisationCode?: string }): Promise<{ token: string; userId: string; login: string }>;
  /** Signs in through the login route; returns headers (cookie + CSRF) for later requests. */
  sessionFor(login: string, password: string): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }>;
  teardown(): Promise<void>;
}

/** A complete platform (modules included) on a fresh database, with its Fastify app for inject(). */
export async function createTestPlatform(opts: { clock?: Clock; env?: Record<string, string>; startJobs?: boolean } = {}): Promise<TestPlatform> {
  const tdb = await createTestDatabase();
  const clock = opts.clock ?? systemClock;
  const env = testEnv(opts.env);
  const platform = await createContext(env, moduleFactories, { database: tdb.database, clock, migrate: false });
  await seedOrganisations(platform.ctx);
  for (const m of platform.modules) await m.seedReference?.();
  const app = await buildApp(platform, { logger: false });
  await app.ready();
  if (opts.startJobs) platform.ctx.jobs.start();
  let n = 0;
  return {
    ...platform,
    app,
    clock,
    async tokenFor(role, o = {}) {
      const login = o.login ?? `${role.replace('_', '')}${++n}${randomBytes(2).toString('hex')}`;
      const orgCode = o.organisationCode ?? (role === 'data_admin' ? 'DNUM' : undefined);
      const { user } = await platform.ctx.users.create(
        { login, displayName: `Test ${login}`, role, organisationCode: orgCode, password: 'correct horse battery staple' },
        { id: null, label: 'test' },
      );
      const { token } = await platform.ctx.auth.createToken(user.id, 'test', null, { id: null, label: 'test' });
      return { token, userId: user.id, login };
    },
    async sessionFor(login, password) {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password } });
      if (r.statusCode !== 200) throw new Error(`login failed: ${r.statusCode} ${r.body}`);
      const setCookie = r.cookies.find((c) => c.name === 'patrimoine_session')!;
      const cookie = `patrimoine_session=${setCookie.value}`;
      const csrf = (r.json() as { csrfToken: string }).csrfToken;
      return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
    },
    async teardown() {
      await app.close();
      await platform.close();
      await tdb.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
