import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { RedisCounterStore } from '../counters.ts';
import { createAuthService } from './auth.service.ts';

/**
 * Issue 10: with Redis down, login answered 500. The throttle fails open onto the node's memory
 * (ADR 0401's default policy, ADR 0003): sign-in works and stays throttled, per node.
 */
const PASSWORD = 'correct horse battery staple';
let t: TestPlatform;
let redis: Redis;
const warnings: string[] = [];

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  t = await createTestPlatform();
  // The client as openRedis makes it (fail fast, no offline queue), to a server that is not there.
  redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 500,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  // The routes call ctx.auth at request time: swap in an auth service whose counters are on that Redis.
  (t.ctx as { auth: unknown }).auth = createAuthService({
    db: t.ctx.db,
    users: t.ctx.usersRepo,
    clock: t.ctx.clock,
    counters: new RedisCounterStore(redis, 'test:ctr:'),
    config: { sessionTtlHours: 1, scryptN: t.ctx.env.PATRIMOINE_SCRYPT_N },
    logger: { warn: (_o, msg) => warnings.push(msg) },
  });
  await t.ctx.users.create({ login: 'sans.redis', displayName: 'S', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
});
afterAll(async () => {
  redis?.disconnect();
  await t?.teardown();
});

const login = (l: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: l, password } });

describe('login with Redis down', () => {
  it('signs in (no 500), counting on the node', async () => {
    await expect(redis.get('x')).rejects.toThrow();
    const ok = await login('sans.redis', PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ authenticated: true, user: { login: 'sans.redis' } });
    expect(t.ctx.auth.throttleFallbacks()).toBeGreaterThan(0);
    expect(warnings).toEqual(['login throttle: shared counters unavailable, counting on this node']);
  });

  it('keeps throttling failed attempts, per node', async () => {
    for (let i = 0; i < 5; i++) expect((await login('sans.redis', `wrong-password-${i}`)).statusCode).toBe(401);
    const blocked = await login('sans.redis', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
