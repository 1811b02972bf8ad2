import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '@patrimoine/contracts/common';
import { gwApiParams } from '@patrimoine/contracts/gateway';
import { routeGroup } from '../../platform/auth/access.ts';
import { ConflictError } from '../../platform/errors.ts';
import type { GatewayService } from './gateway.service.ts';
import { apiGouvPage, checkApiGouvPage, type ApiGouvSource } from './apigouv.ts';

/** Producer slugs of api.gouv.fr (`_data/producteurs/*.md`, github.com/betagouv/api.gouv.fr at 58a95fa, 2026-01-07). */
export const API_GOUV_PRODUCERS: ReadonlySet<string> = new Set(
  JSON.parse(fs.readFileSync(new URL('./apigouv-producers.json', import.meta.url), 'utf8')) as string[],
);

export interface ApiGouvDeps {
  producer: string;
  publicUrl: string;
  asset(id: string): Promise<ApiGouvSource['asset']>;
}

/** `GET /api/gateway/apis/{api}/api-gouv.md`: the API's page file for api.gouv.fr's catalogue, checked before it is sent. */
export function apiGouvRoutes(svc: GatewayService, deps: ApiGouvDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().get(
          '/api/gateway/apis/:api/api-gouv.md',
          {
            schema: {
              tags: ['gateway'],
              operationId: 'getGatewayApiGouvPage',
              summary: 'Page api.gouv.fr of an API',
              description:
                'La fiche de l’API au format du catalogue api.gouv.fr (`_data/api/<slug>.md` : en-tête YAML puis description en Markdown), ' +
                'vérifiée selon les règles des tests d’api.gouv.fr avant envoi ; à proposer par une pull request sur github.com/betagouv/api.gouv.fr.',
              params: gwApiParams,
              response: {
                200: { description: 'Fiche api.gouv.fr', content: { 'text/markdown': { schema: z.string().describe('Markdown avec en-tête YAML') } } },
                409: problem,
              },
            },
          },
          async (req, reply) => {
            const api = await svc.getApi(req.caller, req.params.api);
            const asset = api.catalogAssetId ? await deps.asset(api.catalogAssetId) : null;
            const text = apiGouvPage({ api, asset, producer: deps.producer, publicUrl: deps.publicUrl });
            const errors = checkApiGouvPage(text, API_GOUV_PRODUCERS);
            if (errors.length)
              throw new ConflictError('La fiche api.gouv.fr de cette API ne passerait pas les contrôles d’api.gouv.fr : complétez l’API.', { errors });
            reply.header('content-type', 'text/markdown; charset=utf-8');
            reply.header('content-disposition', `attachment; filename="${api.slug}.md"`);
            return text;
          },
        );
      }),
    );
  };
}
