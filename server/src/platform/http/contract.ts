import fp from 'fastify-plugin';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { problem } from '@patrimoine/contracts/common';
import { zodToJsonSchema } from './json-schema.ts';
import type { Access } from '../auth/access.ts';

/**
 * The route contract: every documented route declares its response schemas (so that Fastify
 * serialises through them and the OpenAPI document says what comes back), an `operationId`, and
 * tags from this list. Like the access rule, a route that lacks them stops start-up.
 */
export const API_TAGS = [
  { name: 'platform', description: 'Santé, disponibilité et description de la plateforme' },
  { name: 'auth', description: 'Connexion, session, identité courante' },
  { name: 'account', description: 'Compte personnel : mot de passe, jetons d’API' },
  { name: 'organisations', description: 'Organisations du ministère (directions, services)' },
  { name: 'admin', description: 'Administration : comptes, journal d’audit' },
  { name: 'jobs', description: 'Tâches de fond et leur progression' },
  { name: 'catalog', description: 'Catalogue et cartographie : actifs, relations, recherche, import/export' },
  { name: 'roadmap', description: 'Pilotage de la feuille de route « Données, algorithmes, codes sources »' },
  { name: 'deces', description: 'API des personnes décédées (contrat matchID)' },
  { name: 'gateway', description: 'Passerelle d’API et portail : APIs, plans, applications, clés, statistiques' },
  { name: 'opendata', description: 'Données ouvertes : catalogue de schémas, validation de fichiers, détection de données personnelles' },
  { name: 'governance', description: 'Gouvernance des données : réseau des administrateurs, revues de la cartographie, valeur des projets' },
  { name: 'explore', description: 'Exploration des données publiées : API tabulaire, questions, graphiques, cartes et tableaux de bord (DuckDB)' },
  { name: 'habilitations', description: 'Demandes d’habilitation compatibles DataPass : définitions, formulaires, instruction, habilitations, webhooks' },
] as const;
const declaredTags = new Set<string>(API_TAGS.map((t) => t.name));

/**
 * Tags of modules whose routes are being moved onto the contracts workspace: their routes are
 * checked for everything but the response schema and operationId until their migration lands.
 * Empty when every module is migrated; kept as a mechanism for the next module that arrives.
 */
export const CONTRACT_PENDING_TAGS = new Set<string>([]);

interface CollectedRoute {
  method: string;
  url: string;
  schema?: { hide?: boolean; response?: Record<string, unknown>; operationId?: string; tags?: string[] };
}

/** Problems of one route's contract (empty when it conforms). */
export function routeContractProblems(r: CollectedRoute, pending: ReadonlySet<string> = CONTRACT_PENDING_TAGS): string[] {
  const s = r.schema;
  if (s?.hide) return [];
  const where = `${r.method} ${r.url}`;
  const out: string[] = [];
  const tags = s?.tags ?? [];
  if (!tags.length) out.push(`${where}: no tag`);
  for (const t of tags) if (!declaredTags.has(t)) out.push(`${where}: tag « ${t} » is not declared in API_TAGS`);
  if (tags.some((t) => pending.has(t))) return out;
  const codes = Object.keys(s?.response ?? {});
  if (!codes.some((c) => /^[23]/.test(c))) out.push(`${where}: no success response schema`);
  if (!s?.operationId) out.push(`${where}: no operationId`);
  return out;
}

/** Collects the routes as they are registered and refuses to start when one breaks the contract. */
export const routeContractPlugin = fp(async (app: FastifyInstance) => {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' && route.exposeHeadRoute !== false) continue;
      routes.push({ method: String(method), url: route.url, schema: route.schema as CollectedRoute['schema'] });
    }
  });
  app.addHook('onReady', async () => {
    const problems = routes.flatMap((r) => routeContractProblems(r));
    const ids = new Map<string, string>();
    for (const r of routes) {
      const id = r.schema?.hide ? undefined : r.schema?.operationId;
      if (!id) continue;
      const where = `${r.method} ${r.url}`;
      if (ids.has(id) && ids.get(id) !== where) problems.push(`${where}: operationId « ${id} » already used by ${ids.get(id)}`);
      ids.set(id, where);
    }
    if (problems.length) throw new Error(`Routes that break the API contract:\n- ${problems.join('\n- ')}`);
  });
});

const problemJson = zodToJsonSchema(problem);
/**
 * operationIds of the routes restricted to roles (administration, review…), noted as the document is
 * built: what the platform publishes about itself elsewhere (the API portal) leaves them out.
 */
export const roleRestrictedOperations = new Set<string>();
const credentials = [{ bearer: [] }, { session: [] }];

/**
 * OpenAPI transform of every route: zod to JSON Schema, then what the platform knows better than
 * each route: its security from its access rule (public routes accept credentials but need none;
 * `raw` routes declare their own), and the problem+json answer of every error.
 */
export function openApiTransform(doc: Parameters<typeof jsonSchemaTransform>[0] & { route: RouteOptions }) {
  const out = jsonSchemaTransform(doc) as { schema: Record<string, unknown> & { hide?: boolean }; url: string };
  if (out.schema?.hide) return out;
  const access = (doc.route.config as { access?: Access } | undefined)?.access;
  const schema = { ...out.schema };
  if (schema.security === undefined && access !== 'raw') {
    schema.security = access === 'public' ? [{}, ...credentials] : credentials;
    if (access && typeof access === 'object') {
      if (typeof schema.operationId === 'string') roleRestrictedOperations.add(schema.operationId);
      schema.description = [schema.description, `Rôles autorisés : ${access.roles.join(', ')}.`].filter(Boolean).join('\n\n');
    }
  }
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  // The errors every route of its kind can answer, unless the route documents its own.
  const problemOf = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemJson } } });
  const hasInput = ['body', 'querystring', 'params'].some((k) => doc.schema?.[k as keyof typeof doc.schema] !== undefined);
  if (hasInput && !response['400']) response['400'] = problemOf('Requête invalide : chaque champ en erreur est nommé (RFC 9457)');
  if (access === 'authenticated' || (access && typeof access === 'object')) {
    if (!response['401']) response['401'] = problemOf('Authentification requise');
    if (!response['403']) response['403'] = problemOf('Accès refusé (rôle, organisation ou jeton anti-CSRF)');
  }
  if (!response.default) response.default = problemOf('Erreur (RFC 9457)');
  schema.response = response;
  return { ...out, schema };
}
