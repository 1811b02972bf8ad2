import type { GatewayRepository } from './gateway.repository.ts';

/**
 * Call analytics off the hot path (ADR 0403): each call adds to an in-memory aggregate per
 * (minute, API, application) — O(1), bounded by `maxGroups`; a timer flushes the aggregates as
 * minute, hour and day rollups in one statement. Over the bound, samples are dropped and counted;
 * the request itself is never affected.
 */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
export const ANONYMOUS = '00000000-0000-0000-0000-000000000000';

interface Group {
  minute: number;
  apiId: string;
  applicationId: string;
  calls: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  s429: number;
  sumMs: number;
  hist: number[];
}

export interface AnalyticsMetrics {
  recorded: number;
  dropped: number;
  flushes: number;
  flushErrors: number;
  lostInFailedFlush: number;
}

export function histIndex(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** Percentile from a histogram: the upper bound of the bucket holding the p-th call. */
export function percentile(hist: number[], p: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const rank = Math.ceil(total * p);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= rank) return LATENCY_BOUNDS_MS[i] ?? LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]! * 2;
  }
  return null;
}

export class Analytics {
  private groups = new Map<string, Group>();
  private readonly keysUsed = new Set<string>();
  readonly metrics: AnalyticsMetrics = { recorded: 0, dropped: 0, flushes: 0, flushErrors: 0, lostInFailedFlush: 0 };
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repo: GatewayRepository,
    private readonly now: () => Date,
    private readonly opts: { maxGroups: number; flushMs: number } = { maxGroups: 20_000, flushMs: 2000 },
  ) {}

  record(apiId: string, applicationId: string | null, status: number, ms: number, keyId: string | null): void {
    const t = this.now().getTime();
    const minute = t - (t % 60_000);
    const app = applicationId ?? ANONYMOUS;
    const k = `${minute}|${apiId}|${app}`;
    let g = this.groups.get(k);
    if (!g) {
      if (this.groups.size >= this.opts.maxGroups) {
        this.metrics.dropped++;
        return;
      }
      g = {
        minute,
        apiId,
        applicationId: app,
        calls: 0,
        s2xx: 0,
        s3xx: 0,
        s4xx: 0,
        s5xx: 0,
        s429: 0,
        sumMs: 0,
        hist: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
      };
      this.groups.set(k, g);
    }
    g.calls++;
    if (status === 429) g.s429++;
    if (status >= 500) g.s5xx++;
    else if (status >= 400) g.s4xx++;
    else if (status >= 300) g.s3xx++;
    else g.s2xx++;
    g.sumMs += ms;
    g.hist[histIndex(ms)]!++;
    if (keyId && this.keysUsed.size < 10_000) this.keysUsed.add(keyId);
    this.metrics.recorded++;
  }

  start() {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.opts.flushMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Writes the pending aggregates; concurrent calls share the flush in progress. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush() {
    if (this.groups.size === 0 && this.keysUsed.size === 0) return;
    const groups = [...this.groups.values()];
    const keys = [...this.keysUsed];
    this.groups = new Map();
    this.keysUsed.clear();
    const rows = [];
    // Rows of one statement must not hit the same conflict target twice: merge by bucket first.
    for (const granularity of ['minute', 'hour', 'day'] as const) {
      const merged = new Map<string, Group>();
      for (const g of groups) {
        const d = new Date(g.minute);
        const bucket =
          granularity === 'minute'
            ? g.minute
            : granularity === 'hour'
              ? g.minute - (g.minute % 3_600_000)
              : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
        const k = `${bucket}|${g.apiId}|${g.applicationId}`;
        const m = merged.get(k);
        if (!m) merged.set(k, { ...g, minute: bucket, hist: [...g.hist] });
        else {
          m.calls += g.calls;
          m.s2xx += g.s2xx;
          m.s3xx += g.s3xx;
          m.s4xx += g.s4xx;
          m.s5xx += g.s5xx;
          m.s429 += g.s429;
          m.sumMs += g.sumMs;
          g.hist.forEach((v, i) => (m.hist[i]! += v));
        }
      }
      for (const m of merged.values())
        rows.push({
          granularity,
          bucket: new Date(m.minute),
          apiId: m.apiId,
          applicationId: m.applicationId,
          calls: m.calls,
          s2xx: m.s2xx,
          s3xx: m.s3xx,
          s4xx: m.s4xx,
          s5xx: m.s5xx,
          s429: m.s429,
          sumMs: m.sumMs,
          hist: m.hist,
        });
    }
    try {
      for (let i = 0; i < rows.length; i += 500) await this.repo.addUsage(rows.slice(i, i + 500));
      await this.repo.touchKeys(keys, this.now());
      this.metrics.flushes++;
    } catch {
      this.metrics.flushErrors++;
      this.metrics.lostInFailedFlush += groups.reduce((a, g) => a + g.calls, 0);
    }
  }

  get pendingGroups() {
    return this.groups.size;
  }
}
