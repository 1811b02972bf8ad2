import dns from 'node:dns';
import net from 'node:net';

/**
 * Upstream address policy (SSRF): link-local and cloud metadata addresses are always refused unless
 * `allowMetadata`; loopback, private and unspecified addresses only when the API allows private upstreams.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified';

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
}
function inV4(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (v4ToInt(ip) & mask) === (v4ToInt(base!) & mask);
}

export function classifyAddress(address: string): AddressClass {
  let ip = address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  if (net.isIPv4(ip)) {
    if (ip === '169.254.169.254' || ip === '100.100.100.200' || ip === '169.254.170.2') return 'metadata';
    if (inV4(ip, '169.254.0.0/16')) return 'link-local';
    if (inV4(ip, '127.0.0.0/8')) return 'loopback';
    if (inV4(ip, '0.0.0.0/8')) return 'unspecified';
    if (['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15'].some((c) => inV4(ip, c))) return 'private';
    return 'public';
  }
  const l = ip.toLowerCase();
  if (l === '::1') return 'loopback';
  if (l === '::') return 'unspecified';
  if (l === 'fd00:ec2::254') return 'metadata';
  if (/^fe[89ab]/.test(l)) return 'link-local';
  if (/^f[cd]/.test(l)) return 'private';
  return 'public';
}

export interface UpstreamPolicy {
  allowPrivate: boolean;
  allowMetadata?: boolean;
}

/** Null when the address may be reached under the policy, otherwise the reason (French). */
export function refusal(address: string, policy: UpstreamPolicy): string | null {
  const c = classifyAddress(address);
  if (c === 'metadata' || c === 'link-local') return policy.allowMetadata ? null : `adresse ${address} interdite (lien local ou service de métadonnées)`;
  if ((c === 'loopback' || c === 'private' || c === 'unspecified') && !policy.allowPrivate)
    return `adresse ${address} interdite (réseau privé ou boucle locale ; autorisez les amonts privés pour cette API)`;
  return null;
}

/** Checks an upstream URL's syntax and every address its host resolves to. */
export async function checkUpstreamUrl(url: string, policy: UpstreamPolicy): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'URL invalide';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'seuls http et https sont acceptés';
  if (u.username || u.password) return 'pas d’identifiants dans l’URL';
  if (u.search || u.hash) return 'pas de paramètres ni de fragment dans l’URL de base';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
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

/**
 * A `lookup` for net.connect that refuses forbidden addresses at connection time, so that a DNS
 * answer changing after registration (DNS rebinding) cannot reach an internal address.
 */
export function guardedLookup(policy: UpstreamPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const r = refusal(a.address, policy);
        if (r) return callback(Object.assign(new Error(r), { code: 'GW_FORBIDDEN_UPSTREAM' }), '', 0);
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  }) as net.LookupFunction;
}
