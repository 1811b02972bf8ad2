import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeGroup } from '../../platform/auth/access.ts';
import { sendCsv, wantsCsv } from '../../platform/http/common.ts';
import { ValidationError, fieldError } from '../../platform/errors.ts';
import type { DecesService, PersonOut } from './deces.service.ts';
import { parseSearchRequest, PERSON_FIELDS, OPTION_FIELDS, parseDateQuery } from './request.ts';
import { scoreRecord, type ScoredRecord } from './score.ts';
import { cog } from './cog.ts';

export const API = '/deces/api/v1';

/**
 * Query strings documented parameter by parameter in the OpenAPI document; any other parameter
 * still reaches the service, which refuses it with a 400 naming it (matchID's behaviour).
 */
const queryOf = (keys: readonly string[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.union([z.string().max(500), z.array(z.string().max(500)).max(20)]).optional()]))).catchall(z.unknown());
const searchQuerySchema = queryOf([...PERSON_FIELDS, ...OPTION_FIELDS, 'format']);
const aggQuerySchema = queryOf([...PERSON_FIELDS, 'q', 'aggs', 'fuzzy']);

/** CSV columns of a person (search CSV and bulk results), matchID's dotted names. */
export const PERSON_CSV_COLUMNS: { key: string; header: string; headerFr: string; get: (p: PersonOut) => unknown }[] = [
  { key: 'score', header: 'score', headerFr: 'score', get: (p) => p.score },
  { key: 'id', header: 'id', headerFr: 'id', get: (p) => p.id },
  { key: 'name.last', header: 'name.last', headerFr: 'nom', get: (p) => p.name.last },
  { key: 'name.first', header: 'name.first', headerFr: 'prenoms', get: (p) => p.name.first.join(' ') },
  { key: 'sex', header: 'sex', headerFr: 'sexe', get: (p) => p.sex },
  { key: 'birth.date', header: 'birth.date', headerFr: 'date_naissance', get: (p) => p.birth.date },
  { key: 'birth.city', header: 'birth.city', headerFr: 'commune_naissance', get: (p) => p.birth.location.city },
  { key: 'birth.code', header: 'birth.code', headerFr: 'code_lieu_naissance', get: (p) => p.birth.location.code },
  { key: 'birth.country', header: 'birth.country', headerFr: 'pays_naissance', get: (p) => p.birth.location.country },
  { key: 'death.date', header: 'death.date', headerFr: 'date_deces', get: (p) => p.death.date },
  { key: 'death.city', header: 'death.city', headerFr: 'commune_deces', get: (p) => p.death.location.city },
  { key: 'death.code', header: 'death.code', headerFr: 'code_lieu_deces', get: (p) => p.death.location.code },
  { key: 'death.certificateId', header: 'death.certificateId', headerFr: 'numero_acte_deces', get: (p) => p.death.certificateId },
  { key: 'death.age', header: 'death.age', headerFr: 'age_deces', get: (p) => p.death.age ?? '' },
];

const personSchema = z
  .record(z.string(), z.union([z.string().max(200), z.number()]))
  .describe('Une identité : les champs de recherche (firstName, lastName, birthDate…)');

/** A person given as search fields, read as a record (the B side of `/compare`). */
function asRecord(f: Record<string, string | number>): ScoredRecord {
  const s = (k: string) => (f[k] === undefined ? '' : String(f[k]));
  const date = (k: string) => {
    const d = s(k) ? parseDateQuery(s(k)) : null;
    if (s(k) && (!d || d.kind !== 'exact')) throw fieldError(`personB.${k}`, 'date attendue JJ/MM/AAAA');
    return d && d.kind === 'exact' ? d.value : '';
  };
  const code = s('birthLocationCode').toUpperCase();
  const dcode = s('deathLocationCode').toUpperCase();
  const c = cog();
  const sex = s('sex').toUpperCase();
  return {
    lastName: s('lastName'),
    firstNames: s('firstName'),
    sex: sex === 'H' ? 'M' : sex,
    birthDate: date('birthDate'),
    birthCode: code,
    birthCity: s('birthCity') || c.commune(code)?.name || '',
    birthDepartment: s('birthDepartment') || c.departmentOf(code) || '',
    birthCountry: s('birthCountry') || (code && !code.startsWith('99') ? 'France' : ''),
    deathDate: date('deathDate'),
    deathCode: dcode,
    deathCity: s('deathCity') || c.commune(dcode)?.name || '',
    deathDepartment: s('deathDepartment') || c.departmentOf(dcode) || '',
    deathCountry: s('deathCountry'),
    age: f.deathAge !== undefined && f.deathAge !== '' ? Number(f.deathAge) : null,
  };
}

export function decesRoutes(service: DecesService): FastifyPluginAsync {
  return routeGroup('public', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();

    async function runSearch(req: FastifyRequest, reply: FastifyReply, raw: Record<string, unknown>) {
      const t0 = performance.now();
      // matchID's scroll: `scroll` asks for a cursor, `scrollId` returns the next page. The cursor is
      // stateless (the request and the next page, base64url), so any node can serve it.
      let input = raw;
      if (raw.scrollId !== undefined) {
        try {
          const cur = JSON.parse(Buffer.from(String(raw.scrollId), 'base64url').toString('utf8')) as { params: Record<string, unknown>; page: number };
          input = { ...cur.params, page: cur.page, scroll: raw.scroll ?? '1m' };
        } catch {
          throw fieldError('scrollId', 'curseur illisible : reprenez la recherche sans scrollId');
        }
      }
      const r = parseSearchRequest(input);
      if (wantsCsv(req) && !('format' in input)) {
        const { persons } = await service.search(r, { all: true });
        const french = input.headerLang === 'french';
        return sendCsv(
          reply,
          'deces.csv',
          PERSON_CSV_COLUMNS.map((c) => ({ key: c.key, header: french ? c.headerFr : c.header })),
          persons.map((p) => Object.fromEntries(PERSON_CSV_COLUMNS.map((c) => [c.key, c.get(p)]))),
          ',',
        );
      }
      const { total, persons } = await service.search(r);
      const response: Record<string, unknown> = {
        total,
        maxScore: persons[0]?.score ?? 0,
        size: r.size,
        page: r.page,
        delay: Math.round(performance.now() - t0),
        persons,
      };
      if (input.scroll !== undefined && persons.length && r.page * r.size < total) {
        const params = Object.fromEntries(Object.entries(input).filter(([k]) => !['scroll', 'scrollId', 'page'].includes(k)));
        response.scrollId = Buffer.from(JSON.stringify({ params, page: r.page + 1 })).toString('base64url');
      }
      return { request: r.echo, response };
    }

    app.get(
      `${API}/search`,
      {
        schema: {
          tags: ['deces'],
          summary: 'Rechercher une personne décédée (q ou champs ; Accept: text/csv pour tout exporter)',
          querystring: searchQuerySchema,
        },
      },
      async (req, reply) => {
        const q = { ...(req.query as Record<string, unknown>) };
        delete q.format;
        return runSearch(req, reply, q);
      },
    );
    app.post(
      `${API}/search`,
      { schema: { tags: ['deces'], summary: 'Rechercher une personne décédée (corps JSON)', body: z.record(z.string(), z.unknown()) } },
      async (req, reply) => runSearch(req, reply, req.body),
    );

    app.get(
      `${API}/id/:id`,
      { schema: { tags: ['deces'], summary: 'Un décès par son identifiant', params: z.object({ id: z.string().min(1).max(40) }) } },
      async (req) => {
        const t0 = performance.now();
        const p = await service.byId(req.params.id);
        return { request: { id: req.params.id }, response: { total: 1, size: 1, page: 1, delay: Math.round(performance.now() - t0), persons: [p] } };
      },
    );

    app.post(
      `${API}/compare`,
      {
        schema: {
          tags: ['deces'],
          summary: 'Comparer deux identités : score et composantes',
          body: z.object({ personA: personSchema, personB: personSchema }).strict(),
        },
      },
      async (req) => {
        const a = req.body.personA;
        const unknown = Object.keys(a)
          .concat(Object.keys(req.body.personB))
          .filter((k) => !(PERSON_FIELDS as readonly string[]).includes(k));
        if (unknown.length)
          throw new ValidationError(
            `Champs inconnus : ${unknown.join(', ')}`,
            unknown.map((k) => ({ field: k, message: 'champ inconnu' })),
          );
        let query;
        try {
          query = parseSearchRequest(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, String(v)])));
        } catch (e) {
          if (e instanceof ValidationError)
            throw new ValidationError(
              e.message,
              e.errors.map((x) => ({ ...x, field: `personA.${x.field}` })),
            );
          throw e;
        }
        const s = scoreRecord(query.person, asRecord(req.body.personB));
        return { score: s.score, scores: s.scores, reasons: s.reasons };
      },
    );

    const runAgg = (input: Record<string, unknown>) => service.agg(input);
    app.get(
      `${API}/agg`,
      { schema: { tags: ['deces'], summary: 'Comptages par champ (aggs=deathMonth,birthDepartment…)', querystring: aggQuerySchema } },
      async (req) => runAgg(req.query as Record<string, unknown>),
    );
    app.post(`${API}/agg`, { schema: { tags: ['deces'], summary: 'Comptages par champ', body: z.record(z.string(), z.unknown()) } }, async (req) =>
      runAgg(req.body),
    );

    app.get(`${API}/version`, { schema: { tags: ['deces'], summary: 'Version des données (nombre de décès, dernier fichier)' } }, async () =>
      service.version(),
    );
    app.get(`${API}/healthcheck`, { schema: { tags: ['deces'], summary: 'Santé du service' } }, async () => {
      await service.repo.version();
      return { msg: 'OK' };
    });
  });
}
