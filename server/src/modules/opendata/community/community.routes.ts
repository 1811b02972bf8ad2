import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as c from '@patrimoine/contracts/opendata';
import { idParams, noContent } from '@patrimoine/contracts/common';
import { routeGroup } from '../../../platform/auth/access.ts';
import { problems, requestMeta } from '../../../platform/http/common.ts';
import type { CommunityService } from './community.service.ts';

const tags = ['opendata'];

/**
 * Reuses and discussions of open datasets (A01): public reading; a signed-in user declares a reuse
 * or asks a question; the producer's editors answer, remove reuses and import from data.gouv.fr
 * (organisation checked in the service).
 */
export function communityRoutes(svc: CommunityService): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().get(
          '/api/opendata/datasets/:slug/community',
          {
            schema: {
              tags,
              operationId: 'getOpendataCommunity',
              summary: 'Reuses and discussions of an open dataset (declared here or imported from data.gouv.fr)',
              params: c.datasetSlugParams,
              response: { 200: c.community, ...problems },
            },
          },
          async (req) => svc.community(req.caller, req.params.slug),
        );
      }),
    );
    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/opendata/datasets/:slug/reuses',
          {
            schema: {
              tags,
              operationId: 'createOpendataReuse',
              summary: 'Declare a reuse of an open dataset (title, URL — a public http(s) address —, type, author)',
              params: c.datasetSlugParams,
              body: c.reuseCreateBody,
              response: { 201: c.reuse, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.addReuse(req.caller, req.params.slug, req.body, requestMeta(req))),
        );
        p.post(
          '/api/opendata/datasets/:slug/discussions',
          {
            schema: {
              tags,
              operationId: 'createOpendataDiscussion',
              summary: 'Ask the producer a public question about an open dataset (the asker’s name is shown)',
              params: c.datasetSlugParams,
              body: c.discussionCreateBody,
              response: { 201: c.discussion, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.ask(req.caller, req.params.slug, req.body, requestMeta(req))),
        );
      }),
    );
    await app.register(
      routeGroup({ roles: ['admin', 'data_admin', 'editor'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/opendata/discussions/:id/answers',
          {
            schema: {
              tags,
              operationId: 'answerOpendataDiscussion',
              summary: 'Answer a question as the producer (editor or data_admin of the dataset’s organisation), optionally closing it',
              params: idParams,
              body: c.discussionAnswerBody,
              response: { 200: c.discussion, ...problems },
            },
          },
          async (req) => svc.answer(req.caller, req.params.id, req.body, requestMeta(req)),
        );
        p.delete(
          '/api/opendata/reuses/:id',
          {
            schema: {
              tags,
              operationId: 'deleteOpendataReuse',
              summary: 'Remove a reuse (producer’s editors; audited)',
              params: idParams,
              response: { 204: noContent, ...problems },
            },
          },
          async (req, reply) => {
            await svc.removeReuse(req.caller, req.params.id, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
        p.post(
          '/api/opendata/datasets/:slug/community/import',
          {
            schema: {
              tags,
              operationId: 'importOpendataCommunity',
              summary: 'Import the reuses and discussions of a pushed dataset from data.gouv.fr',
              params: c.datasetSlugParams,
              response: { 200: c.communityImport, ...problems },
            },
          },
          async (req) => svc.requestImport(req.caller, req.params.slug, requestMeta(req)),
        );
      }),
    );
  };
}
