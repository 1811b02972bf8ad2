/** Shapes of the gateway's control-plane API (server/src/modules/gateway/gateway.service.ts). */
export interface Plan {
  id: string;
  slug: string;
  name: string;
  keyless: boolean;
  perSecond: number | null;
  perMinute: number | null;
  perDay: number | null;
  perMonth: number | null;
  approval: 'auto' | 'manual';
  scopes: string[];
}
export interface GwApi {
  id: string;
  slug: string;
  name: string;
  description: string;
  audience: string;
  visibility: 'public' | 'restricted';
  upstreamUrl: string;
  upstreamUrls: string[];
  timeoutMs: number;
  enabled: boolean;
  specVersion: number;
  requiredScope: string | null;
  organisationCode: string;
  organisationName: string;
  canManage: boolean;
  availability: number | null;
  plans: Plan[];
  specVersions?: { version: number; createdBy: string; createdAt: string }[];
  catalogAsset?: { kind: string; slug: string; title: string } | null;
  incidents?: { start: string; end: string | null; probes: number; reason: string }[];
}
export interface GwApp {
  id: string;
  slug: string;
  name: string;
  description: string;
  createdAt: string;
}
export interface GwKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
export interface GwAppDetail extends GwApp {
  subscriptions: {
    id: string;
    state: 'pending' | 'active' | 'rejected' | 'revoked';
    api: { id: string; slug: string; name: string };
    plan: Plan | null;
    createdAt: string;
    quotaUse: { day: number; month: number } | null;
  }[];
  keys: GwKey[];
  clients: { id: string; clientId: string; authMethod: string; createdAt: string; revokedAt: string | null }[];
}
export interface Usage {
  totals: { calls: number; s2xx: number; s3xx: number; s4xx: number; s5xx: number; s429: number; meanMs: number | null };
  latency: { p50: number | null; p95: number | null; p99: number | null };
  series: { bucket: string; calls: number; errors: number; s429: number }[];
  topConsumers: { applicationId: string; name: string; calls: number }[];
}

export const fmtPct = (v: number | null) => (v === null ? 'pas encore mesurée' : `${(v * 100).toFixed(2).replace('.', ',')} %`);
export const fmtDate = (d: string | null) => (d ? new Date(d).toLocaleString('fr-FR') : '—');

/** « 20 appels / seconde », « 1 000 appels / jour »… */
export function limitsText(p: Plan): string {
  const n = (v: number) => v.toLocaleString('fr-FR');
  const parts: string[] = [];
  if (p.perSecond) parts.push(`${n(p.perSecond)} appels / seconde`);
  if (p.perMinute) parts.push(`${n(p.perMinute)} appels / minute`);
  if (p.perDay) parts.push(`${n(p.perDay)} appels / jour`);
  if (p.perMonth) parts.push(`${n(p.perMonth)} appels / mois`);
  return parts.length ? parts.join(', ') : 'sans limite';
}

/** « 12 / 1 000 aujourd’hui, 340 / 20 000 ce mois » for plans with quotas. */
export function quotaText(p: Plan | null, use: { day: number; month: number } | null): string {
  if (!p || !use) return '—';
  const n = (v: number) => v.toLocaleString('fr-FR');
  const parts: string[] = [];
  if (p.perDay) parts.push(`${n(use.day)} / ${n(p.perDay)} aujourd’hui`);
  if (p.perMonth) parts.push(`${n(use.month)} / ${n(p.perMonth)} ce mois`);
  return parts.length ? parts.join(', ') : 'pas de quota';
}
