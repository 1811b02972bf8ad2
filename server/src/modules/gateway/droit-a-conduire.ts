import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { routeGroup } from '../../platform/auth/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { verifyIdentity, type GatewaySecrets } from './secrets.ts';
import { decodePivot, type IdentityPivot } from './franceconnect.ts';

/** Slug under which the demo is published, and its upstream (a `platform:/…` self-upstream). */
export const DROIT_A_CONDUIRE_SLUG = 'droit-a-conduire';
export const DROIT_A_CONDUIRE_UPSTREAM = 'platform:/demo/droit-a-conduire/v1';

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
