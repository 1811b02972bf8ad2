import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { registerErrorHandling } from './problem.ts';
import { users } from '../auth/auth.table.ts';
import { createJobsService } from '../jobs/jobs.service.ts';

/** Issue 10: a failing query's log line printed the scrypt hash it was binding. */
const SECRET = 'scrypt$17$8$1$c2VsLXNlY3JldA$aGFzaC1zZWNyZXQtdmFsdWU';
let t: TestPlatform;

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

beforeAll(async () => {
  t = await createTestPlatform();
  await t.ctx.db.insert(users).values({ login: 'taken', displayName: 'Pris', passwordHash: 'x' });
});
afterAll(async () => {
  await t?.teardown();
});

describe('failing queries are logged without their parameters', () => {
  it('the error handler logs the SQL text, not the bound values nor the row PostgreSQL quotes back', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger });
    registerErrorHandling(app);
    app.post('/boom', async () => {
      // A unique violation: the hash is bound, the login is quoted back in PostgreSQL's detail.
      await t.ctx.db.insert(users).values({ login: 'taken', displayName: 'Doublon', passwordHash: SECRET });
      return 'unreachable';
    });
    app.post('/cast', async () => {
      // A bad cast: PostgreSQL's message quotes the value itself.
      await t.ctx.db.execute(sql`select ${SECRET}::uuid`);
      return 'unreachable';
    });
    for (const url of ['/boom', '/cast']) {
      const r = await app.inject({ method: 'POST', url });
      expect(r.statusCode).toBe(500);
      expect(r.body).not.toContain(SECRET);
    }
    await app.close();
    const logged = lines.filter((l) => l.includes('unhandled error'));
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain('Failed query: insert into \\"users\\"');
    for (const l of logged) {
      expect(l).not.toContain(SECRET);
      expect(l).not.toContain('c2VsLXNlY3JldA');
      expect(l).not.toContain('params');
      expect(l).not.toContain('Doublon');
      expect(l).not.toMatch(/Key \(/);
    }
  });

  it('a job failing on a query logs and shows the SQL error, not its values', async () => {
    const { lines, logger } = capture();
    const jobs = createJobsService({ db: t.ctx.db, clock: t.ctx.clock, logger: logger as unknown as FastifyBaseLogger, concurrency: 1, pollMs: 20 });
    jobs.register('test.query', {
      maxAttempts: 1,
      async run() {
        await t.ctx.db.insert(users).values({ login: 'taken', displayName: 'Doublon', passwordHash: SECRET });
      },
    });
    const job = await jobs.enqueue('test.query', {});
    jobs.start();
    try {
      const end = await jobs.waitFor(job.id);
      expect(end.state).toBe('failed');
      expect(end.error).toMatch(/^Failed query: insert into "users"/);
      expect(end.error).not.toContain(SECRET);
    } finally {
      await jobs.stop();
    }
    const logged = lines.filter((l) => l.includes('job failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain(SECRET);
    expect(logged[0]).not.toContain('Doublon');
  });
});
