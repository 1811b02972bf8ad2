import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { createJobsService, type JobsService } from './jobs.service.ts';
import { ANONYMOUS, SYSTEM } from '../auth/principal.ts';

let t: TestPlatform;
const logger = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const extra: JobsService[] = [];

function node(): JobsService {
  const s = createJobsService({ db: t.ctx.db, clock: t.ctx.clock, logger, concurrency: 2, pollMs: 30, leaseMs: 400, heartbeatMs: 50 });
  extra.push(s);
  return s;
}

beforeAll(async () => {
  t = await createTestPlatform();
});
afterAll(async () => {
  for (const s of extra) await s.stop();
  await t?.teardown();
});

describe('jobs', () => {
  it('a job queued on another node starts at once: the worker is woken by NOTIFY, never by its poll', async () => {
    const listen = (c: string, cb: (p: string) => void) => t.ctx.database.listen(c, cb);
    // Polls once an hour: only the notification can start the job within the test's time.
    const hour = 3_600_000;
    const worker = createJobsService({ db: t.ctx.db, clock: t.ctx.clock, logger, concurrency: 1, pollMs: hour, listen });
    const api = createJobsService({ db: t.ctx.db, clock: t.ctx.clock, logger, concurrency: 0, pollMs: hour, listen });
    extra.push(worker, api);
    worker.register<{ n: number }, number, never>('test.woken', { run: async (ctx) => ctx.payload.n * 2 });
    worker.start();
    await worker.listening();
    const first = await api.enqueue('test.woken', { n: 1 });
    expect((await worker.waitFor(first.id, 20_000)).result).toBe(2);
    // Queued inside a transaction: the notification goes out at the commit, when the row is visible.
    const second = await t.ctx.db.transaction(async (tx) => api.enqueue('test.woken', { n: 21 }, { tx: tx as never }));
    expect((await worker.waitFor(second.id, 20_000)).result).toBe(42);
  });

  it('runs a job, records progress and result, and shows it to its owner only', async () => {
    const a = node();
    a.register<{ n: number }, { sum: number }, never>('test.sum', {
      async run(ctx) {
        let sum = 0;
        for (let i = 1; i <= ctx.payload.n; i++) {
          sum += i;
          await ctx.progress({ done: i, total: ctx.payload.n, message: `${i}/${ctx.payload.n}` });
        }
        return { sum };
      },
    });
    a.start();
    const owner = await t.tokenFor('reader');
    const other = await t.tokenFor('reader');
    const admin = await t.tokenFor('admin');
    const job = await a.enqueue('test.sum', { n: 10 }, { ownerId: owner.userId });
    const done = await a.waitFor(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toEqual({ sum: 55 });
    expect(done.progress).toMatchObject({ done: 10, total: 10 });

    const seen = await t.app.inject({ url: `/api/jobs/${job.id}`, headers: bearer(owner.token) });
    expect(seen.json()).toMatchObject({ state: 'succeeded', result: { sum: 55 } });
    expect((await t.app.inject({ url: `/api/jobs/${job.id}`, headers: bearer(other.token) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/jobs/${job.id}`, headers: bearer(admin.token) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/jobs`, headers: bearer(owner.token) })).json().items.map((j: { id: string }) => j.id)).toContain(job.id);
  });

  it('cancels a running job through the API', async () => {
    const a = node();
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    a.register('test.forever', {
      async run(ctx) {
        started();
        for (let i = 0; ; i++) {
          await ctx.progress({ done: i });
          await new Promise((r) => setTimeout(r, 10));
        }
      },
    });
    a.start();
    const owner = await t.tokenFor('reader');
    const job = await a.enqueue('test.forever', {}, { ownerId: owner.userId });
    await isStarted;
    const r = await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel`, headers: bearer(owner.token) });
    expect(r.statusCode).toBe(200);
    const end = await a.waitFor(job.id);
    expect(end.state).toBe('cancelled');
  });

  it('cancels a queued job at once', async () => {
    const a = node(); // not started: the job stays queued
    a.register('test.never', { run: async () => 1 });
    const job = await a.enqueue('test.never', {});
    const c = await a.cancel(job.id, SYSTEM);
    expect(c?.state).toBe('cancelled');
  });

  it('never lets an anonymous caller take the system’s path', async () => {
    const a = node();
    a.register('test.idle', { run: async () => 1 });
    const owner = await t.tokenFor('reader');
    const job = await a.enqueue('test.idle', {}, { ownerId: owner.userId });
    await expect(a.getFor(job.id, ANONYMOUS)).rejects.toMatchObject({ status: 401 });
    await expect(a.cancel(job.id, ANONYMOUS)).rejects.toMatchObject({ status: 401 });
    expect((await a.getFor(job.id, SYSTEM)).id).toBe(job.id);
    // Through HTTP, no credentials never mean the system.
    for (const r of [
      await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}` }),
      await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel` }),
    ])
      expect(r.statusCode).toBe(401);
    expect((await a.get(job.id))?.state).toBe('queued');
    const other = await t.tokenFor('reader');
    expect((await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}`, headers: bearer(other.token) })).statusCode).toBe(403);
    const mine = await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}`, headers: bearer(owner.token) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: job.id, state: 'queued', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('resumes from its checkpoint on another node when its node stops', async () => {
    const seenCheckpoints: (number | null)[] = [];
    const handler = {
      async run(ctx: { checkpoint: number | null; progress: (p: { done: number; total: number }, c?: number) => Promise<void>; signal: AbortSignal }) {
        seenCheckpoints.push(ctx.checkpoint);
        for (let i = (ctx.checkpoint ?? 0) + 1; i <= 40; i++) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          await new Promise((r) => setTimeout(r, 10));
          await ctx.progress({ done: i, total: 40 }, i);
        }
        return { resumedFrom: ctx.checkpoint };
      },
    };
    const a = node();
    a.register('test.resume', handler as never);
    a.start();
    const job = await a.enqueue('test.resume', {});
    // Wait until some work is checkpointed, then stop node A (a deploy, a crash).
    for (let i = 0; i < 200; i++) {
      const j = await a.get(job.id);
      if (((j?.checkpoint as number | null) ?? 0) >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await a.stop();
    const b = node();
    b.register('test.resume', handler as never);
    b.start();
    const end = await b.waitFor(job.id);
    expect(end.state).toBe('succeeded');
    expect((end.result as { resumedFrom: number }).resumedFrom).toBeGreaterThanOrEqual(5);
    expect(seenCheckpoints[0]).toBeNull();
    expect(end.attempts).toBe(2);
  });

  it('takes over a job whose node died (expired lease)', async () => {
    const b = node();
    b.register('test.orphan', { run: async (ctx) => ({ from: ctx.checkpoint }) });
    const job = await b.enqueue('test.orphan', {});
    // Simulate a node that claimed the job and died without a word.
    await t.ctx.database.query(
      `update jobs set state = 'running', locked_by = 'dead-node', locked_until = now() - interval '1 second', checkpoint = '7'::jsonb, attempts = 1 where id = $1`,
      [job.id],
    );
    b.start();
    const end = await b.waitFor(job.id);
    expect(end.state).toBe('succeeded');
    expect(end.result).toEqual({ from: 7 });
  });

  it('retries a failing job, then fails visibly with the error', async () => {
    const a = node();
    let calls = 0;
    a.register('test.fail', {
      maxAttempts: 2,
      async run() {
        calls++;
        throw new Error('upstream unavailable');
      },
    });
    a.start();
    const job = await a.enqueue('test.fail', {}, { maxAttempts: 2 });
    const end = await a.waitFor(job.id, 20_000);
    expect(end.state).toBe('failed');
    expect(end.error).toBe('upstream unavailable');
    expect(calls).toBe(2);
  });
});

describe('poison jobs', () => {
  it('quarantines a job whose node stopped on every attempt instead of handing it back forever', async () => {
    // Each node claims the job, then "dies" holding it: the handler never returns and the lease is
    // shorter than the heartbeat, so the lease expires as if the node had crashed (readline RangeError, OOM).
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    let runs = 0;
    const dying = () => {
      const s = createJobsService({ db: t.ctx.db, clock: t.ctx.clock, logger, concurrency: 3, pollMs: 20, leaseMs: 1, heartbeatMs: 10_000 });
      extra.push(s);
      s.register('test.poison', {
        maxAttempts: 3,
        async run() {
          runs++;
          await never;
          return 'never';
        },
      });
      return s;
    };
    const a = dying();
    const b = dying();
    const job = await a.enqueue('test.poison', {});
    expect(job.maxAttempts).toBe(3);
    a.start();
    b.start();
    try {
      const end = await a.waitFor(job.id, 30_000);
      expect(end.state).toBe('failed');
      expect(end.attempts).toBe(3);
      expect(end.error).toBe('La tâche a interrompu le nœud qui l’exécutait 3 fois : mise en quarantaine.');
      expect(end.lockedBy).toBeNull();
      // Never claimed again: the nodes keep polling, the attempt count and the runs stay put.
      await new Promise((r) => setTimeout(r, 200));
      const later = await a.get(job.id);
      expect(later).toMatchObject({ state: 'failed', attempts: 3 });
      expect(runs).toBe(3);
      // Visible to its owner through the API like any failure.
      const admin = await t.tokenFor('admin');
      const seen = await t.app.inject({ url: `/api/jobs/${job.id}`, headers: bearer(admin.token) });
      expect(seen.json()).toMatchObject({ state: 'failed', error: expect.stringContaining('mise en quarantaine') });
    } finally {
      release();
    }
  });

  it('still hands a job back while it has attempts left', async () => {
    const b = node();
    b.register('test.orphan2', { run: async () => 'done' });
    const job = await b.enqueue('test.orphan2', {}, { maxAttempts: 3 });
    await t.ctx.database.query(
      `update jobs set state = 'running', locked_by = 'dead-node', locked_until = now() - interval '1 second', attempts = 2 where id = $1`,
      [job.id],
    );
    b.start();
    const end = await b.waitFor(job.id);
    expect(end).toMatchObject({ state: 'succeeded', attempts: 3, result: 'done' });
  });

  it('fails a job found expired at its last attempt without running it', async () => {
    const b = node();
    let ran = false;
    b.register('test.orphan3', {
      run: async () => {
        ran = true;
        return 'ran';
      },
    });
    const job = await b.enqueue('test.orphan3', {}, { maxAttempts: 2 });
    await t.ctx.database.query(
      `update jobs set state = 'running', locked_by = 'dead-node', locked_until = now() - interval '1 second', attempts = 2 where id = $1`,
      [job.id],
    );
    b.start();
    const end = await b.waitFor(job.id);
    expect(end).toMatchObject({ state: 'failed', attempts: 2, error: 'La tâche a interrompu le nœud qui l’exécutait 2 fois : mise en quarantaine.' });
    expect(ran).toBe(false);
  });
});
