import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { registerErrorHandling } from './problem.ts';
import { parseYamlSafely } from '../yaml.ts';

/** Issue 10: YAML alias bombs and multipart bodies without a boundary gave 500s instead of 4xx. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

let t: TestPlatform;
let admin: string;
beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
});
afterAll(async () => {
  await t?.teardown();
});

describe('YAML alias bombs', () => {
  it('parseYamlSafely refuses them with a field error', () => {
    expect(() => parseYamlSafely(aliasBomb(), 'file')).toThrow(/alias/);
    try {
      parseYamlSafely(aliasBomb(), 'file');
    } catch (e) {
      expect(e).toMatchObject({ status: 400, errors: [{ field: 'file' }] });
    }
    expect(parseYamlSafely('a: &x 1\nb: *x\n', 'file')).toEqual({ a: 1, b: 1 });
  });

  for (const [name, url, body] of [
    ['the catalogue import', '/api/catalog/import', { content: aliasBomb(), dryRun: true }],
    ['the gateway configuration', '/api/gateway/config', { yaml: aliasBomb(), dryRun: true }],
  ] as const)
    it(`are a 400 on ${name}`, async () => {
      const r = await t.app.inject({ method: 'POST', url, headers: bearer(admin), payload: body });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(r.json())).toMatch(/alias/);
    });
});

describe('multipart bodies without a boundary', () => {
  const noBoundary = { 'content-type': 'multipart/form-data' };
  const body = '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nnom\r\n--x--\r\n';

  it('are a 400 problem on any route reading multipart (the error handler maps the parser’s error)', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(multipart);
    app.post('/upload', async (req) => {
      const f = await req.file();
      return { name: f?.filename ?? null };
    });
    const r = await app.inject({ method: 'POST', url: '/upload', headers: noBoundary, payload: body });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
    expect(r.json().detail).toMatch(/boundary/);
    await app.close();
  });

  it('are a 400 problem on the bulk matching upload', async () => {
    const u = await t.tokenFor('reader');
    const r = await t.app.inject({ method: 'POST', url: '/deces/api/v1/search/csv', headers: { ...bearer(u.token), ...noBoundary }, payload: body });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
