import type { GatewayRepository } from './gateway.repository.ts';
import { rulesOf, type LimitRule } from './ratelimit.ts';

/**
 * The data plane's view of the configuration, built aside from a database snapshot and swapped in
 * one assignment (ADR 0402): requests in flight keep the table they started with.
 */
export interface RtPlan {
  id: string;
  slug: string;
  name: string;
  keyless: boolean;
  rules: LimitRule[];
  scopes: string[];
}
export interface RtTarget {
  url: URL;
  /** Upstream path prefix without trailing slash. */
  basePath: string;
}
export interface RtApi {
  id: string;
  slug: string;
  name: string;
  organisationCode: string;
  /** The primary upstream, then the further ones (round-robin, failover). */
  targets: RtTarget[];
  timeoutMs: number;
  allowPrivate: boolean;
  requiredScope: string | null;
  /** Consent scopes of an API behind FranceConnect (null: not behind it). */
  franceconnectScopes: string[] | null;
  failPolicy: 'open' | 'closed';
  maxBodyBytes: number;
  enabled: boolean;
  keylessPlan: RtPlan | null;
  plans: Map<string, RtPlan>;
}
export interface RtSub {
  plan: RtPlan;
  scopes: string[];
}
export interface RtApp {
  id: string;
  slug: string;
  organisationCode: string | null;
  subs: Map<string, RtSub>;
}
export interface RtKey {
  id: string;
  applicationId: string;
  expiresAt: number | null;
  revokedAt: number | null;
}
export interface RtClient {
  id: string;
  clientId: string;
  applicationId: string;
  authMethod: string;
  secretHash: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  revoked: boolean;
}
export interface RtSigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateEnc: string;
  active: boolean;
  retireAfter: number | null;
}

export class RouteTable {
  constructor(
    readonly version: number,
    readonly apis: Map<string, RtApi>,
    readonly apisById: Map<string, RtApi>,
    readonly apps: Map<string, RtApp>,
    readonly keys: Map<string, RtKey>,
    readonly clients: Map<string, RtClient>,
    readonly signingKeys: RtSigningKey[],
  ) {}

  static empty() {
    return new RouteTable(-1, new Map(), new Map(), new Map(), new Map(), new Map(), []);
  }
}

export async function buildRouteTable(repo: GatewayRepository, resolve: (url: string) => string = (u) => u): Promise<RouteTable> {
  const s = await repo.snapshot();
  const version = s.version;
  const orgCode = new Map(s.orgs.map((o) => [o.id, o.code]));
  const plansById = new Map<string, RtPlan>();
  const apis = new Map<string, RtApi>();
  const apisById = new Map<string, RtApi>();
  for (const a of s.apis) {
    const targets = [a.upstreamUrl, ...a.upstreamUrls].map((x) => {
      const u = new URL(resolve(x));
      return { url: u, basePath: u.pathname.replace(/\/+$/, '') };
    });
    const api: RtApi = {
      id: a.id,
      slug: a.slug,
      name: a.name,
      organisationCode: orgCode.get(a.organisationId) ?? '',
      targets,
      timeoutMs: a.timeoutMs,
      allowPrivate: a.allowPrivateUpstream,
      requiredScope: a.requiredScope,
      franceconnectScopes: a.franceconnectScopes ?? null,
      failPolicy: a.failPolicy,
      maxBodyBytes: a.maxBodyBytes,
      enabled: a.enabled,
      keylessPlan: null,
      plans: new Map(),
    };
    apis.set(a.slug, api);
    apisById.set(a.id, api);
  }
  for (const p of s.plans) {
    const api = apisById.get(p.apiId);
    if (!api) continue;
    const plan: RtPlan = { id: p.id, slug: p.slug, name: p.name, keyless: p.keyless, rules: rulesOf(p), scopes: p.scopes };
    plansById.set(p.id, plan);
    api.plans.set(p.id, plan);
    if (p.keyless && !api.keylessPlan) api.keylessPlan = plan;
  }
  const apps = new Map<string, RtApp>();
  for (const a of s.apps)
    apps.set(a.id, { id: a.id, slug: a.slug, organisationCode: a.organisationId ? (orgCode.get(a.organisationId) ?? null) : null, subs: new Map() });
  for (const sub of s.subs) {
    const app = apps.get(sub.applicationId);
    const plan = plansById.get(sub.planId);
    if (app && plan) app.subs.set(sub.apiId, { plan, scopes: sub.scopes ?? plan.scopes });
  }
  const keys = new Map<string, RtKey>();
  for (const k of s.keys) keys.set(k.hash, { id: k.id, applicationId: k.applicationId, expiresAt: k.expiresAt, revokedAt: k.revokedAt });
  const clients = new Map<string, RtClient>();
  for (const c of s.clients)
    clients.set(c.clientId, {
      id: c.id,
      clientId: c.clientId,
      applicationId: c.applicationId,
      authMethod: c.authMethod,
      secretHash: c.secretHash,
      jwks: c.jwks ?? null,
      revoked: c.revokedAt !== null,
    });
  const signingKeys = s.signing.map((k) => ({
    kid: k.kid,
    alg: k.alg,
    publicJwk: k.publicJwk,
    privateEnc: k.privateEnc,
    active: k.active,
    retireAfter: k.retireAfter,
  }));
  return new RouteTable(version, apis, apisById, apps, keys, clients, signingKeys);
}
