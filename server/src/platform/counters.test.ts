import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MemoryCounterStore, RedisCounterStore, type CounterStore } from './counters.ts';
import { openRedis } from './redis.ts';

function contract(name: string, make: () => Promise<{ store: CounterStore; advance?: (ms: number) => void }>) {
  describe(name, () => {
    it('counts within a window and reports the time left', async () => {
      const { store } = await make();
      expect((await store.incr('k', 60_000)).count).toBe(1);
      const r = await store.incr('k', 60_000, 2);
      expect(r.count).toBe(3);
      expect(r.ttlMs).toBeGreaterThan(0);
      expect(r.ttlMs).toBeLessThanOrEqual(60_000);
      expect(await store.get('k')).toBe(3);
      expect(await store.get('other')).toBe(0);
    });
    it('resets', async () => {
      const { store } = await make();
      await store.incr('r', 60_000);
      await store.reset('r');
      expect(await store.get('r')).toBe(0);
    });
  });
}

const now = 0;
contract('memory counters', async () => ({ store: new MemoryCounterStore(() => now) }));

describe('memory counters expiry', () => {
  it('starts a new window once the previous one ends', async () => {
    let t = 1_000;
    const s = new MemoryCounterStore(() => t);
    await s.incr('w', 100);
    await s.incr('w', 100);
    t += 101;
    expect(await s.get('w')).toBe(0);
    expect((await s.incr('w', 100)).count).toBe(1);
  });
});

const redisUrl = process.env.REDIS_URL;
const redisClients: { disconnect(): void }[] = [];
afterAll(() => redisClients.forEach((c) => c.disconnect()));
if (redisUrl) {
  contract('Redis counters', async () => {
    const r = await openRedis(redisUrl);
    redisClients.push(r);
    return { store: new RedisCounterStore(r, `ptest:${randomBytes(4).toString('hex')}:`) };
  });
  it('Redis counters are shared between clients (nodes)', async () => {
    const prefix = `ptest:${randomBytes(4).toString('hex')}:`;
    const a = await openRedis(redisUrl);
    const b = await openRedis(redisUrl);
    redisClients.push(a, b);
    await new RedisCounterStore(a, prefix).incr('shared', 10_000);
    expect((await new RedisCounterStore(b, prefix).incr('shared', 10_000)).count).toBe(2);
  });
} else {
  it.skip('Redis counters (REDIS_URL not set)', () => undefined);
}
