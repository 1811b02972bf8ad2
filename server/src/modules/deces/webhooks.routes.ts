import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { webhookAnswer, webhookRequest } from '@patrimoine/contracts/deces';
import { routeGroup } from '../../platform/auth/access.ts';
import { requireUser } from '../../platform/auth/principal.ts';
import { API } from './deces.routes.ts';
import type { Webhooks } from './webhooks.ts';

/** matchID's `POST /webhook` (deces-backend `webhook.controller.ts`), for the caller's own webhooks. */
export function webhookRoutes(webhooks: Webhooks): FastifyPluginAsync {
  return routeGroup('authenticated', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();
    app.post(
      `${API}/webhook`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'manageDeathsWebhook',
          summary: 'Webhook des appariements en masse (enregistrer, valider, état, supprimer)',
          description:
            'Comme matchID : `register` donne un défi (`challenge`) ; à `challenge`, la plateforme envoie `POST {"event":"challenge"}` à l’URL, ' +
            'qui doit répondre (text/html ou JSON, 2xx) avec ce défi — le webhook est alors validé et un appariement peut le nommer (`webhook` ou `webhookUrl`). ' +
            'Il reçoit `{event, jobId, firedAt}` pour `started`, `completed` (avec `url`, la page du résultat), `failed` et `deleted` (résultat expiré), ' +
            'signés par `X-Hub-Signature-256: sha256=<HMAC-SHA256 du corps, clé : le défi>`. `status` et `delete`. Cinq essais, puis suspension de 4 heures. ' +
            'URL : https, port 443, nom de domaine (pas d’adresse IP ni localhost), vérifiée après résolution. Chaque compte ne voit que ses webhooks.',
          body: webhookRequest,
          response: { 200: webhookAnswer },
        },
      },
      async (req) => {
        const p = requireUser(req.caller);
        const { url, action } = req.body;
        if (action === 'register') return webhooks.register(p.userId, url);
        if (action === 'challenge') return webhooks.challenge(p.userId, url);
        if (action === 'status') return webhooks.status(p.userId, url);
        return webhooks.delete(p.userId, url);
      },
    );
  });
}
