import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParams, problem } from '@patrimoine/contracts/common';
import {
  auditPage,
  auditQuery,
  createdUser,
  createOrganisationBody,
  createUserBody,
  job,
  jobList,
  jobListQuery,
  organisation,
  organisationCodeParams,
  organisationList,
  passwordReset,
  updateOrganisationBody,
  updateUserBody,
  user,
  userList,
  userListQuery,
} from '@patrimoine/contracts/platform';
import type { AppContext } from './context.ts';
import { routeGroup } from './auth/access.ts';
import { actorOf, requireUser } from './auth/principal.ts';
import { sendCsv, wantsCsv } from './http/common.ts';
import { iterateAudit, listAudit, recordAudit } from './audit/audit.repository.ts';
import { ConflictError, NotFoundError, fieldError } from './errors.ts';

/** Errors a route documents (the transform adds a generic `default`). */
const errors = (...codes: (400 | 401 | 403 | 404 | 409)[]) => Object.fromEntries(codes.map((c) => [c, problem])) as Record<number, typeof problem>;

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
              operationId: 'listOrganisations',
              summary: 'Directorates and services of the ministry',
              response: { 200: organisationList },
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
              operationId: 'listJobs',
              summary: 'Own jobs (all jobs for admins with ?all=true)',
              querystring: jobListQuery,
              response: { 200: jobList, ...errors(400, 401) },
            },
          },
          async (req) => {
            const pr = requireUser(req.caller);
            const all = req.query.all === 'true' && pr.role === 'admin';
            const rows = await ctx.jobs.list({ ownerId: all ? undefined : pr.userId, type: req.query.type, state: req.query.state, limit: 100 });
            return { items: rows.map((r) => ctx.jobs.present(r)) };
          },
        );
        p.get(
          '/api/jobs/:id',
          {
            schema: {
              tags: ['jobs'],
              operationId: 'getJob',
              summary: 'A job with its progress',
              params: idParams,
              response: { 200: job, ...errors(401, 403, 404) },
            },
          },
          async (req) => ctx.jobs.present(await ctx.jobs.getFor(req.params.id, req.caller)),
        );
        p.post(
          '/api/jobs/:id/cancel',
          {
            schema: { tags: ['jobs'], operationId: 'cancelJob', summary: 'Cancel a job', params: idParams, response: { 200: job, ...errors(401, 403, 404) } },
          },
          async (req) => {
            const j = await ctx.jobs.cancel(req.params.id, req.caller);
            if (!j) throw new NotFoundError('Tâche introuvable.');
            return ctx.jobs.present(j);
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
              operationId: 'listUsers',
              summary: 'List accounts (JSON page, or every matching account as CSV with ?format=csv)',
              querystring: userListQuery,
              response: { 200: userList, ...errors(400, 401, 403) },
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
              operationId: 'createUser',
              summary: 'Create an account (a password is generated and returned once when none is given)',
              body: createUserBody,
              response: { 201: createdUser, ...errors(400, 401, 403, 409) },
            },
          },
          async (req, reply) => reply.status(201).send(await ctx.users.create(req.body, actorOf(req.caller), req.id)),
        );
        p.patch(
          '/api/admin/users/:id',
          {
            schema: {
              tags: ['admin'],
              operationId: 'updateUser',
              summary: 'Update an account (role, organisation, activation)',
              params: idParams,
              body: updateUserBody,
              response: { 200: user, ...errors(400, 401, 403, 404) },
            },
          },
          async (req) => ctx.users.update(req.params.id, req.body, actorOf(req.caller), req.id),
        );
        p.post(
          '/api/admin/users/:id/reset-password',
          {
            schema: {
              tags: ['admin'],
              operationId: 'resetUserPassword',
              summary: 'Reset an account’s password (generated, returned once; closes its sessions, revokes its personal API tokens)',
              params: idParams,
              response: { 200: passwordReset, ...errors(401, 403, 404) },
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
              operationId: 'createOrganisation',
              summary: 'Add an organisation',
              body: createOrganisationBody,
              response: { 201: organisation, ...errors(400, 401, 403, 404, 409) },
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
              operationId: 'updateOrganisation',
              summary: 'Rename an organisation or change its parent',
              params: organisationCodeParams,
              body: updateOrganisationBody,
              response: { 200: organisation, ...errors(400, 401, 403, 404) },
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
              operationId: 'listAuditEntries',
              summary: 'Audit log (JSON page, or the whole filtered log as CSV with ?format=csv)',
              querystring: auditQuery,
              response: { 200: auditPage, ...errors(400, 401, 403) },
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
            return r;
          },
        );
      }),
    );
  };
}
