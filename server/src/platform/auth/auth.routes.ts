import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParams, noContent, problem } from '@patrimoine/contracts/common';
import { apiTokenList, changePasswordBody, createdToken, createTokenBody, loginBody, me, type Me } from '@patrimoine/contracts/platform';
import type { AppContext } from '../context.ts';
import { routeGroup, SESSION_COOKIE } from './access.ts';
import { requestMeta } from '../http/common.ts';
import type { PublicUser } from './users.repository.ts';
import { actorOf, requireUser, type Principal } from './principal.ts';
import { registerPasswordGate } from './password-gate.ts';

export function cookieSecure(ctx: AppContext, req: FastifyRequest): boolean {
  const s = ctx.env.PATRIMOINE_COOKIE_SECURE;
  return s === 'auto' ? req.protocol === 'https' : s === 'true';
}

export function setSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, token: string, expires: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieSecure(ctx, req),
    expires,
  });
}

function meOf(ctx: AppContext, u: PublicUser | null, csrfToken: string | null, principal?: Principal | null): Me {
  return {
    authenticated: !!u,
    assurance: principal?.assurance ?? null,
    user: u && {
      id: u.id,
      login: u.login,
      displayName: u.displayName,
      // The role the session acts with (a federated session below its role's acr acts as a reader).
      role: principal?.role ?? u.role,
      organisationId: u.organisationId,
      organisationCode: u.organisationCode,
      mustChangePassword: u.mustChangePassword,
    },
    csrfToken,
    orgName: ctx.env.PATRIMOINE_ORG_NAME,
  };
}

/** Errors a route documents (the transform adds a generic `default`). */
const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 429)[]) => Object.fromEntries(codes.map((c) => [c, problem])) as Record<number, typeof problem>;

/**
 * Login, logout, current identity, own password and personal API tokens; also installs, for every
 * route registered after it, the server-side enforcement of `mustChangePassword` (password-gate.ts):
 * the plugin is not encapsulated so that its hook reaches the admin and module routes.
 */
export function authRoutes(ctx: AppContext): FastifyPluginAsync {
  return fp(async (app) => {
    registerPasswordGate(app, ctx.auth);
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/auth/me',
          { schema: { tags: ['auth'], operationId: 'getCurrentIdentity', summary: 'Current identity (anonymous when signed out)', response: { 200: me } } },
          async (req) => {
            const pr = req.principal;
            return meOf(ctx, pr && (await ctx.users.get(pr.userId)), pr?.csrfToken ?? null, pr);
          },
        );

        p.post(
          '/api/auth/login',
          {
            schema: {
              tags: ['auth'],
              operationId: 'login',
              summary: 'Sign in with login and password (sets the session cookie)',
              body: loginBody,
              response: { 200: me, ...errors(400, 401, 429) },
            },
          },
          async (req, reply) => {
            const s = await ctx.auth.login(req.body.login, req.body.password, requestMeta(req));
            setSessionCookie(ctx, req, reply, s.token, s.expiresAt);
            return meOf(ctx, await ctx.users.get(s.user.id), s.csrfToken);
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/auth/logout',
          { schema: { tags: ['auth'], operationId: 'logout', summary: 'Sign out (closes the session)', response: { 204: noContent, ...errors(401) } } },
          async (req, reply) => {
            await ctx.auth.logout(requireUser(req.caller), requestMeta(req));
            reply.clearCookie(SESSION_COOKIE, { path: '/' });
            return reply.status(204).send(null);
          },
        );

        p.post(
          '/api/account/password',
          {
            schema: {
              tags: ['account'],
              operationId: 'changeOwnPassword',
              summary: 'Change own password (closes the other sessions, revokes the personal API tokens)',
              body: changePasswordBody,
              response: { 204: noContent, ...errors(400, 401) },
            },
          },
          async (req, reply) => {
            await ctx.auth.changePassword(requireUser(req.caller), req.body.currentPassword, req.body.newPassword, requestMeta(req));
            return reply.status(204).send(null);
          },
        );

        p.get(
          '/api/account/tokens',
          {
            schema: { tags: ['account'], operationId: 'listOwnApiTokens', summary: 'Own personal API tokens', response: { 200: apiTokenList, ...errors(401) } },
          },
          async (req) => ({ items: await ctx.usersRepo.listTokens(requireUser(req.caller).userId) }),
        );

        p.post(
          '/api/account/tokens',
          {
            schema: {
              tags: ['account'],
              operationId: 'createOwnApiToken',
              summary: 'Create a personal API token (its value is returned once)',
              body: createTokenBody,
              response: { 201: createdToken, ...errors(400, 401) },
            },
          },
          async (req, reply) => {
            const pr = requireUser(req.caller);
            const { token, row } = await ctx.auth.createToken(pr.userId, req.body.name, req.body.expiresInDays, actorOf(pr), requestMeta(req));
            return reply.status(201).send({ ...row, token });
          },
        );

        p.delete(
          '/api/account/tokens/:id',
          {
            schema: {
              tags: ['account'],
              operationId: 'revokeOwnApiToken',
              summary: 'Revoke a personal API token',
              params: idParams,
              response: { 204: noContent, ...errors(401, 404) },
            },
          },
          async (req, reply) => {
            const pr = requireUser(req.caller);
            await ctx.auth.revokeToken(pr.userId, req.params.id, actorOf(pr), requestMeta(req));
            return reply.status(204).send(null);
          },
        );
      }),
    );
  });
}
