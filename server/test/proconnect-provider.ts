import { fetch } from 'undici';
import { startLocalProConnect, DEMO_AGENTS, type LocalAgent, type LocalProviderOptions } from '../src/platform/auth/oidc/local-provider.ts';

export { DEMO_AGENTS, type LocalAgent };

/**
 * A local ProConnect for integration tests (oidc-provider configured as ProConnect documents it), with
 * a minimal browser: follows the redirects from the authorization URL, fills the provider's login page
 * (agent, simple or MFA authentication, or refusal) and returns the URL ProConnect redirects back to.
 */
export async function startTestProConnect(o: Partial<LocalProviderOptions> & { publicUrl: string }) {
  const clientId = o.clientId ?? 'patrimoine-test';
  const clientSecret = o.clientSecret ?? 'test-secret-0123456789abcdef0123456789';
  const provider = await startLocalProConnect({
    clientId,
    clientSecret,
    redirectUris: [`${o.publicUrl}/api/auth/proconnect/callback`],
    postLogoutRedirectUris: [`${o.publicUrl}/api/auth/proconnect/logout-callback`],
    agents: o.agents ?? DEMO_AGENTS.map((a) => ({ ...a })),
    alg: o.alg,
  });
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response | Awaited<ReturnType<typeof fetch>>) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  /** Follows provider redirects until one leaves the provider; returns that URL (or the HTML page reached). */
  async function follow(url: string, init: { method?: string; body?: string } = {}): Promise<{ url?: string; html?: string }> {
    let next = url;
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let i = 0; i < 10; i++) {
      if (!next.startsWith(`http://127.0.0.1:${provider.port}/`)) return { url: next };
      const res = await fetch(next, {
        method,
        redirect: 'manual',
        headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
      });
      keep(res);
      const loc = res.headers.get('location');
      if (!loc) return { html: await res.text() };
      next = new URL(loc, next).href;
      method = 'GET';
      body = undefined;
    }
    throw new Error('too many redirects');
  }
  return {
    ...provider,
    clientId,
    clientSecret,
    env: { PATRIMOINE_PROCONNECT_ISSUER: provider.issuer, PATRIMOINE_PROCONNECT_CLIENT_ID: clientId, PATRIMOINE_PROCONNECT_CLIENT_SECRET: clientSecret },
    /** Signs in at the provider from `authorizeUrl`; returns the callback URL of Patrimoine it redirects to. */
    async authenticate(authorizeUrl: string, who: { sub: string; mfa?: boolean; deny?: boolean }): Promise<string> {
      const page = await follow(authorizeUrl);
      if (page.url) return page.url; // existing provider session
      const uid = /action="\/api\/v2\/interaction\/([^"]+)"/.exec(page.html ?? '')?.[1];
      if (!uid) throw new Error(`no login page: ${page.html?.slice(0, 300)}`);
      const form = new URLSearchParams({ sub: who.sub, method: who.mfa ? 'mfa' : 'pwd', action: who.deny ? 'deny' : 'login' });
      const r = await follow(`http://127.0.0.1:${provider.port}/api/v2/interaction/${uid}`, { method: 'POST', body: form.toString() });
      if (!r.url) throw new Error(`provider did not redirect back: ${r.html?.slice(0, 500)}`);
      return r.url;
    },
    /** Follows the end-session redirect (the provider's session ends); returns our logout-callback URL. */
    async endSession(url: string): Promise<string> {
      const page = await follow(url);
      if (page.url) return page.url;
      // The logout page posts itself: do what its script does.
      const action = /id="op\.logoutForm"[^>]*action="([^"]+)"|action="([^"]+)"[^>]*id="op\.logoutForm"/.exec(page.html ?? '');
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html ?? '')?.[1] ?? '';
      const target = new URL((action?.[1] ?? action?.[2])!.replace(/&amp;/g, '&'), `http://127.0.0.1:${provider.port}/`).href;
      const r = await follow(target, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }).toString() });
      if (!r.url) throw new Error(`no redirect after logout: ${r.html?.slice(0, 300)}`);
      return r.url;
    },
    forgetBrowser: () => jar.clear(),
  };
}
export type TestProConnect = Awaited<ReturnType<typeof startTestProConnect>>;
