import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { orgRuleBody, agentToPlace, orgRule, pendingLink } from '@patrimoine/contracts/federation';
import type { Role } from '@patrimoine/contracts/platform';
import type { AppContext } from '../../context.ts';
import type { Caller } from '../principal.ts';
import { actorOf, requireUser, type Principal } from '../principal.ts';
import type { RequestMeta } from '../auth.service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../errors.ts';
import { recordAudit } from '../../audit/audit.repository.ts';
import { randomToken, sha256, verifyPassword } from '../password.ts';
import type { UserRow } from '../users.repository.ts';
import { createOidcRepository, type FlowRow } from './oidc.repository.ts';
import type { ProConnectClient, ProConnectClaims } from './client.ts';
import { ProviderError } from './client.ts';
import type { ProConnectConfig } from './config.ts';

export const PROVIDER = 'proconnect';
/** ProConnect's own session lasts 12 hours: ours never outlives it. */
export const MAX_SESSION_HOURS = 12;
const FLOW_TTL_MS = 10 * 60_000;

interface PendingIdentity {
  userId: string;
  claims: ProConnectClaims;
  idToken: string;
  returnTo: string;
}

/** A path of Patrimoine to go back to, never another site (`//evil`, `/\evil`). */
export function safeReturnTo(v: string | null | undefined): string {
  return v && /^\/(?![/\\])[^\s]*$/.test(v) && v.length <= 500 ? v : '/';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const isAdmin = (c: Caller): Principal => {
  const p = requireUser(c);
  if (p.role !== 'admin') throw new ForbiddenError('Seul un administrateur ministériel gère la fédération d’identité.');
  return p;
};

/**
 * ProConnect sign-in for agents (ADR 0011): authorization code flow, account linking by (issuer, sub) and,
 * the first time, by e-mail with the agent's confirmation, organisation rules and the queue of agents to
 * place, sessions capped at 12 h, logout through the provider.
 */
export function createFederationService(deps: { ctx: AppContext; cfg: ProConnectConfig | null; client: ProConnectClient | null }) {
  const { ctx } = deps;
  const repo = createOidcRepository(ctx.db);

  function needConfigured() {
    if (!deps.cfg || !deps.client) throw new NotFoundError('La connexion avec ProConnect n’est pas configurée sur cette plateforme.');
    return { cfg: deps.cfg, client: deps.client };
  }

  async function newFlow(kind: FlowRow['kind'], extra: Partial<FlowRow> = {}) {
    const cookie = randomToken(32);
    const now = ctx.clock.now();
    const state = randomToken(32);
    await repo.purgeFlows(now);
    await repo.insertFlow({
      id: sha256(cookie),
      kind,
      state,
      nonce: extra.nonce ?? null,
      returnTo: extra.returnTo ?? null,
      requiredAcr: extra.requiredAcr ?? null,
      pending: extra.pending ?? null,
      expiresAt: new Date(now.getTime() + FLOW_TTL_MS),
    });
    return { cookie, state };
  }

  function displayNameOf(c: ProConnectClaims): string {
    const n = [c.givenName, c.usualName].filter(Boolean).join(' ').trim();
    return (n || c.email || c.uid || 'Agent').slice(0, 200);
  }

  async function signIn(
    user: UserRow,
    c: ProConnectClaims,
    idToken: string,
    meta: RequestMeta,
    previous: string | undefined,
    returnTo: string,
    tx: AppContext['db'],
  ) {
    const s = await ctx.auth.openFederatedSession(
      tx,
      user,
      { provider: PROVIDER, acr: c.acr, amr: c.amr, idToken, maxTtlHours: MAX_SESSION_HOURS },
      meta,
      previous,
    );
    await recordAudit(tx, {
      actor: { id: user.id, label: user.login },
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      after: { provider: PROVIDER, acr: c.acr, amr: c.amr, idpId: c.idpId, elevationRequired: s.principal.assurance?.elevationRequired ?? false },
      requestId: meta.requestId,
      ip: meta.ip,
    });
    return {
      kind: 'session' as const,
      session: s,
      returnTo: s.principal.assurance?.elevationRequired ? `/connexion/proconnect/mfa?retour=${encodeURIComponent(returnTo)}` : returnTo,
    };
  }

  return {
    enabled: () => !!deps.cfg,
    /** Our registered redirect URI (the callback rebuilds the URL ProConnect redirected to from it). */
    redirectUri: () => needConfigured().client.redirectUri,

    /** Starts a sign-in: a flow with fresh state and nonce (43 characters each), and the provider URL. */
    async startLogin(q: { retour?: string; mfa?: '0' | '1'; login_hint?: string; idp_hint?: string; siret_hint?: string }, caller: Caller) {
      const { client } = needConfigured();
      let requiredAcr: readonly string[] | null = null;
      if (q.mfa === '1') {
        const stored = caller.kind === 'user' ? await ctx.usersRepo.findById(caller.userId) : null;
        requiredAcr = ctx.auth.requiredAcr(stored?.role ?? 'admin');
      }
      const nonce = randomToken(32);
      const returnTo = safeReturnTo(q.retour);
      const { cookie, state } = await newFlow('login', { nonce, returnTo, requiredAcr: requiredAcr?.join(' ') ?? null });
      const url = await client.authorizationUrl({ state, nonce, requiredAcr, loginHint: q.login_hint, idpHint: q.idp_hint, siretHint: q.siret_hint });
      return { cookie, url };
    },

    /**
     * The provider's redirect back. Returns either an open session, or a pending link (an account with the
     * same e-mail exists: its owner must confirm). Throws `ProviderError` with a code explained in French.
     */
    async callback(
      currentUrl: URL,
      q: { code?: string; state?: string; error?: string },
      flowCookie: string | undefined,
      meta: RequestMeta,
      previousSession?: string,
    ): Promise<
      { kind: 'session'; session: Awaited<ReturnType<AppContext['auth']['openFederatedSession']>>; returnTo: string } | { kind: 'link'; cookie: string }
    > {
      const { cfg, client } = needConfigured();
      const flow = flowCookie ? await repo.takeFlow(sha256(flowCookie), 'login', ctx.clock.now()) : null;
      if (!flow || !q.state || !sameSecret(q.state, flow.state)) throw new ProviderError('state_mismatch', 'unknown flow or state mismatch');
      if (q.error) throw new ProviderError(q.error, `provider answered ${q.error}`);
      const { claims, idToken } = await client.callback(currentUrl, { state: flow.state, nonce: flow.nonce! });
      const required = flow.requiredAcr?.split(' ').filter(Boolean) ?? [];
      if (required.length && (!claims.acr || !required.includes(claims.acr)))
        throw new ProviderError('mfa_required', `acr ${claims.acr} not in ${required.join(',')}`);
      const returnTo = safeReturnTo(flow.returnTo);

      const linked = await repo.findIdentity(cfg.issuer, claims.sub);
      if (linked) {
        return ctx.db.transaction(async (tx) => {
          const user = await ctx.usersRepo.findById(linked.userId, tx);
          if (!user?.active) throw new ProviderError('account_disabled', 'account disabled');
          await repo.updateIdentity(
            linked.id,
            {
              email: claims.email,
              siret: claims.siret,
              idpId: claims.idpId,
              organisationLabel: claims.organisationLabel,
              lastAcr: claims.acr,
              lastLoginAt: ctx.clock.now(),
            },
            tx,
          );
          return signIn(user, claims, idToken, meta, previousSession, returnTo, tx);
        });
      }
      if (!claims.email || claims.emailVerified === false) throw new ProviderError('email_missing', 'no verified e-mail');
      const existing = await repo.findUserByEmail(claims.email);
      if (existing) {
        if (!existing.active) throw new ProviderError('account_disabled', 'account disabled');
        const pending: PendingIdentity = { userId: existing.id, claims, idToken, returnTo };
        const { cookie } = await newFlow('link', { pending });
        return { kind: 'link', cookie };
      }
      return ctx.db.transaction(async (tx) => {
        const domain = claims.email!.split('@')[1] ?? null;
        const rule = await repo.matchRule({ idpId: claims.idpId, emailDomain: domain, siret: claims.siret }, tx);
        const base =
          claims
            .email!.split('@')[0]!
            .replace(/[^a-z0-9._-]/g, '')
            .slice(0, 60) || 'agent';
        let login = base;
        for (let i = 2; await ctx.usersRepo.findByLogin(login, tx); i++) login = `${base}${i}`;
        const role: Role = rule?.role ?? cfg.defaultRole;
        const user = await ctx.usersRepo.insert(
          {
            login,
            email: claims.email,
            displayName: displayNameOf(claims),
            role,
            organisationId: rule?.organisationId ?? null,
            authProvider: PROVIDER,
            localPasswordDisabled: cfg.disableLocalPassword,
          },
          tx,
        );
        await repo.insertIdentity(
          {
            userId: user.id,
            issuer: cfg.issuer,
            subject: claims.sub,
            idpId: claims.idpId,
            email: claims.email,
            siret: claims.siret,
            organisationLabel: claims.organisationLabel,
            lastAcr: claims.acr,
            placementPending: !rule,
            lastLoginAt: ctx.clock.now(),
          },
          tx,
        );
        await recordAudit(tx, {
          actor: { id: user.id, label: user.login },
          action: 'user.provision',
          entityType: 'user',
          entityId: user.id,
          after: { login, provider: PROVIDER, role, organisationId: user.organisationId, ruleId: rule?.id ?? null, placementPending: !rule },
          requestId: meta.requestId,
        });
        return signIn(user, claims, idToken, meta, previousSession, returnTo, tx);
      });
    },

    /** What the confirmation page shows of a pending link. */
    async pendingLink(flowCookie: string | undefined): Promise<z.output<typeof pendingLink>> {
      const flow = flowCookie ? await repo.peekFlow(sha256(flowCookie), 'link', ctx.clock.now()) : null;
      if (!flow) throw new NotFoundError('Aucune liaison de compte en attente : recommencez la connexion avec ProConnect.');
      const p = flow.pending as PendingIdentity;
      const user = await ctx.usersRepo.findById(p.userId);
      if (!user) throw new NotFoundError('Le compte à lier n’existe plus.');
      return { email: p.claims.email!, displayName: displayNameOf(p.claims), accountLogin: user.login, passwordRequired: !!user.passwordHash };
    },

    /**
     * The agent confirms that the existing account with the same e-mail is theirs (typing its password when
     * it has one): the ProConnect identity is linked and a session opened. One attempt per flow.
     */
    async confirmLink(flowCookie: string | undefined, body: { password?: string }, meta: RequestMeta, previousSession?: string) {
      const { cfg } = needConfigured();
      const flow = flowCookie ? await repo.takeFlow(sha256(flowCookie), 'link', ctx.clock.now()) : null;
      if (!flow) throw new NotFoundError('Aucune liaison de compte en attente : recommencez la connexion avec ProConnect.');
      const p = flow.pending as PendingIdentity;
      const user = await ctx.usersRepo.findById(p.userId);
      if (!user?.active) throw new ValidationError('Le compte à lier est désactivé ou n’existe plus.');
      if (user.passwordHash) {
        if (!body.password) throw fieldError('password', 'le mot de passe du compte Patrimoine est obligatoire');
        if (!(await verifyPassword(body.password, user.passwordHash))) {
          throw fieldError('password', 'le mot de passe est incorrect ; recommencez la connexion avec ProConnect');
        }
      }
      return ctx.db.transaction(async (tx) => {
        if (await repo.findIdentity(cfg.issuer, p.claims.sub, tx)) throw new ConflictError('Cette identité ProConnect est déjà liée à un compte.');
        const identity = await repo.insertIdentity(
          {
            userId: user.id,
            issuer: cfg.issuer,
            subject: p.claims.sub,
            idpId: p.claims.idpId,
            email: p.claims.email,
            siret: p.claims.siret,
            organisationLabel: p.claims.organisationLabel,
            lastAcr: p.claims.acr,
            lastLoginAt: ctx.clock.now(),
          },
          tx,
        );
        if (cfg.disableLocalPassword) await ctx.usersRepo.update(user.id, { localPasswordDisabled: true }, tx);
        await recordAudit(tx, {
          actor: { id: user.id, label: user.login },
          action: 'user.link_identity',
          entityType: 'user',
          entityId: user.id,
          after: { provider: PROVIDER, identityId: identity.id, idpId: p.claims.idpId, localPasswordDisabled: cfg.disableLocalPassword },
          requestId: meta.requestId,
        });
        return signIn(user, p.claims, p.idToken, meta, previousSession, p.returnTo, tx);
      });
    },

    /**
     * Signs out. A federated session also leaves ProConnect: the answer is the end-session URL (with
     * `id_token_hint` and a fresh state) the browser must go to, and the flow cookie to check the return.
     */
    async logout(principal: Principal, meta: RequestMeta): Promise<{ redirectUrl: string; cookie: string | null }> {
      const fed = principal.sessionId ? await ctx.auth.federatedSessionOf(principal.sessionId) : null;
      await ctx.auth.logout(principal, meta);
      if (!fed || !deps.client) return { redirectUrl: '/', cookie: null };
      const { cookie, state } = await newFlow('logout');
      try {
        return { redirectUrl: await deps.client.endSessionUrl(fed.idToken, state), cookie };
      } catch {
        // Provider unreachable: the local session is closed anyway.
        return { redirectUrl: '/connexion?deconnexion=1', cookie: null };
      }
    },

    /** The provider's return after end-session: the state must match the flow. */
    async logoutCallback(flowCookie: string | undefined, state: string | undefined): Promise<boolean> {
      const flow = flowCookie ? await repo.takeFlow(sha256(flowCookie), 'logout', ctx.clock.now()) : null;
      return !!flow && !!state && sameSecret(state, flow.state);
    },

    // ─── Administration: organisation rules and agents to place ─────────────────────────────

    async listRules(caller: Caller): Promise<z.output<typeof orgRule>[]> {
      isAdmin(caller);
      return (await repo.listRules()).map(({ r, code }) => ({ ...r, organisationCode: code }));
    },

    async createRule(caller: Caller, body: z.output<typeof orgRuleBody>, meta: RequestMeta) {
      const p = isAdmin(caller);
      const values = await checkRule(body);
      return ctx.db.transaction(async (tx) => {
        const r = await repo.insertRule(values, tx);
        if (!r) throw new ConflictError('Une règle existe déjà pour ce SIRET ou ce couple fournisseur d’identité / domaine.');
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'federation.rule.create',
          entityType: 'federation_org_rule',
          entityId: r.id,
          after: values,
          requestId: meta.requestId,
        });
        return r;
      });
    },

    async updateRule(caller: Caller, id: string, body: z.output<typeof orgRuleBody>, meta: RequestMeta) {
      const p = isAdmin(caller);
      const values = await checkRule(body);
      return ctx.db.transaction(async (tx) => {
        const before = await repo.findRule(id, tx);
        if (!before) throw new NotFoundError('Règle introuvable.');
        let r;
        try {
          r = await repo.updateRule(id, { ...values, updatedAt: ctx.clock.now() }, tx);
        } catch (err) {
          if ((err as { code?: string; cause?: { code?: string } }).code === '23505' || (err as { cause?: { code?: string } }).cause?.code === '23505') {
            throw new ConflictError('Une règle existe déjà pour ce SIRET ou ce couple fournisseur d’identité / domaine.');
          }
          throw err;
        }
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'federation.rule.update',
          entityType: 'federation_org_rule',
          entityId: id,
          before,
          after: values,
          requestId: meta.requestId,
        });
        return r!;
      });
    },

    async deleteRule(caller: Caller, id: string, meta: RequestMeta) {
      const p = isAdmin(caller);
      await ctx.db.transaction(async (tx) => {
        const before = await repo.findRule(id, tx);
        if (!before) throw new NotFoundError('Règle introuvable.');
        await repo.deleteRule(id, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'federation.rule.delete',
          entityType: 'federation_org_rule',
          entityId: id,
          before,
          requestId: meta.requestId,
        });
      });
    },

    async listToPlace(caller: Caller): Promise<z.output<typeof agentToPlace>[]> {
      isAdmin(caller);
      return (await repo.listPending()).map(({ i, u }) => ({
        identityId: i.id,
        userId: u.id,
        login: u.login,
        displayName: u.displayName,
        email: i.email,
        idpId: i.idpId,
        siret: i.siret,
        organisationLabel: i.organisationLabel,
        createdAt: i.createdAt,
      }));
    },

    /** Places a queued agent: organisation and role set, the identity leaves the queue (once). */
    async place(caller: Caller, identityId: string, body: { organisationId: string; role: Role }, meta: RequestMeta) {
      const p = isAdmin(caller);
      if (!(await ctx.organisations.findById(body.organisationId))) throw fieldError('organisationId', 'organisation inconnue');
      await ctx.db.transaction(async (tx) => {
        const i = await repo.clearPending(identityId, tx);
        if (!i) throw new ConflictError('Cet agent a déjà été placé (ou n’est pas dans la file).');
        const before = await ctx.usersRepo.findById(i.userId, tx);
        await ctx.usersRepo.update(i.userId, { organisationId: body.organisationId, role: body.role, updatedAt: ctx.clock.now() }, tx);
        // Sessions opened with the old role are closed: the new one applies at the next sign-in.
        await ctx.usersRepo.deleteSessionsOf(i.userId, null, tx);
        await recordAudit(tx, {
          actor: actorOf(p),
          action: 'federation.agent.place',
          entityType: 'user',
          entityId: i.userId,
          before: { organisationId: before?.organisationId ?? null, role: before?.role },
          after: body,
          requestId: meta.requestId,
        });
      });
    },

    /** Demo rules (`npm start`): the demo ProConnect accounts land in DNUM and DSR. */
    async seedDemo() {
      if ((await repo.countRules()) > 0) return;
      const dnum = await ctx.organisations.findByCode('DNUM');
      const dsr = await ctx.organisations.findByCode('DSR');
      await ctx.db.transaction(async (tx) => {
        if (dnum) await repo.insertRule({ idpId: 'demo-fi-interieur', emailDomain: 'interieur.gouv.fr', organisationId: dnum.id, role: 'admin' }, tx);
        if (dsr) await repo.insertRule({ siret: '13000000000019', organisationId: dsr.id, role: 'editor' }, tx);
        await recordAudit(tx, { actor: { id: null, label: 'system' }, action: 'federation.rule.seed_demo', entityType: 'federation_org_rule' });
      });
    },
  };

  async function checkRule(body: z.output<typeof orgRuleBody>) {
    const siret = body.siret ?? null;
    const idpId = body.idpId ?? null;
    const emailDomain = body.emailDomain ?? null;
    if (siret && (idpId || emailDomain)) throw fieldError('siret', 'une règle porte soit sur un SIRET, soit sur un fournisseur d’identité et un domaine');
    if (!siret && !(idpId && emailDomain)) {
      throw new ValidationError('Indiquez un SIRET, ou un fournisseur d’identité et un domaine de courriel.', [
        ...(idpId ? [] : [{ field: 'idpId', message: 'le fournisseur d’identité est obligatoire sans SIRET' }]),
        ...(emailDomain ? [] : [{ field: 'emailDomain', message: 'le domaine est obligatoire sans SIRET' }]),
      ]);
    }
    if (!(await ctx.organisations.findById(body.organisationId))) throw fieldError('organisationId', 'organisation inconnue');
    return { siret, idpId, emailDomain, organisationId: body.organisationId, role: body.role };
  }
}
export type FederationService = ReturnType<typeof createFederationService>;
