import type { Role } from './auth.table.ts';

/** Who is making a request, however they authenticated (session cookie, API token, later OIDC). */
export interface Principal {
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  organisationId: string | null;
  /** How the request was authenticated: decides whether CSRF protection applies. */
  via: 'session' | 'token';
  sessionId?: string;
  csrfToken?: string;
}

/** Actor recorded in the audit log when no user acts (seed, CLI, jobs). */
export interface Actor {
  id: string | null;
  label: string;
}

export const systemActor: Actor = { id: null, label: 'system' };

export function actorOf(p: Principal | null | undefined): Actor {
  return p ? { id: p.userId, label: p.login } : systemActor;
}
