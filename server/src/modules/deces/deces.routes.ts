import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  aggBody,
  aggQuery,
  aggResponse,
  compareBody,
  compareResponse,
  csvText,
  healthResponse,
  idResponse,
  recordIdParams,
  searchBody,
  searchQuery,
  searchResponse,
  versionResponse,
  type IdResponse,
  type SearchResponse,
} from '@patrimoine/contracts/deces';
import { routeGroup } from '../../platform/auth/access.ts';
import { csvSafe, wantsCsv } from '../../platform/http/common.ts';
import { stringify } from 'csv-stringify/sync';
import { ValidationError, fieldError } from '../../platform/errors.ts';
import type { DecesService } from './deces.service.ts';
import { RESULT_COLUMNS, compileDateFormat, frenchDate, prettyCell, readWithFormat } from './matchid.ts';

/** Columns of a search exported as CSV (matchID's: its result columns but score, scores and id). */
const SEARCH_CSV_COLUMNS = RESULT_COLUMNS.filter((c) => !['score', 'scores', 'id'].includes(c.label));
import { parseSearchRequest, PERSON_FIELDS, parseDateQuery } from './request.ts';
import { scoreRecord, type ScoredRecord } from './score.ts';
import { cog } from './cog.ts';

export const API = '/deces/api/v1';

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
      const emptyPage = (): SearchResponse => ({
        request: { scroll: raw.scroll, scrollId: raw.scrollId },
        response: { total: 0, maxScore: 0, size: 0, page: 1, delay: Math.round(performance.now() - t0), persons: [] },
      });
      const others = Object.keys(raw).filter((k) => !['scroll', 'scrollId', 'headerLang'].includes(k) && raw[k] !== undefined && raw[k] !== '');
      if (raw.scrollId !== undefined && raw.scrollId !== '') {
        // matchID's loop stops on an empty page: an unreadable or expired cursor gives one (not a 400).
        let cur: { params: Record<string, unknown>; page: number } | null = null;
        try {
          cur = JSON.parse(Buffer.from(String(raw.scrollId), 'base64url').toString('utf8')) as { params: Record<string, unknown>; page: number };
        } catch {
          cur = null;
        }
        if (!cur || typeof cur.params !== 'object' || !Number.isInteger(cur.page) || cur.page < 1) return emptyPage();
        if (cur.page > 500) return { ...emptyPage(), response: { ...emptyPage().response, page: cur.page } };
        input = { ...cur.params, page: cur.page, scroll: raw.scroll ?? '1m' };
      } else if (raw.scroll !== undefined && !others.length) return emptyPage();
      const r = parseSearchRequest(input);
      if (wantsCsv(req) && !('format' in input)) {
        const { persons, total } = await service.search(r, { all: true });
        const french = input.headerLang === 'french';
        // matchID's search CSV: its result columns without score, scores and id; dates JJ/MM/AAAA.
        reply.header('total-results', String(total));
        reply.header('content-disposition', 'attachment; filename="download.csv"');
        // No byte-order mark here: matchID's clients read the first header as it is (`source`).
        const header = SEARCH_CSV_COLUMNS.map((c) => (french ? c.labelFr : c.label.replace(/\.location/, '').replace(/\./, ' ')));
        const rows = persons.map((p) =>
          SEARCH_CSV_COLUMNS.map((c) => csvSafe(c.label === 'birth.date' || c.label === 'death.date' ? frenchDate(c.get(p)) : prettyCell(c.get(p)))),
        );
        return reply.type('text/csv; charset=utf-8').send(stringify([header, ...rows], { delimiter: ',' }));
      }
      const { total, persons } = await service.search(r);
      const response: SearchResponse['response'] = {
        total,
        maxScore: persons[0]?.score ?? 0,
        size: r.size,
        page: r.page,
        delay: Math.round(performance.now() - t0),
        persons,
      };
      // The last page carries a cursor too: the next call answers an empty page (matchID's loop ends there).
      if (input.scroll !== undefined && persons.length) {
        const params = Object.fromEntries(Object.entries(input).filter(([k]) => !['scroll', 'scrollId', 'page'].includes(k)));
        response.scrollId = Buffer.from(JSON.stringify({ params, page: r.page + 1 })).toString('base64url');
      }
      const out: SearchResponse = { request: r.echo, response };
      return out;
    }

    const searchDescription =
      'Recherche simple (`q` : noms et dates dans n’importe quel ordre) ou avancée (champs), tolérante aux fautes sauf `fuzzy=false`. ' +
      'Avec `Accept: text/csv`, tous les résultats en CSV (colonnes matchID ; `headerLang=french` pour des en-têtes en français). ' +
      '`scroll` demande un curseur `scrollId` pour la page suivante. Un paramètre inconnu est refusé (400, nommé dans `errors`).';
    /** The JSON answer, and the CSV export of the same route (streamed: the serialiser does not see it). */
    const searchOk = { content: { 'application/json': { schema: searchResponse }, 'text/csv': { schema: csvText } } };

    app.get(
      `${API}/search`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'searchDeaths',
          summary: 'Rechercher une personne décédée (q ou champs ; Accept: text/csv pour tout exporter)',
          description: searchDescription,
          querystring: searchQuery,
          response: { 200: searchOk },
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
      {
        schema: {
          tags: ['deces'],
          operationId: 'searchDeathsByBody',
          summary: 'Rechercher une personne décédée (corps JSON)',
          description: searchDescription,
          body: searchBody,
          response: { 200: searchOk },
        },
      },
      async (req, reply) => runSearch(req, reply, req.body),
    );

    app.get(
      `${API}/id/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeath',
          summary: 'Un décès par son identifiant',
          params: recordIdParams,
          response: { 200: idResponse },
        },
      },
      async (req): Promise<IdResponse> => {
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
          operationId: 'compareDeathIdentities',
          summary: 'Comparer deux identités : score et composantes',
          body: compareBody,
          response: { 200: compareResponse },
        },
      },
      async (req) => {
        const params = req.body.params ?? {};
        // matchID's dateFormatA / dateFormatB: each side's dates in its own format, read here as AAAAMMJJ.
        const withFormat = (side: 'A' | 'B', person: Record<string, string | number>) => {
          const fmt = side === 'A' ? params.dateFormatA : params.dateFormatB;
          if (!fmt) return person;
          const f = compileDateFormat(fmt);
          if (!f) throw fieldError(`params.dateFormat${side}`, 'format de date inconnu (ex. dd/MM/yyyy, yyyyMMdd)');
          const out = { ...person };
          for (const k of ['birthDate', 'deathDate'] as const) {
            if (out[k] === undefined || out[k] === '') continue;
            const d = readWithFormat(String(out[k]), f);
            if (!d) throw fieldError(`person${side}.${k}`, `date illisible au format ${fmt}`);
            out[k] = d;
          }
          return out;
        };
        const a = withFormat('A', req.body.personA);
        const b = withFormat('B', req.body.personB);
        const unknown = Object.keys(a)
          .concat(Object.keys(b))
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
        const s = scoreRecord(query.person, asRecord(b));
        // matchID's ScoreResult members: one figure per compared part.
        const part = (k: keyof typeof s.scores) => (s.scores[k] === undefined ? {} : { [k]: s.scores[k] });
        return {
          score: s.score,
          scores: s.scores,
          reasons: s.reasons,
          ...part('name'),
          ...part('sex'),
          ...part('birthDate'),
          ...part('birthLocation'),
          ...part('deathDate'),
          ...part('deathLocation'),
          ...(params.explain ? { explain: { reasons: s.reasons, ...s.scores } } : {}),
        };
      },
    );

    /** matchID's `/agg`: JSON, or CSV with `Accept: text/csv`; `total-results-<agg>` headers. */
    const runAgg = async (req: FastifyRequest, reply: FastifyReply, input: Record<string, unknown>) => {
      const r = await service.agg(input);
      for (const [a, n] of Object.entries(r.response.cardinality)) reply.header(`total-results-${a}`, String(n));
      if (!wantsCsv(req)) return r;
      const aggs = Object.keys(r.response.cardinality);
      const rows = r.response.aggregations.map((b) =>
        typeof b.key === 'string' ? [b.key, String(b.doc_count)] : [...aggs.map((a) => (b.key as Record<string, string>)[a] ?? ''), String(b.doc_count)],
      );
      const header = aggs.length === 1 ? ['key', 'doc_count'] : [...aggs, 'value'];
      return reply.type('text/csv; charset=utf-8').send(stringify([header, ...rows.map((row) => row.map((c) => csvSafe(c)))], { delimiter: ',' }));
    };
    const aggOk = { content: { 'application/json': { schema: aggResponse }, 'text/csv': { schema: csvText } } };
    const aggDescription =
      'Comptages de matchID : `aggs` (birthDate, birthCity, deathDate, deathCity, firstName, lastName, sex, deathAge, birthDepartment, deathDepartment, birthCountry, deathCountry, et deathMonth, deathYear, birthYear), ' +
      'les filtres de /search (dont q, fuzzy, noms), `aggsSize` (1000 par défaut). Une agrégation : `aggregations` = [{ key, doc_count }] ; plusieurs : clés composées. ' +
      'En-têtes `total-results-<agg>` ; `Accept: text/csv` pour un CSV.';
    app.get(
      `${API}/agg`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'aggregateDeaths',
          summary: 'Comptages par champ (aggs=deathMonth,birthDepartment…)',
          description: aggDescription,
          querystring: aggQuery,
          response: { 200: aggOk },
        },
      },
      async (req, reply) => runAgg(req, reply, req.query as Record<string, unknown>),
    );
    app.post(
      `${API}/agg`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'aggregateDeathsByBody',
          summary: 'Comptages par champ',
          description: aggDescription,
          body: aggBody,
          response: { 200: aggOk },
        },
      },
      async (req, reply) => runAgg(req, reply, req.body),
    );

    app.get(
      `${API}/version`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathsVersion',
          summary: 'Version des données (nombre de décès, dernier fichier)',
          response: { 200: versionResponse },
        },
      },
      async () => service.version(),
    );
    app.get(
      `${API}/healthcheck`,
      { schema: { tags: ['deces'], operationId: 'getDeathsHealth', summary: 'Santé du service', response: { 200: healthResponse } } },
      async () => {
        await service.repo.version();
        return { msg: 'OK' as const };
      },
    );
  });
}
