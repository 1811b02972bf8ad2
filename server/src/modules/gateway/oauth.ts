import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { oauthErrorCodes, TokenRequest } from '@patrimoine/contracts/gateway';
import type { Clock } from '../../platform/clock.ts';
import type { RouteTable, RtApi, RtApp, RtClient } from './route-table.ts';
import { sha256, type GatewaySecrets } from './secrets.ts';

/**
 * OAuth2 client credentials (RFC 6749 §4.4): client authentication by secret (basic or post) or
 * private_key_jwt (RFC 7523), RFC 9068 JWT access tokens signed ES256, introspection (RFC 7662).
 */
export const TOKEN_TTL_SECONDS = 600;
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class OAuthError extends Error {
  constructor(
    readonly error: (typeof oauthErrorCodes)[number],
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export const audienceOf = (issuer: string, slug: string) => `${issuer}/gw/${slug}`;

export async function newSigningKey(secrets: GatewaySecrets) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const priv = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  return { kid, alg: 'ES256', publicJwk: pub as Record<string, unknown>, privateEnc: secrets.encrypt(JSON.stringify(priv)) };
}

/** Form fields of a token or introspection request (the contract's schema). */
export type { TokenRequest } from '@patrimoine/contracts/gateway';

export interface ReplayGuard {
  /** True the first time a jti is seen within its lifetime. */
  firstUse(jti: string, ttlMs: number): Promise<boolean>;
}

export class OAuthServer {
  private readonly privateKeys = new Map<string, CryptoKey>();
  private readonly publicKeys = new Map<string, CryptoKey>();
  constructor(
    private readonly issuer: string,
    private readonly secrets: GatewaySecrets,
    private readonly clock: Clock,
    private readonly replay: ReplayGuard,
  ) {}

  metadata() {
    return {
      issuer: this.issuer,
      token_endpoint: `${this.issuer}/oauth/token`,
      introspection_endpoint: `${this.issuer}/oauth/introspect`,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      response_types_supported: ['token'],
      scopes_supported: [] as string[],
    };
  }

  jwks(table: RouteTable) {
    const now = this.clock.now().getTime();
    return { keys: table.signingKeys.filter((k) => k.active || (k.retireAfter !== null && k.retireAfter > now)).map((k) => k.publicJwk) };
  }

  /**
   * Authenticates the client of a token or introspection request, by the method the client was
   * registered with (RFC 6749 §2.3, RFC 7591 `token_endpoint_auth_method`): a `client_secret_basic`
   * client must use the Authorization header, a `client_secret_post` one the form, a
   * `private_key_jwt` one an assertion. Any failure is a 401 `invalid_client`, never a 500.
   */
  async authenticate(table: RouteTable, body: TokenRequest, authorization: string | undefined, endpoint: string): Promise<RtClient> {
    let clientId: string | undefined;
    let secret: string | undefined;
    let method: 'client_secret_basic' | 'client_secret_post';
    if (authorization !== undefined && authorization.trim() !== '') {
      const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
      if (!basic) throw new OAuthError('invalid_client', 'En-tête Authorization mal formé : « Basic base64(client_id:client_secret) » attendu.', 401);
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i <= 0) throw new OAuthError('invalid_client', 'En-tête Basic mal formé : « client_id:client_secret » attendu.', 401);
      try {
        clientId = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      } catch {
        throw new OAuthError('invalid_client', 'En-tête Basic mal formé : encodage de client_id ou client_secret invalide.', 401);
      }
      if (body.client_secret !== undefined || body.client_assertion !== undefined)
        throw new OAuthError('invalid_request', 'Une seule méthode d’authentification du client par requête.');
      if (body.client_id !== undefined && body.client_id !== clientId)
        throw new OAuthError('invalid_client', 'client_id du formulaire différent de celui de l’en-tête Basic.', 401);
      method = 'client_secret_basic';
    } else if (body.client_assertion !== undefined) {
      if (body.client_secret !== undefined) throw new OAuthError('invalid_request', 'Une seule méthode d’authentification du client par requête.');
      if (body.client_assertion_type !== ASSERTION_TYPE) throw new OAuthError('invalid_request', `client_assertion_type doit valoir ${ASSERTION_TYPE}.`);
      return this.authenticateAssertion(table, String(body.client_assertion), body.client_id, endpoint);
    } else {
      clientId = body.client_id;
      secret = body.client_secret;
      method = 'client_secret_post';
    }
    if (!clientId || !secret)
      throw new OAuthError('invalid_client', 'Authentification du client requise (client_secret_basic, client_secret_post ou private_key_jwt).', 401);
    const c = table.clients.get(clientId);
    if (!c || c.revoked || !c.secretHash || c.secretHash !== sha256(secret))
      throw new OAuthError('invalid_client', 'Client inconnu, révoqué ou secret invalide.', 401);
    if (c.authMethod !== method) throw new OAuthError('invalid_client', `Ce client s’authentifie par ${c.authMethod}, pas par ${method}.`, 401);
    return c;
  }

  private async authenticateAssertion(table: RouteTable, assertion: string, clientIdParam: string | undefined, endpoint: string): Promise<RtClient> {
    let sub: string | undefined;
    try {
      const parts = assertion.split('.');
      sub = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')).sub;
    } catch {
      throw new OAuthError('invalid_client', 'client_assertion illisible.', 401);
    }
    const c = sub ? table.clients.get(sub) : undefined;
    if (!c || c.revoked || c.authMethod !== 'private_key_jwt' || !c.jwks)
      throw new OAuthError('invalid_client', 'Client inconnu, révoqué ou sans clé publique.', 401);
    if (clientIdParam && clientIdParam !== c.clientId) throw new OAuthError('invalid_client', 'client_id ne correspond pas à l’assertion.', 401);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(c.jwks as { keys: JWK[] }), {
        issuer: c.clientId,
        subject: c.clientId,
        audience: [endpoint, this.issuer, `${this.issuer}/oauth/token`],
        currentDate: this.clock.now(),
        maxTokenAge: '10m',
        // Client clocks drift: a minute of tolerance on exp/nbf/iat, as common practice.
        clockTolerance: 60,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (e) {
      throw new OAuthError('invalid_client', `client_assertion refusée : ${(e as Error).message}`, 401);
    }
    const ttl = Math.max(1000, payload.exp! * 1000 - this.clock.now().getTime() + 60_000);
    if (!(await this.replay.firstUse(`${c.clientId}:${payload.jti}`, ttl)))
      throw new OAuthError('invalid_client', 'client_assertion déjà utilisée (jti rejoué).', 401);
    return c;
  }

  /** Client credentials grant: picks the API (resource/audience, or the only subscription) and the scopes. */
  async token(table: RouteTable, body: TokenRequest, authorization: string | undefined) {
    // RFC 6749 §5.2: a missing parameter is invalid_request; an unknown grant, unsupported_grant_type.
    if (body.grant_type === undefined || body.grant_type === '') throw new OAuthError('invalid_request', 'Paramètre grant_type manquant.');
    if (body.grant_type !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'Seul grant_type=client_credentials est accepté.');
    const client = await this.authenticate(table, body, authorization, `${this.issuer}/oauth/token`);
    const app = table.apps.get(client.applicationId);
    if (!app) throw new OAuthError('invalid_client', 'Application introuvable.', 401);
    const target = body.resource ?? body.audience;
    let api: RtApi | undefined;
    if (target) {
      const slug = target.startsWith(`${this.issuer}/gw/`) ? target.slice(`${this.issuer}/gw/`.length).replace(/\/.*$/, '') : target;
      api = table.apis.get(slug);
      if (!api || !app.subs.has(api.id)) throw new OAuthError('invalid_target', `L’application n’a pas d’abonnement actif à « ${target} ».`);
    } else {
      if (app.subs.size !== 1)
        throw new OAuthError('invalid_target', 'Précisez l’API visée (paramètre resource) : l’application a plusieurs abonnements ou aucun.');
      api = table.apisById.get([...app.subs.keys()][0]!);
    }
    if (!api) throw new OAuthError('invalid_target', 'API introuvable.');
    const granted = app.subs.get(api.id)!.scopes;
    const requested = body.scope ? body.scope.split(' ').filter(Boolean) : granted;
    const refused = requested.filter((s) => !granted.includes(s));
    if (refused.length) throw new OAuthError('invalid_scope', `Portée(s) non accordée(s) par l’abonnement : ${refused.join(', ')}.`);
    const key = table.signingKeys.find((k) => k.active);
    if (!key) throw new OAuthError('invalid_request', 'Aucune clé de signature active.', 500);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const token = await new SignJWT({ client_id: client.clientId, scope: requested.join(' '), app: app.id })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(client.clientId)
      .setAudience(audienceOf(this.issuer, api.slug))
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(await this.privateKey(key.kid, key.privateEnc));
    return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, scope: requested.join(' ') };
  }

  private async privateKey(kid: string, sealed: string) {
    let k = this.privateKeys.get(kid);
    if (!k) {
      k = (await importJWK(JSON.parse(this.secrets.decrypt(sealed)) as JWK, 'ES256')) as CryptoKey;
      this.privateKeys.set(kid, k);
    }
    return k;
  }

  private async publicKey(table: RouteTable, kid: string) {
    const now = this.clock.now().getTime();
    const sk = table.signingKeys.find((k) => k.kid === kid && (k.active || (k.retireAfter !== null && k.retireAfter > now)));
    if (!sk) return null;
    let k = this.publicKeys.get(kid);
    if (!k) {
      k = (await importJWK(sk.publicJwk as JWK, sk.alg)) as CryptoKey;
      this.publicKeys.set(kid, k);
    }
    return k;
  }

  /**
   * Verifies an access token for an API. Returns the application, or a reason (French) and whether
   * it is an authentication (401) or a scope (403) failure.
   */
  async verify(
    table: RouteTable,
    token: string,
    api: RtApi,
  ): Promise<{ ok: true; app: RtApp; clientId: string; scopes: string[] } | { ok: false; status: 401 | 403; error: string; reason: string }> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { ok: false, status: 401, error: 'invalid_token', reason: 'Jeton d’accès mal formé.' };
    }
    const key = kid ? await this.publicKey(table, kid) : null;
    if (!key) return { ok: false, status: 401, error: 'invalid_token', reason: 'Jeton signé par une clé inconnue ou retirée.' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, { issuer: this.issuer, typ: 'at+jwt', currentDate: this.clock.now(), algorithms: ['ES256'] }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      return { ok: false, status: 401, error: 'invalid_token', reason: code === 'ERR_JWT_EXPIRED' ? 'Jeton d’accès expiré.' : 'Jeton d’accès invalide.' };
    }
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.includes(audienceOf(this.issuer, api.slug)))
      return { ok: false, status: 401, error: 'invalid_token', reason: 'Jeton émis pour une autre API (audience).' };
    const client = table.clients.get(String(payload.client_id ?? payload.sub));
    if (!client || client.revoked) return { ok: false, status: 401, error: 'invalid_token', reason: 'Client OAuth2 révoqué.' };
    const app = table.apps.get(client.applicationId);
    if (!app || !app.subs.has(api.id)) return { ok: false, status: 401, error: 'invalid_token', reason: 'Abonnement révoqué ou inactif.' };
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (api.requiredScope && !scopes.includes(api.requiredScope))
      return { ok: false, status: 403, error: 'insufficient_scope', reason: `Portée « ${api.requiredScope} » requise.` };
    return { ok: true, app, clientId: client.clientId, scopes };
  }

  /**
   * RFC 7662: active flag and claims of a token issued here, for a caller allowed to know it: the
   * token's own client, or a resource server of the token's audience — a client of an application
   * of the organisation that produces the API the token is for. Anyone else learns `active: false`
   * (RFC 7662 §2.2 and §4: no token scanning, no reading other clients' claims).
   */
  async introspect(table: RouteTable, token: string, caller: RtClient) {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { active: false };
    }
    const key = kid ? await this.publicKey(table, kid) : null;
    if (!key) return { active: false };
    try {
      const { payload } = await jwtVerify(token, key, { issuer: this.issuer, typ: 'at+jwt', currentDate: this.clock.now() });
      const client = table.clients.get(String(payload.client_id));
      if (!client || client.revoked) return { active: false };
      if (client.clientId !== caller.clientId && !this.isResourceServer(table, caller, payload)) return { active: false };
      return { active: true, token_type: 'Bearer', ...payload };
    } catch {
      return { active: false };
    }
  }

  /** Whether `caller` belongs to the producer organisation of an API in the token's audience. */
  private isResourceServer(table: RouteTable, caller: RtClient, payload: JWTPayload): boolean {
    const org = table.apps.get(caller.applicationId)?.organisationCode;
    if (!org) return false;
    const prefix = `${this.issuer}/gw/`;
    const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
    return aud.some((a) => a.startsWith(prefix) && table.apis.get(a.slice(prefix.length))?.organisationCode === org);
  }
}
