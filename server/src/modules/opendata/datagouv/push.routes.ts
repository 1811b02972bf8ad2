import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '@patrimoine/contracts/opendata';
import { routeGroup } from '../../../platform/auth/access.ts';
import { problems, requestMeta } from '../../../platform/http/common.ts';
import type { DatagouvPushService } from './push.ts';

const tags = ['opendata'];
const orgParams = z.object({ organisationId: z.uuid() });

/** The organisations' data.gouv.fr accounts (data_admin) and the push of a dataset (editor, data_admin). */
export function datagouvPushRoutes(svc: DatagouvPushService): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup({ roles: ['admin', 'data_admin', 'editor'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/opendata/datagouv/accounts/:organisationId',
          {
            schema: {
              tags,
              operationId: 'getDatagouvAccount',
              summary: 'The organisation’s data.gouv.fr account (the API key is never returned)',
              params: orgParams,
              response: { 200: c.datagouvAccount, ...problems },
            },
          },
          async (req) => svc.getAccount(req.caller, req.params.organisationId),
        );
        p.put(
          '/api/opendata/datagouv/accounts/:organisationId',
          {
            schema: {
              tags,
              operationId: 'setDatagouvAccount',
              summary: 'Set the organisation’s data.gouv.fr account: target udata, organisation id there, API key (encrypted at rest)',
              params: orgParams,
              body: c.datagouvAccountBody,
              response: { 200: c.datagouvAccount, ...problems },
            },
          },
          async (req) => svc.setAccount(req.caller, req.params.organisationId, req.body, requestMeta(req)),
        );
        p.post(
          '/api/opendata/datasets/:slug/push',
          {
            schema: {
              tags,
              operationId: 'pushOpendatasetToDatagouv',
              summary: 'Queue the push of the dataset’s published files to data.gouv.fr (a job; remote ids kept)',
              params: c.datasetSlugParams,
              response: { 202: c.datagouvPush, ...problems },
            },
          },
          async (req, reply) => reply.status(202).send(await svc.request(req.caller, req.params.slug, requestMeta(req))),
        );
        p.get(
          '/api/opendata/datasets/:slug/push',
          {
            schema: {
              tags,
              operationId: 'getOpendatasetPush',
              summary: 'State of the last push of the dataset to data.gouv.fr',
              params: c.datasetSlugParams,
              response: { 200: c.datagouvPush, ...problems },
            },
          },
          async (req) => svc.status(req.caller, req.params.slug),
        );
      }),
    );
  };
}
