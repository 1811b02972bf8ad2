import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutboundUrl, FORBIDDEN_OUTBOUND, guardedAgent, hostPortOf } from './outbound.ts';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function outcome(url: string, allowPrivate: boolean): Promise<string> {
  const agent = guardedAgent({ allowPrivate });
  try {
    const r = await request(url, { dispatcher: agent });
    await r.body.text();
    return `status ${r.statusCode}`;
  } catch (e) {
    const err = e as { code?: string; cause?: { code?: string } };
    return err.code === FORBIDDEN_OUTBOUND || err.cause?.code === FORBIDDEN_OUTBOUND ? 'forbidden' : `error ${err.code ?? err.cause?.code}`;
  } finally {
    await agent.close();
  }
}

describe('outbound connections', () => {
  it('refuses loopback at connection time in every spelling, and reaches it when private upstreams are allowed', async () => {
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '0x7f000001', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      expect(await outcome(`http://${host}:${port}/`, false), host).toBe('forbidden');
    }
    expect(await outcome(`http://127.0.0.1:${port}/`, true)).toBe('status 200');
    expect(await outcome(`http://localhost:${port}/`, true)).toBe('status 200');
  });

  it('gives the same answer for an open and a closed port (no port scanning)', async () => {
    const closed = await outcome('http://127.0.0.1:1/', false);
    const open = await outcome(`http://127.0.0.1:${port}/`, false);
    expect(closed).toBe('forbidden');
    expect(open).toBe(closed);
  });

  it('checks URLs at registration, naming neither port nor internal address', async () => {
    expect(await checkOutboundUrl(`http://[::ffff:127.0.0.1]:${port}/`, { allowPrivate: false })).toMatch(/privé ou boucle locale/);
    expect(await checkOutboundUrl(`http://2130706433:${port}/`, { allowPrivate: false })).toMatch(/privé/);
    expect(await checkOutboundUrl('http://169.254.169.254/latest/meta-data', { allowPrivate: true })).toMatch(/métadonnées/);
    expect(await checkOutboundUrl('ftp://example.org/', { allowPrivate: false })).toMatch(/http et https/);
    expect(await checkOutboundUrl('http://u:p@example.org/', { allowPrivate: false })).toMatch(/identifiants/);
    const r = await checkOutboundUrl(`http://127.0.0.1:${port}/`, { allowPrivate: false });
    expect(r).not.toContain(String(port));
    expect(r).not.toContain('127.0.0.1');
  });

  it('names the host:port an approval is bound to', () => {
    expect(hostPortOf('https://API.example.org/v1')).toBe('api.example.org:443');
    expect(hostPortOf('http://[::1]:8080/x')).toBe('[::1]:8080');
    expect(hostPortOf('nope')).toBeNull();
  });
});
