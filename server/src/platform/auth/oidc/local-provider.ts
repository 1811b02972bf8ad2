import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import { PROCONNECT_ACR_VALUES } from './config.ts';

/**
 * A local OpenID Connect provider configured as ProConnect documents itself (and as its own mocks do):
 * endpoints under `/api/v2/` found by discovery, the ProConnect scopes and claims, `acr` (eIDAS values) and
 * `amr` in the ID token through the `claims` parameter, `client_secret_post`, signed ID token and signed
 * userinfo (RS256 or ES256), codes valid 60 s, end-session with `id_token_hint`. Its login page lists
 * test agents and lets one choose a simple or multi-factor authentication, or refuse.
 *
 * For tests (`server/test/proconnect-provider.ts`) and, when PATRIMOINE_PROCONNECT_DEV_PROVIDER is set
 * outside production, for the `npm start` demo. Never for production.
 */

export interface LocalAgent {
  sub: string;
  given_name: string;
  usual_name: string;
  email: string;
  uid: string;
  siret: string;
  idp_id: string;
  organization_label: string;
  roles?: string[];
  phone_number?: string;
}

/** The demo agents: one lands by identity provider + domain, one by SIRET, one in the queue. */
export const DEMO_AGENTS: LocalAgent[] = [
  {
    sub: 'demo-sub-camille',
    given_name: 'Camille',
    usual_name: 'Fédérée',
    email: 'camille.federee@interieur.gouv.fr',
    uid: 'cfederee',
    siret: '11000000000012',
    idp_id: 'demo-fi-interieur',
    organization_label: 'Ministère de l’Intérieur — DNUM',
    roles: ['agent_public'],
  },
  {
    sub: 'demo-sub-dominique',
    given_name: 'Dominique',
    usual_name: 'Routière',
    email: 'dominique.routiere@securite-routiere.gouv.fr',
    uid: 'droutiere',
    siret: '13000000000019',
    idp_id: 'demo-fi-siret',
    organization_label: 'Délégation à la sécurité routière',
    roles: ['agent_public'],
  },
  {
    sub: 'demo-sub-alex',
    given_name: 'Alex',
    usual_name: 'Inconnu',
    email: 'alex.inconnu@exemple.gouv.fr',
    uid: 'ainconnu',
    siret: '99999999999999',
    idp_id: 'demo-fi-autre',
    organization_label: 'Service non référencé',
    roles: ['agent_public'],
  },
];

export interface LocalProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  agents?: LocalAgent[];
  alg?: 'RS256' | 'ES256';
  port?: number;
}

type Stored = { payload: Record<string, unknown> & { exp?: number; uid?: string; grantId?: string; consumed?: number }; expiresAt: number | null };

/** In-memory storage shared by the successive provider instances of a key rotation; lets tests expire codes. */
function createStore() {
  const data = new Map<string, Stored>();
  const key = (model: string, id: string) => `${model}:${id}`;
  class Adapter {
    constructor(private readonly model: string) {}
    async upsert(id: string, payload: Stored['payload'], expiresIn?: number) {
      data.set(key(this.model, id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    }
    async find(id: string) {
      const s = data.get(key(this.model, id));
      if (!s) return undefined;
      if (s.expiresAt !== null && s.expiresAt < Date.now()) {
        data.delete(key(this.model, id));
        return undefined;
      }
      return s.payload;
    }
    async findByUid(uid: string) {
      for (const [k, s] of data) if (k.startsWith(`${this.model}:`) && s.payload.uid === uid) return s.payload;
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const s = data.get(key(this.model, id));
      if (s) s.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      data.delete(key(this.model, id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, s] of data) if (s.payload.grantId === grantId) data.delete(k);
    }
  }
  return {
    Adapter,
    /** Makes every authorization code already issued expired (as if its 60 seconds had passed). */
    expireCodes() {
      const past = Math.floor(Date.now() / 1000) - 120;
      for (const [k, s] of data) {
        if (k.startsWith('AuthorizationCode:')) {
          s.payload.exp = past;
          s.payload.iat = past - 60;
        }
      }
    },
  };
}

function newKey(alg: 'RS256' | 'ES256') {
  const { privateKey } = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: randomBytes(8).toString('hex'), alg, use: 'sig' };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto"><h1>${esc(title)}</h1>${body}</body></html>`;
}

/** Starts the provider on 127.0.0.1; `issuer` is `http://127.0.0.1:<port>/api/v2`. */
export async function startLocalProConnect(opts: LocalProviderOptions) {
  const alg = opts.alg ?? 'RS256';
  const agents = opts.agents ?? DEMO_AGENTS;
  const store = createStore();
  const cookieKeys = [randomBytes(32).toString('hex')];
  let keys = [newKey(alg)];
  let provider: Provider;
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}/api/v2`;
  /** What the provider saw of the last authorization request (tests check that nothing extra was sent). */
  let lastAuthorizeQuery: URLSearchParams | null = null;

  function build() {
    const p = new Provider(issuer, {
      adapter: store.Adapter,
      clients: [
        {
          client_id: opts.clientId,
          client_secret: opts.clientSecret,
          redirect_uris: opts.redirectUris,
          post_logout_redirect_uris: opts.postLogoutRedirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
          id_token_signed_response_alg: alg,
          userinfo_signed_response_alg: alg,
        },
      ],
      jwks: { keys },
      cookies: { keys: cookieKeys },
      routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo', end_session: '/session/end', jwks: '/jwks' },
      scopes: ['openid', 'given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id', 'organization_label', 'roles', 'phone'],
      claims: {
        openid: ['sub'],
        given_name: ['given_name'],
        usual_name: ['usual_name'],
        email: ['email'],
        uid: ['uid'],
        siret: ['siret'],
        idp_id: ['idp_id'],
        organization_label: ['organization_label'],
        roles: ['roles'],
        phone: ['phone_number'],
      },
      acrValues: [...PROCONNECT_ACR_VALUES],
      pkce: { required: () => false },
      features: {
        devInteractions: { enabled: false },
        claimsParameter: { enabled: true },
        jwtUserinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // ProConnect ends the session at once (303): no confirmation page.
          logoutSource: async (ctx: { body: string }, form: string) => {
            ctx.body = page(
              'Déconnexion ProConnect',
              `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button><script>document.getElementById('op.logoutForm').insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.getElementById('op.logoutForm').submit()</script>`,
            );
          },
        },
      },
      ttl: { AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600, Interaction: 600, Session: 12 * 3600, Grant: 12 * 3600 },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/api/v2/interaction/${interaction.uid}` },
      findAccount: async (_ctx: unknown, id: string) => {
        const a = agents.find((x) => x.sub === id);
        if (!a) return undefined;
        return { accountId: id, claims: async () => ({ ...a }) };
      },
      renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
        ctx.type = 'html';
        ctx.body = page('Erreur ProConnect', `<p>${esc(out.error ?? '')} : ${esc(out.error_description ?? '')}</p>`);
      },
    });
    return p;
  }
  provider = build();

  async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 10_000) break;
    }
    return new URLSearchParams(body);
  }

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET') {
      let demanded: string[] = [];
      try {
        const claims = JSON.parse(String(details.params.claims ?? '{}')) as { id_token?: { acr?: { values?: string[] } | null } };
        demanded = claims.id_token?.acr?.values ?? [];
      } catch {
        demanded = [];
      }
      const mfaFirst = demanded.length > 0 && !demanded.includes('eidas1');
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
      const radios = agents
        .map(
          (a, i) =>
            `<p><label><input type="radio" name="sub" value="${esc(a.sub)}" ${(hint ? a.email === hint : i === 0) ? 'checked' : ''}> ${esc(a.given_name)} ${esc(a.usual_name)} — ${esc(a.email)} (${esc(a.idp_id)})</label></p>`,
        )
        .join('');
      const body = `<p>Fournisseur d’identité de test (simulation de ProConnect).</p>
${demanded.length ? `<p>Le service demande : ${esc(demanded.join(', '))}</p>` : ''}
<form method="post" action="/api/v2/interaction/${esc(uid)}">
<fieldset><legend>Compte</legend>${radios}</fieldset>
<fieldset><legend>Méthode d’authentification</legend>
<p><label><input type="radio" name="method" value="pwd" ${mfaFirst ? '' : 'checked'}> Mot de passe (eidas1)</label></p>
<p><label><input type="radio" name="method" value="mfa" ${mfaFirst ? 'checked' : ''}> Mot de passe et code à usage unique (eidas1-mfa)</label></p>
</fieldset>
<button type="submit" name="action" value="login">Continuer</button>
<button type="submit" name="action" value="deny">Refuser</button>
</form>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Connexion ProConnect (test)', body));
      return;
    }
    const form = await readForm(req);
    if (form.get('action') === 'deny') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'L’agent a refusé la connexion.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const sub = form.get('sub') ?? '';
    if (!agents.some((a) => a.sub === sub)) {
      res.writeHead(400).end('compte inconnu');
      return;
    }
    const mfa = form.get('method') === 'mfa';
    const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    try {
      const claims = JSON.parse(String(details.params.claims ?? '{}')) as Record<string, Record<string, unknown> | undefined>;
      grant.addOIDCClaims([...Object.keys(claims.id_token ?? {}), ...Object.keys(claims.userinfo ?? {})]);
    } catch {
      // no claims parameter
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub, acr: mfa ? 'eidas1-mfa' : 'eidas1', amr: mfa ? ['pwd', 'otp', 'mfa'] : ['pwd'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    try {
      const url = new URL(req.url ?? '/', issuer);
      const m = /^\/api\/v2\/interaction\/([A-Za-z0-9_-]{1,100})$/.exec(url.pathname);
      if (m) return await interaction(req, res, m[1]!);
      if (url.pathname === '/api/v2/authorize') lastAuthorizeQuery = url.searchParams;
      if (url.pathname.startsWith('/api/v2/') || url.pathname === '/api/v2') {
        // Mounted under /api/v2 as ProConnect is: oidc-provider derives its mount path from originalUrl.
        (req as { originalUrl?: string }).originalUrl = req.url;
        req.url = req.url!.slice('/api/v2'.length) || '/';
        return provider.callback()(req, res);
      }
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end((err as Error).message);
    }
  }

  return {
    issuer,
    port,
    /** Publishes a new signing key (the old one stays published) and signs with it from now on. */
    rotateKeys() {
      keys = [newKey(alg), ...keys];
      provider = build();
      return keys[0]!.kid as string;
    },
    /** kid of the key signing now. */
    currentKid: () => keys[0]!.kid as string,
    expireCodes: () => store.expireCodes(),
    lastAuthorizeQuery: () => lastAuthorizeQuery,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
    /** A random id for a new test agent. */
    newSub: () => `sub-${randomUUID()}`,
  };
}
export type LocalProConnect = Awaited<ReturnType<typeof startLocalProConnect>>;
