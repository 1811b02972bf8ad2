import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { routeContractPlugin, routeContractProblems } from './contract.ts';

const ok = { tags: ['catalog'], operationId: 'listThings', response: { 200: z.object({ a: z.string() }) } };
const none = new Set<string>();

describe('route contract', () => {
  it('accepts a documented route with tags, a success response schema and an operationId', () => {
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: ok }, none)).toEqual([]);
    expect(routeContractProblems({ method: 'DELETE', url: '/x', schema: { ...ok, response: { 204: z.null() } } }, none)).toEqual([]);
  });

  it('names each missing part', () => {
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: { ...ok, response: undefined } }, none)).toEqual(['GET /x: no success response schema']);
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: { ...ok, response: { 400: z.object({}) } } }, none)).toEqual([
      'GET /x: no success response schema',
    ]);
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: { ...ok, operationId: undefined } }, none)).toEqual(['GET /x: no operationId']);
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: { ...ok, tags: ['inconnu'] } }, none)).toEqual([
      'GET /x: tag « inconnu » is not declared in API_TAGS',
    ]);
    expect(routeContractProblems({ method: 'GET', url: '/x' }, none)).toEqual([
      'GET /x: no tag',
      'GET /x: no success response schema',
      'GET /x: no operationId',
    ]);
  });

  it('exempts hidden routes and, while they migrate, the tags said pending', () => {
    expect(routeContractProblems({ method: 'GET', url: '/gw/:slug', schema: { hide: true } }, none)).toEqual([]);
    expect(routeContractProblems({ method: 'GET', url: '/x', schema: { tags: ['catalog'] } }, new Set(['catalog']))).toEqual([]);
  });

  it('stops start-up on a route without a response schema, and on a duplicate operationId', async () => {
    const build = async (register: (app: ReturnType<typeof Fastify>) => void) => {
      const app = Fastify();
      app.setValidatorCompiler(validatorCompiler);
      app.setSerializerCompiler(serializerCompiler);
      await app.register(routeContractPlugin);
      register(app);
      return app;
    };
    const good = await build((app) => app.get('/x', { schema: ok }, async () => ({ a: 'b' })));
    await expect(good.ready()).resolves.toBeDefined();
    await good.close();
    const bare = await build((app) => app.get('/x', { schema: { tags: ['catalog'], operationId: 'x' } }, async () => ({})));
    await expect(bare.ready()).rejects.toThrow(/GET \/x: no success response schema/);
    const twice = await build((app) => {
      app.get('/x', { schema: ok }, async () => ({ a: 'b' }));
      app.get('/y', { schema: ok }, async () => ({ a: 'b' }));
    });
    await expect(twice.ready()).rejects.toThrow(/operationId « listThings » already used by GET \/x/);
  });
});
