import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { auditLog } from '../../platform/audit/audit.table.ts';
import type { PublicationService } from '../opendata/index.ts';
import { exploreExtracts } from './explore.table.ts';

/**
 * Issue 18: extracts converted on publication, the tabular API, questions (builder and SQL),
 * dashboards with shared filters, embeds; and a restricted resource's data reaching nobody who may
 * not read it, through every path (resource, tabular API, CSV, question, card, embed).
 */
let t: TestPlatform;
let pub: PublicationService;
const clock = new FixedClock(new Date('2026-06-01T10:00:00Z'));
let ssmsiEditor: string;
let ssmsiDataAdmin: string;
let dnumEditor: string;
let drhEditor: string;
let admin: string;
let crimesId: string;
let staffId: string;

const months = ['2024-01', '2024-02', '2024-03'];
const deps = ['01', '2A', '75', '971'];
const crimesCsv =
  'departement;mois;indicateur;nombre\r\n' +
  deps.flatMap((d, i) => months.flatMap((m, j) => ['Vols', 'Cambriolages'].map((ind, k) => `${d};${m};${ind};${(i + 1) * 10 + j + k * 100}`))).join('\r\n') +
  '\r\n';
const staffCsv = 'direction;corps;effectif\r\nDNUM;Attachés;120\r\nDRH;Attachés;80\r\nDNUM;Ingénieurs;45\r\n';

async function publishFile(
  datasetSlug: string,
  slug: string,
  title: string,
  filename: string,
  content: string,
): Promise<{ resourceId: string; versionId: string }> {
  const r = await pub.createResource(SYSTEM, datasetSlug, { title, slug }, {});
  return { resourceId: r.id, versionId: await newVersion(r.id, filename, content) };
}

async function newVersion(resourceId: string, filename: string, content: string): Promise<string> {
  const v = await pub.uploadVersion(SYSTEM, resourceId, { filename, body: Buffer.from(content) }, {});
  await pub.analyse(v.id, new AbortController().signal, async () => undefined);
  // The node's runner may have taken the analysis first.
  for (let i = 0; i < 300 && (await pub.getVersion(SYSTEM, v.id)).state === 'analysing'; i++) await new Promise((r) => setTimeout(r, 100));
  await pub.publish(SYSTEM, v.id, {});
  const [x] = await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.versionId, v.id));
  expect(x?.jobId).toBeTruthy();
  const done = await t.ctx.jobs.waitFor(x!.jobId!, 60_000);
  // Then its count tables, a job of their own (ADR 0804).
  const countsJob = (done.result as { countsJob?: string } | null)?.countsJob;
  expect(countsJob).toBeTruthy();
  expect((await t.ctx.jobs.waitFor(countsJob!, 60_000)).state).toBe('succeeded');
  return v.id;
}

const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
const post = (url: string, payload: unknown, token?: string) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers: token ? bearer(token) : {} });

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true, clock });
  pub = t.services.opendataPublication!;
  ssmsiEditor = (await t.tokenFor('editor', { organisationCode: 'SSMSI' })).token;
  ssmsiDataAdmin = (await t.tokenFor('data_admin', { organisationCode: 'SSMSI' })).token;
  dnumEditor = (await t.tokenFor('editor', { organisationCode: 'DNUM' })).token;
  drhEditor = (await t.tokenFor('editor', { organisationCode: 'DRH' })).token;
  admin = (await t.tokenFor('admin')).token;
  for (const [slug, owner] of [
    ['delinquance', 'SSMSI'],
    ['effectifs', 'DRH'],
  ] as const) {
    const c = await post(
      '/api/catalog/assets',
      { kind: 'dataset', slug, title: slug, owner, openness: 'ouvert', spec: { licence: 'Licence Ouverte 2.0' } },
      admin,
    );
    expect(c.statusCode, c.body).toBe(201);
  }
  crimesId = (await publishFile('delinquance', 'crimes', 'Crimes et délits', 'crimes.csv', crimesCsv)).resourceId;
  staffId = (await publishFile('effectifs', 'agents', 'Effectifs', 'effectifs.csv', staffCsv)).resourceId;
  // The staff dataset closes after publication: its data is now for its producers only.
  const closed = await t.app.inject({
    method: 'PUT',
    url: '/api/catalog/assets/dataset/effectifs',
    headers: bearer(admin),
    payload: { kind: 'dataset', slug: 'effectifs', title: 'effectifs', owner: 'DRH', openness: 'ferme', spec: { licence: 'Licence Ouverte 2.0' } },
  });
  expect(closed.statusCode, closed.body).toBe(200);
}, 120_000);
afterAll(async () => t?.teardown());

describe('extracts', () => {
  it('converts each published version to Parquet in the blob store, with its columns', async () => {
    const r = await get(`/api/explore/resources/${crimesId}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ state: 'ready', rows: 24, public: true });
    expect(r.json().columns.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`)).toEqual([
      'departement:text',
      'mois:text',
      'indicateur:text',
      'nombre:number',
    ]);
    const [x] = await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.resourceId, crimesId));
    expect(await t.ctx.blobs.head(x!.blobKey!)).toMatchObject({ size: x!.bytes });
  });

  it('lists for each caller only what it may read', async () => {
    const anon = (await get('/api/explore/resources')).json().items.map((i: { resourceId: string }) => i.resourceId);
    expect(anon).toContain(crimesId);
    expect(anon).not.toContain(staffId);
    expect((await get('/api/explore/resources', dnumEditor)).json().items.map((i: { resourceId: string }) => i.resourceId)).not.toContain(staffId);
    const drh = (await get('/api/explore/resources', drhEditor)).json().items;
    expect(drh.find((i: { resourceId: string }) => i.resourceId === staffId)).toMatchObject({ public: false, state: 'ready' });
  });

  it('converts again on demand for an editor of the producer only', async () => {
    expect((await post(`/api/explore/resources/${crimesId}/convert`, {}, dnumEditor)).statusCode).toBe(403);
    expect((await post(`/api/explore/resources/${crimesId}/convert`, {})).statusCode).toBe(401);
    const r = await post(`/api/explore/resources/${crimesId}/convert`, {}, ssmsiEditor);
    expect(r.statusCode, r.body).toBe(202);
    const done = await t.ctx.jobs.waitFor(r.json().jobId, 60_000);
    expect((await get(`/api/explore/resources/${crimesId}`)).json().state).toBe('ready');
    await t.ctx.jobs.waitFor((done.result as { countsJob: string }).countsJob, 60_000);
    const audit = await t.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'explore.extract.convert'));
    expect(audit.length).toBe(1);
  });

  it('queues at start the count tables of extracts converted before them, once, and records an extract with none', async () => {
    const explore = t.services.explore!;
    const byResource = async (id: string) => (await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.resourceId, id)))[0]!;
    // A file whose columns cannot go in a count table (a name of the count file's own): « none » is recorded, not left « not built ».
    const notes = await publishFile('delinquance', 'notes', 'Notes', 'notes.csv', '__explore_note;valeur\r\na;1\r\nb;2\r\n');
    expect((await byResource(notes.resourceId)).counts).toEqual({ blobKey: null, bytes: 0, tables: [] });
    // An extract converted before ADR 0804: ready, without count tables.
    const before = await byResource(crimesId);
    expect(before.counts!.blobKey).toBeTruthy();
    await t.ctx.db.update(exploreExtracts).set({ counts: null }).where(eq(exploreExtracts.versionId, before.versionId));
    // Two nodes starting together: the advisory lock makes the second see the first one's job.
    const [a, b] = await Promise.all([explore.backfillCounts(), explore.backfillCounts()]);
    expect([...a, ...b]).toEqual([before.versionId]);
    const [job] = await t.ctx.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.type, 'explore.counts'), sql`${jobs.payload}->>'versionId' = ${before.versionId}`, inArray(jobs.state, ['queued', 'running'])));
    const done = await t.ctx.jobs.waitFor(job!.id, 60_000);
    expect(done.state).toBe('succeeded');
    const after = await byResource(crimesId);
    expect(after.counts!.tables).toEqual(before.counts!.tables);
    expect(await t.ctx.blobs.head(after.counts!.blobKey!)).toMatchObject({ size: after.counts!.bytes });
    // Nothing left to queue, neither the built extract nor the one without tables.
    expect(await explore.backfillCounts()).toEqual([]);
    expect((await get(`/api/explore/resources/${crimesId}/data?page_size=1&indicateur__exact=Vols`)).json().meta.total).toBe(12);
  });
});

describe('tabular API', () => {
  it('filters, sorts and pages like api-tabular', async () => {
    const r = await get(`/api/explore/resources/${crimesId}/data?departement__in=01,75&indicateur__exact=Vols&nombre__sort=desc&page_size=2`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.meta).toEqual({ page: 1, page_size: 2, total: 6 });
    expect(body.data.map((d: { departement: string; nombre: number }) => [d.departement, d.nombre])).toEqual([
      ['75', 32],
      ['75', 31],
    ]);
    expect(body.data[0].__id).toBeTypeOf('number');
    expect(body.links.next).toContain('page=2');
    expect(body.links.prev).toBeNull();
    const last = (await get(body.links.next.replace('page=2', 'page=3'))).json();
    expect(last.links.next).toBeNull();
    expect(last.data.length).toBe(2);
    const contains = (await get(`/api/explore/resources/${crimesId}/data?indicateur__contains=cambr&nombre__less=110&columns=departement,nombre`)).json();
    expect(contains.data).toEqual([{ departement: '01', nombre: 110 }]);
  });

  it('gives the exact total of a full first page from the count tables, the extract or its rows, and keeps it (ADR 0804)', async () => {
    const [x] = await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.resourceId, crimesId));
    // 4 départements × 3 months × 2 indicators: every column has few values, one count table holds them all.
    expect(x!.counts!.tables.map((c) => c.columns)).toEqual([['departement', 'mois', 'indicateur', 'nombre']]);
    expect(await t.ctx.blobs.head(x!.counts!.blobKey!)).toMatchObject({ size: x!.counts!.bytes });
    const cases: [string, number][] = [
      ['', 24],
      ['indicateur__exact=Vols', 12],
      ['departement__in=01,971&mois__differs=2024-02', 8],
      ['indicateur__contains=CAMB&nombre__greater=120', 9],
      ['__id__greater=3', 22],
      ['departement__groupby&mois__groupby&nombre__sum', 12],
    ];
    for (const [filter, total] of cases) {
      for (const round of [1, 2]) {
        const r = await get(`/api/explore/resources/${crimesId}/data?page_size=1&${filter}`);
        expect(r.statusCode, r.body).toBe(200);
        expect([filter, round, r.json().meta.total]).toEqual([filter, round, total]);
        expect(r.json().data.length).toBe(1);
        expect(r.json().links.next).toContain('page=2');
      }
    }
    if (t.ctx.redis) {
      // Shared by the nodes: kept in Redis (under the platform's prefix).
      const keys = await t.ctx.redis.keys(`${t.ctx.env.REDIS_PREFIX ?? ''}explore:total:*`);
      expect(keys.length).toBeGreaterThanOrEqual(cases.length - 1);
    }
  });

  it('aggregates (groupby with count, sum, avg, min, max)', async () => {
    const r = await get(`/api/explore/resources/${crimesId}/data?departement__groupby&nombre__sum&nombre__max&departement__sort=asc`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data[0]).toEqual({ departement: '01', nombre__sum: 10 + 11 + 12 + 110 + 111 + 112, nombre__max: 112 });
    expect(r.json().meta.total).toBe(4);
  });

  it('exports CSV', async () => {
    const r = await get(`/api/explore/resources/${crimesId}/data?format=csv&departement__exact=2A`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('__id;departement;mois;indicateur;nombre');
    expect(lines.length).toBe(7);
  });

  it('names the field of an unknown column, operator or bad value (problem+json in French)', async () => {
    const r = await get(`/api/explore/resources/${crimesId}/data?nope__exact=1&nombre__greater=abc`);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const fields = r.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['query.nope__exact', 'query.nombre__greater']));
    expect(r.json().errors[0].message).toMatch(/colonne|nombre/);
  });

  it('serves a restricted resource to its producers only, in JSON and CSV', async () => {
    for (const token of [undefined, dnumEditor, ssmsiEditor]) {
      expect((await get(`/api/explore/resources/${staffId}`, token)).statusCode).toBe(404);
      expect((await get(`/api/explore/resources/${staffId}/data`, token)).statusCode).toBe(404);
      const csv = await get(`/api/explore/resources/${staffId}/data?format=csv`, token);
      expect(csv.statusCode).toBe(404);
      expect(csv.body).not.toContain('Ingénieurs');
    }
    const ok = await get(`/api/explore/resources/${staffId}/data?direction__exact=DNUM`, drhEditor);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().meta.total).toBe(2);
    expect((await get(`/api/explore/resources/${staffId}/data`, admin)).statusCode).toBe(200);
  });
});

let mapQuestion: string;
let lineQuestion: string;
let staffQuestion: string;

describe('questions', () => {
  const builder = (over: Record<string, unknown> = {}) => ({
    resourceId: crimesId,
    filters: [],
    groupBy: [{ column: 'departement' }],
    measures: [{ fn: 'sum', column: 'nombre' }],
    ...over,
  });

  it('runs a builder question (no SQL) with filters, measures and sort', async () => {
    const r = await post(
      '/api/explore/run',
      {
        mode: 'builder',
        builder: builder({
          filters: [{ column: 'indicateur', op: 'exact', value: 'Vols' }],
          measures: [
            { fn: 'sum', column: 'nombre' },
            { fn: 'count' },
            { fn: 'median', column: 'nombre' },
            { fn: 'p90', column: 'nombre' },
            { fn: 'count_distinct', column: 'mois' },
          ],
          sort: { by: 'm0', direction: 'desc' },
        }),
      },
      dnumEditor,
    );
    expect(r.statusCode, r.body).toBe(200);
    const res = r.json();
    expect(res.columns.map((c: { label: string }) => c.label)).toEqual([
      'departement',
      'Somme de nombre',
      'Nombre de lignes',
      'Médiane de nombre',
      '9e décile de nombre',
      'Nombre de valeurs distinctes de mois',
    ]);
    expect(res.rows[0]).toEqual(['971', 40 + 41 + 42, 3, 41, expect.closeTo(41.8, 5), 3]);
    expect(res.sql).toContain('$1');
    expect(res.sql).not.toContain('Vols');
  });

  it('refuses an unknown column or a numeric measure of a text column, naming the field', async () => {
    const r = await post(
      '/api/explore/run',
      { mode: 'builder', builder: builder({ measures: [{ fn: 'avg', column: 'indicateur' }], groupBy: [{ column: 'x' }] }) },
      dnumEditor,
    );
    expect(r.statusCode).toBe(400);
    expect(
      r
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['builder.groupBy.0.column', 'builder.measures.0.column']);
    const three = await post(
      '/api/explore/run',
      { mode: 'builder', builder: builder({ groupBy: [{ column: 'a' }, { column: 'b' }, { column: 'c' }] }) },
      dnumEditor,
    );
    expect(three.statusCode).toBe(400);
  });

  it('saves questions, lists them, gives their result as a table and CSV', async () => {
    const map = await post(
      '/api/explore/questions',
      { title: 'Crimes par département', mode: 'builder', builder: builder(), visualization: 'map_departement' },
      ssmsiEditor,
    );
    expect(map.statusCode, map.body).toBe(201);
    mapQuestion = map.json().id;
    const line = await post(
      '/api/explore/questions',
      { title: 'Évolution mensuelle', mode: 'builder', builder: builder({ groupBy: [{ column: 'mois', grain: 'month' }] }), visualization: 'line' },
      ssmsiEditor,
    );
    expect(line.statusCode, line.body).toBe(201);
    lineQuestion = line.json().id;
    const res = (await get(`/api/explore/questions/${lineQuestion}/result`, dnumEditor)).json();
    expect(res.rows).toEqual([
      ['2024-01', 10 + 20 + 30 + 40 + 110 + 120 + 130 + 140],
      ['2024-02', 10 + 20 + 30 + 40 + 110 + 120 + 130 + 140 + 8],
      ['2024-03', 10 + 20 + 30 + 40 + 110 + 120 + 130 + 140 + 16],
    ]);
    const csv = await get(`/api/explore/questions/${lineQuestion}/result?format=csv`, dnumEditor);
    expect(csv.body.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe('mois;Somme de nombre');
    expect((await get('/api/explore/questions', dnumEditor)).json().items.map((q: { id: string }) => q.id)).toEqual(
      expect.arrayContaining([mapQuestion, lineQuestion]),
    );
    expect((await get('/api/explore/questions')).statusCode).toBe(401);
    const audit = await t.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'explore.question.create'));
    expect(audit.length).toBe(2);
  });

  it('lets only its author, editors of its organisation and admins change a question', async () => {
    const body = { title: 'Crimes par département (somme)', mode: 'builder', builder: builder(), visualization: 'map_departement' };
    expect((await t.app.inject({ method: 'PUT', url: `/api/explore/questions/${mapQuestion}`, headers: bearer(dnumEditor), payload: body })).statusCode).toBe(
      403,
    );
    const ok = await t.app.inject({ method: 'PUT', url: `/api/explore/questions/${mapQuestion}`, headers: bearer(ssmsiDataAdmin), payload: body });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().title).toBe('Crimes par département (somme)');
  });

  it('keeps a question over a restricted resource from whoever may not read the resource', async () => {
    const r = await post(
      '/api/explore/questions',
      {
        title: 'Effectifs par direction',
        mode: 'builder',
        builder: { resourceId: staffId, groupBy: [{ column: 'direction' }], measures: [{ fn: 'sum', column: 'effectif' }] },
      },
      drhEditor,
    );
    expect(r.statusCode, r.body).toBe(201);
    staffQuestion = r.json().id;
    expect((await post('/api/explore/run', { mode: 'builder', builder: { resourceId: staffId, measures: [{ fn: 'count' }] } }, dnumEditor)).statusCode).toBe(
      404,
    );
    expect((await get('/api/explore/questions', dnumEditor)).json().items.map((q: { id: string }) => q.id)).not.toContain(staffQuestion);
    for (const url of [
      `/api/explore/questions/${staffQuestion}`,
      `/api/explore/questions/${staffQuestion}/result`,
      `/api/explore/questions/${staffQuestion}/result?format=csv`,
    ]) {
      const denied = await get(url, dnumEditor);
      expect(denied.statusCode, url).toBe(404);
      expect(denied.body).not.toContain('DNUM');
    }
    expect((await get(`/api/explore/questions/${staffQuestion}/result`, drhEditor)).json().rows).toEqual([
      ['DNUM', 165],
      ['DRH', 80],
    ]);
  });

  it('SQL mode: the data team only, SELECT only, sandboxed', async () => {
    const sql = {
      sql: 'SELECT departement, sum(nombre) AS total FROM crimes GROUP BY 1 ORDER BY 2 DESC LIMIT 2',
      sources: [{ alias: 'crimes', resourceId: crimesId }],
    };
    expect((await post('/api/explore/run', { mode: 'sql', sql }, ssmsiEditor)).statusCode).toBe(403);
    const ok = await post('/api/explore/run', { mode: 'sql', sql }, ssmsiDataAdmin);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().rows[0]).toEqual(['971', 40 + 41 + 42 + 140 + 141 + 142]);
    for (const bad of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "COPY crimes TO '/tmp/leak.csv'",
      "ATTACH '/tmp/x.duckdb' AS x",
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'SELECT 1; SELECT 2',
      'CREATE TABLE x AS SELECT 1',
    ]) {
      const r = await post('/api/explore/run', { mode: 'sql', sql: { sql: bad, sources: sql.sources } }, ssmsiDataAdmin);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().errors[0].field).toBe('sql');
      expect(r.json().errors[0].message).toMatch(/refusé|SELECT|instruction/);
    }
    // A data_admin of another organisation may not read the restricted resource through SQL either.
    const joined = await post(
      '/api/explore/run',
      { mode: 'sql', sql: { sql: 'SELECT * FROM staff', sources: [{ alias: 'staff', resourceId: staffId }] } },
      ssmsiDataAdmin,
    );
    expect(joined.statusCode).toBe(404);
    // Several resources joined by the analyst.
    const two = await post(
      '/api/explore/run',
      {
        mode: 'sql',
        sql: {
          sql: 'SELECT (SELECT count(*) FROM a) AS n, (SELECT sum(effectif) FROM b) AS e',
          sources: [
            { alias: 'a', resourceId: crimesId },
            { alias: 'b', resourceId: staffId },
          ],
        },
      },
      admin,
    );
    expect(two.json().rows).toEqual([[24, 245]]);
  });
});

let publicDashboard: string;
let restrictedDashboard: string;

describe('dashboards and embeds', () => {
  it('builds a public dashboard with a shared filter applied to every card having the column', async () => {
    const r = await post(
      '/api/explore/dashboards',
      {
        title: 'Délinquance',
        visibility: 'public',
        cards: [
          { kind: 'text', text: 'Données synthétiques.' },
          { kind: 'question', questionId: mapQuestion, width: 6 },
          { kind: 'question', questionId: lineQuestion, width: 6 },
        ],
        filters: [{ column: 'indicateur', label: 'Indicateur' }],
      },
      ssmsiEditor,
    );
    expect(r.statusCode, r.body).toBe(201);
    publicDashboard = r.json().id;
    expect((await get(`/api/explore/dashboards/${publicDashboard}`)).json().questions.length).toBe(2);
    const all = (await get(`/api/explore/dashboards/${publicDashboard}/cards/2/result`)).json();
    const vols = (
      await get(`/api/explore/dashboards/${publicDashboard}/cards/2/result?filters=${encodeURIComponent(JSON.stringify({ indicateur: 'Vols' }))}`)
    ).json();
    expect(all.rows[0][1]).toBe(600);
    expect(vols.rows[0][1]).toBe(100);
    const map = (
      await get(`/api/explore/dashboards/${publicDashboard}/cards/1/result?filters=${encodeURIComponent(JSON.stringify({ indicateur: 'Vols' }))}`)
    ).json();
    expect(map.rows.find((x: unknown[]) => x[0] === '01')[1]).toBe(33);
    const notAFilter = await get(`/api/explore/dashboards/${publicDashboard}/cards/1/result?filters=${encodeURIComponent(JSON.stringify({ nombre: 3 }))}`);
    expect(notAFilter.statusCode).toBe(400);
  });

  it('refuses a public dashboard over data that is not open', async () => {
    const r = await post('/api/explore/dashboards', { title: 'RH', visibility: 'public', cards: [{ kind: 'question', questionId: staffQuestion }] }, drhEditor);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('visibility');
  });

  it('a restricted dashboard shows each card only to those who may read its data', async () => {
    const r = await post(
      '/api/explore/dashboards',
      {
        title: 'RH',
        visibility: 'restricted',
        cards: [
          { kind: 'question', questionId: staffQuestion },
          { kind: 'question', questionId: mapQuestion },
        ],
      },
      drhEditor,
    );
    expect(r.statusCode, r.body).toBe(201);
    restrictedDashboard = r.json().id;
    expect((await get(`/api/explore/dashboards/${restrictedDashboard}`)).statusCode).toBe(404);
    const dnum = (await get(`/api/explore/dashboards/${restrictedDashboard}`, dnumEditor)).json();
    expect(dnum.questions.map((q: { id: string }) => q.id)).toEqual([mapQuestion]);
    for (const url of [
      `/api/explore/dashboards/${restrictedDashboard}/cards/0/result`,
      `/api/explore/dashboards/${restrictedDashboard}/cards/0/result?format=csv`,
    ]) {
      expect((await get(url, dnumEditor)).statusCode).toBe(404);
    }
    expect((await get(`/api/explore/dashboards/${restrictedDashboard}/cards/0/result`, drhEditor)).statusCode).toBe(200);
    expect((await post(`/api/explore/dashboards/${restrictedDashboard}/embed`, {}, drhEditor)).statusCode).toBe(409);
  });

  it('embeds a public dashboard with a signed, expiring, revocable token checked on every data request (CSV too)', async () => {
    expect((await post(`/api/explore/dashboards/${publicDashboard}/embed`, { ttlHours: 2 }, dnumEditor)).statusCode).toBe(403);
    const e = await post(`/api/explore/dashboards/${publicDashboard}/embed`, { ttlHours: 2 }, ssmsiEditor);
    expect(e.statusCode, e.body).toBe(201);
    const token = e.json().token as string;
    expect(e.json().path).toBe(`/integration/tableaux/${token}`);
    expect((await get(`/api/explore/embed/${token}`)).json().title).toBe('Délinquance');
    expect((await get(`/api/explore/embed/${token}/cards/2/result`)).json().rows.length).toBe(3);
    expect((await get(`/api/explore/embed/${token}/cards/2/result?format=csv`)).statusCode).toBe(200);
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ d: restrictedDashboard, g: 1, e: 9999999999 })).toString('base64url')}.${mac}`;
    expect((await get(`/api/explore/embed/${forged}/cards/0/result`)).statusCode).toBe(401);
    expect((await get(`/api/explore/embed/${payload}.${mac!.slice(0, -2)}xx/cards/0/result`)).statusCode).toBe(401);
    // Expired: every request is refused, the CSV too.
    clock.advance(3 * 3600_000);
    for (const url of [`/api/explore/embed/${token}`, `/api/explore/embed/${token}/cards/2/result`, `/api/explore/embed/${token}/cards/2/result?format=csv`]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(401);
      expect(r.body).not.toContain('2024-01');
    }
    // Revoked.
    const fresh = (await post(`/api/explore/dashboards/${publicDashboard}/embed`, { ttlHours: 2 }, ssmsiEditor)).json().token as string;
    expect((await get(`/api/explore/embed/${fresh}/cards/1/result`)).statusCode).toBe(200);
    expect((await post(`/api/explore/dashboards/${publicDashboard}/embed/revoke`, {}, ssmsiEditor)).statusCode).toBe(204);
    expect((await get(`/api/explore/embed/${fresh}/cards/1/result?format=csv`)).statusCode).toBe(401);
  });

  it('lets other sites frame the embed pages only', async () => {
    const embed = await get('/integration/tableaux/x');
    expect(embed.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(embed.headers['x-frame-options']).toBeUndefined();
    const other = await get('/exploration/tableaux');
    expect(other.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('a dashboard whose data closes stops serving it to anonymous visitors and embeds', async () => {
    const e = (await post(`/api/explore/dashboards/${publicDashboard}/embed`, { ttlHours: 2 }, ssmsiEditor)).json().token as string;
    const close = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/dataset/delinquance',
      headers: bearer(admin),
      payload: { kind: 'dataset', slug: 'delinquance', title: 'delinquance', owner: 'SSMSI', openness: 'ferme', spec: { licence: 'Licence Ouverte 2.0' } },
    });
    expect(close.statusCode, close.body).toBe(200);
    expect((await get(`/api/explore/dashboards/${publicDashboard}/cards/1/result`)).statusCode).toBe(404);
    expect((await get(`/api/explore/embed/${e}/cards/1/result`)).statusCode).toBe(404);
    expect((await get(`/api/explore/embed/${e}/cards/1/result?format=csv`)).statusCode).toBe(404);
    expect((await get(`/api/explore/resources/${crimesId}/data?format=csv`)).statusCode).toBe(404);
    expect((await get(`/api/explore/dashboards/${publicDashboard}/cards/1/result`, ssmsiEditor)).statusCode).toBe(200);
    const reopen = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/dataset/delinquance',
      headers: bearer(admin),
      payload: { kind: 'dataset', slug: 'delinquance', title: 'delinquance', owner: 'SSMSI', openness: 'ouvert', spec: { licence: 'Licence Ouverte 2.0' } },
    });
    expect(reopen.statusCode, reopen.body).toBe(200);
  });

  it('a new published version is converted and replaces the previous extract', async () => {
    const before = await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.resourceId, crimesId));
    const v2 = await newVersion(crimesId, 'crimes-2.csv', `${crimesCsv}13;2024-03;Vols;5\r\n`);
    const after = await t.ctx.db.select().from(exploreExtracts).where(eq(exploreExtracts.resourceId, crimesId));
    expect(after.map((x) => x.versionId)).toEqual([v2]);
    expect(await t.ctx.blobs.head(before[0]!.blobKey!)).toBeNull();
    expect(before[0]!.counts).not.toBeNull();
    expect(await t.ctx.blobs.head(before[0]!.counts!.blobKey!)).toBeNull();
    expect((await get(`/api/explore/resources/${crimesId}/data?departement__exact=13`)).json().meta.total).toBe(1);
  });
});
