import dns from 'node:dns';
import type net from 'node:net';
import { Agent, buildConnector } from 'undici';
import { isAddressLiteral, refusal, type OutboundPolicy } from './address.ts';

export { classifyAddress, refusal, type AddressClass, type OutboundPolicy } from './address.ts';

/** Error code of a connection refused by the outbound policy. */
export const FORBIDDEN_OUTBOUND = 'PATRIMOINE_FORBIDDEN_OUTBOUND';

function forbidden(reason: string): Error {
  return Object.assign(new Error(reason), { code: FORBIDDEN_OUTBOUND });
}

/**
 * A `lookup` for net.connect that refuses forbidden addresses at connection time, so that a DNS answer
 * changing after registration (DNS rebinding) cannot reach an internal address. Every address of the
 * answer must be allowed: a name that resolves to one public and one private address is refused.
 */
export function guardedLookup(policy: OutboundPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const r = refusal(a.address, policy);
        if (r) return callback(forbidden(r), '', 0);
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  }) as net.LookupFunction;
}

/**
 * An undici dispatcher for every outbound request of the platform (gateway proxy, availability probes,
 * remote files): addresses are classified after resolution, at connection time, and address literals —
 * which net.connect does not resolve — are classified before the socket opens.
 */
export function guardedAgent(policy: OutboundPolicy, options: Omit<Agent.Options, 'connect'> & { connectTimeoutMs?: number } = {}): Agent {
  const { connectTimeoutMs, ...agentOptions } = options;
  const connector = buildConnector({ lookup: guardedLookup(policy), ...(connectTimeoutMs ? { timeout: connectTimeoutMs } : {}) } as never);
  return new Agent({
    ...agentOptions,
    connect: (opts, callback) => {
      const host = opts.hostname;
      if (isAddressLiteral(host)) {
        const r = refusal(host, policy);
        if (r) return callback(forbidden(r), null);
      }
      return connector(opts, callback);
    },
  });
}

/**
 * Checks a URL the platform will fetch, when it is registered: scheme, no credentials, and every address
 * its host resolves to. Null when acceptable, otherwise the reason in French (never a port or an
 * internal address, so the answer cannot be used to scan the network).
 */
export async function checkOutboundUrl(url: string, policy: OutboundPolicy, opts: { allowQuery?: boolean } = {}): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'URL invalide';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'seuls http et https sont acceptés';
  if (u.username || u.password) return 'pas d’identifiants dans l’URL';
  if (!opts.allowQuery && (u.search || u.hash)) return 'pas de paramètres ni de fragment dans l’URL de base';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isAddressLiteral(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return `nom d’hôte « ${host} » introuvable`;
    }
  }
  for (const a of addresses) {
    const r = refusal(a, policy);
    if (r) return r;
  }
  return null;
}

/** The `host:port` an URL connects to (default ports filled in): what an admin's approval is bound to. */
export function hostPortOf(url: string): string | null {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return null;
  }
}
