import type { Role } from '@patrimoine/contracts/platform';
import { SYSTEM_ACTOR_LABEL } from '@patrimoine/contracts/platform';
import { UnauthorizedError } from '../errors.ts';

/** A signed-in account making a request, however it authenticated (session cookie, API token, later OIDC). */
export interface Principal {
  kind: 'user';
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  organisationId: string | null;
  /** How the request was authenticated: decides whether CSRF protection applies. */
  via: 'session' | 'token';
  sessionId?: string;
  csrfToken?: string;
  /**
   * Federated session (ProConnect): the acr asserted, and whether the account's role needs a stronger one
   * (ADR 0011) — then `role` is `reader` until the agent signs in again with MFA.
   */
  assurance?: { provider: string; acr: string | null; elevationRequired: boolean };
}

/** A request with no credentials: a visitor of the public pages. Entitled to public things only. */
export interface AnonymousCaller {
  kind: 'anonymous';
}

/** The platform itself (seed, CLI, jobs, reference imports): never reachable from an HTTP request. */
export interface SystemCaller {
  kind: 'system';
  label: string;
}

/**
 * Who calls a service. There is no `null`: an HTTP request yields a `Principal` or `ANONYMOUS`
 * (`callerOf`), and only in-process code (seed, CLI, jobs) holds `SYSTEM`. Services decide on
 * `kind`, so an anonymous request can never take the system's path.
 */
export type Caller = Principal | AnonymousCaller | SystemCaller;
/** What an HTTP request can be: a signed-in account or an anonymous visitor, never the system. */
export type RequestCaller = Principal | AnonymousCaller;

export const ANONYMOUS: AnonymousCaller = Object.freeze({ kind: 'anonymous' as const });
export const SYSTEM: SystemCaller = Object.freeze({ kind: 'system' as const, label: SYSTEM_ACTOR_LABEL });

export const isUser = (c: Caller): c is Principal => c.kind === 'user';
export const isSystem = (c: Caller): c is SystemCaller => c.kind === 'system';
export const isAnonymous = (c: Caller): c is AnonymousCaller => c.kind === 'anonymous';

/** The signed-in account, or 401 for an anonymous visitor. The system is not a user: callers that accept it test `isSystem` first. */
export function requireUser(c: Caller): Principal {
  if (c.kind === 'user') return c;
  throw new UnauthorizedError('Connectez-vous pour accéder à cette ressource.');
}

/** Actor recorded in the audit log. */
export interface Actor {
  id: string | null;
  label: string;
}

export const systemActor: Actor = { id: null, label: SYSTEM_ACTOR_LABEL };
const anonymousActor: Actor = { id: null, label: 'anonymous' };

export function actorOf(c: Caller): Actor {
  switch (c.kind) {
    case 'user':
      return { id: c.userId, label: c.login };
    case 'system':
      return { id: null, label: c.label };
    case 'anonymous':
      return anonymousActor;
  }
}

/** The principal of an account, for in-process code acting as a given user (demo content, tests). */
export function principalOfUser(
  u: { id: string; login: string; displayName: string; role: Role; organisationId: string | null },
  via: Principal['via'] = 'token',
  extra: Pick<Principal, 'sessionId' | 'csrfToken' | 'assurance'> = {},
): Principal {
  return { kind: 'user', userId: u.id, login: u.login, displayName: u.displayName, role: u.role, organisationId: u.organisationId, via, ...extra };
}
