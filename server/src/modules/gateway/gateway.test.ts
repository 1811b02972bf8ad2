import { describe, expect, it } from 'vitest';
import { classifyAddress, checkUpstreamUrl, guardedLookup, refusal } from './ssrf.ts';
import { Analytics, histIndex, percentile, LATENCY_BOUNDS_MS } from './analytics.ts';
import { createSecrets, signIdentity, verifyIdentity } from './secrets.ts';
import type { GatewayRepository } from './gateway.repository.ts';

describe('upstream address policy (SSRF)', () => {
  it('classifies addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('metadata');
    expect(classifyAddress('169.254.1.1')).toBe('link-local');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('172.20.0.1')).toBe('private');
    expect(classifyAddress('172.32.0.1')).toBe('public');
    expect(classifyAddress('0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('8.8.8.8')).toBe('public');
  });
  it('refuses metadata even when private upstreams are allowed', () => {
    expect(refusal('169.254.169.254', { allowPrivate: true })).toMatch(/métadonnées/);
    expect(refusal('127.0.0.1', { allowPrivate: true })).toBeNull();
    expect(refusal('127.0.0.1', { allowPrivate: false })).toMatch(/privé/);
    expect(refusal('169.254.169.254', { allowPrivate: false, allowMetadata: true })).toBeNull();
  });
  it('checks URLs: scheme, credentials, resolved addresses', async () => {
    expect(await checkUpstreamUrl('ftp://example.org', { allowPrivate: false })).toMatch(/http/);
    expect(await checkUpstreamUrl('http://user:pw@example.org', { allowPrivate: false })).toMatch(/identifiants/);
    expect(await checkUpstreamUrl('http://localhost:8080', { allowPrivate: false })).toMatch(/interdite/);
    expect(await checkUpstreamUrl('http://[::1]:8080', { allowPrivate: true })).toBeNull();
    expect(await checkUpstreamUrl('pas une url', { allowPrivate: false })).toBe('URL invalide');
  });
});

describe('connection-time address check (DNS rebinding)', () => {
  it('refuses a host name resolving to a forbidden address when the connection is made', async () => {
    const lookup = guardedLookup({ allowPrivate: false });
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect((err as Error & { code?: string }).code).toBe('PATRIMOINE_FORBIDDEN_OUTBOUND');
    const ok = await new Promise<Error | null>((resolve) => guardedLookup({ allowPrivate: true })('localhost', { all: true }, (e) => resolve(e)));
    expect(ok).toBeNull();
  });
});

describe('analytics', () => {
  it('computes percentiles from the latency histogram', () => {
    const h = new Array(LATENCY_BOUNDS_MS.length + 1).fill(0);
    for (let i = 0; i < 90; i++) h[histIndex(3)]++;
    for (let i = 0; i < 9; i++) h[histIndex(40)]++;
    h[histIndex(900)]++;
    expect(percentile(h, 0.5)).toBe(5);
    expect(percentile(h, 0.95)).toBe(50);
    expect(percentile(h, 0.99)).toBe(50);
    expect(percentile(h, 1)).toBe(1000);
    expect(percentile(new Array(14).fill(0), 0.5)).toBeNull();
  });
  it('bounds memory: over the bound, samples are dropped and counted, never blocking', async () => {
    const written: unknown[][] = [];
    const repo = { addUsage: async (rows: unknown[]) => void written.push(rows), touchKeys: async () => undefined } as unknown as GatewayRepository;
    let now = Date.UTC(2026, 0, 1);
    const a = new Analytics(repo, () => new Date(now), { maxGroups: 2, flushMs: 1000 });
    a.record('00000000-0000-0000-0000-000000000001', null, 200, 3, null);
    a.record('00000000-0000-0000-0000-000000000002', null, 503, 30, null);
    a.record('00000000-0000-0000-0000-000000000003', null, 200, 3, null);
    a.record('00000000-0000-0000-0000-000000000001', null, 429, 1, null); // existing group: kept
    expect(a.metrics).toMatchObject({ recorded: 3, dropped: 1 });
    now += 60_000;
    await a.flush();
    // Two groups × minute, hour and day rollups.
    expect(written.flat()).toHaveLength(6);
    expect(a.pendingGroups).toBe(0);
  });
});

describe('secrets', () => {
  it('encrypts at rest and signs the consumer identity', () => {
    const s = createSecrets(Buffer.from('a'.repeat(40)));
    const sealed = s.encrypt('{"d":"private"}');
    expect(sealed).not.toContain('private');
    expect(s.decrypt(sealed)).toBe('{"d":"private"}');
    expect(() => createSecrets(Buffer.from('b'.repeat(40))).decrypt(sealed)).toThrow();
    const k = s.identityKey('api-1');
    const sig = signIdentity(k, 'app=x');
    expect(verifyIdentity(k, 'app=x', sig)).toBe(true);
    expect(verifyIdentity(k, 'app=y', sig)).toBe(false);
    expect(verifyIdentity(s.identityKey('api-2'), 'app=x', sig)).toBe(false);
  });
});
