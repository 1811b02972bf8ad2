import type { Db } from '../../db/client.ts';
import type { AppContext } from '../../platform/context.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { fieldError, NotFoundError } from '../../platform/errors.ts';
import type { GatewayRepository } from './gateway.repository.ts';
import type { GatewayService } from './gateway.service.ts';
import type { GatewaySecrets } from './secrets.ts';

/** An access token of the gateway checked for one of its APIs. */
export type VerifiedToken =
  | { ok: true; applicationId: string; organisationCode: string | null; clientId: string; scopes: string[] }
  | { ok: false; status: 401 | 403; error: string; reason: string };

export interface GrantInput {
  organisationId: string | null;
  ownerId: string | null;
  /** Name of the application when it has to be created. */
  appName: string;
  apiSlug: string;
  planSlug: string | null;
  scopes: string[];
  credential: 'api_key' | 'oauth_client' | null;
  /** Name given to the key (the habilitation's slug). */
  label: string;
  reason: string;
  actor: Actor;
}

export interface Granted {
  applicationId: string;
  subscriptionId: string;
  credential:
    | { kind: 'api_key'; id: string; label: string; key: string }
    | { kind: 'oauth_client'; id: string; label: string; clientId: string; clientSecret: string }
    | null;
}

/**
 * What the habilitations module provisions on the gateway, inside its own transaction (ADR 0602): the
 * organisation's application (created or reused), an active subscription with exactly the approved
 * scopes, a credential; scope updates and revocation. Every change is audited and bumps the
 * configuration version, so that every node reloads its route table; `reload()` after commit makes
 * the local node do it at once.
 */
export function createProvisioning(deps: {
  ctx: AppContext;
  repo: GatewayRepository;
  service: GatewayService;
  secrets: GatewaySecrets;
  reload: () => Promise<void>;
  verifyToken: (token: string, apiSlug: string) => Promise<VerifiedToken>;
}) {
  const { ctx, repo, service } = deps;

  async function planOf(apiSlug: string, planSlug: string | null) {
    const api = await repo.apiBySlug(apiSlug);
    if (!api) throw new NotFoundError(`API « ${apiSlug} » introuvable sur la passerelle.`);
    const plans = (await repo.plansOf(api.id)).filter((p) => !p.keyless);
    const plan = planSlug ? plans.find((p) => p.slug === planSlug) : plans[0];
    if (!plan) throw fieldError('planSlug', `plan « ${planSlug ?? '(aucun)'} » introuvable pour l’API « ${apiSlug} »`);
    return { api, plan };
  }

  async function applicationFor(input: GrantInput) {
    const org = input.organisationId ? await ctx.organisations.findById(input.organisationId, repo.current()) : null;
    const slug = org ? `habilitations-${org.code.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}` : `habilitations-u-${(input.ownerId ?? 'x').slice(0, 8)}`;
    const existing = await repo.appBySlug(slug);
    if (existing) return existing.id;
    const app = await service.createApp(
      SYSTEM,
      {
        slug,
        name: org ? `${input.appName} — ${org.name}` : input.appName,
        description: 'Application créée par les habilitations.',
        organisationCode: org?.code,
      },
      input.actor,
    );
    if (input.ownerId && !org) await repo.updateApp(app.id, { ownerId: input.ownerId }, repo.current());
    return app.id;
  }

  return {
    /** Runs `fn` in the caller's transaction: the gateway's service calls inside it join it. */
    inTransaction<T>(tx: Db, fn: () => Promise<T>): Promise<T> {
      return repo.joinTransaction(tx, fn);
    },
    /** Application, subscription with exactly `scopes`, credential — in `tx`. */
    async grant(tx: Db, input: GrantInput): Promise<Granted> {
      return repo.joinTransaction(tx, async () => {
        const { api, plan } = await planOf(input.apiSlug, input.planSlug);
        const applicationId = await applicationFor(input);
        const before = await repo.subFor(applicationId, api.id, tx);
        const values = {
          planId: plan.id,
          state: 'active' as const,
          scopes: input.scopes,
          decidedBy: input.actor.label,
          decidedAt: ctx.clock.now(),
          reason: input.reason,
        };
        const sub = before ? await repo.updateSub(before.id, values, tx) : await repo.insertSub({ applicationId, apiId: api.id, ...values }, tx);
        await repo.bumpVersion(tx);
        await recordAudit(tx, {
          actor: input.actor,
          action: 'gateway.subscription.habilitation',
          entityType: 'gateway_subscription',
          entityId: sub.id,
          before: before ?? undefined,
          after: sub,
        });
        let credential: Granted['credential'] = null;
        if (input.credential === 'api_key') {
          const k = await service.createKey(SYSTEM, applicationId, { name: input.label, expiresInDays: null }, input.actor);
          credential = { kind: 'api_key', id: k.id, label: k.prefix, key: k.key };
        } else if (input.credential === 'oauth_client') {
          const c = await service.createClient(SYSTEM, applicationId, { authMethod: 'client_secret_basic' });
          credential = { kind: 'oauth_client', id: c.id, label: c.clientId, clientId: c.clientId, clientSecret: c.clientSecret! };
        }
        return { applicationId, subscriptionId: sub.id, credential };
      });
    },
    /** Replaces the scopes (and plan) of a subscription in place (a reopened habilitation approved). */
    async updateScopes(tx: Db, subscriptionId: string, scopes: string[], actor: Actor) {
      const before = await repo.subById(subscriptionId, tx);
      if (!before) throw new NotFoundError('Abonnement introuvable.');
      const sub = await repo.updateSub(subscriptionId, { scopes, state: 'active' }, tx);
      await repo.bumpVersion(tx);
      await recordAudit(tx, { actor, action: 'gateway.subscription.scopes', entityType: 'gateway_subscription', entityId: sub.id, before, after: sub });
    },
    /** Revokes the subscription and the credential issued with it. */
    async revoke(tx: Db, r: { subscriptionId: string | null; credentialKind: 'api_key' | 'oauth_client' | null; credentialId: string | null }, actor: Actor) {
      const now = ctx.clock.now();
      if (r.subscriptionId) {
        const before = await repo.subById(r.subscriptionId, tx);
        if (before && before.state !== 'revoked') {
          const sub = await repo.updateSub(r.subscriptionId, { state: 'revoked', decidedBy: actor.label, decidedAt: now }, tx);
          await recordAudit(tx, { actor, action: 'gateway.subscription.revoke', entityType: 'gateway_subscription', entityId: sub.id, before, after: sub });
        }
      }
      if (r.credentialId && r.credentialKind === 'api_key') {
        const k = await repo.keyById(r.credentialId, tx);
        if (k && !k.revokedAt) {
          await repo.updateKey(k.id, { revokedAt: now }, tx);
          await recordAudit(tx, { actor, action: 'gateway.key.revoke', entityType: 'gateway_key', entityId: k.id, before: { prefix: k.prefix } });
        }
      }
      if (r.credentialId && r.credentialKind === 'oauth_client') {
        const c = await repo.clientById(r.credentialId, tx);
        if (c && !c.revokedAt) {
          await repo.updateClient(c.id, { revokedAt: now }, tx);
          await recordAudit(tx, { actor, action: 'gateway.client.revoke', entityType: 'gateway_client', entityId: c.clientId });
        }
      }
      await repo.bumpVersion(tx);
    },
    /** Usage of the habilitation's application on its API over the last 30 days, and its quota use. */
    async usageOf(applicationId: string, apiSlug: string) {
      const api = await repo.apiBySlug(apiSlug);
      if (!api) return null;
      const now = ctx.clock.now();
      const u = await service.usage(SYSTEM, { applicationId, granularity: 'day', from: new Date(now.getTime() - 30 * 86400_000), to: now });
      const sub = await deps.service
        .getApp(SYSTEM, applicationId)
        .then((a) => a.subscriptions.find((s) => s.api.id === api.id && s.state === 'active') ?? a.subscriptions.find((s) => s.api.id === api.id) ?? null);
      const plan = sub?.plan ?? null;
      return {
        calls: u.rows.filter((r) => r.apiId === api.id).reduce((n, r) => n + r.calls, 0),
        today: sub?.quotaUse?.day ?? 0,
        month: sub?.quotaUse?.month ?? 0,
        limits: { perSecond: plan?.perSecond ?? null, perMinute: plan?.perMinute ?? null, perDay: plan?.perDay ?? null, perMonth: plan?.perMonth ?? null },
        at: now,
      };
    },
    reload: deps.reload,
    /** Checks a bearer token issued by the gateway's OAuth2 server for `apiSlug` (an API served by a module itself). */
    verifyToken: deps.verifyToken,
    /** Encryption at rest with the gateway's master secret (the habilitations' webhook secrets). */
    seal: (plain: string) => deps.secrets.encrypt(plain),
    unseal: (sealed: string) => deps.secrets.decrypt(sealed),
    /** A key derived from the master secret for one purpose of the habilitations (HMAC of unsubscribe links). */
    key: (purpose: string) => deps.secrets.identityKey(`habilitations:${purpose}`),
  };
}
export type GatewayProvisioning = ReturnType<typeof createProvisioning>;
