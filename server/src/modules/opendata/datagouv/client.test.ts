import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../../platform/blob/index.ts';
import { DatagouvClient, DatagouvError, blobSource, type ResourceInput } from './client.ts';
import { startFakeUdata, type FakeUdata } from './fake-udata.ts';

/** The push client against the local udata fake (shapes of opendatateam/udata's API v1). */
const KEY = 'cle-de-test-organisation-dsr';
const ORG = '5a1b2c3d4e5f60718293a4b5';
let fake: FakeUdata;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-datagouv-'));
const store = new FsBlobStore(root);
let sleeps: number[] = [];
const clients: DatagouvClient[] = [];

beforeAll(async () => {
  fake = await startFakeUdata({
    keys: { [KEY]: { id: 'u1', organizations: [ORG] }, 'cle-autre': { id: 'u2', organizations: [] } },
    organizations: { [ORG]: 'Délégation à la sécurité routière', other: 'Autre organisation' },
    schemas: { 'etalab/schema-lieux-covoiturage': ['0.2.0', '0.3.0'], 'etalab/schema-irve-statique': ['2.3.1'] },
  });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await fake?.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  sleeps = [];
});

function client(o: Partial<ConstructorParameters<typeof DatagouvClient>[0]> = {}) {
  const c = new DatagouvClient({
    baseUrl: fake.url,
    apiKey: KEY,
    // The fake listens on the loopback: allowed explicitly, as other tests do for their local servers.
    policy: { allowPrivate: true },
    backoffMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...o,
  });
  clients.push(c);
  return c;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

async function resource(key: string, content: Buffer, extra: Partial<ResourceInput> = {}): Promise<ResourceInput> {
  const info = await store.put(key, content, { contentType: 'text/csv' });
  return {
    localId: key,
    title: 'Auto-écoles (fichier principal)',
    description: 'Liste des auto-écoles agréées',
    filename: 'auto-ecoles.csv',
    size: info.size,
    sha256: info.sha256!,
    schema: { name: 'etalab/schema-lieux-covoiturage', version: '0.3.0' },
    open: blobSource(store, key),
    ...extra,
  };
}
const dataset = {
  title: 'Auto-écoles agréées',
  description: 'Établissements d’enseignement de la conduite (A10).',
  organization: ORG,
  frequency: 'monthly',
  license: 'lov2',
};
const uploads = () => fake.requests.filter((r) => r.method === 'POST' && r.path.includes('upload'));

describe('data.gouv.fr push', () => {
  let datasetId = '';
  let resourceId = '';
  const v1 = Buffer.from('nom;commune\nAuto-école du centre;Lyon\n');

  it('creates the dataset, uploads the file and sets its schema', async () => {
    const r = await client().push({ dataset, resources: [await resource('od/a10/v1.csv', v1)] });
    expect(r.dataset).toBe('created');
    expect(r.resources[0]).toMatchObject({ localId: 'od/a10/v1.csv', action: 'created', checksum: { type: 'sha1', value: sha1(v1) } });
    datasetId = r.datasetId;
    resourceId = r.resources[0]!.remoteId;
    const remote = fake.datasets.get(datasetId)!;
    expect(remote).toMatchObject({ title: dataset.title, organization: { id: ORG }, frequency: 'monthly', license: 'lov2' });
    expect(remote.resources[0]).toMatchObject({
      id: resourceId,
      title: 'Auto-écoles (fichier principal)',
      schema: { name: 'etalab/schema-lieux-covoiturage', version: '0.3.0' },
    });
    expect(fake.files.get(resourceId)).toEqual(v1);
    expect(r.page).toBe(`${fake.url}/datasets/${remote.slug}/`);
  });

  it('a second identical push uploads nothing and changes nothing', async () => {
    const before = uploads().length;
    const n = fake.requests.length;
    const r = await client().push({ remoteId: datasetId, dataset, resources: [await resource('od/a10/v1.csv', v1, { remoteId: resourceId })] });
    expect(r).toMatchObject({ dataset: 'unchanged', resources: [{ remoteId: resourceId, action: 'unchanged' }], requests: 1 });
    expect(uploads().length).toBe(before);
    expect(fake.requests.slice(n).map((x) => x.method)).toEqual(['GET']);
  });

  it('updates the metadata and replaces the file of the same resource', async () => {
    const v2 = Buffer.from('nom;commune\nAuto-école du centre;Lyon\nAuto-école du port;Marseille\n');
    const r = await client().push({
      remoteId: datasetId,
      dataset: { ...dataset, title: 'Auto-écoles agréées (2026)' },
      resources: [await resource('od/a10/v2.csv', v2, { remoteId: resourceId })],
    });
    expect(r.dataset).toBe('updated');
    expect(r.resources[0]).toMatchObject({ remoteId: resourceId, action: 'replaced', checksum: { value: sha1(v2) } });
    expect(fake.datasets.get(datasetId)!.title).toBe('Auto-écoles agréées (2026)');
    expect(fake.datasets.get(datasetId)!.resources).toHaveLength(1);
    expect(fake.files.get(resourceId)).toEqual(v2);
    expect(uploads().at(-1)!.path).toBe(`/api/1/datasets/${datasetId}/resources/${resourceId}/upload/`);
  });

  it('sends a large file in chunks (read by ranges from the blob store) that udata combines', async () => {
    const big = Buffer.alloc(2500);
    for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
    const before = fake.requests.length;
    const r = await client({ chunkThreshold: 1000, chunkSize: 1000 }).push({
      remoteId: datasetId,
      dataset: { ...dataset, title: 'Auto-écoles agréées (2026)' },
      resources: [await resource('od/a10/big.csv', big, { localId: 'big', title: 'Gros fichier', schema: null })],
    });
    expect(r.resources[0]).toMatchObject({ localId: 'big', action: 'created', checksum: { type: 'sha1', value: sha1(big) } });
    const sent = fake.requests.slice(before).filter((x) => x.path.endsWith('/upload/'));
    expect(sent.map((x) => [x.fields?.partindex, x.fields?.chunksize, x.fileBytes, x.status])).toEqual([
      ['0', '1000', 1000, 200],
      ['1', '1000', 1000, 200],
      ['2', '500', 500, 200],
      [undefined, undefined, undefined, 201],
    ]);
    expect(sent[0]!.fields).toMatchObject({ totalparts: '3', totalfilesize: '2500', partbyteoffset: '0', filename: 'auto-ecoles.csv' });
    expect(fake.files.get(r.resources[0]!.remoteId)).toEqual(big);
    expect(sha256(fake.files.get(r.resources[0]!.remoteId)!)).toBe(sha256(big));
  });

  it('retries after 503 and 429 with backoff (Retry-After honoured)', async () => {
    fake.failNext(2, 503);
    fake.failNext(1, 429, { retryAfter: 3 });
    const r = await client().push({
      dataset: { ...dataset, title: 'Contrôles de vitesse' },
      resources: [await resource('od/a11.csv', Buffer.from('a;b\n1;2\n'), { localId: 'a11' })],
    });
    expect(r.dataset).toBe('created');
    expect(sleeps).toEqual([100, 200, 3000]);
    expect([...fake.datasets.values()].filter((d) => d.title === 'Contrôles de vitesse')).toHaveLength(1);
  });

  it('gives up after its attempts with a French message', async () => {
    fake.failNext(3, 502);
    const e = await client({ maxAttempts: 3 })
      .push({ dataset, resources: [] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatagouvError);
    expect((e as DatagouvError).message).toMatch(/abandon après 3 tentatives/);
    expect(sleeps).toEqual([100, 200]);
  });
});

describe('what data.gouv.fr refuses', () => {
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as DatagouvError,
    );

  it('an unknown key: 401, not retried', async () => {
    const e = await refusal(client({ apiKey: 'cle-inconnue' }).push({ dataset, resources: [] }));
    expect(e).toMatchObject({ status: 401 });
    expect(e!.message).toMatch(/clé d’API data\.gouv\.fr/);
    expect(e!.message).not.toContain('cle-inconnue');
    expect(sleeps).toEqual([]);
  });

  it('no key at all: refused before any request, and 401 from udata for a write', async () => {
    expect(() => client({ apiKey: '' })).toThrow(DatagouvError);
    const r = await fetch(`${fake.url}/api/1/datasets/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dataset) });
    expect(r.status).toBe(401);
    expect(await r.json()).toHaveProperty('message');
  });

  it('an unknown dataset: 404', async () => {
    const e = await refusal(client().push({ remoteId: '000000000000000000000000', dataset, resources: [] }));
    expect(e).toMatchObject({ status: 404 });
    expect(e!.message).toMatch(/introuvable sur data\.gouv\.fr/);
  });

  it('a bad payload: 400 with udata’s errors, named field by field', async () => {
    const e = await refusal(client().push({ dataset: { ...dataset, title: '', frequency: 'souvent' }, resources: [] }));
    expect(e).toMatchObject({ status: 400 });
    expect(e!.errors).toEqual([
      { field: 'title', message: 'This field is required.' },
      { field: 'frequency', message: 'Not a valid choice.' },
    ]);
    const raw = await fetch(`${fake.url}/api/1/datasets/`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'text/plain' }, body: 'x' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ errors: { 'Content-Type': 'expecting application/json' } });
  });

  it('an organisation the key is not a member of, and another user’s dataset: refused', async () => {
    const e = await refusal(client().push({ dataset: { ...dataset, organization: 'other' }, resources: [] }));
    expect(e!.errors).toEqual([{ field: 'organization', message: 'Permission denied for this organization' }]);
    const mine = await client().push({ dataset, resources: [] });
    const e2 = await refusal(client({ apiKey: 'cle-autre' }).push({ remoteId: mine.datasetId, dataset: { ...dataset, title: 'Changé' }, resources: [] }));
    expect(e2).toMatchObject({ status: 403 });
  });

  it('a schema that is not in udata’s catalogue: 400 naming schema.name', async () => {
    const e = await refusal(
      client().push({ dataset, resources: [await resource('od/bad-schema.csv', Buffer.from('x\n1\n'), { schema: { name: 'ministere/inconnu' } })] }),
    );
    expect(e).toMatchObject({ status: 400 });
    expect(e!.errors[0]!.field).toBe('schema.name');
  });

  it('a missing file in an upload: 400 {success: false}', async () => {
    const mine = await client().push({ dataset, resources: [] });
    const form = new FormData();
    form.set('uuid', 'x');
    const r = await fetch(`${fake.url}/api/1/datasets/${mine.datasetId}/upload/`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ success: false, error: 'Missing file parameter' });
  });

  it('the loopback fake is refused under the default outbound policy', async () => {
    const c = new DatagouvClient({ baseUrl: fake.url, apiKey: KEY });
    clients.push(c);
    const e = await refusal(c.push({ dataset, resources: [] }));
    expect(e).toBeInstanceOf(DatagouvError);
    expect(e!.message).toMatch(/refusée/);
  });

  it('a file that changes while it is sent is not published', async () => {
    const mine = await client().push({ dataset, resources: [] });
    const e = await refusal(
      client({ maxAttempts: 1 }).uploadFile(mine.datasetId, null, { filename: 'x.csv', size: 10, open: async () => Readable.from([Buffer.from('court')]) }),
    );
    expect(e).toBeInstanceOf(DatagouvError);
    expect(fake.datasets.get(mine.datasetId)!.resources).toHaveLength(0);
  });
});
