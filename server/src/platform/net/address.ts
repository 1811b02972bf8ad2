import net from 'node:net';

/**
 * Classification of network addresses for every outbound connection the platform makes (SSRF policy).
 * The address is classified after resolution, on its numeric value, so that no spelling hides where it
 * leads: IPv4 in decimal, octal, hexadecimal or shortened forms; IPv6 that embeds an IPv4 address
 * (IPv4-mapped in hex or dotted form, IPv4-compatible, NAT64, 6to4) is classified by that address;
 * tunnels whose endpoint cannot be verified (Teredo) are refused like private addresses.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

/** Parses an IPv4 address as inet_aton does (what getaddrinfo accepts): 1 to 4 parts, each decimal, 0-octal or 0x-hex. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = p === '0' ? 0 : parseInt(p.slice(1) || '0', 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  if (last >= 2 ** (8 * (4 - nums.length))) return null;
  return (nums.reduce((a, n, i) => a + n * 2 ** (8 * (3 - i)), 0) + last) >>> 0;
}

/** The 8 groups of an IPv6 address (with an embedded dotted IPv4 tail), or null. */
export function parseIPv6(text: string): number[] | null {
  let s = text.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!net.isIPv6(s)) return null;
  // An embedded dotted IPv4 tail becomes its two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = parseIPv4(dotted[1]!);
    if (n === null) return null;
    s = s.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) => (part ? part.split(':').map((x) => parseInt(x, 16)) : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const inRange = (ip: number, base: number, bits: number) => bits === 0 || ip >>> (32 - bits) === base >>> (32 - bits);

const V4_METADATA = [v4(169, 254, 169, 254), v4(169, 254, 170, 2), v4(100, 100, 100, 200)];
const V4_RANGES: [number, number, AddressClass][] = [
  [v4(0, 0, 0, 0), 8, 'unspecified'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(169, 254, 0, 0), 16, 'link-local'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(100, 64, 0, 0), 10, 'private'],
  [v4(198, 18, 0, 0), 15, 'private'],
  [v4(192, 0, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2, 0), 24, 'reserved'],
  [v4(198, 51, 100, 0), 24, 'reserved'],
  [v4(203, 0, 113, 0), 24, 'reserved'],
  [v4(192, 88, 99, 0), 24, 'reserved'],
  [v4(224, 0, 0, 0), 4, 'reserved'],
  [v4(240, 0, 0, 0), 4, 'reserved'],
];

function classifyV4(ip: number): AddressClass {
  if (V4_METADATA.includes(ip)) return 'metadata';
  for (const [base, bits, c] of V4_RANGES) if (inRange(ip, base, bits)) return c;
  return 'public';
}

function classifyV6(g: number[]): AddressClass {
  const embedded = (hi: number, lo: number) => classifyV4(((hi << 16) | lo) >>> 0);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!); // ::ffff:a.b.c.d (mapped)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return embedded(g[6]!, g[7]!); // ::ffff:0:a.b.c.d (translated)
  if (zeros(0, 6)) return embedded(g[6]!, g[7]!); // ::a.b.c.d (compatible, deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(g[6]!, g[7]!); // NAT64 well-known prefix
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private'; // local-use NAT64 (RFC 8215)
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!); // 6to4
  if (g[0] === 0x2001 && g[1] === 0) return 'private'; // Teredo: endpoint not verifiable
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved'; // documentation
  if (g[0] === 0xfd00 && g[1] === 0xec2 && zeros(2, 7) && g[7] === 0x254) return 'metadata'; // AWS IMDS over IPv6
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (g[0] === 0x100 && zeros(1, 4)) return 'reserved'; // discard-only
  return 'public';
}

/** Class of an address in any notation; `reserved` for what is not an address at all. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  if (bare.includes(':')) {
    const g = parseIPv6(bare);
    return g ? classifyV6(g) : 'reserved';
  }
  const n = parseIPv4(bare);
  return n === null ? 'reserved' : classifyV4(n);
}

/** True when `host` is an address literal (in any IPv4 notation getaddrinfo accepts, or IPv6). */
export function isAddressLiteral(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare.includes(':') ? parseIPv6(bare) !== null : parseIPv4(bare) !== null;
}

export interface OutboundPolicy {
  /** Loopback, private and unspecified addresses (an admin's decision for one upstream). */
  allowPrivate: boolean;
  /** Link-local and cloud metadata addresses (never, unless the operator says so). */
  allowMetadata?: boolean;
}

/** Null when the address may be reached under the policy, otherwise the reason (French, no port). */
export function refusal(address: string, policy: OutboundPolicy): string | null {
  const c = classifyAddress(address);
  if (c === 'metadata' || c === 'link-local') return policy.allowMetadata ? null : 'adresse interdite (lien local ou service de métadonnées)';
  if (c === 'reserved') return 'adresse interdite (plage réservée, multidiffusion ou tunnel)';
  if ((c === 'loopback' || c === 'private' || c === 'unspecified') && !policy.allowPrivate) {
    return 'adresse interdite (réseau privé ou boucle locale ; un administrateur peut autoriser les amonts privés de cette API)';
  }
  return null;
}
