import { describe, expect, it } from 'vitest';
import { classifyAddress, isAddressLiteral, parseIPv4, parseIPv6, refusal } from './address.ts';

describe('address parsing', () => {
  it('reads IPv4 in every notation getaddrinfo accepts', () => {
    const loop = 0x7f000001;
    for (const s of ['127.0.0.1', '2130706433', '0x7f000001', '0177.0.0.1', '0x7f.0.0.1', '127.1', '127.0.1', '0177.1']) expect(parseIPv4(s), s).toBe(loop);
    for (const s of ['256.0.0.1', '1.2.3.4.5', '08.1.1.1', 'a.b.c.d', '', '1..1', '4294967296']) expect(parseIPv4(s), s).toBeNull();
  });

  it('reads IPv6 with compressed zeros, zones and dotted tails', () => {
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('[::ffff:127.0.0.1]')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('2001:db8:0:0:1:0:0:1')).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(parseIPv6('1::2::3')).toBeNull();
  });
});

describe('address classification (SSRF)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:0001]', 'loopback'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b:1::1', 'private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fec0::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['not-an-address', 'reserved'],
    ['93.184.215.14', 'public'],
    ['2a01:e0a:1::1', 'public'],
    ['::ffff:93.184.215.14', 'public'],
    ['2002:5db8:d70e::1', 'public'],
    ['172.32.0.1', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('refuses private targets unless allowed, metadata always, and never names a port', () => {
    expect(refusal('::ffff:127.0.0.1', { allowPrivate: false })).toMatch(/privé ou boucle locale/);
    expect(refusal('::ffff:127.0.0.1', { allowPrivate: true })).toBeNull();
    expect(refusal('169.254.169.254', { allowPrivate: true })).toMatch(/métadonnées/);
    expect(refusal('93.184.215.14', { allowPrivate: false })).toBeNull();
    expect(refusal('10.0.0.1:6379', { allowPrivate: false })).not.toMatch(/6379/);
  });

  it('knows address literals in every notation', () => {
    expect(isAddressLiteral('2130706433')).toBe(true);
    expect(isAddressLiteral('[::1]')).toBe(true);
    expect(isAddressLiteral('api.gouv.fr')).toBe(false);
  });
});
