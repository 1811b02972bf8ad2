import type { FastifyInstance } from 'fastify';
import type { Access } from './access.ts';
import type { AuthService } from './auth.service.ts';
import { ForbiddenError } from '../errors.ts';

/** What an account whose password an administrator chose may still do: see who it is, change it, leave. */
export const ALLOWED_WHILE_PASSWORD_MUST_CHANGE = new Set(['getCurrentIdentity', 'changeOwnPassword', 'logout']);

/**
 * Enforces `mustChangePassword` on the server (the web app's redirect is only a convenience): while it
 * is set, a session or token of the account gets a 403 on every API route but the three above. Pages
 * and public files outside `/api/` are served as to an anonymous visitor. Runs after the access
 * plugin's hook, which resolved the principal; routes the platform does not authenticate (`raw`) and
 * unknown routes are left alone.
 */
export function registerPasswordGate(app: FastifyInstance, auth: AuthService) {
  app.addHook('onRequest', async (req) => {
    const p = req.principal;
    if (!p || !auth.mustChangePassword(p)) return;
    const access = req.routeOptions.config?.access as Access | undefined;
    if (access === undefined || access === 'raw') return;
    const operationId = (req.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
    if (operationId && ALLOWED_WHILE_PASSWORD_MUST_CHANGE.has(operationId)) return;
    if (access === 'public' && !(req.routeOptions.url ?? '').startsWith('/api/')) {
      req.principal = null;
      return;
    }
    throw new ForbiddenError(
      'Changez votre mot de passe : il a été choisi par un administrateur et doit être remplacé avant toute autre action (POST /api/account/password).',
    );
  });
}
