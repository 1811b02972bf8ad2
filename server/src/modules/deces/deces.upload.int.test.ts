import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { DEFAULT_UPLOAD_LIMITS } from '../../platform/http/upload.ts';

/**
 * Upload routes of the deaths module over a real socket (issue 10, High #2): a multipart body that
 * stalls, ends without its closing boundary or is abandoned is answered (or its connection closed)
 * and leaves neither a temporary directory nor an open file descriptor; too many fields → 400.
 */
let t: TestPlatform;
let port = 0;
let token = '';
let adminToken = '';
const B = 'XXdecesXX';

beforeAll(async () => {
  t = await createTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
  token = (await t.tokenFor('reader')).token;
  adminToken = (await t.tokenFor('admin')).token;
  DEFAULT_UPLOAD_LIMITS.idleMs = 300;
}, 120_000);
afterAll(async () => {
  DEFAULT_UPLOAD_LIMITS.idleMs = 30_000;
  await t?.teardown();
});

/** What the uploads left: objects under a prefix of the blob store, and its temporary files (fs store). */
const left = async (prefix: string) => {
  const out: string[] = [];
  for await (const o of t.ctx.blobs.list(prefix)) out.push(o.key);
  const tmp = path.join(t.ctx.env.dataDir, 'blobs', '.tmp');
  return out.concat(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []);
};
const bulkRoot = 'deces/bulk/';
const importDir = 'deces/uploads/';
/** Descriptors of this process open on a file under the data directory (Linux). */
function openDataFiles(): string[] {
  if (!fs.existsSync('/proc/self/fd')) return [];
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(t.ctx.env.dataDir)) out.push(target);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

interface RawAnswer {
  status: number | null;
  headers: string;
  body: string;
  closed: boolean;
}

/**
 * Sends `head` + `body` and waits for the answer: resolves when a complete response has arrived or
 * the server closes the connection; with `leave`, the client closes the socket right after sending.
 */
function rawRequest(url: string, auth: string, body: string, opts: { contentLength?: number; leave?: boolean } = {}): Promise<RawAnswer> {
  const head =
    `POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${auth}\r\n` +
    `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${opts.contentLength ?? Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const answer = (closed: boolean): RawAnswer => {
      const [h = '', ...rest] = got.split('\r\n\r\n');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(h);
      return { status: m ? Number(m[1]) : null, headers: h, body: rest.join('\r\n\r\n'), closed };
    };
    s.on('data', (d) => {
      got += d.toString();
      const a = answer(false);
      const len = /content-length: (\d+)/i.exec(a.headers);
      if (a.status && len && Buffer.byteLength(a.body) >= Number(len[1])) {
        s.destroy();
        resolve(a);
      }
    });
    s.on('close', () => resolve(answer(true)));
    s.on('error', () => undefined);
    s.write(head + body, () => {
      if (opts.leave) s.destroy();
    });
  });
}

const field = (k: string, v: string) => `--${B}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
const fileStart = (name: string) => `--${B}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`;
const CSV = 'Nom;Prenom\nDUPONT;Jean\nMARTIN;Louise\n';

describe('bulk CSV upload (/deces/api/v1/search/csv)', () => {
  const url = '/deces/api/v1/search/csv';

  it('a body that stalls before its closing boundary is answered with a 408 problem, nothing left behind', async () => {
    const body = field('lastName', 'Nom') + fileStart('p.csv') + CSV;
    const r = await rawRequest(url, token, body, { contentLength: Buffer.byteLength(body) + 10_000 });
    expect(r.status).toBe(408);
    expect(r.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(r.body)).toMatchObject({ status: 408, title: 'Envoi interrompu' });
    await vi.waitFor(
      async () => {
        expect(await left(bulkRoot)).toEqual([]);
        expect(openDataFiles()).toEqual([]);
      },
      { timeout: 10_000 },
    );
  });

  it('a client that leaves mid-upload leaves no directory and no descriptor (20 times)', async () => {
    const body = field('lastName', 'Nom') + fileStart('p.csv') + CSV.repeat(50);
    await Promise.all(Array.from({ length: 20 }, () => rawRequest(url, token, body, { contentLength: Buffer.byteLength(body) + 10_000, leave: true })));
    await vi.waitFor(
      async () => {
        expect(await left(bulkRoot)).toEqual([]);
        expect(openDataFiles()).toEqual([]);
      },
      { timeout: 10_000 },
    );
  });

  it('a complete body without its closing boundary gets a problem (400, or 408 when the parser waits)', async () => {
    const r = await rawRequest(url, token, field('lastName', 'Nom') + fileStart('p.csv') + CSV);
    expect([400, 408]).toContain(r.status);
    expect(r.headers).toMatch(/application\/problem\+json/i);
    await vi.waitFor(async () => expect(await left(bulkRoot)).toEqual([]), { timeout: 10_000 });
  });

  it('60 fields before the file: 400 problem naming the problem, nothing left behind', async () => {
    let body = '';
    for (let i = 0; i < 60; i++) body += field(`f${i}`, 'v');
    body += fileStart('p.csv') + CSV + `\r\n--${B}--\r\n`;
    const r = await rawRequest(url, token, body);
    expect(r.status).toBe(400);
    const p = JSON.parse(r.body);
    expect(p.errors[0]).toMatchObject({ field: 'fields' });
    expect(p.detail).toMatch(/trop de champs/);
    await vi.waitFor(async () => expect(await left(bulkRoot)).toEqual([]), { timeout: 10_000 });
  });

  it('two files: 400 problem', async () => {
    const body = field('lastName', 'Nom') + fileStart('a.csv') + CSV + '\r\n' + fileStart('b.csv') + CSV + `\r\n--${B}--\r\n`;
    const r = await rawRequest(url, token, body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).errors[0].field).toBe('file');
  });

  it('a multipart request without boundary gets a 400 problem', async () => {
    const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data' }, payload: 'x' });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('INSEE file import (/deces/api/v1/admin/import)', () => {
  const url = '/deces/api/v1/admin/import';

  it('60 fields before the file: 400 problem, no file kept', async () => {
    let body = '';
    for (let i = 0; i < 60; i++) body += field(`f${i}`, 'v');
    body += fileStart('deces-2024-m01.txt') + 'x'.repeat(200) + `\r\n--${B}--\r\n`;
    const r = await rawRequest(url, adminToken, body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).errors[0]).toMatchObject({ field: 'fields' });
    expect(await left(importDir)).toEqual([]);
  });

  it('a stalled body: 408 problem, no file kept, no descriptor', async () => {
    const body = fileStart('deces-2024-m01.txt') + 'x'.repeat(200);
    const r = await rawRequest(url, adminToken, body, { contentLength: Buffer.byteLength(body) + 10_000 });
    expect(r.status).toBe(408);
    await vi.waitFor(
      async () => {
        expect(await left(importDir)).toEqual([]);
        expect(openDataFiles()).toEqual([]);
      },
      { timeout: 10_000 },
    );
  });
});
