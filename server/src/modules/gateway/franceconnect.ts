import { createHash } from 'node:crypto';
import { fetch as undiciFetch, type Dispatcher } from 'undici';

/**
 * APIs behind FranceConnect (ADR 0012, roadmap action A24): a service provider calls such an API with
 * its API key (X-Api-Key) and the access token FranceConnect gave it for a citizen (Authorization:
 * Bearer). The gateway checks that token with FranceConnect's data-provider endpoint (`checktoken`),
 * requires the API's consent scopes among those granted, and forwards the citizen's identity pivot to
 * the upstream inside the signed identity header, so the upstream answers for that citizen only.
 */

/** The identity pivot FranceConnect returns for the citizen (OpenID Connect claims). */
export interface IdentityPivot {
  given_name: string;
  family_name: string;
  birthdate: string;
  gender: string;
  birthplace: string;
  birthcountry: string;
}
const PIVOT_KEYS = ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'] as const;

export type FcCheck = { ok: true; scopes: string[]; pivot: IdentityPivot; clientId: string | null } | { ok: false; status: 401 | 503; reason: string };

/**
 * Parses `slug=scope scope;slug=…`, the former configuration of the consent scopes
 * (PATRIMOINE_FRANCECONNECT_APIS, now only a seed: the scopes are declared on the API). Throws naming the faulty part.
 */
export function parseFcApis(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text.split(';').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^([a-z0-9][a-z0-9-]{0,62})\s*=\s*(.+)$/.exec(part);
    if (!m) throw new Error(`PATRIMOINE_FRANCECONNECT_APIS : « ${part} » n’est pas de la forme api=scope scope`);
    const scopes = m[2]!.split(/\s+/).filter(Boolean);
    if (scopes.some((s) => !/^[A-Za-z0-9_:.-]{1,100}$/.test(s))) throw new Error(`PATRIMOINE_FRANCECONNECT_APIS : scope invalide pour ${m[1]}`);
    out.set(m[1]!, scopes);
  }
  return out;
}

/** The pivot as sent to the upstream: base64url of its JSON (the header value stays ASCII). */
export const encodePivot = (p: IdentityPivot): string => Buffer.from(JSON.stringify(p)).toString('base64url');
export function decodePivot(v: string): IdentityPivot | null {
  try {
    const o = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as Record<string, unknown>;
    return PIVOT_KEYS.every((k) => typeof o[k] === 'string') ? (o as unknown as IdentityPivot) : null;
  } catch {
    return null;
  }
}

export interface FranceConnectOptions {
  /** FranceConnect's data-provider endpoint, e.g. https://fcp.integ01.dev-franceconnect.fr/api/v1/checktoken. */
  checkTokenUrl: string | undefined;
  /** Credentials of Patrimoine as a data provider (HTTP Basic), when FranceConnect gave some. */
  clientId?: string;
  clientSecret?: string;
  /** How long a valid answer is reused (short: a revoked token stops working within it). */
  cacheMs: number;
  dispatcher?: Dispatcher;
  now?: () => number;
}

/** The check, with a short cache keyed by the token's SHA-256 (never the token itself). */
export function createFranceConnect(o: FranceConnectOptions) {
  const now = o.now ?? Date.now;
  const cache = new Map<string, { at: number; until: number; value: FcCheck }>();
  const metrics = { checks: 0, cacheHits: 0, refused: 0 };

  async function ask(token: string): Promise<{ value: FcCheck; ttlMs: number }> {
    metrics.checks++;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (o.clientId && o.clientSecret) headers.authorization = `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`;
    let res;
    try {
      res = await undiciFetch(o.checkTokenUrl!, {
        method: 'POST',
        headers,
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(5000),
        ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
      });
    } catch {
      return { value: { ok: false, status: 503, reason: 'FranceConnect ne répond pas : le jeton du citoyen ne peut pas être vérifié.' }, ttlMs: 0 };
    }
    if (res.status >= 500) {
      return { value: { ok: false, status: 503, reason: 'FranceConnect ne répond pas : le jeton du citoyen ne peut pas être vérifié.' }, ttlMs: 0 };
    }
    const body = (await res.json().catch(() => null)) as {
      scope?: unknown;
      identity?: Record<string, unknown>;
      client?: { client_id?: unknown };
      expires_in?: unknown;
    } | null;
    if (res.status !== 200 || !body?.identity) {
      return { value: { ok: false, status: 401, reason: 'Jeton FranceConnect inconnu, expiré ou révoqué.' }, ttlMs: 5000 };
    }
    const scopes = Array.isArray(body.scope)
      ? body.scope.filter((s): s is string => typeof s === 'string')
      : typeof body.scope === 'string'
        ? body.scope.split(/\s+/)
        : [];
    const pivot = Object.fromEntries(
      PIVOT_KEYS.map((k) => [k, typeof body.identity![k] === 'string' ? String(body.identity![k]).slice(0, 200) : '']),
    ) as unknown as IdentityPivot;
    if (!pivot.family_name || !pivot.birthdate) {
      return { value: { ok: false, status: 401, reason: 'FranceConnect n’a pas transmis l’identité pivot du citoyen pour ce jeton.' }, ttlMs: 5000 };
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in * 1000 : o.cacheMs;
    return {
      value: { ok: true, scopes, pivot, clientId: typeof body.client?.client_id === 'string' ? body.client.client_id : null },
      ttlMs: Math.min(o.cacheMs, expiresIn),
    };
  }

  return {
    metrics,
    /**
     * Checks the citizen's token for an API whose consent scopes are `need` (declared on the API,
     * `gw_apis.franceconnect_scopes`): 401 when absent, unknown, expired, forged or under-scoped.
     */
    async verify(need: readonly string[], token: string | undefined): Promise<FcCheck> {
      if (!o.checkTokenUrl) return { ok: false, status: 503, reason: 'La vérification FranceConnect n’est pas configurée sur cette passerelle.' };
      if (!token || token.length > 4096) return { ok: false, status: 401, reason: 'Jeton FranceConnect du citoyen requis (Authorization: Bearer).' };
      const key = createHash('sha256').update(token).digest('hex');
      const t = now();
      let hit = cache.get(key);
      if (hit && hit.until > t) metrics.cacheHits++;
      else {
        const r = await ask(token);
        hit = { at: t, until: t + r.ttlMs, value: r.value };
        if (r.ttlMs > 0) {
          if (cache.size >= 10_000) cache.clear();
          cache.set(key, hit);
        }
      }
      const v = hit.value;
      if (!v.ok) {
        metrics.refused++;
        return v;
      }
      const missing = need.filter((s) => !v.scopes.includes(s));
      if (missing.length) {
        metrics.refused++;
        return { ok: false, status: 401, reason: `Le citoyen n’a pas consenti aux données demandées : scope(s) manquant(s) ${missing.join(', ')}.` };
      }
      return v;
    },
  };
}
export type FranceConnect = ReturnType<typeof createFranceConnect>;
