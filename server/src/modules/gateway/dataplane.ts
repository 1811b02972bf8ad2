import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Transform, type Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'undici';
import type { Clock } from '../../platform/clock.ts';
import { routeGroup } from '../../platform/auth/access.ts';
import { PROBLEM_BASE } from '../../platform/http/problem.ts';
import type { FastifyBaseLogger } from 'fastify';
import { buildRouteTable, RouteTable, type RtApi, type RtApp, type RtPlan, type RtTarget } from './route-table.ts';
import type { GatewayRepository } from './gateway.repository.ts';
import { rateLimitHeaders, type LimiterMetrics, type RateLimiter, type RedisRateLimiter } from './ratelimit.ts';
import type { Analytics } from './analytics.ts';
import { OAuthError, type OAuthServer, type TokenRequest } from './oauth.ts';
import {
  authorizationServerMetadata,
  introspectionRequest,
  introspectionResponse,
  jwks,
  oauthError,
  tokenRequest,
  tokenResponse,
} from '@patrimoine/contracts/gateway';
import { guardedLookup, isAddressLiteral, refusal, upstreamFailureLabel } from './ssrf.ts';
import { sha256, signIdentity, type GatewaySecrets } from './secrets.ts';
import { encodePivot, type FranceConnect } from './franceconnect.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** Request headers never forwarded: the gateway's own credentials and cookies, spoofed identity. */
const STRIPPED_REQUEST = new Set(['host', 'x-api-key', 'authorization', 'cookie', 'x-gateway-consumer', 'x-gateway-signature', 'content-length', 'expect']);

/**
 * Whether a request header is dropped instead of forwarded. Names arrive lower-cased; a name with
 * `_` is compared in its `-` spelling too, since many upstreams (CGI, PHP, WSGI, some proxies)
 * read `X_Gateway_Consumer` as `X-Gateway-Consumer`: no spelling of the identity, forwarding or
 * request-id headers the gateway sets itself gets through. Names without `_` cost one scan.
 */
function droppedRequestHeader(k: string, connectionTokens: ReadonlySet<string>): boolean {
  if (HOP_BY_HOP.has(k) || STRIPPED_REQUEST.has(k) || connectionTokens.has(k) || k.startsWith('x-forwarded-')) return true;
  if (!k.includes('_')) return false;
  const d = k.replace(/_/g, '-');
  return (
    HOP_BY_HOP.has(d) ||
    STRIPPED_REQUEST.has(d) ||
    connectionTokens.has(d) ||
    d.startsWith('x-forwarded-') ||
    d.startsWith('x-gateway-') ||
    d === 'x-request-id'
  );
}

const NO_TOKENS: ReadonlySet<string> = new Set();
/** The header names a `Connection` field lists (RFC 9110 §7.6.1); the usual values allocate nothing. */
function connectionTokensOf(v: string | string[] | undefined): ReadonlySet<string> {
  if (v === undefined || v === 'keep-alive' || v === 'close' || v === 'Keep-Alive' || v === 'Close') return NO_TOKENS;
  return new Set(
    String(v)
      .toLowerCase()
      .split(',')
      .map((s) => s.trim()),
  );
}

/** Whether the path part (before `?`) holds `.`, `%` or `\\` and needs {@link normaliseSuffix}: a scan, no allocation. */
export function pathNeedsCheck(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 63) return false; // ?
    if (c === 46 || c === 37 || c === 92) return true; // . % \
  }
  return false;
}

/** Separators and dots encoded in ways upstreams disagree on: `%2f`, `%5c`, double-encoded, overlong UTF-8. */
const AMBIGUOUS_ENCODING = /%(?:2f|5c)|%25(?:2e|2f|5c)|%c0%(?:ae|af)|%c1%9c/i;

/**
 * The path after `/gw/<slug>` with its dot segments removed (RFC 3986 §5.2.4) in every spelling
 * (`.`, `..`, `%2e`, `.%2E`, `..;jsessionid`), the query kept as it is. Null when the path would
 * leave the API's base path, or holds a backslash or an encoded separator (`%2f`, `%5c`, `%252e`…),
 * which an upstream may decode into a traversal the gateway did not see.
 */
export function normaliseSuffix(suffix: string): string | null {
  const q = suffix.indexOf('?');
  const path = q < 0 ? suffix : suffix.slice(0, q);
  if (path === '') return suffix;
  if (path.includes('\\') || AMBIGUOUS_ENCODING.test(path)) return null;
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const raw = segs[i]!;
    const last = i === segs.length - 1;
    const semi = raw.indexOf(';');
    const name = (semi < 0 ? raw : raw.slice(0, semi)).replace(/%2e/gi, '.');
    if (name === '.' || name === '..') {
      if (name === '..') {
        if (out.length === 0) return null;
        out.pop();
      }
      if (last) out.push('');
      continue;
    }
    out.push(raw);
  }
  return '/' + out.join('/') + (q < 0 ? '' : suffix.slice(q));
}
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface DataPlaneMetrics {
  requests: number;
  upstreamErrors: number;
  upstreamTimeouts: number;
  reloads: number;
  configVersion: number;
  /** Calls retried on another upstream after a connection failure. */
  failovers: number;
}

interface CallInfo {
  api: RtApi;
  appId: string | null;
  keyId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    gwCall?: CallInfo;
    /** OAuth2 form parameters sent more than once (RFC 6749 §3.1, §3.2: refused). */
    oauthRepeated?: string[];
  }
}

function problem(reply: FastifyReply, status: number, type: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return reply
    .status(status)
    .type('application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send({ type: PROBLEM_BASE + type, title, status, detail, instance: (reply.request.url.split('?')[0] ?? '').slice(0, 300), ...extra });
}

class BodyTooLarge extends Error {
  code = 'GW_BODY_TOO_LARGE';
}

function limitStream(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new BodyTooLarge('body too large'));
      else cb(null, chunk);
    },
  });
}

/** The gateway's data plane: route table, upstream pools, authentication, limits, analytics. */
export class DataPlane {
  table: RouteTable = RouteTable.empty();
  readonly metrics: DataPlaneMetrics = { requests: 0, upstreamErrors: 0, upstreamTimeouts: 0, reloads: 0, configVersion: -1, failovers: 0 };
  private readonly pools = new Map<string, Pool>();
  private readonly identities = new Map<string, { ts: number; value: string; signature: string }>();
  /** Per route-table API object: dropped with the table it belongs to. */
  private ipRefusals = new WeakMap<RtTarget, string | null>();
  private rr = 0;
  private poller: NodeJS.Timeout | null = null;
  private reloading: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      repo: GatewayRepository;
      clock: Clock;
      limiter: RateLimiter;
      analytics: Analytics;
      oauth: OAuthServer;
      secrets: GatewaySecrets;
      logger: FastifyBaseLogger;
      issuer: string;
      /** Resolves a personal API token (metrics access from other hosts). */
      principalOf?: (token: string) => Promise<{ role: string } | null>;
      /** Allow link-local/metadata upstreams (never in production; tests only). */
      allowMetadata?: boolean;
      /** Resolves stored upstreams (`platform:/…` is this node's own address). */
      resolveUpstream?: (url: string) => string;
      /** Checks citizens' FranceConnect tokens for the APIs behind FranceConnect (franceconnect.ts). */
      franceConnect?: FranceConnect;
    },
  ) {}

  /**
   * How late this node's event loop ran (a 10 ms timer's lateness): a stall delays every call in flight.
   * Quantiles cover the time since the previous scrape, as prom-client's event-loop lag does.
   */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  /** Sampling runs while the node serves (`startPolling` to `stop`) and after any scrape. */

  /** This node's counters in the Prometheus text format. */
  prometheus(): string {
    const m = this.metrics;
    const l = (this.deps.limiter as { metrics?: LimiterMetrics }).metrics ?? {
      redisErrors: 0,
      failOpen: 0,
      failClosed: 0,
    };
    const a = this.deps.analytics.metrics;
    const rows: [string, string, number][] = [
      ['gateway_requests_total', 'counter', m.requests],
      ['gateway_upstream_errors_total', 'counter', m.upstreamErrors],
      ['gateway_upstream_timeouts_total', 'counter', m.upstreamTimeouts],
      ['gateway_upstream_failovers_total', 'counter', m.failovers],
      ['gateway_config_reloads_total', 'counter', m.reloads],
      ['gateway_config_version', 'gauge', m.configVersion],
      ['gateway_ratelimit_redis_errors_total', 'counter', l.redisErrors],
      ['gateway_ratelimit_fail_open_total', 'counter', l.failOpen],
      ['gateway_ratelimit_fail_closed_total', 'counter', l.failClosed],
      ['gateway_ratelimit_leases_total', 'counter', l.leases ?? 0],
      ['gateway_ratelimit_leased_calls_total', 'counter', l.leasedCalls ?? 0],
      ['gateway_ratelimit_returned_slots_total', 'counter', l.returnedSlots ?? 0],
      ['gateway_analytics_recorded_total', 'counter', a.recorded],
      ['gateway_analytics_dropped_total', 'counter', a.dropped],
      ['gateway_analytics_flush_errors_total', 'counter', a.flushErrors],
      ['process_resident_memory_bytes', 'gauge', process.memoryUsage().rss],
    ];
    const h = this.loopDelay;
    h.enable();
    // The histogram holds the intervals between its 10 ms timer's runs: lateness is beyond 10 ms.
    const s = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns - 10e6) / 1e9 : 0);
    const delay = [
      '# TYPE nodejs_eventloop_delay_seconds summary',
      ...[0.5, 0.99].map((q) => `nodejs_eventloop_delay_seconds{quantile="${q}"} ${s(h.count ? h.percentile(q * 100) : 0)}`),
      `nodejs_eventloop_delay_seconds_sum ${h.count ? s(h.mean) * h.count : 0}`,
      `nodejs_eventloop_delay_seconds_count ${h.count}`,
      '# TYPE nodejs_eventloop_delay_max_seconds gauge',
      `nodejs_eventloop_delay_max_seconds ${s(h.count ? h.max : 0)}`,
    ];
    h.reset();
    return rows.map(([n, t, v]) => `# TYPE ${n} ${t}\n${n} ${v}`).join('\n') + '\n' + delay.join('\n') + '\n';
  }

  /** Builds a new route table aside and swaps it in one assignment (no restart, no pause). */
  async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const t = await buildRouteTable(this.deps.repo, this.deps.resolveUpstream);
      const old = this.table;
      this.table = t;
      this.metrics.reloads++;
      this.metrics.configVersion = t.version;
      // Pools of upstreams no longer referenced are closed after in-flight requests had time to end.
      const live = new Set([...t.apis.values()].flatMap((a) => a.targets.map((x) => this.poolKey(a, x))));
      for (const [k, p] of this.pools)
        if (!live.has(k)) {
          this.pools.delete(k);
          setTimeout(() => void p.close().catch(() => undefined), 30_000).unref();
        }
      void old;
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /** Polls the configuration version; a change made on any node reaches this one within `ms`. */
  startPolling(ms = 1000) {
    this.loopDelay.enable();
    if (this.poller) return;
    this.poller = setInterval(() => {
      this.deps.repo
        .version()
        .then((v) => (v !== this.table.version ? this.reload() : undefined))
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'gateway: configuration poll failed'));
    }, ms);
    this.poller.unref();
  }

  async stop() {
    this.loopDelay.disable();
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => undefined)));
    this.pools.clear();
  }

  /** The signed identity header, computed once per consumer and second. */
  private identity(api: RtApi, app: RtApp | null, plan: RtPlan, ts: number) {
    const k = `${api.id}|${app?.id ?? ''}|${plan.id}`;
    const c = this.identities.get(k);
    if (c && c.ts === ts) return c;
    const value = `api=${api.slug};app=${app?.slug ?? 'anonyme'};org=${app?.organisationCode ?? ''};plan=${plan.slug};ts=${ts}`;
    const fresh = { ts, value, signature: signIdentity(this.deps.secrets.identityKey(api.id), value) };
    if (this.identities.size > 50_000) this.identities.clear();
    this.identities.set(k, fresh);
    return fresh;
  }

  private poolKey(api: RtApi, target: RtTarget) {
    return `${target.url.origin}|${api.allowPrivate}`;
  }

  /** IP-literal upstreams never go through the guarded DNS lookup: their policy is checked here. */
  private ipRefusal(api: RtApi, target: RtTarget): string | null {
    let r = this.ipRefusals.get(target);
    if (r === undefined) {
      const host = target.url.hostname.replace(/^\[|\]$/g, '');
      r = isAddressLiteral(host) ? refusal(host, { allowPrivate: api.allowPrivate, allowMetadata: this.deps.allowMetadata }) : null;
      this.ipRefusals.set(target, r);
    }
    return r;
  }

  private pool(api: RtApi, target: RtTarget): Pool {
    const k = this.poolKey(api, target);
    let p = this.pools.get(k);
    if (!p) {
      p = new Pool(target.url.origin, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 10_000,
        connect: { lookup: guardedLookup({ allowPrivate: api.allowPrivate, allowMetadata: this.deps.allowMetadata }) } as never,
      });
      this.pools.set(k, p);
    }
    return p;
  }

  /** Who calls: a key, a bearer token, or nobody (keyless plan). Sends the error itself otherwise. */
  private async identify(
    req: FastifyRequest,
    reply: FastifyReply,
    api: RtApi,
    now: number,
  ): Promise<{ app: RtApp | null; plan: RtPlan; keyId: string | null; limitKey: string } | null | undefined> {
    const t = this.table;
    const keyHeader = req.headers['x-api-key'];
    const auth = req.headers.authorization;
    const bearer = auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
    if (typeof keyHeader === 'string' && keyHeader) {
      const k = keyHeader.length <= 200 ? t.keys.get(sha256(keyHeader)) : undefined;
      const www = { 'www-authenticate': 'ApiKey realm="patrimoine"' };
      if (!k) return void problem(reply.headers(www), 401, 'invalid-api-key', 'Clé d’API invalide', 'La clé d’API (en-tête X-Api-Key) est inconnue.');
      if (k.revokedAt !== null && k.revokedAt <= now)
        return void problem(reply.headers(www), 401, 'invalid-api-key', 'Clé d’API révoquée', 'Cette clé d’API a été révoquée.');
      if (k.expiresAt !== null && k.expiresAt <= now)
        return void problem(
          reply.headers(www),
          401,
          'invalid-api-key',
          'Clé d’API expirée',
          'Cette clé d’API a expiré : créez-en une nouvelle dans « Mes applications ».',
        );
      const app = t.apps.get(k.applicationId);
      const sub = app?.subs.get(api.id);
      if (!app || !sub)
        return void problem(reply, 403, 'no-subscription', 'Abonnement requis', `L’application n’a pas d’abonnement actif à l’API « ${api.slug} ».`);
      return { app, plan: sub.plan, keyId: k.id, limitKey: `a:${api.id}:${app.id}` };
    }
    if (bearer) {
      const v = await this.deps.oauth.verify(t, bearer, api);
      if (!v.ok) {
        // Header values are ASCII: the description loses its accents there (the body keeps them).
        const ascii = v.reason
          .normalize('NFD')
          .replace(/[’]/g, "'")
          .replace(/[^\x20-\x7e]/g, '')
          .replace(/"/g, "'");
        reply.header('www-authenticate', `Bearer error="${v.error}", error_description="${ascii}"`);
        return void problem(
          reply,
          v.status,
          v.status === 403 ? 'insufficient-scope' : 'invalid-token',
          v.status === 403 ? 'Portée insuffisante' : 'Jeton d’accès refusé',
          v.reason,
        );
      }
      return { app: v.app, plan: v.app.subs.get(api.id)!.plan, keyId: null, limitKey: `a:${api.id}:${v.app.id}` };
    }
    if (api.keylessPlan) return { app: null, plan: api.keylessPlan, keyId: null, limitKey: `ip:${api.id}:${req.ip}` };
    reply.header('www-authenticate', 'ApiKey realm="patrimoine", Bearer');
    return void problem(
      reply,
      401,
      'credentials-required',
      'Clé d’API requise',
      'Cette API demande une clé (en-tête X-Api-Key) ou un jeton OAuth2 (Authorization: Bearer).',
    );
  }

  async handle(req: FastifyRequest, reply: FastifyReply) {
    this.metrics.requests++;
    // Set here rather than by a hook: the main port's hooks are not on the data plane's path (ADR 0404).
    reply.header('x-request-id', req.id);
    const slug = (req.params as { slug: string }).slug;
    const api = this.table.apis.get(slug);
    // CORS (ADR 0400): credentials travel in headers, never in cookies (stripped), so any origin may
    // call; preflights are answered here, without credentials, limits or upstream.
    if (req.headers.origin !== undefined) {
      reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', 'RateLimit, RateLimit-Policy, Retry-After, X-Request-Id');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        return reply
          .status(204)
          .header('access-control-allow-methods', METHODS.join(', '))
          .header('access-control-allow-headers', 'X-Api-Key, Authorization, Content-Type, Accept, X-Request-Id')
          .header('access-control-max-age', '600')
          .send();
      }
    }
    if (!api) return problem(reply, 404, 'not-found', 'API inconnue', `Aucune API « ${slug.slice(0, 100)} » n’est publiée sur la passerelle.`);
    req.gwCall = { api, appId: null, keyId: null };
    if (!api.enabled) return problem(reply, 503, 'api-disabled', 'API suspendue', `L’API « ${slug} » est temporairement suspendue par son producteur.`);
    // The raw path after `/gw/<slug>` (the slug as sent, possibly percent-encoded, is skipped whole).
    const rawUrl = req.url;
    let cut = 4;
    while (cut < rawUrl.length && rawUrl.charCodeAt(cut) !== 47 && rawUrl.charCodeAt(cut) !== 63) cut++;
    let suffix = rawUrl.slice(cut);
    // Traversal (`../`, `%2e%2e`, `%2f`, `\`, `..;`): checked only when the path holds `.`, `%` or `\`.
    if (pathNeedsCheck(suffix)) {
      const normal = normaliseSuffix(suffix);
      if (normal === null)
        return problem(
          reply,
          400,
          'bad-path',
          'Chemin refusé',
          'Le chemin demandé sort du chemin de base de l’API ou contient un séparateur ambigu (« \\ », %2f, %5c, double encodage) : il n’est pas transmis.',
        );
      suffix = normal;
    }
    const now = this.deps.clock.now().getTime();
    const who = await this.identify(req, reply, api, now);
    if (!who) return reply;
    req.gwCall.appId = who.app?.id ?? null;
    req.gwCall.keyId = who.keyId;

    if (who.plan.rules.length) {
      const d = await (this.deps.limiter as RedisRateLimiter).check(who.limitKey, who.plan.rules, now, api.failPolicy);
      const h = rateLimitHeaders(d.rules);
      if (h) reply.header('ratelimit-policy', h.policy).header('ratelimit', h.limit);
      if (d.degraded === 'closed') {
        reply.header('retry-after', '1');
        return problem(
          reply,
          503,
          'limits-unavailable',
          'Limitation indisponible',
          'Le service de limitation de débit est injoignable ; cette API refuse les appels dans ce cas. Réessayez dans un instant.',
        );
      }
      if (!d.allowed) {
        const retry = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
        reply.header('retry-after', String(retry));
        return problem(reply, 429, 'too-many-requests', 'Trop de requêtes', `Limite du plan « ${who.plan.name} » atteinte : réessayez dans ${retry} s.`, {
          retryAfter: retry,
        });
      }
    }

    // An API behind FranceConnect (ADR 0012): the citizen's token is checked, the identity pivot goes upstream.
    let citizen: string | null = null;
    if (api.franceconnectScopes && this.deps.franceConnect) {
      const fcToken = who.keyId ? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] : undefined;
      const v = await this.deps.franceConnect.verify(api.franceconnectScopes, fcToken);
      if (!v.ok) {
        if (v.status === 401) reply.header('www-authenticate', 'Bearer realm="franceconnect", error="invalid_token"');
        return problem(reply, v.status, v.status === 401 ? 'invalid-token' : 'franceconnect-unavailable', 'Jeton FranceConnect refusé', v.reason);
      }
      citizen = encodePivot(v.pivot);
    }

    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > api.maxBodyBytes)
      return problem(reply, 413, 'body-too-large', 'Corps de requête trop volumineux', `Cette API accepte ${api.maxBodyBytes} octets au plus.`);

    const headers: Record<string, string | string[]> = {};
    const connectionTokens = connectionTokensOf(req.headers.connection);
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || droppedRequestHeader(k, connectionTokens)) continue;
      headers[k] = v;
    }
    const prior = req.headers['x-forwarded-for'];
    const remote = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = prior && req.ip !== remote ? `${String(prior)}, ${remote}` : req.ip;
    headers['x-forwarded-proto'] = req.protocol;
    headers['x-forwarded-host'] = req.host;
    headers['x-forwarded-prefix'] = `/gw/${slug}`;
    headers['x-request-id'] = req.id;
    const id = this.identity(api, who.app, who.plan, Math.floor(now / 1000));
    headers['x-gateway-consumer'] = citizen ? `${id.value};citizen=${citizen}` : id.value;
    headers['x-gateway-signature'] = citizen ? signIdentity(this.deps.secrets.identityKey(api.id), headers['x-gateway-consumer']) : id.signature;

    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && (declared > 0 || req.headers['transfer-encoding'] !== undefined);
    if (hasBody && declared > 0) headers['content-length'] = String(declared);
    let body: Readable | null = null;
    if (hasBody) body = (req.body as Readable).pipe(limitStream(api.maxBodyBytes));
    // Round-robin over the upstreams; a call without body fails over to the next one when the
    // connection itself fails (never after a timeout: the upstream may be processing it).
    const n = api.targets.length;
    const first = n > 1 ? this.rr++ % n : 0;
    for (let attempt = 0; ; attempt++) {
      const target = api.targets[(first + attempt) % n]!;
      const refused = this.ipRefusal(api, target);
      if (refused) return problem(reply, 502, 'bad-gateway', 'Amont refusé', `L’adresse de l’amont est interdite : ${refused}.`);
      headers.host = target.url.host;
      try {
        const res = await this.pool(api, target).request({
          path: target.basePath + suffix || '/',
          method: req.method as 'GET',
          headers,
          body,
          headersTimeout: api.timeoutMs,
          bodyTimeout: api.timeoutMs,
        });
        const out: Record<string, string | string[]> = {};
        const conn = connectionTokensOf(res.headers.connection);
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !conn.has(k)) out[k] = v;
        // The upstream's own CORS answer, when it gives one, wins over the gateway's default.
        if (out['access-control-allow-origin'] !== undefined) reply.removeHeader('access-control-expose-headers');
        reply.status(res.statusCode).headers(out);
        return reply.send(res.body);
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (!hasBody && attempt < n - 1 && CONNECT_ERRORS.has(code)) {
          this.metrics.failovers++;
          continue;
        }
        return this.upstreamError(req, reply, api, slug, e);
      }
    }
  }

  private upstreamError(req: FastifyRequest, reply: FastifyReply, api: RtApi, slug: string, e: unknown) {
    const code = (e as { code?: string }).code ?? '';
    if (code === 'GW_BODY_TOO_LARGE')
      return problem(reply, 413, 'body-too-large', 'Corps de requête trop volumineux', `Cette API accepte ${api.maxBodyBytes} octets au plus.`);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      this.metrics.upstreamTimeouts++;
      return problem(reply, 504, 'gateway-timeout', 'Délai dépassé', `L’API « ${slug} » n’a pas répondu dans le délai de ${api.timeoutMs} ms.`);
    }
    this.metrics.upstreamErrors++;
    req.log.warn({ err: e, api: slug }, 'gateway: upstream error');
    // The consumer learns a category only: a socket error code would tell open ports from closed ones.
    const detail = `L’API « ${slug} » est injoignable (${upstreamFailureLabel(code)}).`;
    return problem(reply, 502, 'bad-gateway', 'Amont injoignable', detail);
  }

  /** Fastify plugin: `/gw/*`, OAuth2 endpoints, discovery documents. */
  plugin(): FastifyPluginAsync {
    return routeGroup('raw', async (app) => {
      await app.register(async (gw) => {
        gw.removeAllContentTypeParsers();
        gw.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
        gw.addHook('onResponse', async (req, reply) => {
          const c = req.gwCall;
          if (c) this.deps.analytics.record(c.api.id, c.appId, reply.statusCode, reply.elapsedTime, c.keyId);
        });
        const handler = (req: FastifyRequest, reply: FastifyReply) => this.handle(req, reply);
        // The upstream owns its responses' headers: the platform's browser security headers (helmet,
        // ~10 % of a proxied call's CPU) are not added to them (ADR 0404).
        const config = { helmet: { skipRoute: true } } as never;
        // Node metrics (Prometheus text) and liveness, on every node including `--role gateway` ones.
        // `-` is not a valid API slug. Metrics: loopback callers, or an admin's personal API token.
        gw.get('/gw/-/health', { schema: { hide: true }, config }, async () => ({ status: 'ok', configVersion: this.table.version }));
        gw.get('/gw/-/metrics', { schema: { hide: true }, config }, async (req, reply) => {
          const remote = req.socket.remoteAddress ?? '';
          // A reverse proxy on the same host also connects from loopback: forwarded requests need the token.
          const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
          const loopback = !forwarded && (remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1');
          if (!loopback) {
            const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
            const p = token && this.deps.principalOf ? await this.deps.principalOf(token) : null;
            if (!p || p.role !== 'admin')
              return problem(reply, 403, 'forbidden', 'Accès refusé', 'Métriques réservées à la boucle locale ou à un jeton d’administrateur.');
          }
          return reply.type('text/plain; version=0.0.4; charset=utf-8').send(this.prometheus());
        });
        gw.route({ method: [...METHODS], url: '/gw/:slug', exposeHeadRoute: false, schema: { hide: true }, config, handler });
        gw.route({ method: [...METHODS], url: '/gw/:slug/*', exposeHeadRoute: false, schema: { hide: true }, config, handler });
      });
      await app.register(async (o) => {
        o.removeAllContentTypeParsers();
        o.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (req, body, done) => {
          const params: Record<string, string> = {};
          const repeated = new Set<string>();
          for (const [k, v] of new URLSearchParams(body as string)) {
            if (Object.hasOwn(params, k)) repeated.add(k);
            params[k] = v;
          }
          if (repeated.size) req.oauthRepeated = [...repeated];
          done(null, params);
        });
        /** RFC 6749 §3.1/§3.2: a parameter sent twice is an invalid_request (which value would count?). */
        const refuseRepeated = (req: FastifyRequest) => {
          if (req.oauthRepeated) throw new OAuthError('invalid_request', `Paramètre(s) répété(s) : ${req.oauthRepeated.slice(0, 10).join(', ')}.`);
        };
        const send = (reply: FastifyReply, status: number, body: unknown) =>
          reply.status(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
        const oauthErr = (reply: FastifyReply, e: unknown) => {
          if (e instanceof OAuthError) {
            if (e.status === 401) reply.header('www-authenticate', 'Basic realm="patrimoine"');
            return send(reply, e.status, { error: e.error, error_description: e.description });
          }
          throw e;
        };
        // These endpoints authenticate the OAuth2 client themselves (access rule `raw`): the platform's
        // bearer token and session do not apply, hence `security: []` and the description.
        const clientAuth =
          'Authentification du client OAuth2 (pas de jeton ni de session de la plateforme) : en-tête `Authorization: Basic` ' +
          '(client_secret_basic), ou dans le corps du formulaire `client_id` + `client_secret` (client_secret_post) ou ' +
          '`client_assertion_type` + `client_assertion` (private_key_jwt, RFC 7523).';
        o.post(
          '/oauth/token',
          {
            schema: {
              tags: ['gateway'],
              operationId: 'createOauthToken',
              summary: 'OAuth2 token endpoint (client credentials)',
              description: `Jeton d’accès JWT (RFC 9068) pour une API à laquelle l’application est abonnée. ${clientAuth}`,
              security: [],
              consumes: ['application/x-www-form-urlencoded'],
              body: tokenRequest.optional(),
              response: { 200: tokenResponse, 400: oauthError, 401: oauthError },
            },
          },
          async (req, reply) => {
            try {
              refuseRepeated(req);
              return send(reply, 200, await this.deps.oauth.token(this.table, (req.body ?? {}) as TokenRequest, req.headers.authorization));
            } catch (e) {
              return oauthErr(reply, e);
            }
          },
        );
        o.post(
          '/oauth/introspect',
          {
            schema: {
              tags: ['gateway'],
              operationId: 'introspectOauthToken',
              summary: 'OAuth2 token introspection (RFC 7662)',
              description: clientAuth,
              security: [],
              consumes: ['application/x-www-form-urlencoded'],
              body: introspectionRequest.optional(),
              response: { 200: introspectionResponse, 400: oauthError, 401: oauthError },
            },
          },
          async (req, reply) => {
            const body = (req.body ?? {}) as TokenRequest & { token?: string };
            let caller;
            try {
              refuseRepeated(req);
              caller = await this.deps.oauth.authenticate(this.table, body, req.headers.authorization, `${this.deps.issuer}/oauth/introspect`);
            } catch (e) {
              return oauthErr(reply, e);
            }
            if (!body.token) return send(reply, 400, { error: 'invalid_request', error_description: 'Paramètre token manquant.' });
            return send(reply, 200, await this.deps.oauth.introspect(this.table, String(body.token), caller));
          },
        );
        o.get(
          '/.well-known/jwks.json',
          {
            schema: {
              tags: ['gateway'],
              operationId: 'getOauthJwks',
              summary: 'Public keys of the access tokens (JWKS)',
              security: [],
              response: { 200: jwks },
            },
          },
          async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(this.deps.oauth.jwks(this.table)),
        );
        o.get(
          '/.well-known/oauth-authorization-server',
          {
            schema: {
              tags: ['gateway'],
              operationId: 'getOauthServerMetadata',
              summary: 'OAuth2 authorization server metadata (RFC 8414)',
              security: [],
              response: { 200: authorizationServerMetadata },
            },
          },
          async () => {
            const m = this.deps.oauth.metadata();
            const scopes = new Set<string>();
            for (const a of this.table.apis.values()) for (const p of a.plans.values()) p.scopes.forEach((s) => scopes.add(s));
            return { ...m, scopes_supported: [...scopes].sort() };
          },
        );
      });
    });
  }
}
