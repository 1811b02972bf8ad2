import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spectral } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { createTestPlatform, type TestPlatform } from '../../test/harness.ts';

/**
 * The OpenAPI document lints cleanly with the two linters API teams use: Spectral's `spectral:oas`
 * ruleset and Redocly's `recommended` rules (zero errors from each; warnings are printed), and every
 * operation carries what the route contract promises (operationId, a declared tag, its own security,
 * a success response with a schema). Routes hidden from the document are exactly the expected ones.
 */

/** Routes that cannot have a schema: the document itself, Swagger UI's files, the gateway's proxied upstream bytes. */
const EXPECTED_HIDDEN = [
  'GET /api/openapi.json',
  // Swagger UI (@fastify/swagger-ui): its page, its static files, the document again.
  'GET /api/docs',
  'GET /api/docs/*',
  'GET /api/docs/json',
  'GET /api/docs/static/index.html',
  'GET /api/docs/static/swagger-initializer.js',
  'GET /api/docs/yaml',
  // The deaths API's own documentation, where matchID's users find it (same Swagger UI, cut document).
  'GET /deces/api/v1/docs',
  'GET /deces/api/v1/docs/*',
  'GET /deces/api/v1/docs/json',
  'GET /deces/api/v1/docs/static/index.html',
  'GET /deces/api/v1/docs/static/swagger-initializer.js',
  'GET /deces/api/v1/docs/yaml',
  'GET /deces/api/v1/docs/swagger.json',
  // Gateway data plane: every method of /gw/{api}/… is the upstream's own contract (described per
  // API in the portal), plus the data plane's probe and Prometheus metrics (text, not JSON).
  ...['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'].flatMap((m) => [`${m} /gw/:slug`, `${m} /gw/:slug/*`]),
  'GET /gw/-/health',
  'GET /gw/-/metrics',
  // The synthetic « droit à conduire » upstream (ADR 0012): only reached through /gw/droit-a-conduire.
  'GET /demo/droit-a-conduire/v1/permis',
  'GET /demo/droit-a-conduire/v1/sante',
  // The demo's local FranceConnect (its checktoken endpoint, FranceConnect's own contract, not ours).
  'POST /demo/franceconnect/api/v1/checktoken',
  // The synthetic upstreams of the demo's restricted APIs: only reached through /gw/<slug>, each with its
  // own OpenAPI document in the portal (gateway/demo-upstreams.ts).
  'GET /demo/api-rga/v1',
  'GET /demo/api-rga/v1/armes/:reference',
  'GET /demo/api-certificat-immatriculation/v1',
  'GET /demo/api-certificat-immatriculation/v1/vehicules/:immatriculation',
  'GET /demo/verifpermis/v1',
  'GET /demo/verifpermis/v1/permis/:numero',
].sort();

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Doc {
  tags?: { name: string }[];
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}

let t: TestPlatform;
let doc: Doc;
let source: string;

beforeAll(async () => {
  t = await createTestPlatform();
  const r = await t.app.inject('/api/openapi.json');
  expect(r.statusCode).toBe(200);
  source = r.body;
  doc = JSON.parse(source) as Doc;
}, 120_000);
afterAll(async () => t?.teardown());

/** Every route of the app as `METHOD /path` (HEAD left out), read from Fastify's route tree. */
function registeredRoutes(): string[] {
  const tree = t.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)(?:├── |└── )(.+?)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]!].length / 4;
    stack.length = depth;
    // The tree prints a wildcard under its parent without the separating slash.
    const parent = stack.join('');
    stack.push(m[2] === '*' && !parent.endsWith('/') ? '/*' : m[2]!);
    const url = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method && method !== 'HEAD') out.push(`${method} ${url}`);
  }
  return out;
}

/** `/x/{id}` of the document → `/x/:id` of Fastify. */
const fastifyPath = (p: string) => p.replace(/\{([^}]+)\}/g, ':$1');

function operations(): { where: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => ({ where: `${m.toUpperCase()} ${p}`, op: item[m]! })));
}

describe('OpenAPI document', () => {
  it('has no error with Spectral’s spectral:oas ruleset', async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    const results = await spectral.run(source);
    const errors = results.filter((r) => r.severity === 0).map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
    const warnings = results.filter((r) => r.severity === 1);
    console.info(`Spectral (spectral:oas): ${errors.length} error(s), ${warnings.length} warning(s)`);
    if (warnings.length) console.info(summarise(warnings.map((w) => String(w.code))));
    expect(errors).toEqual([]);
  }, 60_000);

  it('has no error with Redocly’s recommended rules', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    const warnings = problems.filter((p) => p.severity === 'warn');
    console.info(`Redocly (recommended): ${errors.length} error(s), ${warnings.length} warning(s)`);
    if (warnings.length) console.info(summarise(warnings.map((w) => w.ruleId)));
    expect(errors).toEqual([]);
  }, 60_000);

  it('gives every operation an operationId, a declared tag, its own security and a success response with a schema', () => {
    const declared = new Set((doc.tags ?? []).map((x) => x.name));
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const { where, op } of operations()) {
      if (!op.operationId) problems.push(`${where}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, where);
      if (!op.tags?.length) problems.push(`${where}: no tag`);
      for (const tag of op.tags ?? []) if (!declared.has(tag)) problems.push(`${where}: tag « ${tag} » not declared in the document’s tags`);
      if (!Array.isArray(op.security)) problems.push(`${where}: no security of its own`);
      const success = Object.entries(op.responses ?? {}).filter(([code]) => /^[23]/.test(code));
      // A 204 has no body; every other success answer says what it sends.
      const described = success.some(([code, r]) => code === '204' || Object.values(r.content ?? {}).some((c) => c.schema !== undefined));
      if (!described) problems.push(`${where}: no 2xx/3xx response with a schema`);
    }
    expect(problems).toEqual([]);
  });

  it('hides exactly the expected routes', () => {
    const documented = new Set(operations().map(({ where }) => where.replace(/ .*/, (p) => ` ${fastifyPath(p.slice(1))}`)));
    const hidden = [...new Set(registeredRoutes().filter((r) => !documented.has(r)))].sort();
    expect(hidden).toEqual(EXPECTED_HIDDEN);
  });
});

/** `rule ×n` lines, most frequent first. */
function summarise(codes: string[]): string {
  const n = new Map<string, number>();
  for (const c of codes) n.set(c, (n.get(c) ?? 0) + 1);
  return [...n.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, k]) => `  ${c} ×${k}`)
    .join('\n');
}
