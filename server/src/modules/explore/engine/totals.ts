/**
 * Totals of the tabular API per (extract version, compiled filter) (ADR 0804). An extract never
 * changes, so a total once counted stays true: it is kept in Redis when the platform has one (shared
 * by every node, 7 days, refreshed when read) and in a bounded in-memory LRU of this node in any case
 * (the first place looked at). A Redis failure is not an error: the total is counted again.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const TTL_S = 7 * 24 * 3600;

export class TotalsCache {
  private readonly memory = new Map<string, number>();

  constructor(
    private readonly redis: Redis | null,
    private readonly prefix = '',
    private readonly max = 2000,
  ) {}

  private redisKey(key: string): string {
    return `${this.prefix}explore:total:${createHash('sha256').update(key).digest('base64url')}`;
  }

  async get(key: string): Promise<number | undefined> {
    const m = this.memory.get(key);
    if (m !== undefined) {
      this.memory.delete(key);
      this.memory.set(key, m);
      return m;
    }
    if (!this.redis) return undefined;
    try {
      const v = await this.redis.getex(this.redisKey(key), 'EX', TTL_S);
      if (v === null) return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) return undefined;
      this.remember(key, n);
      return n;
    } catch {
      return undefined;
    }
  }

  async set(key: string, n: number): Promise<void> {
    this.remember(key, n);
    if (!this.redis) return;
    await this.redis.set(this.redisKey(key), String(n), 'EX', TTL_S).catch(() => undefined);
  }

  private remember(key: string, n: number): void {
    this.memory.delete(key);
    this.memory.set(key, n);
    while (this.memory.size > this.max) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** For tests: entries held by this node. */
  get size(): number {
    return this.memory.size;
  }
}
