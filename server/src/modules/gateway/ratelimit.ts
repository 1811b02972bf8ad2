import type { Redis } from 'ioredis';

/**
 * Rate limits and quotas (ADR 0401): rates are exact sliding-window logs (at most `limit` accepted
 * calls in any window of `windowMs`), quotas are calendar counters (UTC day, UTC month). All rules
 * of a call are checked and recorded atomically: a refused call consumes nothing.
 */
export type RuleName = 'second' | 'minute' | 'day' | 'month';
export interface LimitRule {
  name: RuleName;
  limit: number;
}
export interface RuleState {
  name: RuleName;
  limit: number;
  /** Calls left in the window after this one. */
  remaining: number;
  /** Seconds until a call is available again under this rule (window reset). */
  resetSeconds: number;
  windowSeconds: number;
}
export interface Decision {
  allowed: boolean;
  /** Milliseconds to wait before retrying when refused. */
  retryAfterMs: number;
  rules: RuleState[];
  /** Redis was unreachable: the decision was taken by this node alone (fail open) or refused (fail closed). */
  degraded?: 'open' | 'closed';
}
export interface RateLimiter {
  check(key: string, rules: LimitRule[], nowMs: number): Promise<Decision>;
  /** Calls counted so far in the current UTC day and month (quota use), without counting one. */
  quotaUse(key: string, nowMs: number): Promise<{ day: number; month: number }>;
}

const SLIDING: Record<string, number> = { second: 1000, minute: 60_000 };

/** Period id and ms until its end, for calendar quotas (UTC). */
export function period(name: 'day' | 'month', nowMs: number): { id: string; msLeft: number; windowSeconds: number } {
  const d = new Date(nowMs);
  if (name === 'day') {
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    return { id: `${d.getUTCFullYear()}${d.getUTCMonth() + 1}-${d.getUTCDate()}`, msLeft: end - nowMs, windowSeconds: 86400 };
  }
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { id: `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}`, msLeft: end - nowMs, windowSeconds: Math.round((end - start) / 1000) };
}

/** A ring of the timestamps of the last `limit` accepted calls. */
class Ring {
  readonly ts: Float64Array;
  head = 0; // index of the oldest
  size = 0;
  constructor(readonly cap: number) {
    this.ts = new Float64Array(cap);
  }
  expire(before: number) {
    while (this.size > 0 && this.ts[this.head]! <= before) {
      this.head = (this.head + 1) % this.cap;
      this.size--;
    }
  }
  oldest() {
    return this.ts[this.head]!;
  }
  push(t: number) {
    this.ts[(this.head + this.size) % this.cap] = t;
    this.size++;
  }
}

/** Exact limiter of one node (also the fallback of the Redis limiter when fail-open). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly rings = new Map<string, Ring>();
  private readonly counters = new Map<string, { id: string; count: number }>();
  private checks = 0;

  async check(key: string, rules: LimitRule[], nowMs: number): Promise<Decision> {
    return this.checkSync(key, rules, nowMs);
  }

  checkSync(key: string, rules: LimitRule[], nowMs: number): Decision {
    if (++this.checks % 10_000 === 0) this.sweep(nowMs);
    let allowed = true;
    let retry = 0;
    const states: RuleState[] = [];
    const rings: (Ring | null)[] = [];
    const ctrs: ({ id: string; count: number } | null)[] = [];
    for (const r of rules) {
      const w = SLIDING[r.name];
      if (w !== undefined) {
        const k = `${key}|${r.name}`;
        let ring = this.rings.get(k);
        if (!ring || ring.cap !== r.limit) {
          ring = new Ring(r.limit);
          this.rings.set(k, ring);
        }
        ring.expire(nowMs - w);
        rings.push(ring);
        ctrs.push(null);
        const reset = ring.size ? Math.ceil((ring.oldest() + w - nowMs) / 1000) : w / 1000;
        if (ring.size >= r.limit) {
          allowed = false;
          retry = Math.max(retry, ring.oldest() + w - nowMs);
        }
        states.push({ name: r.name, limit: r.limit, remaining: r.limit - ring.size, resetSeconds: Math.max(reset, 0), windowSeconds: w / 1000 });
      } else {
        const p = period(r.name as 'day' | 'month', nowMs);
        const k = `${key}|${r.name}`;
        let c = this.counters.get(k);
        if (!c || c.id !== p.id) {
          c = { id: p.id, count: 0 };
          this.counters.set(k, c);
        }
        rings.push(null);
        ctrs.push(c);
        if (c.count >= r.limit) {
          allowed = false;
          retry = Math.max(retry, p.msLeft);
        }
        states.push({ name: r.name, limit: r.limit, remaining: r.limit - c.count, resetSeconds: Math.ceil(p.msLeft / 1000), windowSeconds: p.windowSeconds });
      }
    }
    if (allowed) {
      for (let i = 0; i < rules.length; i++) {
        rings[i]?.push(nowMs);
        const c = ctrs[i];
        if (c) c.count++;
        states[i]!.remaining--;
      }
    }
    return { allowed, retryAfterMs: allowed ? 0 : Math.max(retry, 1), rules: states };
  }

  async quotaUse(key: string, nowMs: number) {
    const get = (name: 'day' | 'month') => {
      const c = this.counters.get(`${key}|${name}`);
      return c && c.id === period(name, nowMs).id ? c.count : 0;
    };
    return { day: get('day'), month: get('month') };
  }

  private sweep(nowMs: number) {
    for (const [k, ring] of this.rings) {
      ring.expire(nowMs - 60_000);
      if (ring.size === 0) this.rings.delete(k);
    }
    for (const [k, c] of this.counters) {
      const name = k.endsWith('|day') ? 'day' : 'month';
      if (c.id !== period(name, nowMs).id) this.counters.delete(k);
    }
  }

  /** Entries held (for the memory soak benchmark and metrics). */
  get size() {
    return this.rings.size + this.counters.size;
  }
}

/**
 * One atomic script for a batch of calls (those that arrived during one event-loop turn), each with
 * all its rules. KEYS: the rules' keys, call after call. ARGV: number of calls, then per call its
 * time (ms), its number of rules and per rule kind (0 sliding, 1 calendar), limit, window ms (sliding) or ms
 * left in the period (calendar). Calls are decided in order, so two calls of one consumer in a
 * batch see each other. Returns per call { allowed, retryMs, used1, reset1, used2, reset2, … }
 * (used before the call).
 */
export const LIMIT_SCRIPT = `
local calls = tonumber(ARGV[1])
local minLease = tonumber(ARGV[2])
local a = 3
local k = 0
local res = {}
for c = 1, calls do
  local now = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local want = tonumber(ARGV[a + 2])
  local stamp = ARGV[a + 3]
  local leaseMs = tonumber(ARGV[a + 4])
  a = a + 5
  local allowed = 1
  local retry = 0
  local out = {}
  for i = 0, n - 1 do
    local key = KEYS[k + i + 1]
    local kind = tonumber(ARGV[a + i * 3])
    local limit = tonumber(ARGV[a + i * 3 + 1])
    local w = tonumber(ARGV[a + i * 3 + 2])
    if kind == 0 then
      local len = redis.call('LLEN', key)
      while len > 0 do
        local last = tonumber(redis.call('LINDEX', key, -1))
        if last <= now - w then redis.call('RPOP', key); len = len - 1 else break end
      end
      local reset = w
      if len > 0 then reset = tonumber(redis.call('LINDEX', key, -1)) + w - now end
      if len >= limit then
        allowed = 0
        if reset > retry then retry = reset end
      end
      out[#out + 1] = len
      out[#out + 1] = reset
    else
      local used = tonumber(redis.call('GET', key) or '0')
      if used >= limit then
        allowed = 0
        if w > retry then retry = w end
      end
      out[#out + 1] = used
      out[#out + 1] = w
    end
  end
  local grant = 0
  if allowed == 1 and want > 0 then
    -- A lease: only while every rule's count (this call included) stays under half its limit.
    grant = want
    for i = 0, n - 1 do
      local kind = tonumber(ARGV[a + i * 3])
      local limit = tonumber(ARGV[a + i * 3 + 1])
      local room
      if kind == 0 then room = math.floor(limit / 2) - out[i * 2 + 1] - 1 else room = math.floor((limit - out[i * 2 + 1] - 1) / 8) end
      if room < grant then grant = room end
    end
    if grant < minLease then grant = 0 end
  end
  if allowed == 1 then
    for i = 0, n - 1 do
      local key = KEYS[k + i + 1]
      local kind = tonumber(ARGV[a + i * 3])
      local limit = tonumber(ARGV[a + i * 3 + 1])
      local w = tonumber(ARGV[a + i * 3 + 2])
      if kind == 0 then
        redis.call('LPUSH', key, now)
        if grant > 0 then
          -- Leased slots count from the end of the lease: a slot used at any time before it never
          -- leaves the window earlier than the call it stands for.
          local stamps = {}
          for j = 1, grant do stamps[j] = stamp end
          redis.call('LPUSH', key, unpack(stamps))
        end
        redis.call('LTRIM', key, 0, limit - 1)
        redis.call('PEXPIRE', key, w + leaseMs)
      else
        redis.call('INCRBY', key, 1 + grant)
        redis.call('PEXPIRE', key, w + 60000)
      end
    end
  end
  res[#res + 1] = allowed
  res[#res + 1] = retry
  res[#res + 1] = grant
  for i = 1, #out do res[#res + 1] = out[i] end
  k = k + n
  a = a + n * 3
end
return res`;

/**
 * Gives back the unused slots of a lease. KEYS: the rules' keys. ARGV: unused count, the lease's
 * stamp, then per key its kind (0 sliding, 1 calendar).
 */
export const RETURN_SCRIPT = `
local left = tonumber(ARGV[1])
for i = 1, #KEYS do
  if tonumber(ARGV[2 + i]) == 0 then
    redis.call('LREM', KEYS[i], left, ARGV[2])
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('DECRBY', KEYS[i], left)
  end
end
return 1`;

export interface LimiterMetrics {
  redisErrors: number;
  failOpen: number;
  failClosed: number;
  /** Leases granted, calls decided locally from a lease, unused slots given back. */
  leases?: number;
  leasedCalls?: number;
  returnedSlots?: number;
}

/** How long a lease may be used (ms of the node's clock and of real time). */
export const LEASE_MS = 50;
/** Smaller grants are refused: the call is decided by Redis alone (exact as before). */
export const MIN_LEASE = 16;
const MAX_LEASE = 1024;

interface Lease {
  rules: LimitRule[];
  /** End of validity, node clock (the slots' stamp in Redis) and real time. */
  until: number;
  deadline: number;
  stamp: string;
  left: number;
  used: number;
  keys: string[];
  kinds: number[];
  states: RuleState[];
}

/**
 * Limits shared by every node through Redis. When Redis fails, `failPolicy` decides: `open` falls
 * back to this node's exact in-memory limiter (limits then hold per node), `closed` refuses.
 */
interface Pending {
  key: string;
  rules: LimitRule[];
  nowMs: number;
  policy?: 'open' | 'closed';
  keys: string[];
  kinds: number[];
  args: (number | string)[];
  windows: number[];
  stamp: string;
  resolve(d: Decision): void;
}

const MAX_BATCH = 256;

/**
 * Limits shared by every node through Redis. The checks arriving during one event-loop turn go to
 * Redis as one script call (ADR 0404). When Redis fails, the policy decides: `open` falls back to
 * this node's exact in-memory limiter (limits then hold per node), `closed` refuses.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly metrics: LimiterMetrics = { redisErrors: 0, failOpen: 0, failClosed: 0, leases: 0, leasedCalls: 0, returnedSlots: 0 };
  private readonly local = new MemoryRateLimiter();
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly leases = new Map<string, Lease>();
  /** Size of the next lease asked for a key (twice what the previous one served). */
  private readonly wants = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly failPolicy: (key: string) => 'open' | 'closed' = () => 'open',
    /** Leases on (default); off: every call is decided by Redis (ADR 0401, 0404). */
    private readonly leasing = true,
  ) {
    redis.defineCommand('gwLimit', { lua: LIMIT_SCRIPT });
    redis.defineCommand('gwReturn', { lua: RETURN_SCRIPT });
  }

  /** Gives back every lease's unused slots (at stop, and in tests). */
  async releaseLeases(): Promise<void> {
    const all = [...this.leases.values()];
    this.leases.clear();
    await Promise.all(all.map((l) => this.giveBack(l)));
  }

  private async giveBack(l: Lease): Promise<void> {
    if (l.left <= 0) return;
    const left = l.left;
    l.left = 0;
    this.metrics.returnedSlots! += left;
    try {
      await (this.redis as unknown as { gwReturn(n: number, ...a: (string | number)[]): Promise<number> }).gwReturn(
        l.keys.length,
        ...l.keys,
        left,
        l.stamp,
        ...l.kinds,
      );
    } catch {
      this.metrics.redisErrors++;
    }
  }

  /** Ends the leases whose time is over, giving their unused slots back. */
  private sweep() {
    const t = performance.now();
    for (const [k, l] of this.leases)
      if (t >= l.deadline) {
        this.leases.delete(k);
        this.wants.set(k, l.used);
        void this.giveBack(l);
      }
    if (!this.leases.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
    if (this.wants.size > 50_000) this.wants.clear();
  }

  async quotaUse(key: string, nowMs: number) {
    const [day, month] = await this.redis.mget(
      `${this.prefix}${key}|day|${period('day', nowMs).id}`,
      `${this.prefix}${key}|month|${period('month', nowMs).id}`,
    );
    return { day: Number(day ?? 0), month: Number(month ?? 0) };
  }

  check(key: string, rules: LimitRule[], nowMs: number, policy?: 'open' | 'closed'): Promise<Decision> {
    const lease = this.leases.get(key);
    if (lease) {
      if (lease.left > 0 && lease.rules === rules && nowMs < lease.until && performance.now() < lease.deadline) {
        // Decided here, from the share of the budget this node holds: no Redis round trip.
        lease.left--;
        const used = ++lease.used;
        this.metrics.leasedCalls!++;
        return Promise.resolve({
          allowed: true,
          retryAfterMs: 0,
          rules: lease.states.map((st) => ({ ...st, remaining: Math.max(0, st.remaining - used) })),
        });
      }
      this.leases.delete(key);
      this.wants.set(key, lease.used);
      void this.giveBack(lease);
    }
    // Twice what the previous lease served, so that a steady consumer needs about one lease per LEASE_MS.
    const prev = this.wants.get(key);
    const want = !this.leasing ? 0 : prev === undefined ? MIN_LEASE : Math.min(MAX_LEASE, Math.max(MIN_LEASE, prev * 2));
    const stamp = String(nowMs + LEASE_MS);
    const keys: string[] = [];
    const kinds: number[] = [];
    const args: (number | string)[] = [nowMs, rules.length, want, stamp, LEASE_MS];
    const windows: number[] = [];
    for (const r of rules) {
      const w = SLIDING[r.name];
      if (w !== undefined) {
        keys.push(`${this.prefix}${key}|${r.name}`);
        kinds.push(0);
        args.push(0, r.limit, w);
        windows.push(w / 1000);
      } else {
        const p = period(r.name as 'day' | 'month', nowMs);
        keys.push(`${this.prefix}${key}|${r.name}|${p.id}`);
        kinds.push(1);
        args.push(1, r.limit, p.msLeft);
        windows.push(p.windowSeconds);
      }
    }
    return new Promise((resolve) => {
      this.queue.push({ key, rules, nowMs, policy, keys, kinds, args, windows, stamp, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) void this.send(all.slice(i, i + MAX_BATCH));
  }

  private async send(batch: Pending[]) {
    const keys: string[] = [];
    const args: (number | string)[] = [batch.length, MIN_LEASE];
    for (const p of batch) {
      keys.push(...p.keys);
      args.push(...p.args);
    }
    let res: number[];
    try {
      res = (await (this.redis as unknown as { gwLimit(n: number, ...a: (string | number)[]): Promise<number[]> }).gwLimit(keys.length, ...keys, ...args)).map(
        Number,
      );
    } catch {
      for (const p of batch) p.resolve(this.degraded(p));
      return;
    }
    let o = 0;
    for (const p of batch) {
      const allowed = res[o] === 1;
      const retry = res[o + 1]!;
      const grant = res[o + 2]!;
      const states = p.rules.map((r, i) => ({
        name: r.name,
        limit: r.limit,
        remaining: r.limit - res[o + 3 + i * 2]! - (allowed ? 1 : 0),
        resetSeconds: Math.max(0, Math.ceil(res[o + 4 + i * 2]! / 1000)),
        windowSeconds: p.windows[i]!,
      }));
      if (grant > 0) {
        const previous = this.leases.get(p.key);
        if (previous) void this.giveBack(previous);
        this.leases.set(p.key, {
          rules: p.rules,
          until: p.nowMs + LEASE_MS,
          deadline: performance.now() + LEASE_MS,
          stamp: p.stamp,
          left: grant,
          used: 0,
          keys: p.keys,
          kinds: p.kinds,
          states,
        });
        this.metrics.leases!++;
        if (!this.sweeper) {
          this.sweeper = setInterval(() => this.sweep(), LEASE_MS);
          this.sweeper.unref();
        }
      }
      p.resolve({ allowed, retryAfterMs: allowed ? 0 : Math.max(retry, 1), rules: states });
      o += 3 + p.rules.length * 2;
    }
  }

  private degraded(p: Pending): Decision {
    this.metrics.redisErrors++;
    if ((p.policy ?? this.failPolicy(p.key)) === 'closed') {
      this.metrics.failClosed++;
      return { allowed: false, retryAfterMs: 1000, rules: [], degraded: 'closed' };
    }
    this.metrics.failOpen++;
    return { ...this.local.checkSync(p.key, p.rules, p.nowMs), degraded: 'open' };
  }
}

/** IETF draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit` field values. */
export function rateLimitHeaders(states: RuleState[]): { policy: string; limit: string } | null {
  if (!states.length) return null;
  return {
    policy: states.map((s) => `"${s.name}";q=${s.limit};w=${s.windowSeconds}`).join(', '),
    limit: states.map((s) => `"${s.name}";r=${Math.max(0, s.remaining)};t=${s.resetSeconds}`).join(', '),
  };
}

export function rulesOf(p: { perSecond: number | null; perMinute: number | null; perDay: number | null; perMonth: number | null }): LimitRule[] {
  const r: LimitRule[] = [];
  if (p.perSecond) r.push({ name: 'second', limit: p.perSecond });
  if (p.perMinute) r.push({ name: 'minute', limit: p.perMinute });
  if (p.perDay) r.push({ name: 'day', limit: p.perDay });
  if (p.perMonth) r.push({ name: 'month', limit: p.perMonth });
  return r;
}
