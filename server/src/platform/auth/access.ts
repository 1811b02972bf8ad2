import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal, type RequestCaller } from './principal.ts';
import type { Role } from '@patrimoine/contracts/platform';
import type { AuthService } from './auth.service.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

/**
 * Access rule of a route. Every route declares one, through the group it is registered in:
 * - `raw`: the platform does not authenticate (the module does its own: gateway data plane, OAuth2);
 * - `public`: anyone; the principal is resolved when credentials are present;
 * - `authenticated`: any signed-in account;
 * - `{ roles }`: one of these roles.
 * A route without a rule is refused (deny by default).
 */
export type Access = 'raw' | 'public' | 'authenticated' | { roles: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in account, or null (platform routes read it; modules pass `caller` to services). */
    principal: Principal | null;
    /** What services receive: the principal, or `ANONYMOUS`. Never the system. */
    caller: RequestCaller;
  }
}

export const SESSION_COOKIE = 'patrimoine_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Registers `fn`'s routes with `access` as their default rule: one mechanism per route group. */
export function routeGroup(access: Access, fn: FastifyPluginAsync): FastifyPluginAsync {
  return async (g) => {
    g.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), access: (route.config as { access?: Access } | undefined)?.access ?? access } as never;
    });
    await g.register(fn);
  };
}

/** Throws unless the principal has one of the roles. */
export function assertRole(p: Principal | null, roles: readonly Role[]): asserts p is Principal {
  if (!p) throw new UnauthorizedError('Connectez-vous pour accéder à cette ressource.');
  if (!roles.includes(p.role)) throw new ForbiddenError('Votre rôle ne permet pas cette action.');
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

/** Authentication (cookie session or bearer token) and authorization of every request. */
export const accessPlugin = fp<{ auth: AuthService }>(async (app: FastifyInstance, { auth }) => {
  app.decorateRequest('principal', null);
  app.decorateRequest('caller', {
    getter(this: FastifyRequest): RequestCaller {
      return this.principal ?? ANONYMOUS;
    },
  });
  const routes: { method: unknown; url: string; config?: { access?: Access } }[] = [];
  // Checked once the whole tree is registered (groups set their rule after this hook runs):
  // a route without a rule stops start-up instead of being discovered in production.
  app.addHook('onRoute', (route) => {
    routes.push(route as never);
  });
  app.addHook('onReady', async () => {
    const missing = routes.filter((r) => r.config?.access === undefined && r.method !== 'HEAD');
    if (missing.length) {
      throw new Error(`Routes without an access rule: ${missing.map((r) => `${String(r.method)} ${r.url}`).join(', ')}`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === 'raw') return;
    if (access === undefined) {
      // Unknown routes reach the not-found handler, which has no rule and must stay reachable.
      if (req.is404) return;
      req.log.error({ route: req.routeOptions.url }, 'route without access rule');
      throw new ForbiddenError('Cette route n’a pas de règle d’accès.');
    }
    const token = bearer(req);
    if (token) {
      req.principal = await auth.fromToken(token);
      if (!req.principal) throw new UnauthorizedError('Jeton d’API invalide, expiré ou révoqué.');
    } else {
      const cookie = req.cookies?.[SESSION_COOKIE];
      if (cookie) req.principal = await auth.fromSession(cookie);
    }
    if (req.principal?.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (sent !== req.principal.csrfToken) {
        throw new ForbiddenError('Jeton anti-CSRF absent ou invalide (en-tête X-CSRF-Token).');
      }
    }
    if (access === 'public') return;
    if (!req.principal) throw new UnauthorizedError('Connectez-vous pour accéder à cette ressource.');
    if (access !== 'authenticated') assertRole(req.principal, access.roles);
  });
});
