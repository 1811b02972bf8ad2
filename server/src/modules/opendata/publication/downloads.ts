/**
 * Download counting off the request path, without losing counts when a node dies. A download is a
 * synchronous call (after an asynchronous deduplication check) whose count is made durable at once,
 * off the request:
 * - with Redis, `HINCRBY` of a hash shared by the nodes (`od:dl:pending`, field `resource|day`); every
 *   few seconds a node claims the hash (`RENAME` to a key of its own, listed in a sorted set of claims by
 *   time, in one script: one node gets it) and writes it to `opendata_downloads` as one upsert per
 *   resource and day, then deletes it. A claimed hash left by a node that died before writing it is
 *   claimed again by any node a minute later, found in the sorted set (no scan of the keyspace).
 * - without Redis (one node), straight to the database: counts gathered while a write is in flight
 *   go in the next one (one upsert per resource and day), so a node that dies loses at most the
 *   write in flight.
 * A client (address + user agent) counts once per resource within `DEDUP_SECONDS` (Redis `SET NX
 * EX`, shared by the nodes; else a bounded in-memory map). Bots and tools that say so in their user
 * agent are not counted.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { opendataDownloads } from '../opendata.table.ts';

export const DEDUP_SECONDS = 30;
/** A claimed hash older than this is taken to belong to a node that died before writing it. */
export const ORPHAN_MS = 60_000;
const MAX_MEMORY_KEYS = 100_000;
/** Claims the pending hash (KEYS: pending, claims index; ARGV: claim name, now): 1 when there was one. */
const CLAIM = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1`;
/** Takes over an old claim (KEYS: claim, claims index; ARGV: new name, now): 0 when another node took it first. */
const RECLAIM = `if redis.call('ZSCORE', KEYS[2], KEYS[1]) == false then return 0 end
redis.call('ZREM', KEYS[2], KEYS[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1`;
const BOT = /bot\b|bot\/|crawl|spider|slurp|curl\/|wget\/|python-requests|httpclient|go-http-client|facebookexternalhit|headless|monitor|uptime|preview/i;

export function isBot(userAgent: string | undefined): boolean {
  return !userAgent || BOT.test(userAgent);
}

export class DownloadCounter {
  /** Counts not yet written (database path, or Redis unavailable). */
  private pending = new Map<string, number>();
  private seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Deduplication checks and Redis increments not yet answered (a flush waits for them). */
  private inflight = new Set<Promise<unknown>>();
  private readonly node = randomBytes(6).toString('hex');

  constructor(private readonly deps: { db: Db; redis: Redis | null; prefix: string; now: () => Date; logger?: { warn(o: object, m: string): void } }) {}

  private get pendingKey() {
    return `${this.deps.prefix}od:dl:pending`;
  }
  private get claimPrefix() {
    return `${this.deps.prefix}od:dl:claimed:`;
  }
  /** Sorted set of the claimed hashes, scored by claim time. */
  private get claimsKey() {
    return `${this.deps.prefix}od:dl:claims`;
  }

  /** Records a download; returns at once (the deduplication check and the write happen later). */
  hit(resourceId: string, client: { ip: string; userAgent?: string }): void {
    if (isBot(client.userAgent)) return;
    const day = this.deps.now().toISOString().slice(0, 10);
    const key = createHash('sha1')
      .update(`${resourceId}\u0000${client.ip}\u0000${client.userAgent ?? ''}`)
      .digest('base64url');
    const field = `${resourceId}|${day}`;
    const redis = this.deps.redis;
    if (redis) {
      const pending = redis
        .set(`${this.deps.prefix}od:dl:${key}`, '1', 'EX', DEDUP_SECONDS, 'NX')
        .then(
          (ok) => (ok === 'OK' ? redis.hincrby(this.pendingKey, field, 1).then(() => undefined) : undefined),
          // Redis unavailable for the check: dedup in memory (better a duplicate than a lost download).
          () => {
            if (this.memorySeen(key)) throw new Error('redis');
          },
        )
        // Redis unavailable for the count: straight to the database.
        .catch(() => this.countInDb(field));
      this.track(pending);
      return;
    }
    if (this.memorySeen(key)) this.countInDb(field);
  }

  private track(p: Promise<unknown>) {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
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

  /** Adds to the next database write and starts it unless one is in flight. */
  private countInDb(field: string): void {
    this.pending.set(field, (this.pending.get(field) ?? 0) + 1);
    if (!this.writing) {
      const w = new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
      this.writing = w;
      void w.finally(() => {
        if (this.writing === w) this.writing = null;
      });
    }
  }

  private async upsert(values: { resourceId: string; day: string; count: number }[]): Promise<void> {
    if (!values.length) return;
    await this.deps.db
      .insert(opendataDownloads)
      .values(values)
      .onConflictDoUpdate({
        target: [opendataDownloads.resourceId, opendataDownloads.day],
        set: { count: sql`${opendataDownloads.count} + excluded.count` },
      });
  }

  private static rows(m: Map<string, number> | Record<string, string>) {
    const entries = m instanceof Map ? [...m.entries()] : Object.entries(m).map(([k, v]) => [k, Number(v)] as const);
    return entries
      .filter(([k, n]) => /^[0-9a-f-]{36}\|\d{4}-\d{2}-\d{2}$/i.test(k) && Number.isFinite(n) && n > 0)
      .map(([k, count]) => {
        const [resourceId, day] = k.split('|') as [string, string];
        return { resourceId, day, count };
      });
  }

  /** Writes the counts gathered so far, batch after batch; on failure they wait for the next round. */
  private async drain(): Promise<void> {
    while (this.pending.size) {
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.upsert(DownloadCounter.rows(batch));
      } catch (err) {
        // A resource deleted meanwhile, or the database away: put the counts back for the next round.
        this.deps.logger?.warn({ err }, 'opendata: download counts not written');
        for (const [k, n] of batch) this.pending.set(k, (this.pending.get(k) ?? 0) + n);
        if (this.pending.size > 50_000) this.pending.clear();
        return;
      }
    }
  }

  /** Moves the counts kept in Redis to the database: this round's hash, and hashes orphaned by a dead node. */
  private async drainRedis(): Promise<void> {
    const redis = this.deps.redis;
    if (!redis) return;
    const claims: string[] = [];
    const mine = `${this.claimPrefix}${Date.now()}:${this.node}`;
    // RENAME and the claim's entry in the index are one script: a claim is never left unlisted.
    if (Number(await redis.eval(CLAIM, 2, this.pendingKey, this.claimsKey, mine, Date.now()))) claims.push(mine);
    // Claimed hashes not written within ORPHAN_MS (their node died): claim them again (one node wins).
    // The index is a sorted set by claim time, so this reads the old claims only, never the keyspace.
    const old = await redis.zrangebyscore(this.claimsKey, '-inf', Date.now() - ORPHAN_MS, 'LIMIT', 0, 100);
    for (const k of old) {
      const again = `${this.claimPrefix}${Date.now()}:${this.node}:${claims.length}`;
      if (Number(await redis.eval(RECLAIM, 2, k, this.claimsKey, again, Date.now()))) claims.push(again);
    }
    for (const k of claims) {
      const counts = await redis.hgetall(k);
      // If the write fails, the claimed hash stays listed and is taken again after ORPHAN_MS.
      await this.upsert(DownloadCounter.rows(counts));
      await redis.multi().del(k).zrem(this.claimsKey, k).exec();
    }
  }

  /** Waits until every hit so far is durable (in Redis or in the database), without moving Redis to the database. */
  async settled(): Promise<void> {
    while (this.inflight.size || this.writing) {
      await Promise.allSettled([...this.inflight]);
      if (this.writing) await this.writing;
    }
  }

  /** Writes every count known to this node (and the shared Redis hash) to the database. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.inflight.size) await Promise.allSettled([...this.inflight]);
      if (this.writing) await this.writing;
      await this.drain();
      await this.drainRedis().catch((err: unknown) => this.deps.logger?.warn({ err }, 'opendata: download counts not moved from Redis'));
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
