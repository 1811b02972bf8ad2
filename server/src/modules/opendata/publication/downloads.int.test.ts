import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { opendataDownloads } from '../opendata.table.ts';
import { DownloadCounter, ORPHAN_MS } from './downloads.ts';

/**
 * Issue 16 (A64): a download's count is durable as soon as it is counted — in the shared Redis hash
 * (when Redis is configured) or in the database — so a node that dies before its next flush loses
 * nothing; a hash claimed by a node that died before writing it is taken again by another node.
 */
let t: TestPlatform;
let resourceId: string;
const browser = { ip: '203.0.113.10', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

beforeAll(async () => {
  t = await createTestPlatform();
  const admin = (await t.tokenFor('admin')).token;
  await t.app.inject({
    method: 'POST',
    url: '/api/catalog/assets',
    headers: bearer(admin),
    payload: { kind: 'dataset', slug: 'compteurs', title: 'Compteurs', description: 'Jeu de test.', owner: 'DSR', openness: 'ouvert' },
  });
  const r = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/compteurs/resources', headers: bearer(admin), payload: { title: 'Fichier' } });
  resourceId = r.json().id;
});
afterAll(async () => {
  await t?.teardown();
});

const counterOf = () => new DownloadCounter({ db: t.ctx.db, redis: t.ctx.redis, prefix: t.ctx.env.REDIS_PREFIX ?? '', now: () => new Date() });
async function total(): Promise<number> {
  return (await t.ctx.db.select().from(opendataDownloads)).reduce((a, r) => a + r.count, 0);
}

describe('download counts survive a node that dies', () => {
  it('counts made durable at once: another node (or the next start) writes what a dead node counted', async () => {
    await t.ctx.db.delete(opendataDownloads);
    const dying = counterOf();
    dying.hit(resourceId, browser);
    dying.hit(resourceId, { ...browser, ip: '203.0.113.11' });
    dying.hit(resourceId, browser); // same client within the window: not counted again
    await dying.settled();
    // The node dies here: no flush, no stop.
    const survivor = counterOf();
    await survivor.flush();
    expect(await total()).toBe(2);
  });

  it('a Redis hash claimed by a node that died before writing it is written by another node', async () => {
    const redis = t.ctx.redis;
    if (!redis) return; // Redis is not configured for this run (PGlite project): the database path above applies.
    await t.ctx.db.delete(opendataDownloads);
    const prefix = t.ctx.env.REDIS_PREFIX ?? '';
    const day = new Date().toISOString().slice(0, 10);
    // Claims are listed in a sorted set by time, as a node's claim script leaves them.
    const dead = `${prefix}od:dl:claimed:${Date.now() - ORPHAN_MS - 1000}:deadnode`;
    const live = `${prefix}od:dl:claimed:${Date.now()}:othernode`;
    await redis.hset(dead, `${resourceId}|${day}`, '5');
    await redis.zadd(`${prefix}od:dl:claims`, Date.now() - ORPHAN_MS - 1000, dead);
    await redis.hset(live, `${resourceId}|${day}`, '7'); // being written by a live node
    await redis.zadd(`${prefix}od:dl:claims`, Date.now(), live);
    await counterOf().flush();
    expect(await total()).toBe(5);
    expect(await redis.keys(`${prefix}od:dl:claimed:*`)).toEqual([live]);
    expect(await redis.zrange(`${prefix}od:dl:claims`, 0, -1)).toEqual([live]);
    // Two nodes racing for the same orphan: one writes it, once.
    await t.ctx.db.delete(opendataDownloads);
    await redis.zadd(`${prefix}od:dl:claims`, Date.now() - ORPHAN_MS - 1000, live);
    await Promise.all([counterOf().flush(), counterOf().flush()]);
    expect(await total()).toBe(7);
    expect(await redis.keys(`${prefix}od:dl:claimed:*`)).toEqual([]);
    expect(await redis.zcard(`${prefix}od:dl:claims`)).toBe(0);
  });
});
