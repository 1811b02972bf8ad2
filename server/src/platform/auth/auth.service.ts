import type { Db } from '../../db/client.ts';
import type { Clock } from '../clock.ts';
import { MemoryCounterStore, type CounterStore } from '../counters.ts';
import { TooManyRequestsError, UnauthorizedError, ValidationError, NotFoundError, fieldError } from '../errors.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { hashPassword, needsRehash, passwordProblem, randomToken, sha256, verifyPassword } from './password.ts';
import type { UsersRepository, UserRow } from './users.repository.ts';
import { principalOfUser, type Principal, type Actor } from './principal.ts';

export interface AuthConfig {
  sessionTtlHours: number;
  scryptN: number;
  /** Failed logins allowed per account, then per IP, within the window. */
  maxFailuresPerAccount?: number;
  maxFailuresPerIp?: number;
  failureWindowMs?: number;
  /**
   * acr values accepted per role for federated sessions (ADR 0011): a session whose acr is not listed for
   * the account's role acts as a `reader`. A role absent from the map accepts any acr.
   */
  acrPolicy?: Readonly<Record<string, readonly string[]>>;
}

/** What a federated sign-in adds to a session. */
export interface FederatedSession {
  provider: string;
  acr: string | null;
  amr: string[];
  idToken: string;
  /** Upper bound of the session's lifetime (ProConnect's own session lasts 12 h). */
  maxTtlHours: number;
}

export interface RequestMeta {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

/** An identity asserted by an external provider (OpenID Connect: ProConnect…). */
export interface ExternalIdentity {
  provider: string;
  subject: string;
  email?: string;
  displayName: string;
}

export const TOKEN_PREFIX = 'pat_';

/**
 * The login throttle's counters, failing open onto this node's own memory when the shared store
 * (Redis) does not answer — ADR 0401's default policy, ADR 0003: sign-in keeps working and stays
 * throttled, per node (with k nodes, up to k× the attempts) until Redis is back.
 */
function failOpenCounters(shared: CounterStore, onFallback: (err: unknown) => void) {
  const local = new MemoryCounterStore();
  let fallbacks = 0;
  const guard =
    <A extends unknown[], R>(f: (s: CounterStore, ...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await f(shared, ...a);
      } catch (err) {
        fallbacks++;
        onFallback(err);
        return f(local, ...a);
      }
    };
  return {
    store: {
      incr: guard((s, key: string, windowMs: number, cost?: number) => s.incr(key, windowMs, cost)),
      get: guard((s, key: string) => s.get(key)),
      reset: guard((s, key: string) => s.reset(key)),
    } satisfies CounterStore,
    fallbacks: () => fallbacks,
  };
}

function principalOf(u: UserRow, via: Principal['via'], extra: Pick<Principal, 'sessionId' | 'csrfToken' | 'assurance'> = {}): Principal {
  const p = principalOfUser(u, via, extra);
  // A federated session below its role's required level acts as a reader (ADR 0011).
  return extra.assurance?.elevationRequired ? { ...p, role: 'reader' } : p;
}

/** True when a session asserting `acr` is strong enough for `role` under `policy`. */
export function acrSatisfies(policy: Readonly<Record<string, readonly string[]>> | undefined, role: string, acr: string | null): boolean {
  const accepted = policy?.[role];
  if (!accepted) return true;
  return acr !== null && accepted.includes(acr);
}

/**
 * Authentication: password login, sessions, personal API tokens, and the entry point for external
 * identity providers. Modules never see how a principal authenticated, only the Principal.
 */
export function createAuthService(deps: {
  db: Db;
  users: UsersRepository;
  clock: Clock;
  counters: CounterStore;
  config: AuthConfig;
  /** Told when the shared counter store fails and this node's memory is used instead. */
  logger?: { warn(obj: object, msg: string): void };
}) {
  const { db, users, clock, config } = deps;
  let lastWarn = 0;
  const throttle = failOpenCounters(deps.counters, (err) => {
    // At most one line a minute: a Redis outage must not flood the log with one line per login.
    if (Date.now() - lastWarn < 60_000) return;
    lastWarn = Date.now();
    deps.logger?.warn(
      { err: err instanceof Error ? { message: err.message } : String(err) },
      'login throttle: shared counters unavailable, counting on this node',
    );
  });
  const counters = throttle.store;
  const maxAccount = config.maxFailuresPerAccount ?? 5;
  const maxIp = config.maxFailuresPerIp ?? 30;
  const windowMs = config.failureWindowMs ?? 15 * 60_000;
  // A hash to verify against when the account does not exist, so timing does not reveal it.
  let dummyHash: Promise<string> | null = null;
  // Principals of accounts whose password an administrator chose: they may only change it (see password-gate.ts).
  const mustChange = new WeakSet<Principal>();
  const resolved = (u: UserRow, p: Principal) => {
    if (u.mustChangePassword) mustChange.add(p);
    return p;
  };
  const getDummy = () => (dummyHash ??= hashPassword(randomToken(), config.scryptN));

  async function openSession(tx: Db, user: UserRow, meta: RequestMeta, fed?: FederatedSession) {
    const token = randomToken(32);
    const csrfToken = randomToken(24);
    const now = clock.now();
    const ttlHours = fed ? Math.min(config.sessionTtlHours, fed.maxTtlHours) : config.sessionTtlHours;
    const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
    await users.insertSession(
      {
        id: sha256(token),
        userId: user.id,
        csrfToken,
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
        expiresAt,
        ...(fed ? { provider: fed.provider, acr: fed.acr, amr: fed.amr.join(' ').slice(0, 200), idToken: fed.idToken } : {}),
      },
      tx,
    );
    const assurance = fed ? { provider: fed.provider, acr: fed.acr, elevationRequired: !acrSatisfies(config.acrPolicy, user.role, fed.acr) } : undefined;
    return { token, csrfToken, expiresAt, principal: principalOf(user, 'session', { sessionId: sha256(token), csrfToken, assurance }) };
  }

  return {
    /** How many counter operations fell back to this node's memory (shared store down). */
    throttleFallbacks: throttle.fallbacks,

    /** Password login. The error never says whether the account exists. */
    async login(login: string, password: string, meta: RequestMeta) {
      const accountKey = `login:acct:${login.toLowerCase()}`;
      const ipKey = `login:ip:${meta.ip ?? 'unknown'}`;
      const [acct, ip] = await Promise.all([counters.get(accountKey), counters.get(ipKey)]);
      if (acct >= maxAccount || ip >= maxIp) {
        throw new TooManyRequestsError('Trop de tentatives de connexion. Réessayez dans quelques minutes.', Math.ceil(windowMs / 1000));
      }
      const user = await users.findByLogin(login);
      const ok =
        user && user.active && user.passwordHash && !user.localPasswordDisabled
          ? await verifyPassword(password, user.passwordHash)
          : (await verifyPassword(password, await getDummy()), false);
      if (!ok || !user) {
        await Promise.all([counters.incr(accountKey, windowMs), counters.incr(ipKey, windowMs)]);
        throw new UnauthorizedError('Identifiant ou mot de passe incorrect.');
      }
      await counters.reset(accountKey);
      return db.transaction(async (tx) => {
        const rehash = needsRehash(user.passwordHash!, config.scryptN) ? await hashPassword(password, config.scryptN) : undefined;
        await users.update(user.id, { lastLoginAt: clock.now(), ...(rehash ? { passwordHash: rehash } : {}) }, tx);
        const s = await openSession(tx, user, meta);
        await recordAudit(tx, {
          actor: { id: user.id, label: user.login },
          action: 'auth.login',
          entityType: 'user',
          entityId: user.id,
          requestId: meta.requestId,
          ip: meta.ip,
        });
        return { ...s, user };
      });
    },

    /**
     * Sign-in through an external identity provider (OpenID Connect). The account is found by
     * (provider, subject), or provisioned as a `reader`; an administrator then grants roles.
     */
    async signInExternal(identity: ExternalIdentity, meta: RequestMeta) {
      return db.transaction(async (tx) => {
        let user = await users.findByExternal(identity.provider, identity.subject, tx);
        if (!user) {
          const base = (identity.email?.split('@')[0] ?? identity.subject).toLowerCase().replace(/[^a-z0-9._-]/g, '');
          let login = base || 'agent';
          for (let i = 2; await users.findByLogin(login, tx); i++) login = `${base}${i}`;
          user = await users.insert(
            {
              login,
              email: identity.email ?? null,
              displayName: identity.displayName,
              role: 'reader',
              authProvider: identity.provider,
              externalSubject: identity.subject,
            },
            tx,
          );
          await recordAudit(tx, {
            actor: { id: user.id, label: user.login },
            action: 'user.provision',
            entityType: 'user',
            entityId: user.id,
            after: { login, provider: identity.provider },
            requestId: meta.requestId,
          });
        }
        if (!user.active) throw new UnauthorizedError('Ce compte est désactivé.');
        await users.update(user.id, { lastLoginAt: clock.now() }, tx);
        return { ...(await openSession(tx, user, meta)), user };
      });
    },

    /**
     * Opens a session after a federated sign-in (ProConnect), in the caller's transaction: lifetime capped
     * by the provider's, acr/amr and ID token kept, and the session the browser had before closed (the
     * session id is rotated at every sign-in). The caller records the audit entry.
     */
    async openFederatedSession(tx: Db, user: UserRow, fed: FederatedSession, meta: RequestMeta, previousSessionToken?: string) {
      if (!user.active) throw new UnauthorizedError('Ce compte est désactivé.');
      if (previousSessionToken) await users.deleteSession(sha256(previousSessionToken), tx);
      await users.update(user.id, { lastLoginAt: clock.now() }, tx);
      return openSession(tx, user, meta, fed);
    },

    /** The ID token of a federated session (for the provider's end-session redirect), or null. */
    async federatedSessionOf(sessionId: string) {
      const s = await users.findSessionById(sessionId);
      return s?.provider && s.idToken ? { provider: s.provider, idToken: s.idToken } : null;
    },

    /** acr values a role needs in a federated session, or null when any acr will do. */
    requiredAcr(role: string): readonly string[] | null {
      return config.acrPolicy?.[role] ?? null;
    },

    async logout(principal: Principal, meta: RequestMeta) {
      if (!principal.sessionId) return;
      await db.transaction(async (tx) => {
        await users.deleteSession(principal.sessionId!, tx);
        await recordAudit(tx, {
          actor: { id: principal.userId, label: principal.login },
          action: 'auth.logout',
          entityType: 'user',
          entityId: principal.userId,
          requestId: meta.requestId,
        });
      });
    },

    /** Resolves a session cookie value to a principal, or null. */
    async fromSession(token: string): Promise<Principal | null> {
      const r = await users.findSession(sha256(token), clock.now());
      if (!r) return null;
      const assurance = r.s.provider
        ? { provider: r.s.provider, acr: r.s.acr, elevationRequired: !acrSatisfies(config.acrPolicy, r.u.role, r.s.acr) }
        : undefined;
      return resolved(r.u, principalOf(r.u, 'session', { sessionId: r.s.id, csrfToken: r.s.csrfToken, assurance }));
    },

    /** True when the request's account must change its password before doing anything else. */
    mustChangePassword(p: Principal): boolean {
      return mustChange.has(p);
    },

    /** Resolves a personal API token to a principal, or null when unknown, expired or revoked. */
    async fromToken(token: string): Promise<Principal | null> {
      if (!token.startsWith(TOKEN_PREFIX)) return null;
      const r = await users.findToken(sha256(token));
      if (!r || r.t.revokedAt) return null;
      const now = clock.now();
      if (r.t.expiresAt && r.t.expiresAt <= now) return null;
      // Touch at most once a minute: a script hammering the API must not turn reads into writes.
      if (!r.t.lastUsedAt || now.getTime() - r.t.lastUsedAt.getTime() > 60_000) {
        await users.updateToken(r.t.id, { lastUsedAt: now });
      }
      return resolved(r.u, principalOf(r.u, 'token'));
    },

    /** Creates a personal API token; the plaintext is returned once and never stored. */
    async createToken(userId: string, name: string, expiresInDays: number | null, actor: Actor, meta: RequestMeta = {}) {
      if (!name.trim()) throw fieldError('name', 'le nom est obligatoire');
      const user = await users.findById(userId);
      if (!user) throw new NotFoundError('Utilisateur introuvable.');
      const token = TOKEN_PREFIX + randomToken(32);
      const expiresAt = expiresInDays ? new Date(clock.now().getTime() + expiresInDays * 86400_000) : null;
      return db.transaction(async (tx) => {
        const row = await users.insertToken({ userId, name: name.trim(), prefix: token.slice(0, 12), tokenHash: sha256(token), expiresAt }, tx);
        await recordAudit(tx, {
          actor,
          action: 'token.create',
          entityType: 'api_token',
          entityId: row.id,
          after: { name: row.name, prefix: row.prefix, userId, expiresAt },
          requestId: meta.requestId,
        });
        return { token, row };
      });
    },

    async revokeToken(userId: string, tokenId: string, actor: Actor, meta: RequestMeta = {}) {
      await db.transaction(async (tx) => {
        const t = await users.findTokenById(tokenId, tx);
        if (!t || t.userId !== userId) throw new NotFoundError('Jeton introuvable.');
        if (t.revokedAt) return;
        await users.updateToken(tokenId, { revokedAt: clock.now() }, tx);
        await recordAudit(tx, {
          actor,
          action: 'token.revoke',
          entityType: 'api_token',
          entityId: tokenId,
          before: { name: t.name, prefix: t.prefix },
          requestId: meta.requestId,
        });
      });
    },

    /**
     * Changes one's own password: the other sessions are closed and the personal API tokens revoked
     * (whoever knew the old password may have made some); the current session stays open.
     */
    async changePassword(principal: Principal, current: string, next: string, meta: RequestMeta = {}) {
      const user = await users.findById(principal.userId);
      if (!user?.passwordHash) throw new ValidationError('Ce compte n’a pas de mot de passe local.');
      if (!(await verifyPassword(current, user.passwordHash))) {
        throw fieldError('currentPassword', 'le mot de passe actuel est incorrect');
      }
      const problem = passwordProblem(next, user.login);
      if (problem) throw fieldError('newPassword', problem);
      const hash = await hashPassword(next, config.scryptN);
      await db.transaction(async (tx) => {
        await users.update(user.id, { passwordHash: hash, mustChangePassword: false }, tx);
        await users.deleteSessionsOf(user.id, principal.sessionId ?? null, tx);
        const revokedTokens = await users.revokeTokensOf(user.id, tx);
        await recordAudit(tx, {
          actor: { id: user.id, label: user.login },
          action: 'user.change_password',
          entityType: 'user',
          entityId: user.id,
          after: { personalCredentialsRevoked: revokedTokens },
          requestId: meta.requestId,
        });
      });
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
