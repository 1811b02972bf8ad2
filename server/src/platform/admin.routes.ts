import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from './context.ts';
import { routeGroup } from './auth/access.ts';
import { actorOf } from './auth/principal.ts';
import { roles } from './auth/auth.table.ts';
import { paginationQuery, problems, sendCsv, wantsCsv } from './http/common.ts';
import { iterateAudit, listAudit } from './audit/audit.repository.ts';
import { toPublicJob } from './jobs/jobs.service.ts';
import { jobStates } from './jobs/jobs.table.ts';
import { recordAudit } from './audit/audit.repository.ts';
import { ConflictError, NotFoundError, fieldError } from './errors.ts';

const userSchema = z.object({
  id: z.string(),
  login: z.string(),
  email: z.string().nullable(),
  displayName: z.string(),
  role: z.enum(roles),
  organisationId: z.string().nullable(),
  organisationCode: z.string().nullable(),
  active: z.boolean(),
  authProvider: z.string(),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

const orgSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  parentId: z.string().nullable(),
  parentCode: z.string().nullable(),
});

const auditSchema = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});

const jobSchema = z.object({
  id: z.string(),
  type: z.string(),
  state: z.enum(jobStates),
  progress: z.object({ done: z.number().optional(), total: z.number().optional(), message: z.string().optional() }),
  result: z.unknown(),
  error: z.string().nullable(),
  attempts: z.number(),
  ownerId: z.string().nullable(),
  cancelRequested: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

const auditQuery = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  entityType: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  format: z.enum(['json', 'csv']).optional(),
});

/** Users and roles, organisations, audit log, jobs. */
export function adminRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    // Reference data readable by everyone (forms, filters, public pages).
    await app.register(
      routeGroup('public', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().get(
          '/api/organisations',
          {
            schema: {
              tags: ['organisations'],
              summary: 'Directorates and services of the ministry',
              response: { 200: z.object({ items: z.array(orgSchema) }) },
            },
          },
          async () => {
            const rows = await ctx.organisations.list();
            const byId = new Map(rows.map((o) => [o.id, o.code]));
            return {
              items: rows.map((o) => ({
                id: o.id,
                code: o.code,
                name: o.name,
                kind: o.kind,
                parentId: o.parentId,
                parentCode: o.parentId ? (byId.get(o.parentId) ?? null) : null,
              })),
            };
          },
        );
      }),
    );

    // Jobs: owners see theirs, admins all (checked in the service).
    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/jobs',
          {
            schema: {
              tags: ['jobs'],
              summary: 'Own jobs (all jobs for admins with ?all=true)',
              querystring: z.object({ type: z.string().max(100).optional(), state: z.enum(jobStates).optional(), all: z.coerce.boolean().optional() }),
              response: { 200: z.object({ items: z.array(jobSchema) }) },
            },
          },
          async (req) => {
            const pr = req.principal!;
            const all = req.query.all && pr.role === 'admin';
            const rows = await ctx.jobs.list({ ownerId: all ? undefined : pr.userId, type: req.query.type, state: req.query.state, limit: 100 });
            return { items: rows.map(toPublicJob) };
          },
        );
        p.get(
          '/api/jobs/:id',
          { schema: { tags: ['jobs'], summary: 'A job with its progress', params: z.object({ id: z.uuid() }), response: { 200: jobSchema, ...problems } } },
          async (req) => toPublicJob(await ctx.jobs.getFor(req.params.id, req.principal!)),
        );
        p.post(
          '/api/jobs/:id/cancel',
          { schema: { tags: ['jobs'], summary: 'Cancel a job', params: z.object({ id: z.uuid() }), response: { 200: jobSchema, ...problems } } },
          async (req) => {
            const j = await ctx.jobs.cancel(req.params.id, req.principal!);
            return toPublicJob(j!);
          },
        );
      }),
    );

    // Administration: admin only.
    await app.register(
      routeGroup({ roles: ['admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/admin/users',
          {
            schema: {
              tags: ['admin'],
              summary: 'List accounts',
              querystring: paginationQuery.extend({
                q: z.string().max(100).optional(),
                role: z.enum(roles).optional(),
                format: z.enum(['json', 'csv']).optional(),
              }),
              response: { 200: z.object({ items: z.array(userSchema), total: z.number() }) },
            },
          },
          async (req, reply) => {
            if (wantsCsv(req)) {
              const all = await ctx.users.list({ q: req.query.q, role: req.query.role, page: 1, pageSize: 100_000 });
              return sendCsv(
                reply,
                'utilisateurs.csv',
                [
                  { key: 'login', header: 'identifiant' },
                  { key: 'displayName', header: 'nom' },
                  { key: 'email', header: 'courriel' },
                  { key: 'role', header: 'rôle' },
                  { key: 'organisationCode', header: 'organisation' },
                  { key: 'active', header: 'actif' },
                  { key: 'lastLoginAt', header: 'dernière connexion' },
                ],
                all.items,
              );
            }
            return ctx.users.list({ q: req.query.q, role: req.query.role, page: req.query.page, pageSize: req.query.pageSize });
          },
        );
        p.post(
          '/api/admin/users',
          {
            schema: {
              tags: ['admin'],
              summary: 'Create an account (a password is generated and returned once when none is given)',
              body: z.object({
                login: z.string().min(1).max(63),
                displayName: z.string().min(1).max(200),
                email: z.email().max(200).nullable().optional(),
                role: z.enum(roles),
                organisationCode: z.string().max(20).nullable().optional(),
                password: z.string().max(256).optional(),
              }),
              response: { 201: z.object({ user: userSchema, password: z.string().optional() }), ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await ctx.users.create(req.body, actorOf(req.caller), req.id)),
        );
        p.patch(
          '/api/admin/users/:id',
          {
            schema: {
              tags: ['admin'],
              summary: 'Update an account (role, organisation, activation)',
              params: z.object({ id: z.uuid() }),
              body: z.object({
                displayName: z.string().min(1).max(200).optional(),
                email: z.email().max(200).nullable().optional(),
                role: z.enum(roles).optional(),
                organisationCode: z.string().max(20).nullable().optional(),
                active: z.boolean().optional(),
              }),
              response: { 200: userSchema, ...problems },
            },
          },
          async (req) => ctx.users.update(req.params.id, req.body, actorOf(req.caller), req.id),
        );
        p.post(
          '/api/admin/users/:id/reset-password',
          {
            schema: {
              tags: ['admin'],
              summary: 'Reset an account’s password (generated, returned once)',
              params: z.object({ id: z.uuid() }),
              response: { 200: z.object({ login: z.string(), password: z.string().optional() }), ...problems },
            },
          },
          async (req) => {
            const u = await ctx.users.get(req.params.id);
            return ctx.users.resetPassword(u.login, actorOf(req.caller), undefined, req.id);
          },
        );

        p.post(
          '/api/admin/organisations',
          {
            schema: {
              tags: ['organisations'],
              summary: 'Add an organisation',
              body: z.object({
                code: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{1,19}$/, 'code en majuscules, 2 à 20 caractères'),
                name: z.string().min(2).max(300),
                kind: z.string().min(2).max(40).default('direction'),
                parentCode: z.string().max(20).nullable().optional(),
              }),
              response: { 201: orgSchema, ...problems },
            },
          },
          async (req, reply) => {
            const b = req.body;
            const o = await ctx.db.transaction(async (tx) => {
              if (await ctx.organisations.findByCode(b.code, tx)) throw new ConflictError(`L’organisation ${b.code} existe déjà.`);
              const parent = b.parentCode ? await ctx.organisations.findByCode(b.parentCode, tx) : null;
              if (b.parentCode && !parent) throw new NotFoundError(`Organisation parente ${b.parentCode} inconnue.`);
              const row = await ctx.organisations.insert({ code: b.code, name: b.name, kind: b.kind, parentId: parent?.id ?? null }, tx);
              await recordAudit(tx, {
                actor: actorOf(req.caller),
                action: 'organisation.create',
                entityType: 'organisation',
                entityId: row.code,
                after: row,
                requestId: req.id,
              });
              return { ...row, parentCode: parent?.code ?? null };
            });
            return reply.status(201).send({ id: o.id, code: o.code, name: o.name, kind: o.kind, parentId: o.parentId, parentCode: o.parentCode });
          },
        );

        p.patch(
          '/api/admin/organisations/:code',
          {
            schema: {
              tags: ['organisations'],
              summary: 'Rename an organisation or change its parent',
              params: z.object({ code: z.string().max(20) }),
              body: z.object({
                name: z.string().min(2).max(300).optional(),
                kind: z.string().min(2).max(40).optional(),
                parentCode: z.string().max(20).nullable().optional(),
              }),
              response: { 200: orgSchema, ...problems },
            },
          },
          async (req) => {
            const b = req.body;
            return ctx.db.transaction(async (tx) => {
              const before = await ctx.organisations.findByCode(req.params.code, tx);
              if (!before) throw new NotFoundError(`Organisation ${req.params.code} inconnue.`);
              let parentId = before.parentId;
              if (b.parentCode !== undefined) {
                const parent = b.parentCode ? await ctx.organisations.findByCode(b.parentCode, tx) : null;
                if (b.parentCode && !parent) throw fieldError('parentCode', `organisation parente ${b.parentCode} inconnue`);
                // Refuse cycles: the new parent may not be the organisation itself or one of its descendants.
                for (let p = parent; p; p = p.parentId ? await ctx.organisations.findById(p.parentId, tx) : null) {
                  if (p.id === before.id) throw fieldError('parentCode', 'une organisation ne peut pas dépendre d’elle-même');
                }
                parentId = parent?.id ?? null;
              }
              const after = await ctx.organisations.update(before.id, { name: b.name ?? before.name, kind: b.kind ?? before.kind, parentId }, tx);
              await recordAudit(tx, {
                actor: actorOf(req.caller),
                action: 'organisation.update',
                entityType: 'organisation',
                entityId: before.code,
                before,
                after,
                requestId: req.id,
              });
              const parent = after!.parentId ? await ctx.organisations.findById(after!.parentId, tx) : null;
              return { id: after!.id, code: after!.code, name: after!.name, kind: after!.kind, parentId: after!.parentId, parentCode: parent?.code ?? null };
            });
          },
        );

        p.get(
          '/api/admin/audit',
          {
            schema: {
              tags: ['admin'],
              summary: 'Audit log (JSON page, or the whole filtered log as CSV with ?format=csv)',
              querystring: paginationQuery.merge(auditQuery),
              response: { 200: z.object({ items: z.array(auditSchema), total: z.number() }) },
            },
          },
          async (req, reply) => {
            const { page, pageSize, format: _f, ...filters } = req.query;
            if (wantsCsv(req)) {
              return sendCsv(
                reply,
                'journal-audit.csv',
                [
                  { key: 'at', header: 'date' },
                  { key: 'actorLabel', header: 'acteur' },
                  { key: 'action', header: 'action' },
                  { key: 'entityType', header: 'type' },
                  { key: 'entityId', header: 'identifiant' },
                  { key: 'before', header: 'avant' },
                  { key: 'after', header: 'après' },
                  { key: 'ip', header: 'ip' },
                  { key: 'requestId', header: 'requête' },
                ],
                iterateAudit(ctx.db, filters),
              );
            }
            const r = await listAudit(ctx.db, { ...filters, page, pageSize });
            return { total: r.total, items: r.items.map((e) => ({ ...e, at: e.at.toISOString() })) };
          },
        );
      }),
    );
  };
}
