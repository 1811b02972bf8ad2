import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spectral } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { checkApiGouvPage } from './apigouv.ts';
import { API_GOUV_PRODUCERS } from './apigouv.routes.ts';

/** Every OpenAPI document the portal serves for the demo APIs lints with 0 Spectral errors, and each API exports as an api.gouv.fr page (issue 12). */
let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform();
  for (const m of t.modules) await m.seedDemo?.();
}, 180_000);
afterAll(async () => t?.teardown());

describe('OpenAPI documents served by the gateway portal', () => {
  it('every demo API has a document, and each has no Spectral spectral:oas error', async () => {
    const apis = ((await t.app.inject('/api/gateway/apis')).json() as { items: { slug: string; specVersion: number }[] }).items;
    const documented = apis.filter((a) => a.specVersion > 0);
    expect(documented.length).toBeGreaterThan(0);
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    const report: string[] = [];
    for (const a of documented) {
      const r = await t.app.inject(`/api/gateway/apis/${a.slug}/openapi`);
      expect(r.statusCode).toBe(200);
      const results = await spectral.run(r.body);
      for (const x of results.filter((x) => x.severity === 0)) report.push(`${a.slug}: ${x.code} ${x.path.join('.')} — ${x.message}`);
      console.info(`${a.slug}: ${results.filter((x) => x.severity === 0).length} error(s), ${results.filter((x) => x.severity === 1).length} warning(s)`);
    }
    expect(report).toEqual([]);
  }, 120_000);

  it('exports each demo API as an api.gouv.fr page that passes api.gouv.fr’s checks', async () => {
    const apis = ((await t.app.inject('/api/gateway/apis')).json() as { items: { slug: string }[] }).items;
    for (const a of apis) {
      const r = await t.app.inject(`/api/gateway/apis/${a.slug}/api-gouv.md`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('text/markdown');
      expect(r.headers['content-disposition']).toContain(`${a.slug}.md`);
      expect(checkApiGouvPage(r.body, API_GOUV_PRODUCERS)).toEqual([]);
      expect(r.body).toContain('producer: minint');
    }
    expect((await t.app.inject('/api/gateway/apis/absente/api-gouv.md')).statusCode).toBe(404);
  });

  it('refuses an upload that Spectral finds in error, naming the place and the rule in French', async () => {
    const admin = (await t.tokenFor('admin')).token;
    const bad = {
      openapi: '3.1.0',
      info: { title: 'Décès', version: '2', description: 'x' },
      paths: { '/items/{id}': { get: { summary: 'Un élément', operationId: 'getItem', responses: { '200': { description: 'ok' } } } } },
    };
    const r = await t.app.inject({ method: 'PUT', url: '/api/gateway/apis/deces/openapi', headers: bearer(admin), payload: bad });
    expect(r.statusCode).toBe(400);
    const body = r.json() as { detail: string; errors: { field: string; message: string }[] };
    expect(body.detail).toMatch(/Spectral/);
    expect(body.errors[0]).toMatchObject({ field: expect.stringMatching(/^document\.paths/), message: expect.stringContaining('règle Spectral path-params') });
    const fixed = structuredClone(bad) as typeof bad & Record<string, unknown>;
    (fixed.paths['/items/{id}'].get as Record<string, unknown>).parameters = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
    const ok = await t.app.inject({ method: 'PUT', url: '/api/gateway/apis/deces/openapi', headers: bearer(admin), payload: fixed });
    expect(ok.statusCode).toBe(200);
  });
});
