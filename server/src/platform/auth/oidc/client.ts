import * as oidc from 'openid-client';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { guardedAgent } from '../../net/outbound.ts';
import type { ProConnectConfig } from './config.ts';

/** Claims Patrimoine reads from ProConnect (ID token and signed userinfo). */
export interface ProConnectClaims {
  sub: string;
  acr: string | null;
  amr: string[];
  email: string | null;
  emailVerified: boolean | null;
  givenName: string | null;
  usualName: string | null;
  uid: string | null;
  siret: string | null;
  idpId: string | null;
  organisationLabel: string | null;
}

/** A failure of the exchange with the provider, with the code `providerErrorMessage` explains. */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DISCOVERY_TTL_MS = 3600_000;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v.slice(0, 500) : null);

/**
 * ProConnect through `openid-client` (v6). Discovery is cached for an hour; a fresh `Configuration` is built
 * for every sign-in so that its JWKS is fetched then: a key the provider rotated in is used at once, with
 * no cache to expire (a sign-in costs one more GET). Every request goes through the platform's guarded
 * outbound agent (addresses checked at connection time; private addresses allowed, as the RIE is private,
 * never link-local or metadata ones).
 */
export function createProConnectClient(cfg: ProConnectConfig, opts: { dispatcher?: Dispatcher } = {}) {
  const dispatcher = opts.dispatcher ?? guardedAgent({ allowPrivate: true }, { connectTimeoutMs: 5000 });
  let discovered: { at: number; meta: oidc.ServerMetadata } | null = null;
  const redirectUri = `${cfg.redirectBase}/api/auth/proconnect/callback`;
  const postLogoutRedirectUri = `${cfg.redirectBase}/api/auth/proconnect/logout-callback`;

  function outboundFetch(record?: (url: string, res: Response) => void): oidc.CustomFetch {
    return (async (url: string, options: oidc.CustomFetchOptions) => {
      const res = (await undiciFetch(url, { ...(options as object), dispatcher } as never)) as unknown as Response;
      record?.(url, res);
      return res;
    }) as oidc.CustomFetch;
  }

  async function metadata(): Promise<oidc.ServerMetadata> {
    if (discovered && Date.now() - discovered.at < DISCOVERY_TTL_MS) return discovered.meta;
    try {
      const c = await oidc.discovery(new URL(cfg.issuer), cfg.clientId, undefined, undefined, {
        [oidc.customFetch]: outboundFetch(),
        timeout: 10,
        execute: cfg.allowInsecure ? [oidc.allowInsecureRequests] : [],
      });
      discovered = { at: Date.now(), meta: c.serverMetadata() };
      return discovered.meta;
    } catch (err) {
      throw new ProviderError('unavailable', `discovery failed: ${(err as Error).message}`);
    }
  }

  async function configuration(record?: (url: string, res: Response) => void) {
    const meta = await metadata();
    const c = new oidc.Configuration(
      meta,
      cfg.clientId,
      { id_token_signed_response_alg: cfg.signingAlg, userinfo_signed_response_alg: cfg.signingAlg },
      oidc.ClientSecretPost(cfg.clientSecret),
    );
    c[oidc.customFetch] = outboundFetch(record);
    c.timeout = 10;
    if (cfg.allowInsecure) oidc.allowInsecureRequests(c);
    return c;
  }

  return {
    redirectUri,
    postLogoutRedirectUri,

    /**
     * The authorization URL: exactly ProConnect's documented parameters (any other answers `Y000400`):
     * response_type, client_id, redirect_uri, scope, state, nonce, claims (acr and amr in the ID token;
     * `essential` acr values for an MFA re-authentication), and the optional hints.
     */
    async authorizationUrl(p: {
      state: string;
      nonce: string;
      requiredAcr?: readonly string[] | null;
      loginHint?: string;
      idpHint?: string;
      siretHint?: string;
    }) {
      const c = await configuration();
      const claims = {
        id_token: {
          amr: { essential: true },
          acr: p.requiredAcr?.length ? { essential: true, values: [...p.requiredAcr] } : null,
        },
      };
      const params: Record<string, string> = {
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: cfg.scopes,
        state: p.state,
        nonce: p.nonce,
        claims: JSON.stringify(claims),
      };
      if (p.loginHint) params.login_hint = p.loginHint;
      if (p.idpHint) params.idp_hint = p.idpHint;
      if (p.siretHint) params.siret_hint = p.siretHint;
      return oidc.buildAuthorizationUrl(c, params).href;
    },

    /**
     * The callback: state checked, code exchanged (client_secret in the body), ID token verified (signature
     * against the JWKS, algorithm, issuer, audience, expiry, nonce), then the userinfo answer fetched and
     * required to be a JWT signed the same way, for the same `sub`.
     */
    async callback(currentUrl: URL, expected: { state: string; nonce: string }): Promise<{ claims: ProConnectClaims; idToken: string }> {
      let userinfoType: string | null = null;
      const c = await configuration((url, res) => {
        if (url.startsWith(String(c.serverMetadata().userinfo_endpoint))) userinfoType = res.headers.get('content-type');
      });
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(c, currentUrl, { expectedState: expected.state, expectedNonce: expected.nonce, idTokenExpected: true });
      } catch (err) {
        throw classify(err);
      }
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token) throw new ProviderError('token_invalid', 'no ID token');
      let info: oidc.UserInfoResponse;
      try {
        info = await oidc.fetchUserInfo(c, tokens.access_token, idClaims.sub);
      } catch (err) {
        throw classify(err);
      }
      if (!userinfoType || !String(userinfoType).toLowerCase().startsWith('application/jwt')) {
        throw new ProviderError('token_invalid', 'userinfo answer is not a signed JWT');
      }
      const amr = Array.isArray(idClaims.amr) ? idClaims.amr.filter((v): v is string => typeof v === 'string').slice(0, 10) : [];
      return {
        idToken: tokens.id_token,
        claims: {
          sub: idClaims.sub,
          acr: str(idClaims.acr),
          amr,
          email: str(info.email)?.toLowerCase() ?? null,
          emailVerified: typeof info.email_verified === 'boolean' ? info.email_verified : null,
          givenName: str(info.given_name),
          usualName: str(info.usual_name) ?? str(info.family_name),
          uid: str(info.uid),
          siret: str(info.siret),
          idpId: str(info.idp_id),
          organisationLabel: str(info.organization_label),
        },
      };
    },

    /** The provider's end-session URL (browser redirect) with `id_token_hint`, `state` and our return URI. */
    async endSessionUrl(idToken: string, state: string) {
      const c = await configuration();
      return oidc.buildEndSessionUrl(c, { id_token_hint: idToken, state, post_logout_redirect_uri: postLogoutRedirectUri }).href;
    },
  };
}
export type ProConnectClient = ReturnType<typeof createProConnectClient>;

/** Maps openid-client failures to the codes explained to the agent; details stay in the log. */
function classify(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { code?: string; error?: string; message?: string; cause?: unknown };
  if (e.error === 'invalid_grant') return new ProviderError('code_expired', `token endpoint: ${e.message ?? ''}`);
  if (e.error) return new ProviderError(e.error, `provider error: ${e.error}`);
  if (e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || /fetch failed|ECONNREFUSED|aborted|timeout/i.test(e.message ?? '')) {
    return new ProviderError('unavailable', e.message ?? 'provider unreachable');
  }
  if (e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && /state/.test(e.message ?? '')) return new ProviderError('state_mismatch', e.message ?? '');
  return new ProviderError('token_invalid', `${e.code ?? 'error'}: ${e.message ?? ''}`);
}
