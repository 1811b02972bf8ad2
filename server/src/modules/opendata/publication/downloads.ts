/**
 * Download counting off the request path: a download is a synchronous increment of an in-memory
 * buffer (after an asynchronous deduplication check), flushed to `opendata_downloads` every few
 * seconds and at shutdown. A client (address + user agent) counts once per resource within
 * `DEDUP_SECONDS` (Redis `SET NX EX` when Redis is configured, shared by the nodes; else a bounded
 * in-memory map). Bots and tools that say so in their user agent are not counted.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { opendataDownloads } from '../opendata.table.ts';

export const DEDUP_SECONDS = 30;
const MAX_MEMORY_KEYS = 100_000;
const BOT = /bot\b|bot\/|crawl|spider|slurp|curl\/|wget\/|python-requests|httpclient|go-http-client|facebookexternalhit|headless|monitor|uptime|preview/i;

export function isBot(userAgent: string | undefined): boolean {
  return !userAgent || BOT.test(userAgent);
}

export class DownloadCounter {
  private pending = new Map<string, number>();
  private seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Deduplication answers not yet received (a flush waits for them). */
  private inflight = new Set<Promise<unknown>>();

  constructor(private readonly deps: { db: Db; redis: Redis | null; prefix: string; now: () => Date; logger?: { warn(o: object, m: string): void } }) {}

  /** Records a download; returns at once (the deduplication check and the write happen later). */
  hit(resourceId: string, client: { ip: string; userAgent?: string }): void {
    if (isBot(client.userAgent)) return;
    const day = this.deps.now().toISOString().slice(0, 10);
    const key = createHash('sha1')
      .update(`${resourceId}\u0000${client.ip}\u0000${client.userAgent ?? ''}`)
      .digest('base64url');
    const count = () => {
      const k = `${resourceId}|${day}`;
      this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    };
    const redis = this.deps.redis;
    if (redis) {
      const pending = redis.set(`${this.deps.prefix}od:dl:${key}`, '1', 'EX', DEDUP_SECONDS, 'NX').then(
        (ok) => {
          if (ok === 'OK') count();
        },
        // Redis unavailable: count (better a duplicate than a lost download), dedup in memory.
        () => {
          if (this.memorySeen(key)) count();
        },
      );
      this.inflight.add(pending);
      void pending.finally(() => this.inflight.delete(pending));
      return;
    }
    if (this.memorySeen(key)) count();
  }

  /** True when this client was not seen within the window (and records it). */
  private memorySeen(key: string): boolean {
    const now = Date.now();
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    if (this.seen.size >= MAX_MEMORY_KEYS) {
      for (const [k, t] of this.seen) if (t <= now) this.seen.delete(k);
      if (this.seen.size >= MAX_MEMORY_KEYS) this.seen.clear();
    }
    this.seen.set(key, now + DEDUP_SECONDS * 1000);
    return true;
  }

  /** Writes the buffered counts (one upsert per resource and day). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      // Let pending Redis answers land first.
      if (this.inflight.size) await Promise.allSettled([...this.inflight]);
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      const values = [...batch.entries()].map(([k, count]) => {
        const [resourceId, day] = k.split('|') as [string, string];
        return { resourceId, day, count };
      });
      try {
        await this.deps.db
          .insert(opendataDownloads)
          .values(values)
          .onConflictDoUpdate({
            target: [opendataDownloads.resourceId, opendataDownloads.day],
            set: { count: sql`${opendataDownloads.count} + excluded.count` },
          });
      } catch (err) {
        // A resource deleted meanwhile, or the database away: put the counts back for the next round.
        this.deps.logger?.warn({ err }, 'opendata: download counts not written');
        for (const v of values) {
          const k = `${v.resourceId}|${v.day}`;
          this.pending.set(k, (this.pending.get(k) ?? 0) + v.count);
        }
        if (this.pending.size > 50_000) this.pending.clear();
      }
    });
    return this.flushing;
  }

  start(intervalMs = 5000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
