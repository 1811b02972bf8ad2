import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { routeGroup } from '../../platform/auth/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { verifyIdentity, type GatewaySecrets } from './secrets.ts';

/**
 * Synthetic upstreams of the demo catalogue's restricted APIs (RGA, certificat d'immatriculation,
 * Vérifpermis), served by the platform itself (`platform:/demo/<slug>/v1`) like the « droit à conduire »
 * demo: they answer only calls signed by the gateway for their API, with stable synthetic data derived
 * from what is asked (never real records), and each comes with its OpenAPI document for the portal.
 */
const h = (s: string) => createHash('sha256').update(s).digest();
const pick = <T>(xs: readonly T[], b: number) => xs[b % xs.length]!;
const WARNING = 'Données synthétiques de démonstration (aucun enregistrement réel).';

const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply.status(status).type('application/problem+json').send({ title, status, detail });

function rgaWeapon(reference: string) {
  const b = h(`rga|${reference}`);
  return {
    synthetique: true,
    reference,
    modele: `${pick(['Falcon', 'Orion', 'Vega', 'Atlas', 'Lynx', 'Cobalt'], b[0]!)} ${100 + (b[1]! % 900)}`,
    fabricant: pick(['Manufacture de Saint-Étienne (fictive)', 'Ateliers du Jura (fictifs)', 'Armes de Tulle (fictives)', 'Société Alpine (fictive)'], b[2]!),
    calibre: pick(['.22 LR', '9 mm Luger', '12/70', '7,62 × 51', '.308 Win'], b[3]!),
    categorie: pick(['B', 'C', 'D'], b[4]!),
    type: pick(['pistolet', 'carabine', 'fusil', 'revolver'], b[5]!),
    avertissement: WARNING,
  };
}
function vehicle(immatriculation: string) {
  const b = h(`siv|${immatriculation}`);
  return {
    synthetique: true,
    immatriculation,
    genre: pick(['VP', 'CTTE', 'MTL', 'VASP'], b[0]!),
    categorie: pick(['M1', 'N1', 'L3e'], b[1]!),
    energie: pick(['ES', 'GO', 'EL', 'EH'], b[2]!),
    date_premiere_immatriculation: `${2005 + (b[3]! % 20)}-${String((b[4]! % 12) + 1).padStart(2, '0')}-${String((b[5]! % 28) + 1).padStart(2, '0')}`,
    titulaire: {
      adresse: `${1 + (b[6]! % 120)} ${pick(['rue des Lilas', 'avenue de la République', 'place du Marché', 'chemin des Vignes'], b[7]!)}`,
      code_postal: pick(['75011', '69003', '31000', '44000', '67000'], b[8]!),
      commune: pick(['Paris', 'Lyon', 'Toulouse', 'Nantes', 'Strasbourg'], b[8]!),
    },
    avertissement: WARNING,
  };
}
function licence(numero: string) {
  const b = h(`verifpermis|${numero}`);
  const statut = b[0]! % 10 === 0 ? 'suspendu' : b[0]! % 10 === 1 ? 'invalide' : 'valide';
  return {
    synthetique: true,
    numero,
    statut,
    categories: b[1]! % 3 === 0 ? ['B', 'C', 'CE'] : b[1]! % 3 === 1 ? ['B', 'C'] : ['B'],
    date_fin_validite_categories_lourdes: `${2026 + (b[2]! % 5)}-${String((b[3]! % 12) + 1).padStart(2, '0')}-01`,
    avertissement: WARNING,
  };
}

const REF = /^[A-Z0-9-]{3,30}$/;
const PLATE = /^[A-Z]{2}-\d{3}-[A-Z]{2}$/;
const LICENCE = /^\d{12}$/;

interface DemoApi {
  base: string;
  routes: { path: string; handle: (req: FastifyRequest, reply: FastifyReply) => unknown }[];
  spec: (name: string, description: string, serverUrl: string) => Record<string, unknown>;
}
const problemSchema = { $ref: '#/components/schemas/Probleme' };
const components = {
  schemas: {
    Probleme: {
      type: 'object',
      properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
    },
  },
  securitySchemes: { cle: { type: 'apiKey', in: 'header', name: 'X-Api-Key' }, oauth2: { type: 'http', scheme: 'bearer' } },
};
const errors = {
  '400': { description: 'Paramètre invalide', content: { 'application/problem+json': { schema: problemSchema } } },
  '401': { description: 'Identifiant absent ou invalide', content: { 'application/problem+json': { schema: problemSchema } } },
  '403': { description: 'Pas d’habilitation pour cette donnée', content: { 'application/problem+json': { schema: problemSchema } } },
};
const doc = (name: string, description: string, serverUrl: string, paths: Record<string, unknown>) => ({
  openapi: '3.0.3',
  info: { title: name, version: '1.0.0', description: `${description}\n\n${WARNING}` },
  servers: [{ url: serverUrl }],
  security: [{ oauth2: [] }, { cle: [] }],
  paths,
  components,
});
const str = (description: string, example: string) => ({ type: 'string', description, example });

export const DEMO_UPSTREAMS: Record<string, DemoApi> = {
  'api-rga': {
    base: '/demo/api-rga/v1',
    routes: [
      {
        path: '/armes/:reference',
        handle: (req, reply) => {
          const { reference } = req.params as { reference: string };
          const ref = reference.toUpperCase();
          if (!REF.test(ref)) return problem(reply, 400, 'Référence invalide', 'reference : 3 à 30 lettres, chiffres ou tirets attendus (ex. RGA-2024-001).');
          return rgaWeapon(ref);
        },
      },
    ],
    spec: (name, description, url) =>
      doc(name, description, url, {
        '/armes/{reference}': {
          get: {
            operationId: 'getArme',
            summary: 'Fiche d’une arme du référentiel',
            parameters: [{ name: 'reference', in: 'path', required: true, schema: str('Référence RGA', 'RGA-2024-001') }],
            responses: {
              '200': {
                description: 'La fiche de l’arme',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        reference: str('Référence RGA', 'RGA-2024-001'),
                        modele: str('Modèle', 'Orion 350'),
                        fabricant: str('Fabricant', 'Ateliers du Jura (fictifs)'),
                        calibre: str('Calibre', '9 mm Luger'),
                        categorie: str('Catégorie légale', 'B'),
                        type: str('Type', 'pistolet'),
                        synthetique: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
              ...errors,
            },
          },
        },
      }),
  },
  'api-certificat-immatriculation': {
    base: '/demo/api-certificat-immatriculation/v1',
    routes: [
      {
        path: '/vehicules/:immatriculation',
        handle: (req, reply) => {
          const { immatriculation } = req.params as { immatriculation: string };
          const plate = immatriculation.toUpperCase();
          if (!PLATE.test(plate)) return problem(reply, 400, 'Immatriculation invalide', 'immatriculation : format AA-123-AA attendu.');
          return vehicle(plate);
        },
      },
    ],
    spec: (name, description, url) =>
      doc(name, description, url, {
        '/vehicules/{immatriculation}': {
          get: {
            operationId: 'getVehicule',
            summary: 'Caractéristiques d’un véhicule et adresse de son titulaire',
            parameters: [{ name: 'immatriculation', in: 'path', required: true, schema: str('Numéro SIV (AA-123-AA)', 'AB-123-CD') }],
            responses: {
              '200': {
                description: 'Le véhicule',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        immatriculation: str('Numéro SIV', 'AB-123-CD'),
                        genre: str('Genre national', 'VP'),
                        categorie: str('Catégorie européenne', 'M1'),
                        energie: str('Énergie', 'EL'),
                        date_premiere_immatriculation: { type: 'string', format: 'date' },
                        titulaire: {
                          type: 'object',
                          properties: { adresse: { type: 'string' }, code_postal: { type: 'string' }, commune: { type: 'string' } },
                        },
                        synthetique: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
              ...errors,
            },
          },
        },
      }),
  },
  verifpermis: {
    base: '/demo/verifpermis/v1',
    routes: [
      {
        path: '/permis/:numero',
        handle: (req, reply) => {
          const { numero } = req.params as { numero: string };
          if (!LICENCE.test(numero)) return problem(reply, 400, 'Numéro de permis invalide', 'numero : 12 chiffres attendus.');
          return licence(numero);
        },
      },
    ],
    spec: (name, description, url) =>
      doc(name, description, url, {
        '/permis/{numero}': {
          get: {
            operationId: 'getPermis',
            summary: 'Validité et catégories d’un permis de conduire',
            parameters: [{ name: 'numero', in: 'path', required: true, schema: str('Numéro du permis (12 chiffres)', '123456789012') }],
            responses: {
              '200': {
                description: 'Le permis',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        numero: str('Numéro du permis', '123456789012'),
                        statut: { type: 'string', enum: ['valide', 'suspendu', 'invalide'] },
                        categories: { type: 'array', items: { type: 'string' } },
                        date_fin_validite_categories_lourdes: { type: 'string', format: 'date' },
                        synthetique: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
              ...errors,
            },
          },
        },
      }),
  },
};
export const demoUpstreamOf = (slug: string) => (DEMO_UPSTREAMS[slug] ? `platform:${DEMO_UPSTREAMS[slug].base}` : null);

/** Registers the synthetic upstreams; each refuses a call the gateway did not sign for its API. */
export function demoUpstreams(deps: { secrets: GatewaySecrets; clock: Clock; apiIdOf: (slug: string) => Promise<string | null> }): FastifyPluginAsync {
  return routeGroup('raw', async (app) => {
    for (const [slug, d] of Object.entries(DEMO_UPSTREAMS)) {
      // Health of the upstream (the gateway's probe): no data, no signature needed.
      app.get(`${d.base}/`, { schema: { hide: true } }, async () => ({ statut: 'disponible', synthetique: true }));
      for (const r of d.routes)
        app.get(`${d.base}${r.path}`, { schema: { hide: true } }, async (req, reply) => {
          const value = String(req.headers['x-gateway-consumer'] ?? '');
          const signature = String(req.headers['x-gateway-signature'] ?? '');
          const fields = Object.fromEntries(value.split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
          const apiId = fields.api === slug ? await deps.apiIdOf(slug) : null;
          const fresh = Math.abs(Math.floor(deps.clock.now().getTime() / 1000) - Number(fields.ts)) <= 300;
          if (!apiId || !fresh || !verifyIdentity(deps.secrets.identityKey(apiId), value, signature))
            return problem(reply, 403, 'Accès refusé', 'Appel non signé par la passerelle Patrimoine.');
          return r.handle(req, reply);
        });
    }
  });
}
