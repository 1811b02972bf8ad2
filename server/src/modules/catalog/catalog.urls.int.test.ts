import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

/** A `javascript:` or `data:` URL is refused by the API (400 naming the field) and never reaches DCAT. */
let t: TestPlatform;
let admin: string;

beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
});
afterAll(async () => t?.teardown());

const dataset = (slug: string, url: string) => ({
  kind: 'dataset',
  slug,
  title: 'Jeu piégé',
  owner: 'DNUM',
  openness: 'ouvert',
  spec: { datagouvUrl: url, resources: [{ title: 'Fichier', url, format: 'csv' }] },
});

describe('catalogue URLs through the API', () => {
  it('refuses javascript: and data: URLs on create and update, with a French message naming the field', async () => {
    for (const url of ['javascript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>']) {
      const r = await t.app.inject({ method: 'POST', url: '/api/catalog/assets', headers: bearer(admin), payload: dataset('jeu-piege', url) });
      expect(r.statusCode).toBe(400);
      const fields = (r.json().errors as { field: string; message: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['spec.datagouvUrl', 'spec.resources.0.url']);
      expect(r.json().errors[0].message).toMatch(/http:\/\/ ou https:\/\/ attendue/);
    }
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: dataset('jeu-sain', 'https://exemple.fr/f.csv'),
    });
    expect(ok.statusCode).toBe(201);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/dataset/jeu-sain',
      headers: bearer(admin),
      payload: dataset('jeu-sain', 'javascript:alert(1)'),
    });
    expect(put.statusCode).toBe(400);
  });

  it('publishes only http(s) links in DCAT', async () => {
    const r = await t.app.inject('/catalog.ttl');
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/exemple\.fr\/f\.csv/);
    expect(r.body).not.toMatch(/javascript:|data:text/);
  });
});
