import { randomBytes } from 'node:crypto';
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
 * The sliding windows' log (ADR 0401, amendment of 2026-12-06): a list per rule, newest first, of
 * entries `stamp` (one call) or `stamp:count:id` (a lease of `count` slots, all counted from the
 * lease's end), with the window's total in a key of its own. A lease is one entry whatever its size,
 * so that expiring, checking and giving back cost O(leases in the window), not O(slots): with one
 * entry per slot, a lease of 1,024 slots was 1,024 list pushes and as many pops one window later
 * (≈ 600 µs of Redis per script call at 16,000 calls/s). Lua helpers shared by both scripts; a list
 * without its total (written before the total existed) is summed once.
 */
const LOG_LUA = `
local function count(e)
  local c = string.match(e, '^[^:]+:(%d+):')
  if c then return tonumber(c) end
  return 1
end
local function total(list, n)
  local t = redis.call('GET', n)
  if t then return tonumber(t) end
  local sum = 0
  for _, e in ipairs(redis.call('LRANGE', list, 0, -1)) do sum = sum + count(e) end
  return sum
end`;

/**
 * One atomic script for a batch of calls (those that arrived during one event-loop turn), each with
 * all its rules. KEYS: the rules' keys, call after call (a sliding rule: its log, then its total; a
 * calendar rule: its counter). ARGV: number of calls, the smallest lease, then per call its time
 * (ms), its number of rules, the slots wanted for a lease, the lease's stamp (its end), the lease's
 * length, 1 for a renewal (whose own slot joins the lease), the lease's id, and per rule its kind (0
 * sliding, 1 calendar), limit, window ms (sliding) or ms left in the period (calendar). Calls are
 * decided in order, so two calls of one consumer in a batch see each other. Returns per call
 * { allowed, retryMs, grant, used1, reset1, … } (used before the call).
 */
export const LIMIT_SCRIPT = `${LOG_LUA}
local calls = tonumber(ARGV[1])
local minLease = tonumber(ARGV[2])
local a = 3
local k = 1
local res = {}
for c = 1, calls do
  local now = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local want = tonumber(ARGV[a + 2])
  local stamp = ARGV[a + 3]
  local leaseMs = tonumber(ARGV[a + 4])
  local renewal = ARGV[a + 5] == '1'
  local id = ARGV[a + 6]
  a = a + 7
  local allowed = 1
  local retry = 0
  local out = {}
  local keys = {}
  for i = 0, n - 1 do
    local kind = tonumber(ARGV[a + i * 3])
    local limit = tonumber(ARGV[a + i * 3 + 1])
    local w = tonumber(ARGV[a + i * 3 + 2])
    if kind == 0 then
      local list, tkey = KEYS[k], KEYS[k + 1]
      k = k + 2
      keys[i] = { list, tkey }
      local used = total(list, tkey)
      local reset = w
      while true do
        local last = redis.call('LINDEX', list, -1)
        if not last then used = 0; break end
        local at = tonumber(string.match(last, '^[^:]+'))
        if at <= now - w then
          redis.call('RPOP', list)
          used = used - count(last)
        else
          reset = at + w - now
          break
        end
      end
      if used >= limit then
        allowed = 0
        if reset > retry then retry = reset end
      end
      out[#out + 1] = used
      out[#out + 1] = reset
    else
      keys[i] = { KEYS[k] }
      k = k + 1
      local used = tonumber(redis.call('GET', keys[i][1]) or '0')
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
  for i = 0, n - 1 do
    local kind = tonumber(ARGV[a + i * 3])
    local w = tonumber(ARGV[a + i * 3 + 2])
    if kind == 0 then
      local list, tkey = keys[i][1], keys[i][2]
      local used = out[i * 2 + 1]
      if allowed == 1 then
        -- Leased slots count from the end of the lease: a slot used at any time before it never
        -- leaves the window earlier than the call it stands for. A renewal's own slot is one of them.
        if renewal then
          redis.call('LPUSH', list, stamp .. ':' .. (grant + 1) .. ':' .. id)
          used = used + grant + 1
        else
          redis.call('LPUSH', list, now)
          used = used + 1
          if grant > 0 then
            redis.call('LPUSH', list, stamp .. ':' .. grant .. ':' .. id)
            used = used + grant
          end
        end
      end
      if used > 0 then
        redis.call('SET', tkey, used, 'PX', w + leaseMs)
        redis.call('PEXPIRE', list, w + leaseMs)
      else
        redis.call('DEL', tkey)
      end
    elseif allowed == 1 then
      redis.call('INCRBY', keys[i][1], 1 + grant)
      redis.call('PEXPIRE', keys[i][1], w + 60000)
    end
  end
  res[#res + 1] = allowed
  res[#res + 1] = retry
  res[#res + 1] = grant
  for i = 1, #out do res[#res + 1] = out[i] end
  a = a + n * 3
end
return res`;

/**
 * Gives back the unused slots of a lease. KEYS: the rules' keys (as for the limit script). ARGV:
 * unused count, the lease's entry (`stamp:count:id`), then per rule its kind (0 sliding, 1 calendar).
 * A lease whose entry has left the window already gives nothing back to it: its slots are gone.
 */
export const RETURN_SCRIPT = `${LOG_LUA}
local left = tonumber(ARGV[1])
local entry = ARGV[2]
local stamp, granted, id = string.match(entry, '^([^:]+):(%d+):(.+)$')
local k = 1
for i = 3, #ARGV do
  if tonumber(ARGV[i]) == 0 then
    local list, tkey = KEYS[k], KEYS[k + 1]
    k = k + 2
    local pos = redis.call('LPOS', list, entry)
    if pos and redis.call('EXISTS', tkey) == 1 then
      redis.call('LSET', list, pos, stamp .. ':' .. (tonumber(granted) - left) .. ':' .. id)
      redis.call('DECRBY', tkey, left)
    end
  else
    if redis.call('EXISTS', KEYS[k]) == 1 then redis.call('DECRBY', KEYS[k], left) end
    k = k + 1
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

/**
 * The same limits: each configuration reload builds new rule arrays, and a lease taken under equal
 * limits stays valid across it (before, every reload ended every consumer's lease at once and their
 * next calls all went to Redis together).
 */
function sameRules(a: LimitRule[], b: LimitRule[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.limit !== b[i]!.limit) return false;
  return true;
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
  /** Its entry in the sliding logs (`stamp:count:id`), found again when its unused slots go back. */
  entry: string;
  /** Slots granted, and those not used yet. */
  granted: number;
  left: number;
  used: number;
  keys: string[];
  kinds: number[];
  states: RuleState[];
  /** The lease asked for ahead of this one's end, used once this one is spent or over. */
  next?: Lease;
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
  /** The lease's id in the sliding logs (unique across nodes). */
  id: string;
  /** Slots asked for a lease (0: this call only). */
  want: number;
  /** A lease asked ahead of the current one's end, by a call already decided from it: its own slot goes to the new lease. */
  renewal: boolean;
  resolve(d: Decision): void;
}

/** A call waiting for the lease its key is already asking for (one lease request per key at a time). */
interface Waiter {
  rules: LimitRule[];
  nowMs: number;
  policy?: 'open' | 'closed';
  resolve(d: Decision | Promise<Decision>): void;
}

/** After a lease was refused (the consumer near half its limit), its calls go to Redis one by one for this long. */
const DENIED_MS = 4 * 50;

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
  /**
   * Keys whose lease request is in flight, with the calls waiting for it: without this, every call
   * arriving while a lease is asked for asked for one of its own (each pushing up to 1,024 slots to
   * Redis and giving the previous one back: 60–70 % of a Redis core at 11,000 calls/s, ADR 0404).
   */
  private readonly inflight = new Map<string, Waiter[]>();
  /** Keys refused a lease recently (real time until which their calls ask for none). */
  private readonly denied = new Map<string, number>();
  /** Script calls under way (`releaseLeases` waits for them: a lease may be on its way). */
  private readonly sending = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;
  /** This limiter's tag in lease ids, and its lease counter. */
  private readonly node = `${randomBytes(6).toString('base64url')}.`;
  private seq = 0;
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
    while (this.sending.size || this.queue.length) {
      if (this.queue.length) this.flush();
      await Promise.all([...this.sending]);
    }
    const all = [...this.leases.values()].flatMap((l) => (l.next ? [l, l.next] : [l]));
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
        l.entry,
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
        // Asked for ahead of its end: valid a little longer than the one it follows.
        if (l.next) {
          if (t < l.next.deadline && l.next.left > 0) this.leases.set(k, l.next);
          else void this.giveBack(l.next);
          l.next = undefined;
        }
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
    let lease = this.leases.get(key);
    const t = performance.now();
    if (lease && !(lease.left > 0 && sameRules(lease.rules, rules) && nowMs < lease.until && t < lease.deadline)) {
      // Spent or over: its unused slots go back, and the lease asked for ahead of its end takes over.
      const next = lease.next;
      lease.next = undefined;
      this.leases.delete(key);
      this.wants.set(key, lease.used);
      void this.giveBack(lease);
      lease = undefined;
      if (next && next.left > 0 && sameRules(next.rules, rules) && nowMs < next.until && t < next.deadline) {
        this.leases.set(key, next);
        lease = next;
      } else if (next) void this.giveBack(next);
    }
    if (lease) {
      // Decided here, from the share of the budget this node holds: no Redis round trip.
      lease.left--;
      const used = ++lease.used;
      this.metrics.leasedCalls!++;
      // The next lease is asked for before this one runs out, so that calls never wait for it.
      if (!lease.next && !this.inflight.has(key) && (lease.left <= lease.granted >> 2 || t >= lease.deadline - LEASE_MS / 4)) {
        void this.request(key, rules, nowMs, policy, this.wantOf(key, Math.max(lease.used, lease.granted)), true);
      }
      return Promise.resolve({
        allowed: true,
        retryAfterMs: 0,
        rules: lease.states.map((st) => ({ ...st, remaining: Math.max(0, st.remaining - used) })),
      });
    }
    // A lease is on its way for this key: wait for it rather than ask for another.
    const waiting = this.inflight.get(key);
    if (waiting) return new Promise((resolve) => waiting.push({ rules, nowMs, policy, resolve }));
    return this.request(key, rules, nowMs, policy, this.wantOf(key, this.wants.get(key)), false);
  }

  /** Twice what the previous lease served, so that a steady consumer needs about one lease per LEASE_MS; 0 without leasing. */
  private wantOf(key: string, previous: number | undefined): number {
    if (!this.leasing) return 0;
    const until = this.denied.get(key);
    if (until !== undefined) {
      if (performance.now() < until) return 0;
      this.denied.delete(key);
    }
    return previous === undefined ? MIN_LEASE : Math.min(MAX_LEASE, Math.max(MIN_LEASE, previous * 2));
  }

  /** Queues one call (and the lease it asks for) for the next script call. */
  private request(key: string, rules: LimitRule[], nowMs: number, policy: 'open' | 'closed' | undefined, want: number, renewal: boolean): Promise<Decision> {
    if (want > 0) this.inflight.set(key, []);
    const stamp = String(nowMs + LEASE_MS);
    const id = `${this.node}${(++this.seq).toString(36)}`;
    const keys: string[] = [];
    const kinds: number[] = [];
    // A renewal's own slot joins its lease: recorded with the lease's stamp, so that it can go back with it.
    const args: (number | string)[] = [nowMs, rules.length, want, stamp, LEASE_MS, renewal ? 1 : 0, id];
    const windows: number[] = [];
    for (const r of rules) {
      const w = SLIDING[r.name];
      if (w !== undefined) {
        const log = `${this.prefix}${key}|${r.name}`;
        keys.push(log, `${log}|n`);
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
      this.queue.push({ key, rules, nowMs, policy, keys, kinds, args, windows, stamp, id, want, renewal, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** The calls that waited for a key's lease request: decided from the new lease, or sent to Redis. */
  private release(key: string) {
    const waiters = this.inflight.get(key);
    if (!waiters) return;
    this.inflight.delete(key);
    for (const w of waiters) w.resolve(this.check(key, w.rules, w.nowMs, w.policy));
  }

  private flush() {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      const sent = this.send(all.slice(i, i + MAX_BATCH));
      this.sending.add(sent);
      void sent.finally(() => this.sending.delete(sent));
    }
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
      for (const p of batch) {
        p.resolve(this.degraded(p));
        if (p.want > 0) this.release(p.key);
      }
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
      if (p.want > 0 && grant === 0) this.denied.set(p.key, performance.now() + DENIED_MS);
      // A renewal's own slot was counted in Redis with the lease: it is the lease's too.
      const slots = grant + (p.renewal && allowed ? 1 : 0);
      if (slots > 0) {
        const previous = this.leases.get(p.key);
        const fresh: Lease = {
          rules: p.rules,
          until: p.nowMs + LEASE_MS,
          deadline: performance.now() + LEASE_MS,
          stamp: p.stamp,
          entry: `${p.stamp}:${slots}:${p.id}`,
          granted: slots,
          left: slots,
          used: 0,
          keys: p.keys,
          kinds: p.kinds,
          states,
        };
        if (previous && p.renewal && previous.left > 0 && performance.now() < previous.deadline) {
          // The current lease still serves: the new one follows it.
          if (previous.next) void this.giveBack(previous.next);
          previous.next = fresh;
        } else {
          if (previous) {
            this.wants.set(p.key, previous.used);
            void this.giveBack(previous);
            if (previous.next) void this.giveBack(previous.next);
          }
          this.leases.set(p.key, fresh);
        }
        this.metrics.leases!++;
        if (!this.sweeper) {
          this.sweeper = setInterval(() => this.sweep(), LEASE_MS);
          this.sweeper.unref();
        }
      }
      // A renewal was asked by a call already decided: nobody waits for its own answer.
      p.resolve({ allowed, retryAfterMs: allowed ? 0 : Math.max(retry, 1), rules: states });
      if (p.want > 0) this.release(p.key);
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
