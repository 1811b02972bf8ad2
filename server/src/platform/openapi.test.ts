import { describe, expect, it } from 'vitest';
import { validateOpenApiDocument } from './openapi.ts';

const valid = {
  openapi: '3.0.3',
  info: { title: 'API des personnes décédées', version: '1.0.0' },
  paths: { '/search': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } } },
};

describe('OpenAPI validation', () => {
  it('accepts valid 3.0 and 3.1 documents', async () => {
    expect(await validateOpenApiDocument(valid)).toEqual([]);
    expect(await validateOpenApiDocument({ ...valid, openapi: '3.1.0' })).toEqual([]);
  });

  it('names the place of each problem', async () => {
    const bad = { ...valid, paths: { '/search': { get: { responses: { '200': {} } } } } };
    const errors = await validateOpenApiDocument(bad, 'spec.openapi');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.field.startsWith('spec.openapi.paths'))).toBe(true);
    const noInfo = await validateOpenApiDocument({ openapi: '3.0.3', paths: {} });
    expect(noInfo.map((e) => e.message).join()).toMatch(/info/);
  });

  it('refuses what is not a document, and never reads a string as a file', async () => {
    expect(await validateOpenApiDocument('/etc/passwd')).toEqual([{ field: 'openapi', message: expect.stringMatching(/attendu/) }]);
    expect(await validateOpenApiDocument([1, 2])).toHaveLength(1);
  });
});
