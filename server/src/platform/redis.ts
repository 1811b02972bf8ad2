import { Redis } from 'ioredis';

/** Opens the shared Redis connection; commands fail fast instead of queueing while it is down. */
export async function openRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => {
    /* reported by the failing command; reconnection is automatic */
  });
  await redis.connect();
  return redis;
}
