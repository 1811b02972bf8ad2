import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { fcDemoInfo, fcDemoToken, fcDemoTokenInput } from '@patrimoine/contracts/gateway';
import { routeGroup } from '../../platform/auth/access.ts';
import { fieldError } from '../../platform/errors.ts';
import type { Clock } from '../../platform/clock.ts';
import type { IdentityPivot } from './franceconnect.ts';

/**
 * A local provider playing FranceConnect's role for the demo and development (never in production):
 * it issues access tokens for synthetic citizens with the scopes they consent to, and answers the
 * data-provider check `POST /api/v1/checktoken` as FranceConnect documents it (200 with `scope`,
 * `identity`, `client`; 400 `token_not_found_or_expired`). The gateway asks it exactly as it asks
 * FranceConnect (PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL defaults to it when it runs).
 *
 * Tokens are stateless: `fcdemo_<payload>.<HMAC>` with a key derived from the gateway's master secret,
 * so every node checks them and a forged or altered token is refused. Issuing one replaces the
 * citizen's sign-in at FranceConnect and the service provider's authorization code exchange.
 */

/** Synthetic citizens (INSEE codes of real places, invented people). */
export const DEMO_CITIZENS: ({ id: string } & IdentityPivot)[] = [
  { id: 'marie', given_name: 'Marie Anne', family_name: 'DUPONT', birthdate: '1985-04-12', gender: 'female', birthplace: '75056', birthcountry: '99100' },
  { id: 'paul', given_name: 'Paul', family_name: 'MARTIN', birthdate: '1990-11-02', gender: 'male', birthplace: '69123', birthcountry: '99100' },
  { id: 'zoe', given_name: 'Zoé Maëlle', family_name: 'LÉGER', birthdate: '2001-02-03', gender: 'female', birthplace: '97411', birthcountry: '99100' },
];
/** The scopes the local provider can grant (FranceConnect's identity scopes and the demo's data scope). */
export const DEMO_FC_SCOPES = [
  'openid',
  'identite_pivot',
  'given_name',
  'family_name',
  'birthdate',
  'gender',
  'birthplace',
  'birthcountry',
  'droit_a_conduire',
];
export const DEMO_FC_CLIENT = { client_id: 'fs-demo-patrimoine', client_name: 'Fournisseur de service de démonstration' };
export const DEMO_CHECKTOKEN_PATH = '/demo/franceconnect/api/v1/checktoken';

interface Payload {
  c: string;
  s: string[];
  exp: number;
  n: string;
}

export function createDemoFranceConnect(deps: { key: Buffer; clock: Clock }) {
  const sign = (p: string) => createHmac('sha256', deps.key).update(p).digest('base64url');
  const now = () => Math.floor(deps.clock.now().getTime() / 1000);

  function issue(citizenId: string, scopes: string[], expiresIn: number) {
    const citizen = DEMO_CITIZENS.find((c) => c.id === citizenId);
    if (!citizen) return null;
    const payload = Buffer.from(
      JSON.stringify({ c: citizen.id, s: scopes, exp: now() + expiresIn, n: randomBytes(6).toString('hex') } satisfies Payload),
    ).toString('base64url');
    return { accessToken: `fcdemo_${payload}.${sign(payload)}`, expiresIn, scopes, citizen };
  }

  /** What FranceConnect's checktoken says of a token: null when unknown, forged or expired. */
  function check(token: string) {
    const m = /^fcdemo_([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const expected = Buffer.from(sign(m[1]!));
    const given = Buffer.from(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let p: Payload;
    try {
      p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Payload;
    } catch {
      return null;
    }
    const left = p.exp - now();
    const citizen = DEMO_CITIZENS.find((c) => c.id === p.c);
    if (left <= 0 || !citizen) return null;
    const { id: _id, ...identity } = citizen;
    void _id;
    return { scope: p.s, identity, client: DEMO_FC_CLIENT, expires_in: left, identity_provider_id: 'demo', acr: 'eidas1' };
  }

  /** `POST /demo/franceconnect/api/v1/checktoken`: FranceConnect's data-provider contract, body `{"token": …}`. */
  const checktoken: FastifyPluginAsync = routeGroup('raw', async (app) => {
    app.post(DEMO_CHECKTOKEN_PATH, { schema: { hide: true }, bodyLimit: 8192 }, async (req, reply) => {
      const body = req.body as { token?: unknown } | undefined;
      const token = body && typeof body === 'object' && typeof body.token === 'string' ? body.token : '';
      const answer = check(token);
      if (!answer) return reply.status(400).send({ status: 'fail', message: 'token_not_found_or_expired' });
      return answer;
    });
  });

  return { issue, check, checktoken };
}
export type DemoFranceConnect = ReturnType<typeof createDemoFranceConnect>;

/**
 * The portal's side of the demo: what the local provider offers (public), and a citizen's token for a
 * signed-in person playing a service provider (the shortcut of FranceConnect's sign-in and code exchange).
 */
export function demoFranceConnectRoutes(demo: DemoFranceConnect | null, checktokenUrl: string | null): FastifyPluginAsync {
  const tags = ['gateway'];
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().get(
          '/api/gateway/franceconnect-demo',
          {
            schema: {
              tags,
              operationId: 'getFranceConnectDemo',
              summary: 'The local FranceConnect of the demo: whether it runs, its synthetic citizens and scopes',
              response: { 200: fcDemoInfo },
            },
          },
          async () => ({
            enabled: !!demo,
            checktokenUrl: demo ? checktokenUrl : null,
            citizens: demo ? DEMO_CITIZENS : [],
            scopes: demo ? DEMO_FC_SCOPES : [],
          }),
        );
      }),
    );
    await app.register(
      routeGroup('authenticated', async (g) => {
        g.withTypeProvider<ZodTypeProvider>().post(
          '/api/gateway/franceconnect-demo/tokens',
          {
            schema: {
              tags,
              operationId: 'issueFranceConnectDemoToken',
              summary: 'A synthetic citizen’s access token from the local FranceConnect (demo and development only)',
              body: fcDemoTokenInput,
              response: { 201: fcDemoToken },
            },
          },
          async (req, reply) => {
            if (!demo) throw fieldError('citizen', 'le fournisseur FranceConnect de démonstration ne fonctionne pas sur cette plateforme');
            const unknown = req.body.scopes.find((s) => !DEMO_FC_SCOPES.includes(s));
            if (unknown) throw fieldError('scopes', `scope « ${unknown} » inconnu du fournisseur de démonstration`);
            const t = demo.issue(req.body.citizen, req.body.scopes, req.body.expiresIn);
            if (!t) throw fieldError('citizen', 'citoyen de démonstration inconnu');
            return reply.status(201).send({
              accessToken: t.accessToken,
              tokenType: 'Bearer' as const,
              expiresIn: t.expiresIn,
              scopes: t.scopes,
              citizen: { given_name: t.citizen.given_name, family_name: t.citizen.family_name, birthdate: t.citizen.birthdate },
            });
          },
        );
      }),
    );
  };
}
