import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { routeGroup } from '../../platform/auth/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { verifyIdentity, type GatewaySecrets } from './secrets.ts';
import { decodePivot, type IdentityPivot } from './franceconnect.ts';

/** Slug under which the demo is published, and its upstream (a `platform:/…` self-upstream). */
export const DROIT_A_CONDUIRE_SLUG = 'droit-a-conduire';
export const DROIT_A_CONDUIRE_UPSTREAM = 'platform:/demo/droit-a-conduire/v1';
/** The consent scopes the demo API declares (`gw_apis.franceconnect_scopes`). */
export const DROIT_A_CONDUIRE_SCOPES = ['openid', 'identite_pivot', 'droit_a_conduire'] as const;

const str = (description: string, example: string) => ({ type: 'string', description, example });
const problemContent = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Probleme' } } },
});
/** The OpenAPI document of the demo API, as served at `/gw/droit-a-conduire` (for the portal). */
export function droitAConduireSpec(name: string, serverUrl: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: name,
      version: '1.0.0',
      description:
        'Permis de conduire du citoyen connecté avec FranceConnect : statut, solde de points, catégories. Chaque appel porte la clé d’API du fournisseur de service (`X-Api-Key`) et le jeton d’accès FranceConnect du citoyen (`Authorization: Bearer`), avec les scopes `openid identite_pivot droit_a_conduire`.\n\nDonnées synthétiques de démonstration (aucun vrai permis de conduire).',
    },
    servers: [{ url: serverUrl }],
    security: [{ cle: [], franceconnect: [] }],
    paths: {
      '/permis': {
        get: {
          operationId: 'getPermisDuCitoyen',
          summary: 'Permis de conduire du citoyen du jeton FranceConnect',
          responses: {
            '200': {
              description: 'Le permis du citoyen (identifié par l’identité pivot que FranceConnect a transmise)',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      synthetique: { type: 'boolean', example: true },
                      titulaire: {
                        type: 'object',
                        properties: {
                          nomDeNaissance: str('Nom de naissance', 'DUPONT'),
                          prenoms: str('Prénoms', 'Marie Anne'),
                          dateDeNaissance: { type: 'string', format: 'date', example: '1985-04-12' },
                        },
                      },
                      statut: { type: 'string', enum: ['valide', 'suspendu', 'invalide'], example: 'valide' },
                      solde_points: { type: 'integer', minimum: 0, maximum: 12, example: 10 },
                      categories: { type: 'array', items: { type: 'string', example: 'B' } },
                      date_de_delivrance: { type: 'string', format: 'date', example: '2005-06-21' },
                    },
                  },
                },
              },
            },
            '401': problemContent('Jeton FranceConnect absent, inconnu, expiré, falsifié ou sans les scopes requis'),
            '403': problemContent('Application sans abonnement actif'),
            '503': problemContent('FranceConnect ne répond pas'),
          },
        },
      },
    },
    components: {
      schemas: {
        Probleme: {
          type: 'object',
          properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
        },
      },
      securitySchemes: {
        cle: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'Clé d’API de l’application du fournisseur de service' },
        franceconnect: { type: 'http', scheme: 'bearer', description: 'Jeton d’accès FranceConnect du citoyen' },
      },
    },
  };
}

/** Synthetic driving-licence record of a citizen: stable for an identity, never a real one. */
export function syntheticLicence(p: IdentityPivot) {
  const h = createHash('sha256').update(`${p.family_name}|${p.given_name}|${p.birthdate}|${p.birthplace}|${p.birthcountry}`).digest();
  const status = h[0]! % 10 === 0 ? 'suspendu' : h[0]! % 10 === 1 ? 'invalide' : 'valide';
  const points = status === 'invalide' ? 0 : h[1]! % 13;
  const year = Math.max(Number(p.birthdate.slice(0, 4)) + 18, 1970) + (h[2]! % 10);
  return {
    synthetique: true,
    titulaire: { nomDeNaissance: p.family_name, prenoms: p.given_name, dateDeNaissance: p.birthdate },
    statut: status,
    solde_points: points,
    categories: h[3]! % 3 === 0 ? ['AM', 'B'] : ['B'],
    date_de_delivrance: `${year}-${String((h[4]! % 12) + 1).padStart(2, '0')}-${String((h[5]! % 28) + 1).padStart(2, '0')}`,
    avertissement: 'Données synthétiques de démonstration (aucun vrai permis de conduire).',
  };
}

/**
 * The synthetic « droit à conduire » upstream (roadmap A24): answers only calls signed by the gateway for
 * the API of that slug, with a citizen identity pivot (FranceConnect), and only for that citizen.
 */
export function droitAConduireUpstream(deps: { secrets: GatewaySecrets; clock: Clock; apiIdOf: (slug: string) => Promise<string | null> }): FastifyPluginAsync {
  return routeGroup('raw', async (app) => {
    app.get('/demo/droit-a-conduire/v1/sante', { schema: { hide: true } }, async () => ({ statut: 'ok', synthetique: true }));
    app.get('/demo/droit-a-conduire/v1/permis', { schema: { hide: true } }, async (req, reply) => {
      const value = String(req.headers['x-gateway-consumer'] ?? '');
      const signature = String(req.headers['x-gateway-signature'] ?? '');
      const fields = Object.fromEntries(value.split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const apiId = fields.api ? await deps.apiIdOf(fields.api) : null;
      const fresh = Math.abs(Math.floor(deps.clock.now().getTime() / 1000) - Number(fields.ts)) <= 300;
      if (fields.api !== DROIT_A_CONDUIRE_SLUG || !apiId || !fresh || !verifyIdentity(deps.secrets.identityKey(apiId), value, signature)) {
        return reply
          .status(403)
          .type('application/problem+json')
          .send({ title: 'Accès refusé', status: 403, detail: 'Appel non signé par la passerelle Patrimoine.' });
      }
      const pivot = fields.citizen ? decodePivot(fields.citizen) : null;
      if (!pivot) {
        return reply
          .status(403)
          .type('application/problem+json')
          .send({ title: 'Accès refusé', status: 403, detail: 'Identité du citoyen (FranceConnect) absente.' });
      }
      return syntheticLicence(pivot);
    });
  });
}
