import type { Redis } from 'ioredis';

/**
 * Fixed-window counters shared by the nodes when Redis is configured (in memory otherwise).
 * Used for login throttling; the gateway has its own exact limiter.
 */
export interface CounterStore {
  /** Adds `cost` to the counter of `key` for a window of `windowMs`; returns the new count and the ms left. */
  incr(key: string, windowMs: number, cost?: number): Promise<{ count: number; ttlMs: number }>;
  get(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly map = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async incr(key: string, windowMs: number, cost = 1) {
    const t = this.now();
    let e = this.map.get(key);
    if (!e || e.resetAt <= t) {
      e = { count: 0, resetAt: t + windowMs };
      this.map.set(key, e);
      if (this.map.size > 100_000) this.sweep(t);
    }
    e.count += cost;
    return { count: e.count, ttlMs: e.resetAt - t };
  }
  async get(key: string) {
    const e = this.map.get(key);
    return e && e.resetAt > this.now() ? e.count : 0;
  }
  async reset(key: string) {
    this.map.delete(key);
  }
  private sweep(t: number) {
    for (const [k, e] of this.map) if (e.resetAt <= t) this.map.delete(k);
  }
}

const INCR_SCRIPT = `
local c = redis.call('INCRBY', KEYS[1], ARGV[1])
if c == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {c, ttl}`;

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'patrimoine:ctr:',
  ) {}
  async incr(key: string, windowMs: number, cost = 1) {
    const [count, ttlMs] = (await this.redis.eval(INCR_SCRIPT, 1, this.prefix + key, cost, windowMs)) as [number, number];
    return { count, ttlMs };
  }
  async get(key: string) {
    return Number((await this.redis.get(this.prefix + key)) ?? 0);
  }
  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }
}
