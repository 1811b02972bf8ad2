/**
 * APIs served by the platform itself (the deaths API) are registered with the upstream
 * `platform:/<path>`, resolved at run time to this node's own address: restarting on another PORT,
 * HOST or behind another PUBLIC_URL never leaves them pointing at a stale address.
 */
export const SELF_PREFIX = 'platform:';

export const isSelfUpstream = (url: string): boolean => url.startsWith(`${SELF_PREFIX}/`);

/** This node's own HTTP origin, as the gateway reaches it (loopback when listening on every interface). */
export function selfOrigin(env: { HOST: string; PORT: number }): string {
  const any = env.HOST === '0.0.0.0' || env.HOST === '::' || env.HOST === '';
  const host = any ? '127.0.0.1' : env.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}`;
}

/** The URL to connect to for a stored upstream. */
export function resolveUpstream(url: string, origin: string): string {
  return isSelfUpstream(url) ? origin + url.slice(SELF_PREFIX.length) : url;
}

/** The path of the deaths API's upstream as earlier versions stored it (loopback and the port of the first start), or null. */
export function legacySelfPath(url: string): string | null {
  const m = /^http:\/\/(?:127\.0\.0\.1|localhost):\d+(\/deces\/api\/v1)\/?$/.exec(url);
  return m ? m[1]! : null;
}
