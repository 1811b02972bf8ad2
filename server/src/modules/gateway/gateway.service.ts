import { randomBytes } from 'node:crypto';
import { slugify } from '@patrimoine/contracts/slug';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import type { Actor, Caller, Principal } from '../../platform/auth/principal.ts';
import { actorOf, isSystem, requireUser } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../platform/errors.ts';
import type { ApiRow, AppRow, GatewayRepository } from './gateway.repository.ts';
import { validateOpenApiDocument, lintOpenApiDocument } from '../../platform/openapi.ts';
import {
  MANAGED_ONLY_FIELDS,
  apiInput,
  openApiDocument,
  planInput,
  type ApiInputRaw,
  type ApiPatch,
  type AppInput,
  type ClientInput,
  type GwApi,
  type GwApiDetail,
  type GwApiSubscription,
  type GwApiSummary,
  type GwApp,
  type GwAppDetail,
  type GwDecision,
  type GwGranularity,
  type GwKey,
  type GwPlan,
  type GwUsage,
  type KeyInput,
  type PlanInputRaw,
  type PlanPatch,
} from '@patrimoine/contracts/gateway';
import { checkUpstreamUrl, hostPortOf, upstreamFailureLabel } from './ssrf.ts';
import { isSelfUpstream } from './self-upstream.ts';
import { credentialPrefix, newCredential, sha256, type GatewaySecrets } from './secrets.ts';
import { newSigningKey, TOKEN_TTL_SECONDS } from './oauth.ts';
import { LATENCY_BOUNDS_MS, percentile, ANONYMOUS as KEYLESS_APP } from './analytics.ts';
import type { RateLimiter } from './ratelimit.ts';

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export interface Meta {
  requestId?: string;
  ip?: string;
}

/** Control plane of the gateway: rules, permissions and audit of every change. */
export function createGatewayService(deps: {
  ctx: AppContext;
  repo: GatewayRepository;
  secrets: GatewaySecrets;
  limiter: RateLimiter;
  onChange: () => Promise<void>;
  /** The catalogue asset describing an API (through the catalogue module's service, when present). */
  catalogAsset?: (id: string) => Promise<{ kind: string; slug: string; title: string } | null>;
}) {
  const { ctx, repo, secrets } = deps;
  const clock = ctx.clock;

  async function org(code: string | undefined, field: string) {
    if (!code) return null;
    const o = await ctx.organisations.findByCode(code, repo.current());
    if (!o) throw fieldError(field, `organisation « ${code} » inconnue`);
    return o;
  }

  /**
   * The system (seed, CLI, declarative configuration, probes) manages everything; a signed-in account
   * what its role and organisation allow; an anonymous visitor nothing.
   */
  function canManageApi(c: Caller, api: Pick<ApiRow, 'organisationId'>): boolean {
    if (c.kind === 'system') return true;
    if (c.kind !== 'user') return false;
    return c.role === 'admin' || (c.role === 'data_admin' && c.organisationId === api.organisationId);
  }
  /** `SYSTEM`, or the signed-in account; 401 for an anonymous visitor. */
  function actingUser(c: Caller): Principal | 'system' {
    return isSystem(c) ? 'system' : requireUser(c);
  }
  function assertApi(c: Caller, api: ApiRow) {
    if (actingUser(c) !== 'system' && !canManageApi(c, api))
      throw new ForbiddenError('Seuls les administrateurs de données de l’organisation productrice gèrent cette API.');
  }
  function canManageApp(c: Caller, app: AppRow): boolean {
    if (c.kind === 'system') return true;
    if (c.kind !== 'user') return false;
    return c.role === 'admin' || app.ownerId === c.userId || (c.role === 'data_admin' && !!app.organisationId && c.organisationId === app.organisationId);
  }
  function assertApp(c: Caller, app: AppRow) {
    if (actingUser(c) !== 'system' && !canManageApp(c, app)) throw new ForbiddenError('Cette application appartient à une autre personne ou organisation.');
  }

  /** Runs a change in a transaction with its audit record and a configuration version bump. */
  async function change<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const outer = repo.ambientTx();
    if (outer) {
      // Inside a larger transaction (declarative configuration): its owner reloads after commit.
      const out = await fn(outer);
      await repo.bumpVersion(outer);
      return out;
    }
    const r = await ctx.db.transaction(async (tx) => {
      const out = await fn(tx);
      await repo.bumpVersion(tx);
      return out;
    });
    await deps.onChange();
    return r;
  }

  async function apiOr404(id: string) {
    const a = (await repo.apiById(id)) ?? null;
    if (!a) throw new NotFoundError('API introuvable.');
    return a;
  }
  /** An API by its id or its slug (the `{api}` of the routes); the id wins when both could match. */
  async function apiByRef(ref: string) {
    return (uuidShape.test(ref) ? await repo.apiById(ref) : undefined) ?? (await repo.apiBySlug(ref)) ?? null;
  }
  async function apiRefOr404(ref: string) {
    const a = await apiByRef(ref);
    if (!a) throw new NotFoundError(`API « ${ref.slice(0, 60)} » introuvable.`);
    return a;
  }
  async function appOr404(id: string) {
    const a = await repo.appById(id);
    if (!a) throw new NotFoundError('Application introuvable.');
    return a;
  }

  async function validateUpstream(url: string, allowPrivate: boolean, more: string[] = []) {
    for (const [field, u] of [['upstreamUrl', url] as const, ...more.map((x, i) => [`upstreamUrls.${i}`, x] as const)]) {
      // `platform:/…` is the platform itself (resolved at run time): loopback, so an administrator's decision.
      const m = isSelfUpstream(u)
        ? allowPrivate
          ? null
          : 'l’amont « platform:/… » est la plateforme elle-même : seul un administrateur l’autorise (amont privé)'
        : await checkUpstreamUrl(u, { allowPrivate });
      if (m) throw fieldError(field, m);
    }
  }

  const publicKey = (k: {
    id: string;
    name: string;
    prefix: string;
    createdAt: Date;
    expiresAt: Date | null;
    revokedAt: Date | null;
    lastUsedAt: Date | null;
  }): GwKey => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  });

  const service = {
    canManageApi,
    canManageApp,

    // ---------- APIs ----------
    async createApi(c: Caller, raw: ApiInputRaw, actor: Actor = actorOf(c), meta: Meta = {}) {
      const who = actingUser(c);
      const p = who === 'system' ? null : who;
      const input = apiInput.parse(raw);
      if (p && p.role !== 'admin' && p.role !== 'data_admin') throw new ForbiddenError('Seuls les administrateurs de données publient des API.');
      const o =
        (await org(input.organisationCode, 'organisationCode')) ??
        (p?.organisationId ? await ctx.organisations.findById(p.organisationId, repo.current()) : null);
      if (!o) throw fieldError('organisationCode', 'organisation productrice requise');
      if (p && p.role !== 'admin' && o.id !== p.organisationId) throw fieldError('organisationCode', 'vous ne publiez que pour votre organisation');
      if (input.allowPrivateUpstream && p && p.role !== 'admin') throw fieldError('allowPrivateUpstream', 'seul un administrateur autorise un amont privé');
      await validateUpstream(input.upstreamUrl, input.allowPrivateUpstream, input.upstreamUrls);
      if (await repo.apiBySlug(input.slug))
        throw new ConflictError(`Une API « ${input.slug} » existe déjà.`, { errors: [{ field: 'slug', message: 'identifiant déjà pris' }] });
      return change(async (tx) => {
        const { organisationCode: _o, ...rest } = input;
        void _o;
        const row = await repo.insertApi({ ...rest, organisationId: o.id, catalogAssetId: rest.catalogAssetId ?? null }, tx);
        await recordAudit(tx, { actor, action: 'gateway.api.create', entityType: 'gateway_api', entityId: row.slug, after: row, ...meta });
        return row;
      });
    },

    /** `ref`: the API's id or slug. */
    async updateApi(c: Caller, ref: string, patch: ApiPatch, actor: Actor = actorOf(c), meta: Meta = {}) {
      const before = await apiRefOr404(ref);
      assertApi(c, before);
      const id = before.id;
      const admin = isSystem(c) || (c.kind === 'user' && c.role === 'admin');
      const o = patch.organisationCode ? await org(patch.organisationCode, 'organisationCode') : null;
      if (o && !admin) throw fieldError('organisationCode', 'seul un administrateur change le producteur');
      if (patch.allowPrivateUpstream && !before.allowPrivateUpstream && !admin)
        throw fieldError('allowPrivateUpstream', 'seul un administrateur autorise un amont privé');
      // An administrator's allowance of private upstreams is bound to the host:port they approved: the
      // producer may change paths, not repoint the API elsewhere on the internal network.
      if (!admin && before.allowPrivateUpstream && patch.allowPrivateUpstream !== false) {
        const approved = new Set([before.upstreamUrl, ...before.upstreamUrls].map(hostPortOf));
        const wanted: [string, string][] = [
          ['upstreamUrl', patch.upstreamUrl ?? before.upstreamUrl],
          ...(patch.upstreamUrls ?? before.upstreamUrls).map((u, i) => [`upstreamUrls.${i}`, u] as [string, string]),
        ];
        for (const [field, url] of wanted)
          if (!approved.has(hostPortOf(url)))
            throw fieldError(field, 'les amonts privés de cette API ont été autorisés pour un hôte et un port précis : seul un administrateur peut en changer');
      }
      if (patch.upstreamUrl !== undefined || patch.upstreamUrls !== undefined || patch.allowPrivateUpstream !== undefined)
        await validateUpstream(
          patch.upstreamUrl ?? before.upstreamUrl,
          patch.allowPrivateUpstream ?? before.allowPrivateUpstream,
          patch.upstreamUrls ?? before.upstreamUrls,
        );
      return change(async (tx) => {
        const { organisationCode: _o, ...rest } = patch;
        void _o;
        const row = await repo.updateApi(id, { ...rest, ...(o ? { organisationId: o.id } : {}) }, tx);
        await recordAudit(tx, { actor, action: 'gateway.api.update', entityType: 'gateway_api', entityId: row.slug, before, after: row, ...meta });
        return row;
      });
    },

    async deleteApi(c: Caller, ref: string, meta: Meta = {}) {
      const before = await apiRefOr404(ref);
      assertApi(c, before);
      await change(async (tx) => {
        await repo.deleteApi(before.id, tx);
        await recordAudit(tx, { actor: actorOf(c), action: 'gateway.api.delete', entityType: 'gateway_api', entityId: before.slug, before, ...meta });
      });
    },

    /** Validates and stores a new version of the API's OpenAPI document. */
    async putSpec(c: Caller, ref: string, document: unknown, actor: Actor = actorOf(c), meta: Meta = {}) {
      const api = await apiRefOr404(ref);
      assertApi(c, api);
      const parsed = openApiDocument.safeParse(document);
      if (!parsed.success)
        throw new ValidationError(
          'Document OpenAPI invalide.',
          parsed.error.issues.map((i) => ({ field: ['document', ...i.path.map(String)].join('.'), message: i.message })),
        );
      // Beyond the shape the portal needs, the document must conform to the official OpenAPI schema.
      const problems = await validateOpenApiDocument(document, 'document');
      if (problems.length) throw new ValidationError('Document OpenAPI non conforme au schéma OpenAPI.', problems);
      // What the portal serves lints with 0 errors under Spectral's spectral:oas ruleset (issue 12).
      const lint = await lintOpenApiDocument(document, 'document');
      if (lint.errors.length)
        throw new ValidationError(`Document OpenAPI refusé : ${lint.errors.length} erreur(s) Spectral (règles spectral:oas) à corriger.`, lint.errors);
      return change(async (tx) => {
        const version = await repo.addSpec(api.id, document, actor.label, tx);
        await repo.updateApi(api.id, { specVersion: version }, tx);
        await recordAudit(tx, {
          actor,
          action: 'gateway.api.spec',
          entityType: 'gateway_api',
          entityId: api.slug,
          before: { specVersion: api.specVersion },
          after: { specVersion: version },
          ...meta,
        });
        return version;
      });
    },

    /** The stored OpenAPI document of an API (id or slug), as the portal shows it to anyone who may see the API. */
    async spec(c: Caller, ref: string, version?: number) {
      const api = await apiByRef(ref);
      if (!api || !api.specVersion || (!api.enabled && !canManageApi(c, api))) throw new NotFoundError('Pas de documentation OpenAPI pour cette API.');
      const s = await repo.spec(api.id, version ?? api.specVersion);
      if (!s) throw new NotFoundError('Version introuvable.');
      return s;
    },

    /** Enabled APIs whose latest availability probe failed, with the reason in words. */
    async failingUpstreams(): Promise<{ slug: string; at: Date; reason: string }[]> {
      const [apis, last] = await Promise.all([repo.listApis(), repo.lastProbes()]);
      const bySlug = new Map(last.map((x) => [x.apiId, probeView(x)]));
      return apis.flatMap((a) => {
        const pr = bySlug.get(a.id);
        return a.enabled && pr && !pr.ok ? [{ slug: a.slug, at: pr.at, reason: pr.reason ?? 'échec' }] : [];
      });
    },

    async listApis(p: Caller): Promise<GwApiSummary[]> {
      const [apis, plans, uptime, orgs, last] = await Promise.all([
        repo.listApis(),
        repo.allPlans(),
        repo.uptime(new Date(clock.now().getTime() - 30 * 86400_000)),
        ctx.organisations.list(),
        repo.lastProbes(),
      ]);
      const lastOf = new Map(last.map((x) => [x.apiId, probeView(x)]));
      const orgById = new Map(orgs.map((o) => [o.id, o]));
      const up = new Map(uptime.map((u) => [u.apiId, u]));
      return apis
        .filter((a) => a.enabled || canManageApi(p, a))
        .map((a) => {
          const u = up.get(a.id);
          const o = orgById.get(a.organisationId);
          return {
            ...publicView({ ...toApi(a), lastProbe: lastOf.get(a.id) ?? null }, canManageApi(p, a)),
            organisationCode: o?.code ?? '',
            organisationName: o?.name ?? '',
            canManage: canManageApi(p, a),
            availability: u && u.total ? u.ok / u.total : null,
            plans: plans.filter((pl) => pl.apiId === a.id).map(toPlan),
          };
        });
    },

    async getApi(p: Caller, ref: string): Promise<GwApiDetail> {
      const a = await apiByRef(ref);
      if (!a || (!a.enabled && !canManageApi(p, a))) throw new NotFoundError(`API « ${ref.slice(0, 60)} » introuvable.`);
      const o = await ctx.organisations.findById(a.organisationId);
      const plans = await repo.plansOf(a.id);
      const since = new Date(clock.now().getTime() - 30 * 86400_000);
      const probes = await repo.probes(a.id, since);
      const ok = probes.filter((x) => x.ok).length;
      const latest = probes.at(-1);
      return {
        ...publicView({ ...toApi(a), lastProbe: latest ? probeView(latest) : null }, canManageApi(p, a)),
        organisationCode: o?.code ?? '',
        organisationName: o?.name ?? '',
        canManage: canManageApi(p, a),
        catalogAsset: a.catalogAssetId && deps.catalogAsset ? await deps.catalogAsset(a.catalogAssetId) : null,
        availability: probes.length ? ok / probes.length : null,
        probes: probes.length,
        incidents: incidents(probes),
        plans: plans.map(toPlan),
        specVersions: (await repo.specVersions(a.id)).map((v) => ({ version: v.version, createdBy: v.createdBy, createdAt: v.createdAt })),
      };
    },

    /**
     * The HMAC key with which the upstream verifies `X-Gateway-Signature` (derived per API; only its
     * producer may read it, and each reading is audited).
     */
    async identityKey(c: Caller, ref: string, meta: Meta = {}) {
      const api = await apiRefOr404(ref);
      assertApi(c, api);
      await ctx.db.transaction(async (tx) => {
        await recordAudit(tx, { actor: actorOf(c), action: 'gateway.api.identity_key.read', entityType: 'gateway_api', entityId: api.slug, ...meta });
      });
      return {
        algorithm: 'HMAC-SHA256',
        key: secrets.identityKey(api.id).toString('base64'),
        header: 'X-Gateway-Consumer',
        signatureHeader: 'X-Gateway-Signature',
        format: 'v1=<hex HMAC-SHA256 of the X-Gateway-Consumer value>',
      };
    },

    // ---------- plans ----------
    async createPlan(p: Caller, apiRef: string, raw: PlanInputRaw, actor: Actor = actorOf(p), meta: Meta = {}) {
      const api = await apiRefOr404(apiRef);
      assertApi(p, api);
      const input = planInput.parse(raw);
      if ((await repo.plansOf(api.id)).some((x) => x.slug === input.slug))
        throw new ConflictError(`Le plan « ${input.slug} » existe déjà.`, { errors: [{ field: 'slug', message: 'identifiant déjà pris' }] });
      return change(async (tx) => {
        const row = await repo.insertPlan({ ...input, apiId: api.id }, tx);
        await recordAudit(tx, { actor, action: 'gateway.plan.create', entityType: 'gateway_plan', entityId: `${api.slug}/${row.slug}`, after: row, ...meta });
        return row;
      });
    },
    async updatePlan(p: Caller, planId: string, patch: PlanPatch, actor: Actor = actorOf(p), meta: Meta = {}) {
      const before = await repo.planById(planId);
      if (!before) throw new NotFoundError('Plan introuvable.');
      const api = await apiOr404(before.apiId);
      assertApi(p, api);
      return change(async (tx) => {
        const row = await repo.updatePlan(planId, patch, tx);
        await recordAudit(tx, {
          actor,
          action: 'gateway.plan.update',
          entityType: 'gateway_plan',
          entityId: `${api.slug}/${row.slug}`,
          before,
          after: row,
          ...meta,
        });
        return row;
      });
    },
    async deletePlan(p: Caller, planId: string, meta: Meta = {}) {
      const before = await repo.planById(planId);
      if (!before) throw new NotFoundError('Plan introuvable.');
      const api = await apiOr404(before.apiId);
      assertApi(p, api);
      await change(async (tx) => {
        await repo.deletePlan(planId, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'gateway.plan.delete',
          entityType: 'gateway_plan',
          entityId: `${api.slug}/${before.slug}`,
          before,
          ...meta,
        });
      });
    },

    // ---------- applications ----------
    async listApps(c: Caller): Promise<GwApp[]> {
      if (isSystem(c)) return (await repo.listApps(null)).map(toApp);
      const p = requireUser(c);
      const rows = await repo.listApps(
        p.role === 'admin' ? null : { ownerId: p.userId, organisationId: p.role === 'data_admin' ? p.organisationId : undefined },
      );
      return rows.filter((a) => canManageApp(p, a)).map(toApp);
    },
    async createApp(c: Caller, input: AppInput, actor: Actor = actorOf(c), meta: Meta = {}) {
      const who = actingUser(c);
      const p = who === 'system' ? null : who;
      const o =
        (await org(input.organisationCode, 'organisationCode')) ??
        (p?.organisationId ? await ctx.organisations.findById(p.organisationId, repo.current()) : null);
      if (o && p && p.role !== 'admin' && o.id !== p.organisationId) throw fieldError('organisationCode', 'une application appartient à votre organisation');
      const slug = input.slug ?? `${slugify(input.name, { maxLength: 40, fallback: 'app' })}-${randomBytes(3).toString('hex')}`;
      if (await repo.appBySlug(slug))
        throw new ConflictError(`L’application « ${slug} » existe déjà.`, { errors: [{ field: 'slug', message: 'identifiant déjà pris' }] });
      return change(async (tx) => {
        const row = await repo.insertApp(
          { slug, name: input.name, description: input.description, organisationId: o?.id ?? null, ownerId: p?.userId ?? null },
          tx,
        );
        await recordAudit(tx, { actor, action: 'gateway.app.create', entityType: 'gateway_app', entityId: row.slug, after: row, ...meta });
        return toApp(row);
      });
    },
    async getApp(p: Caller, id: string): Promise<GwAppDetail> {
      const app = await appOr404(id);
      assertApp(p, app);
      const [subs, keys, clients, apis, plans] = await Promise.all([repo.subsOfApp(id), repo.keysOf(id), repo.clientsOf(id), repo.listApis(), repo.allPlans()]);
      const apiById = new Map(apis.map((a) => [a.id, a]));
      const planById = new Map(plans.map((x) => [x.id, x]));
      const now = clock.now().getTime();
      // Quota use comes from the limiter's own counters: exactly what the next call is checked against.
      const quotas = await Promise.all(subs.map((s) => (s.state === 'active' ? deps.limiter.quotaUse(`a:${s.apiId}:${app.id}`, now).catch(() => null) : null)));
      return {
        ...toApp(app),
        subscriptions: subs.map((s, i) => ({
          quotaUse: quotas[i] ?? null,
          id: s.id,
          state: s.state,
          reason: s.reason,
          createdAt: s.createdAt,
          decidedAt: s.decidedAt,
          api: { id: s.apiId, slug: apiById.get(s.apiId)?.slug ?? '', name: apiById.get(s.apiId)?.name ?? '' },
          plan: planById.get(s.planId) ? toPlan(planById.get(s.planId)!) : null,
        })),
        keys: keys.map(publicKey),
        clients: clients.map((c) => ({
          id: c.id,
          clientId: c.clientId,
          authMethod: c.authMethod,
          createdAt: c.createdAt,
          revokedAt: c.revokedAt,
        })),
      };
    },
    async deleteApp(p: Caller, id: string, meta: Meta = {}) {
      const app = await appOr404(id);
      assertApp(p, app);
      await change(async (tx) => {
        await repo.deleteApp(id, tx);
        await recordAudit(tx, { actor: actorOf(p), action: 'gateway.app.delete', entityType: 'gateway_app', entityId: app.slug, before: app, ...meta });
      });
    },

    // ---------- subscriptions ----------
    async subscribe(c: Caller, appId: string, planId: string, reason: string, actor: Actor = actorOf(c), meta: Meta = {}) {
      const app = await appOr404(appId);
      assertApp(c, app);
      const plan = await repo.planById(planId);
      if (!plan) throw fieldError('planId', 'plan inconnu');
      if (plan.keyless) throw fieldError('planId', 'ce plan s’utilise sans clé : aucun abonnement n’est nécessaire');
      const api = await apiOr404(plan.apiId);
      const manual = plan.approval === 'manual' || api.visibility === 'restricted';
      if (manual && !reason.trim() && !canManageApi(c, api)) throw fieldError('reason', 'expliquez pourquoi votre application a besoin de cette API');
      const existing = await repo.subFor(app.id, api.id);
      if (existing && (existing.state === 'active' || existing.state === 'pending') && existing.planId === plan.id)
        throw new ConflictError('Cette application est déjà abonnée à ce plan (ou la demande est en attente).');
      // System and CLI (declarative configuration) subscriptions, and producers' own, are approved at once.
      const state = manual && !canManageApi(c, api) ? 'pending' : 'active';
      return change(async (tx) => {
        const row = existing
          ? await repo.updateSub(
              existing.id,
              { planId: plan.id, state, reason, decidedAt: state === 'active' ? clock.now() : null, decidedBy: state === 'active' ? 'auto' : null },
              tx,
            )
          : await repo.insertSub(
              {
                applicationId: app.id,
                apiId: api.id,
                planId: plan.id,
                state,
                reason,
                decidedAt: state === 'active' ? clock.now() : null,
                decidedBy: state === 'active' ? 'auto' : null,
              },
              tx,
            );
        await recordAudit(tx, {
          actor,
          action: 'gateway.subscription.request',
          entityType: 'gateway_subscription',
          entityId: row.id,
          before: existing ?? undefined,
          after: row,
          ...meta,
        });
        return row;
      });
    },
    async decide(p: Caller, subId: string, decision: GwDecision, meta: Meta = {}) {
      actingUser(p);
      const sub = await repo.subById(subId);
      if (!sub) throw new NotFoundError('Abonnement introuvable.');
      const api = await apiOr404(sub.apiId);
      const app = await appOr404(sub.applicationId);
      // The producer decides; a consumer may cancel its own subscription.
      if (!canManageApi(p, api) && !(decision === 'revoke' && canManageApp(p, app)))
        throw new ForbiddenError('Seul le producteur de l’API décide des abonnements.');
      const state = decision === 'approve' ? 'active' : decision === 'reject' ? 'rejected' : 'revoked';
      if (decision !== 'revoke' && sub.state !== 'pending') throw new ConflictError('Cette demande a déjà été traitée.');
      return change(async (tx) => {
        const row = await repo.updateSub(subId, { state, decidedBy: actorOf(p).label, decidedAt: clock.now() }, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: `gateway.subscription.${decision}`,
          entityType: 'gateway_subscription',
          entityId: subId,
          before: sub,
          after: row,
          ...meta,
        });
        return row;
      });
    },
    async subscriptionsOfApi(p: Caller, apiRef: string): Promise<GwApiSubscription[]> {
      const api = await apiRefOr404(apiRef);
      assertApi(p, api);
      const [subs, apps, plans, orgs] = await Promise.all([repo.subsOfApi(api.id), repo.listApps(null), repo.plansOf(api.id), ctx.organisations.list()]);
      const appById = new Map(apps.map((a) => [a.id, a]));
      const planById = new Map(plans.map((x) => [x.id, x]));
      const orgById = new Map(orgs.map((o) => [o.id, o.code]));
      return subs.map((s) => {
        const a = appById.get(s.applicationId);
        return {
          id: s.id,
          state: s.state,
          reason: s.reason,
          createdAt: s.createdAt,
          application: { id: s.applicationId, name: a?.name ?? '', organisationCode: a?.organisationId ? (orgById.get(a.organisationId) ?? null) : null },
          plan: planById.get(s.planId)?.name ?? '',
        };
      });
    },

    // ---------- API keys ----------
    async createKey(p: Caller, appId: string, input: KeyInput, actor: Actor = actorOf(p), meta: Meta = {}, fixedKey?: string) {
      const app = await appOr404(appId);
      assertApp(p, app);
      const key = fixedKey ?? newCredential('key');
      if (await repo.keyByHash(sha256(key))) throw new ConflictError('Cette clé est déjà enregistrée.');
      const expiresAt = input.expiresInDays ? new Date(clock.now().getTime() + input.expiresInDays * 86400_000) : null;
      return change(async (tx) => {
        const row = await repo.insertKey({ applicationId: app.id, name: input.name, prefix: credentialPrefix(key), hash: sha256(key), expiresAt }, tx);
        await recordAudit(tx, {
          actor,
          action: 'gateway.key.create',
          entityType: 'gateway_key',
          entityId: row.id,
          after: { application: app.slug, name: row.name, prefix: row.prefix, expiresAt },
          ...meta,
        });
        return { ...publicKey(row), key };
      });
    },
    /** New key now; the old one keeps working for `overlapHours`, then expires. */
    async rotateKey(p: Caller, keyId: string, overlapHours: number, meta: Meta = {}) {
      const old = await repo.keyById(keyId);
      if (!old) throw new NotFoundError('Clé introuvable.');
      const app = await appOr404(old.applicationId);
      assertApp(p, app);
      if (old.revokedAt) throw new ConflictError('Cette clé est révoquée.');
      const key = newCredential('key');
      const oldUntil = new Date(clock.now().getTime() + overlapHours * 3600_000);
      const keepExpiry = old.expiresAt && old.expiresAt < oldUntil ? old.expiresAt : oldUntil;
      const newExpiry = old.expiresAt ? new Date(clock.now().getTime() + (old.expiresAt.getTime() - old.createdAt.getTime())) : null;
      return change(async (tx) => {
        await repo.updateKey(old.id, { expiresAt: keepExpiry }, tx);
        const row = await repo.insertKey({ applicationId: app.id, name: old.name, prefix: credentialPrefix(key), hash: sha256(key), expiresAt: newExpiry }, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'gateway.key.rotate',
          entityType: 'gateway_key',
          entityId: old.id,
          before: { prefix: old.prefix, expiresAt: old.expiresAt },
          after: { oldExpiresAt: keepExpiry, newKeyId: row.id, newPrefix: row.prefix },
          ...meta,
        });
        return { ...publicKey(row), key, previousExpiresAt: keepExpiry };
      });
    },
    async revokeKey(p: Caller, keyId: string, meta: Meta = {}) {
      const old = await repo.keyById(keyId);
      if (!old) throw new NotFoundError('Clé introuvable.');
      const app = await appOr404(old.applicationId);
      assertApp(p, app);
      return change(async (tx) => {
        const row = await repo.updateKey(old.id, { revokedAt: clock.now() }, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'gateway.key.revoke',
          entityType: 'gateway_key',
          entityId: old.id,
          before: { prefix: old.prefix },
          after: { prefix: row.prefix, revokedAt: row.revokedAt },
          ...meta,
        });
        return publicKey(row);
      });
    },

    // ---------- OAuth2 clients ----------
    async createClient(p: Caller, appId: string, input: ClientInput, meta: Meta = {}) {
      const app = await appOr404(appId);
      assertApp(p, app);
      if (input.authMethod === 'private_key_jwt') {
        const keys = input.jwks?.keys ?? [];
        if (!keys.length) throw fieldError('jwks', 'au moins une clé publique (JWKS) est requise pour private_key_jwt');
        if (keys.some((k) => 'd' in k)) throw fieldError('jwks', 'ne déposez que des clés publiques (le champ « d » est privé)');
      }
      const clientId = newCredential('client');
      const secret = input.authMethod === 'private_key_jwt' ? null : newCredential('secret');
      return change(async (tx) => {
        const row = await repo.insertClient(
          {
            applicationId: app.id,
            clientId,
            authMethod: input.authMethod,
            secretHash: secret ? sha256(secret) : null,
            jwks: input.authMethod === 'private_key_jwt' ? (input.jwks ?? null) : null,
          },
          tx,
        );
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'gateway.client.create',
          entityType: 'gateway_client',
          entityId: clientId,
          after: { application: app.slug, authMethod: row.authMethod },
          ...meta,
        });
        return { id: row.id, clientId, authMethod: row.authMethod, clientSecret: secret, createdAt: row.createdAt };
      });
    },
    async revokeClient(p: Caller, id: string, meta: Meta = {}) {
      const c = await repo.clientById(id);
      if (!c) throw new NotFoundError('Client introuvable.');
      const app = await appOr404(c.applicationId);
      assertApp(p, app);
      await change(async (tx) => {
        await repo.updateClient(id, { revokedAt: clock.now() }, tx);
        await recordAudit(tx, { actor: actorOf(p), action: 'gateway.client.revoke', entityType: 'gateway_client', entityId: c.clientId, ...meta });
      });
    },

    // ---------- signing keys ----------
    async ensureSigningKey() {
      const keys = await repo.signingKeys();
      if (keys.some((k) => k.active)) return;
      const k = await newSigningKey(secrets);
      await change(async (tx) => {
        if ((await repo.signingKeys(tx)).some((x) => x.active)) return;
        await repo.insertSigningKey(k, tx);
        await recordAudit(tx, {
          actor: { id: null, label: 'system' },
          action: 'gateway.signing_key.create',
          entityType: 'gateway_signing_key',
          entityId: k.kid,
          after: { kid: k.kid, alg: k.alg },
        });
      });
    },
    /** New signing key; the previous one stays in the JWKS until its last token has expired. */
    async rotateSigningKey(p: Caller, meta: Meta = {}) {
      const who = actingUser(p);
      if (who !== 'system' && who.role !== 'admin') throw new ForbiddenError('Réservé aux administrateurs.');
      const k = await newSigningKey(secrets);
      await change(async (tx) => {
        await repo.retireSigningKeys(new Date(clock.now().getTime() + (TOKEN_TTL_SECONDS + 60) * 1000), tx);
        await repo.insertSigningKey(k, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'gateway.signing_key.rotate',
          entityType: 'gateway_signing_key',
          entityId: k.kid,
          after: { kid: k.kid },
          ...meta,
        });
      });
      return { kid: k.kid };
    },

    // ---------- usage ----------
    async usage(
      p: Caller,
      q: { apiId?: string; applicationId?: string; granularity: GwGranularity; from: Date; to: Date },
    ): Promise<GwUsage & { rows: Awaited<ReturnType<GatewayRepository['usage']>> }> {
      const who = actingUser(p);
      if (q.apiId) assertApi(p, await apiOr404(q.apiId));
      else if (q.applicationId) assertApp(p, await appOr404(q.applicationId));
      else if (who !== 'system' && who.role !== 'admin') throw fieldError('apiId', 'précisez une API ou une application');
      const rows = await repo.usage(q);
      const series = new Map<number, { calls: number; errors: number; s429: number }>();
      const hist = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
      const byApp = new Map<string, number>();
      const byApi = new Map<string, number>();
      const totals = { calls: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, s429: 0, sumMs: 0 };
      for (const r of rows) {
        const t = r.bucket.getTime();
        const s = series.get(t) ?? { calls: 0, errors: 0, s429: 0 };
        s.calls += r.calls;
        s.errors += r.s4xx + r.s5xx;
        s.s429 += r.s429;
        series.set(t, s);
        r.hist.forEach((v, i) => (hist[i]! += v));
        byApp.set(r.applicationId, (byApp.get(r.applicationId) ?? 0) + r.calls);
        byApi.set(r.apiId, (byApi.get(r.apiId) ?? 0) + r.calls);
        totals.calls += r.calls;
        totals.s2xx += r.s2xx;
        totals.s3xx += r.s3xx;
        totals.s4xx += r.s4xx;
        totals.s5xx += r.s5xx;
        totals.s429 += r.s429;
        totals.sumMs += r.sumMs;
      }
      const apps = await repo.listApps(null);
      const appName = new Map(apps.map((a) => [a.id, a.name]));
      return {
        totals: { ...totals, meanMs: totals.calls ? totals.sumMs / totals.calls : null },
        latency: { p50: percentile(hist, 0.5), p95: percentile(hist, 0.95), p99: percentile(hist, 0.99) },
        series: [...series.entries()].sort((a, b) => a[0] - b[0]).map(([t, s]) => ({ bucket: new Date(t), ...s })),
        topConsumers: [...byApp.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 10)
          .map(([id, calls]) => ({ applicationId: id, name: id === KEYLESS_APP ? 'Appels sans clé' : (appName.get(id) ?? id), calls })),
        rows,
      };
    },
  };
  return service;
}
export type GatewayService = ReturnType<typeof createGatewayService>;

/** A probe as people read it: when, whether it passed, and why not in words (never a socket code). */
function probeView(p: { at: Date; ok: boolean; status: number | null; error: string | null }) {
  return {
    at: p.at,
    ok: p.ok,
    reason: p.ok ? null : p.error ? (/^[A-Z][A-Z0-9_]+$/.test(p.error) ? upstreamFailureLabel(p.error) : p.error) : `HTTP ${p.status}`,
  };
}

/** An API as the portal shows it: where its traffic goes stays with those who manage it. */
function publicView<T extends GwApi>(a: T, canManage: boolean): T {
  if (canManage) return a;
  const out = { ...a } as Partial<T>;
  for (const k of MANAGED_ONLY_FIELDS) delete out[k as keyof T];
  return out as T;
}

function incidents(probes: { at: Date; ok: boolean; error: string | null; status: number | null }[]) {
  const out: { start: Date; end: Date | null; probes: number; reason: string }[] = [];
  let cur: (typeof out)[number] | null = null;
  for (const pr of probes) {
    if (!pr.ok) {
      if (!cur) {
        cur = {
          start: pr.at,
          end: null,
          probes: 0,
          reason: pr.error ? (/^[A-Z][A-Z0-9_]+$/.test(pr.error) ? upstreamFailureLabel(pr.error) : pr.error) : `HTTP ${pr.status}`,
        };
        out.push(cur);
      }
      cur.probes++;
    } else if (cur) {
      cur.end = pr.at;
      cur = null;
    }
  }
  return out.reverse().slice(0, 50);
}

export function toApi(a: ApiRow): GwApi {
  return {
    id: a.id,
    slug: a.slug,
    name: a.name,
    description: a.description,
    audience: a.audience,
    visibility: a.visibility,
    upstreamUrl: a.upstreamUrl,
    upstreamUrls: a.upstreamUrls,
    timeoutMs: a.timeoutMs,
    allowPrivateUpstream: a.allowPrivateUpstream,
    requiredScope: a.requiredScope,
    franceconnectScopes: a.franceconnectScopes ?? null,
    failPolicy: a.failPolicy,
    maxBodyBytes: a.maxBodyBytes,
    enabled: a.enabled,
    catalogAssetId: a.catalogAssetId,
    specVersion: a.specVersion,
    healthPath: a.healthPath,
    updatedAt: a.updatedAt,
  };
}
export function toPlan(p: {
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
}): GwPlan {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    keyless: p.keyless,
    perSecond: p.perSecond,
    perMinute: p.perMinute,
    perDay: p.perDay,
    perMonth: p.perMonth,
    approval: p.approval,
    scopes: p.scopes,
  };
}
export function toApp(a: AppRow): GwApp {
  return {
    id: a.id,
    slug: a.slug,
    name: a.name,
    description: a.description,
    organisationId: a.organisationId,
    ownerId: a.ownerId,
    createdAt: a.createdAt,
  };
}
