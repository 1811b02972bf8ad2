import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

/** Inputs no contract can accept get a 400 naming the field on every route, never a 500. */
let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform();
});
afterAll(async () => t?.teardown());

describe('input hygiene through HTTP', () => {
  it('refuses a NUL byte in a JSON body with a problem naming the field, and stores nothing', async () => {
    const admin = await t.tokenFor('admin');
    const before = (await t.app.inject({ url: '/api/admin/users', headers: bearer(admin.token) })).json().items.length;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(admin.token),
      payload: { login: 'nul.byte', displayName: 'A\u0000B', role: 'reader', password: 'correct horse battery staple\u0000' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.displayName' }), expect.objectContaining({ field: 'body.password' })]),
    );
    const after = (await t.app.inject({ url: '/api/admin/users', headers: bearer(admin.token) })).json().items.length;
    expect(after).toBe(before);
  });

  it('refuses a lone surrogate in a JSON body, a NUL byte in a query string and in a path parameter', async () => {
    const admin = await t.tokenFor('admin');
    // A lone surrogate can only arrive escaped in JSON (UTF-8 cannot carry it).
    const s = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { ...bearer(admin.token), 'content-type': 'application/json' },
      payload: '{"login":"surrogate","displayName":"x\\ud800y","role":"reader"}',
    });
    expect(s.statusCode).toBe(400);
    expect(s.json().errors).toEqual([expect.objectContaining({ field: 'body.displayName', message: expect.stringMatching(/substitut/) })]);
    const q = await t.app.inject({ url: '/api/catalog/assets?q=d%00ces' });
    expect(q.statusCode).toBe(400);
    expect(q.json().errors[0].field).toBe('querystring.q');
    const p = await t.app.inject({ url: '/api/gateway/apis/a%00b' });
    expect(p.statusCode).toBe(400);
    expect(p.json().errors[0].field).toMatch(/^params\./);
  });

  it('refuses deeply nested JSON with a 400', async () => {
    const admin = await t.tokenFor('admin');
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { ...bearer(admin.token), 'content-type': 'application/json' },
      payload: `{"login":${deep}}`,
    });
    expect(r.statusCode).toBe(400);
  });
});
