import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryRateLimiter, RedisRateLimiter, period, rateLimitHeaders, type RateLimiter } from './ratelimit.ts';

const T0 = Date.UTC(2026, 0, 31, 23, 59, 59, 0);
const redisUrl = process.env.REDIS_URL;
const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

function redisLimiter(prefix: string): RedisRateLimiter {
  const r = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
  clients.push(r);
  return new RedisRateLimiter(r, prefix);
}

const engines: [string, () => RateLimiter][] = [['memory', () => new MemoryRateLimiter()]];
if (redisUrl) engines.push(['redis', () => redisLimiter(`gwtest:${Math.random().toString(36).slice(2)}:`)]);
else console.warn('REDIS_URL not set: Redis limiter tests skipped (memory only)');

describe.each(engines)('%s limiter', (_name, make) => {
  it('allows exactly N calls in any sliding window, and the N+1th at the boundary', async () => {
    const l = make();
    const rules = [{ name: 'second' as const, limit: 3 }];
    for (let i = 0; i < 3; i++) expect((await l.check('k', rules, T0 + i * 100)).allowed).toBe(true);
    const refused = await l.check('k', rules, T0 + 300);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(700);
    expect((await l.check('k', rules, T0 + 999)).allowed).toBe(false);
    // The first call leaves the window at T0 + 1000 exactly.
    expect((await l.check('k', rules, T0 + 1000)).allowed).toBe(true);
    expect((await l.check('k', rules, T0 + 1050)).allowed).toBe(false);
    expect((await l.check('k', rules, T0 + 1100)).allowed).toBe(true);
  });

  it('checks every rule atomically: a refused call consumes no quota', async () => {
    const l = make();
    const rules = [
      { name: 'second' as const, limit: 2 },
      { name: 'day' as const, limit: 3 },
    ];
    expect((await l.check('q', rules, T0 - 5000)).allowed).toBe(true);
    expect((await l.check('q', rules, T0 - 4900)).allowed).toBe(true);
    expect((await l.check('q', rules, T0 - 4800)).allowed).toBe(false); // per second
    const third = await l.check('q', rules, T0 - 3000);
    expect(third.allowed).toBe(true);
    expect(third.rules.find((r) => r.name === 'day')!.remaining).toBe(0);
    const overQuota = await l.check('q', rules, T0 - 1000);
    expect(overQuota.allowed).toBe(false);
    expect(overQuota.retryAfterMs).toBe(2000); // until midnight UTC
    // A new UTC day (and month) resets the quota.
    expect((await l.check('q', rules, T0 + 1000)).allowed).toBe(true);
  });

  it('decides concurrent calls of one consumer in order (one batch per event-loop turn)', async () => {
    const l = make();
    const rules = [{ name: 'second' as const, limit: 3 }];
    const d = await Promise.all(Array.from({ length: 5 }, (_, i) => l.check('c', rules, T0 + i)));
    expect(d.map((x) => x.allowed)).toEqual([true, true, true, false, false]);
    expect(d.slice(0, 3).map((x) => x.rules[0]!.remaining)).toEqual([2, 1, 0]);
    expect(d[3]!.retryAfterMs).toBe(997);
  });

  it('reports IETF RateLimit headers', async () => {
    const l = make();
    const d = await l.check(
      'h',
      [
        { name: 'second', limit: 20 },
        { name: 'minute', limit: 600 },
      ],
      T0,
    );
    expect(rateLimitHeaders(d.rules)).toEqual({ policy: '"second";q=20;w=1, "minute";q=600;w=60', limit: '"second";r=19;t=1, "minute";r=599;t=60' });
  });
});

describe.runIf(!!redisUrl)('two nodes sharing Redis', () => {
  it('hold one limit together', async () => {
    const prefix = `gwtest:${Math.random().toString(36).slice(2)}:`;
    const a = redisLimiter(prefix);
    const b = redisLimiter(prefix);
    const rules = [{ name: 'second' as const, limit: 20 }];
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).check('shared', rules, T0 + i)));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
  });
});

describe.runIf(!!redisUrl)('leased budgets (two nodes sharing Redis)', () => {
  const rules = [{ name: 'second' as const, limit: 200 }];
  const newPrefix = () => `gwtest:${Math.random().toString(36).slice(2)}:`;

  it('decide locally from a lease, never exceed the limit together, and give unused slots back', async () => {
    const prefix = newPrefix();
    const a = redisLimiter(prefix);
    const b = redisLimiter(prefix);
    let ok = 0;
    expect((await a.check('k', rules, T0)).allowed).toBe(true);
    ok++;
    expect(a.metrics.leases).toBe(1);
    for (let i = 0; i < 5; i++) if ((await a.check('k', rules, T0 + 1)).allowed) ok++;
    expect(a.metrics.leasedCalls).toBe(5);
    // The other node takes all it can in the same window, sequentially and concurrently.
    for (let i = 0; i < 150; i++) if ((await b.check('k', rules, T0 + 2 + (i % 40))).allowed) ok++;
    const burst = await Promise.all(Array.from({ length: 150 }, (_, i) => (i % 2 ? a : b).check('k', rules, T0 + 42)));
    ok += burst.filter((d) => d.allowed).length;
    expect(ok).toBeLessThanOrEqual(200);
    // The unused slots of both nodes' leases go back: the consumer gets exactly the rest of its budget.
    await a.releaseLeases();
    await b.releaseLeases();
    for (let i = 0; i < 300; i++) if ((await (i % 2 ? a : b).check('k', rules, T0 + 45)).allowed) ok++;
    expect(ok).toBe(200);
    // Leased slots count from the end of their lease: the window frees them no earlier than their calls.
    expect((await b.check('k', rules, T0 + 999)).allowed).toBe(false);
  });

  it('keeps a lease across a configuration reload that leaves the limits as they were, not across a change', async () => {
    const l = redisLimiter(newPrefix());
    const limits = () => [{ name: 'second' as const, limit: 100_000 }];
    expect((await l.check('r', limits(), T0)).allowed).toBe(true);
    expect(l.metrics.leases).toBe(1);
    // A reload builds new rule arrays with the same limits: decided from the same lease.
    for (let i = 0; i < 5; i++) expect((await l.check('r', limits(), T0 + 1)).allowed).toBe(true);
    expect(l.metrics.leases).toBe(1);
    expect(l.metrics.leasedCalls).toBe(5);
    // Other limits: the lease ends and its slots go back; the call is decided under the new ones.
    const lower = [{ name: 'second' as const, limit: 99_000 }];
    expect((await l.check('r', lower, T0 + 2)).allowed).toBe(true);
    expect(l.metrics.leases).toBe(2);
    expect(l.metrics.returnedSlots).toBeGreaterThan(0);
  });

  it('asks for one lease per key at a time, and for the next one before the current one runs out', async () => {
    const l = redisLimiter(newPrefix());
    const big = [{ name: 'second' as const, limit: 1_000_000 }];
    // 64 concurrent calls of one consumer: before, each asked Redis for a lease of its own (64 leases,
    // each pushing its slots and giving the previous one back); now they wait for the first one's.
    const burst = await Promise.all(Array.from({ length: 64 }, (_, i) => l.check('hot', big, T0 + (i % 3))));
    expect(burst.every((d) => d.allowed)).toBe(true);
    expect(l.metrics.leases).toBeLessThanOrEqual(4);
    expect(l.metrics.leasedCalls).toBeGreaterThanOrEqual(60);
    // A steady consumer (I/O between its calls): the next lease is there before the current one is spent.
    const before = l.metrics.leasedCalls!;
    let allowed = 0;
    for (let i = 0; i < 1000; i++) {
      if ((await l.check('hot', big, T0 + 3)).allowed) allowed++;
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    expect(allowed).toBe(1000);
    expect(l.metrics.leasedCalls! - before).toBeGreaterThanOrEqual(990);
    await l.releaseLeases();
    expect(l.metrics.returnedSlots).toBeGreaterThan(0);
  });

  it('keeps a lease as one entry of the window log, and its unused slots go back to the total', async () => {
    const prefix = newPrefix();
    const redis = new Redis(redisUrl!);
    clients.push(redis);
    const l = new RedisRateLimiter(redis, prefix);
    const big = [{ name: 'second' as const, limit: 100_000 }];
    for (let i = 0; i < 40; i++) expect((await l.check('one', big, T0 + i)).allowed).toBe(true);
    const log = `${prefix}one|second`;
    // Before, each leased slot was an entry (1,024 pushes per lease, as many pops one window later).
    const entries = await redis.lrange(log, 0, -1);
    expect(entries.length).toBeLessThanOrEqual(2 * l.metrics.leases! + 1);
    const counted = entries.reduce((n, e) => n + (/^[^:]+:(\d+):/.exec(e) ? Number(/^[^:]+:(\d+):/.exec(e)![1]) : 1), 0);
    expect(Number(await redis.get(`${log}|n`))).toBe(counted);
    expect(counted).toBeGreaterThan(40);
    await l.releaseLeases();
    expect(Number(await redis.get(`${log}|n`))).toBe(40);
    // The next call sees exactly the 40 calls made.
    const d = await new RedisRateLimiter(redis, prefix, undefined, false).check('one', big, T0 + 50);
    expect(d.rules[0]!.remaining).toBe(100_000 - 41);
  });

  it('counts a log written before the window totals existed (one entry per call)', async () => {
    const prefix = newPrefix();
    const redis = new Redis(redisUrl!);
    clients.push(redis);
    await redis.lpush(`${prefix}old|second`, ...Array.from({ length: 20 }, (_, i) => String(T0 + i)));
    const l = new RedisRateLimiter(redis, prefix);
    const refused = await l.check('old', [{ name: 'second', limit: 20 }], T0 + 500);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(500);
    // The oldest leaves the window at T0 + 1000: one call again, and the total follows.
    expect((await l.check('old', [{ name: 'second', limit: 20 }], T0 + 1000)).allowed).toBe(true);
    expect(await redis.get(`${prefix}old|second|n`)).toBe('20');
  });

  it('stay exact when both nodes renew their leases around half the limit', async () => {
    const prefix = newPrefix();
    const a = redisLimiter(prefix);
    const b = redisLimiter(prefix);
    const limit = [{ name: 'second' as const, limit: 1000 }];
    let ok = 0;
    // Both nodes call in waves (I/O between them, so that leases are renewed ahead), 800 calls: past half the limit.
    for (let wave = 0; wave < 20; wave++) {
      const d = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).check('both', limit, T0 + wave)));
      ok += d.filter((x) => x.allowed).length;
      await new Promise((r) => setImmediate(r));
    }
    expect(a.metrics.leases! + b.metrics.leases!).toBeGreaterThan(2);
    expect(ok).toBe(800);
    // Once both give their unused slots back, the window holds exactly what was allowed: the rest of the budget, no more.
    await a.releaseLeases();
    await b.releaseLeases();
    for (let i = 0; i < 1200; i++) if ((await (i % 2 ? a : b).check('both', limit, T0 + 40)).allowed) ok++;
    expect(ok).toBe(1000);
  });

  it('leases nothing for small limits (every call decided by Redis, exact as before)', async () => {
    const l = redisLimiter(newPrefix());
    for (let i = 0; i < 25; i++) await l.check('small', [{ name: 'second', limit: 20 }], T0 + i);
    expect(l.metrics.leases).toBe(0);
  });

  it('never refuses a consumer well within its limit spread over two nodes', async () => {
    const prefix = newPrefix();
    const a = redisLimiter(prefix);
    const b = redisLimiter(prefix);
    // 1,000 calls over 10 s (100/s) against 200/s, alternating nodes: every one accepted.
    const d = [];
    for (let i = 0; i < 1000; i++) d.push(await (i % 2 ? a : b).check('w', rules, T0 + i * 10));
    expect(d.every((x) => x.allowed)).toBe(true);
  });
});

describe('Redis down', () => {
  async function deadRedis() {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    r.on('error', () => undefined);
    clients.push(r);
    return r;
  }
  it('fails open onto this node’s exact limiter, and counts it', async () => {
    const l = new RedisRateLimiter(await deadRedis(), 'x:');
    const rules = [{ name: 'second' as const, limit: 2 }];
    const d = await l.check('k', rules, T0, 'open');
    expect(d).toMatchObject({ allowed: true, degraded: 'open' });
    await l.check('k', rules, T0 + 1, 'open');
    expect((await l.check('k', rules, T0 + 2, 'open')).allowed).toBe(false);
    expect(l.metrics).toMatchObject({ redisErrors: 3, failOpen: 3, failClosed: 0 });
  });
  it('fails closed when the API says so', async () => {
    const l = new RedisRateLimiter(await deadRedis(), 'x:');
    const d = await l.check('k', [{ name: 'second', limit: 2 }], T0, 'closed');
    expect(d).toMatchObject({ allowed: false, degraded: 'closed' });
    expect(l.metrics.failClosed).toBe(1);
  });
});

describe('calendar periods', () => {
  it('ends days and months at UTC midnight', () => {
    expect(period('day', T0).msLeft).toBe(1000);
    expect(period('month', T0).msLeft).toBe(1000);
    expect(period('month', T0 + 1000).id).not.toBe(period('month', T0).id);
  });
});
