import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { routeGroup, SESSION_COOKIE } from './access.ts';
import { problems, requestMeta } from '../http/common.ts';
import { roles } from './auth.table.ts';

const meSchema = z.object({
  authenticated: z.boolean(),
  user: z
    .object({
      id: z.string(),
      login: z.string(),
      displayName: z.string(),
      role: z.enum(roles),
      organisationId: z.string().nullable(),
      organisationCode: z.string().nullable(),
      mustChangePassword: z.boolean(),
    })
    .nullable(),
  csrfToken: z.string().nullable().describe('Echo it in X-CSRF-Token on mutations made with the session cookie.'),
  orgName: z.string(),
});

const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

function cookieSecure(ctx: AppContext, req: FastifyRequest): boolean {
  const s = ctx.env.PATRIMOINE_COOKIE_SECURE;
  return s === 'auto' ? req.protocol === 'https' : s === 'true';
}

function setSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, token: string, expires: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieSecure(ctx, req),
    expires,
  });
}

/** Login, logout, current identity, own password and personal API tokens. */
export function authRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'Current identity', response: { 200: meSchema } } }, async (req) => {
          const pr = req.principal;
          let user = null;
          if (pr) {
            const u = await ctx.users.get(pr.userId);
            user = { ...pr, organisationCode: u.organisationCode, mustChangePassword: u.mustChangePassword };
          }
          return {
            authenticated: !!pr,
            user: user && {
              id: user.userId,
              login: user.login,
              displayName: user.displayName,
              role: user.role,
              organisationId: user.organisationId,
              organisationCode: user.organisationCode,
              mustChangePassword: user.mustChangePassword,
            },
            csrfToken: pr?.csrfToken ?? null,
            orgName: ctx.env.PATRIMOINE_ORG_NAME,
          };
        });

        p.post(
          '/api/auth/login',
          {
            schema: {
              tags: ['auth'],
              summary: 'Sign in with login and password (sets the session cookie)',
              body: z.object({ login: z.string().min(1).max(100), password: z.string().min(1).max(256) }),
              response: { 200: meSchema, ...problems, 429: problems[400] },
            },
          },
          async (req, reply) => {
            const s = await ctx.auth.login(req.body.login, req.body.password, requestMeta(req));
            setSessionCookie(ctx, req, reply, s.token, s.expiresAt);
            const u = await ctx.users.get(s.user.id);
            return {
              authenticated: true,
              user: {
                id: u.id,
                login: u.login,
                displayName: u.displayName,
                role: u.role,
                organisationId: u.organisationId,
                organisationCode: u.organisationCode,
                mustChangePassword: u.mustChangePassword,
              },
              csrfToken: s.csrfToken,
              orgName: ctx.env.PATRIMOINE_ORG_NAME,
            };
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post('/api/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } }, async (req, reply) => {
          await ctx.auth.logout(req.principal!, requestMeta(req));
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
          return reply.status(204).send(null);
        });

        p.post(
          '/api/account/password',
          {
            schema: {
              tags: ['account'],
              summary: 'Change own password',
              body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }),
              response: { 204: z.null(), ...problems },
            },
          },
          async (req, reply) => {
            await ctx.auth.changePassword(req.principal!, req.body.currentPassword, req.body.newPassword, requestMeta(req));
            return reply.status(204).send(null);
          },
        );

        p.get(
          '/api/account/tokens',
          { schema: { tags: ['account'], summary: 'Own personal API tokens', response: { 200: z.object({ items: z.array(tokenSchema) }) } } },
          async (req) => {
            const rows = await ctx.usersRepo.listTokens(req.principal!.userId);
            return {
              items: rows.map((t) => ({
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                createdAt: t.createdAt.toISOString(),
                expiresAt: t.expiresAt?.toISOString() ?? null,
                lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
                revokedAt: t.revokedAt?.toISOString() ?? null,
              })),
            };
          },
        );

        p.post(
          '/api/account/tokens',
          {
            schema: {
              tags: ['account'],
              summary: 'Create a personal API token (its value is returned once)',
              body: z.object({
                name: z.string().trim().min(1, 'le nom est obligatoire').max(100),
                expiresInDays: z.number().int().min(1).max(366).nullable().default(90),
              }),
              response: { 201: tokenSchema.extend({ token: z.string() }), ...problems },
            },
          },
          async (req, reply) => {
            const pr = req.principal!;
            const { token, row } = await ctx.auth.createToken(
              pr.userId,
              req.body.name,
              req.body.expiresInDays,
              { id: pr.userId, label: pr.login },
              requestMeta(req),
            );
            return reply.status(201).send({
              id: row.id,
              name: row.name,
              prefix: row.prefix,
              createdAt: row.createdAt.toISOString(),
              expiresAt: row.expiresAt?.toISOString() ?? null,
              lastUsedAt: null,
              revokedAt: null,
              token,
            });
          },
        );

        p.delete(
          '/api/account/tokens/:id',
          {
            schema: { tags: ['account'], summary: 'Revoke a personal API token', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...problems } },
          },
          async (req, reply) => {
            const pr = req.principal!;
            await ctx.auth.revokeToken(pr.userId, req.params.id, { id: pr.userId, label: pr.login }, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
