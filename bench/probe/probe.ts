// Security probe (issue 10): starts two nodes sharing PostgreSQL and Redis, replays the attacks a probe
// of the platform found, and prints what held. Never a target outside this machine: both nodes listen
// on 127.0.0.1, and the SSRF attempts only try to register (not reach) loopback upstreams.
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run probe
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'server/bin/patrimoine.mjs');
const adminUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!adminUrl || !redisUrl) {
  console.error('The probe needs DATABASE_URL (PostgreSQL) and REDIS_URL: it runs two nodes sharing them.');
  process.exit(2);
}
const PASSWORD = `probe-${randomBytes(6).toString('hex')}`;
const dbName = `patrimoine_probe_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-probe-'));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  DATABASE_URL: dbUrl,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: `probe-${randomBytes(3).toString('hex')}:`,
  PATRIMOINE_DATA_DIR: dataDir,
  PATRIMOINE_ADMIN_PASSWORD: PASSWORD,
  PATRIMOINE_SEED_DEMO: 'true',
  PATRIMOINE_SCRYPT_N: '1024',
  LOG_LEVEL: 'warn',
  LOG_PRETTY: 'false',
  HOST: '127.0.0.1',
};

const results: { attack: string; held: boolean; detail: string }[] = [];
const record = (attack: string, held: boolean, detail: string) => {
  results.push({ attack, held, detail });
  console.log(`${held ? '✔ held ' : '✘ FAILED'}  ${attack.padEnd(58)} ${detail}`);
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

async function node(port: number): Promise<{ base: string; child: ChildProcess; alive(): Promise<boolean> }> {
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const alive = () =>
    fetch(`${base}/api/health`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.ok,
      () => false,
    );
  for (
    let i = 0;
    i < 240 &&
    !(await fetch(`${base}/api/ready`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 250));
  return { base, child, alive };
}

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function main() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const t0 = Date.now();
  const a = await node(await freePort());
  const b = await node(await freePort());
  console.log(`two nodes up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${a.base} and ${b.base} (PostgreSQL ${dbName}, Redis)\n`);
  const run = promisify(execFile);
  const tok = async (login: string) =>
    /pat_[\w-]+/.exec((await run(process.execPath, [bin, 'token', 'create', '--user', login, '--name', 'probe'], { env })).stdout)![0];
  const adminToken = await tok('admin');
  const dataAdmin = await tok('dsr.admin');

  try {
    // SSRF: loopback in every spelling, as a directorate's data administrator.
    const spellings = [
      'http://[::ffff:127.0.0.1]:6379/',
      'http://[::ffff:7f00:1]:6379/',
      'http://2130706433:5432/',
      'http://0x7f.1:5432/',
      'http://[64:ff9b::7f00:1]/',
      'http://[::127.0.0.1]/',
      'http://[2002:7f00:1::]/',
    ];
    let refused = 0;
    let leaks = 0;
    for (const [i, upstreamUrl] of spellings.entries()) {
      const r = await fetch(`${a.base}/api/gateway/apis`, {
        method: 'POST',
        headers: json(dataAdmin),
        body: JSON.stringify({ slug: `scan-${i}`, name: 'Scan', organisationCode: 'DSR', upstreamUrl }),
      });
      const body = await r.text();
      if (r.status === 400) refused++;
      if (/6379|5432|127\.0\.0\.1|ECONN/.test(body)) leaks++;
    }
    record(
      'SSRF: loopback upstream in 7 spellings (data_admin)',
      refused === spellings.length && leaks === 0,
      `${refused}/${spellings.length} refused, ${leaks} answers naming a port or address`,
    );

    // Inputs no contract can accept.
    const hostile = [
      fetch(`${a.base}/api/catalog/assets?q=d%00ces`),
      fetch(`${a.base}/api/gateway/apis/a%00b`),
      fetch(`${a.base}/api/admin/users`, { method: 'POST', headers: json(adminToken), body: '{"login":"x","displayName":"\\ud800","role":"reader"}' }),
      fetch(`${a.base}/api/admin/users`, { method: 'POST', headers: json(adminToken), body: `{"login":${'['.repeat(5000)}${']'.repeat(5000)}}` }),
      fetch(`${a.base}/api/catalog/import`, {
        method: 'POST',
        headers: json(adminToken),
        body: JSON.stringify({
          content:
            'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
          dryRun: true,
        }),
      }),
      fetch(`${a.base}/api/catalog/assets`, {
        method: 'POST',
        headers: json(adminToken),
        body: JSON.stringify({ kind: 'dataset', slug: 'js-url', title: 'Lien', spec: { landingPage: 'javascript:alert(1)' } }),
      }),
      fetch(`${a.base}/deces/api/v1/search/csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'multipart/form-data' },
        body: 'x',
      }),
      fetch(`${a.base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic %%%' },
        body: 'grant_type=client_credentials',
      }),
    ];
    const codes = (await Promise.all(hostile)).map((r) => r.status);
    record(
      'hostile inputs (NUL, surrogate, depth, YAML bomb, js: URL, multipart, Basic)',
      codes.every((c) => c >= 400 && c < 500),
      `statuses ${codes.join(' ')}`,
    );

    // Uploads that never finish.
    const abandon = () =>
      new Promise<void>((resolve) => {
        const s = net.connect(Number(new URL(a.base).port), '127.0.0.1', () => {
          s.write(
            `POST /deces/api/v1/search/csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminToken}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nnom;prenom\r\n`,
            () => setTimeout(() => (s.destroy(), resolve()), 50),
          );
        });
        s.on('error', () => resolve());
      });
    for (let i = 0; i < 50; i++) await abandon();
    await new Promise((r) => setTimeout(r, 1000));
    // Uploads go to the blob store (PATRIMOINE_DATA_DIR/blobs with the default fs store): nothing stored, no temporary file left.
    const count = (...p: string[]) => (fs.existsSync(path.join(dataDir, ...p)) ? fs.readdirSync(path.join(dataDir, ...p)).length : 0);
    const left = count('blobs', 'deces', 'bulk') + count('blobs', '.tmp') + count('deces', 'bulk');
    record('50 multipart uploads abandoned mid-file', (await a.alive()) && left === 0, `node alive: ${await a.alive()}, temporary directories left: ${left}`);

    // Lost updates: the same If-Match on both nodes at once.
    let doubles = 0;
    let exact = 0;
    const statuses: string[] = [];
    const asset = (await (await fetch(`${a.base}/api/catalog/assets/application/histovec`, { headers: json(adminToken) })).json()) as {
      asset?: { version: number };
    } & { version?: number };
    let version = asset.asset?.version ?? asset.version ?? 1;
    for (let i = 0; i < 10; i++) {
      const put = (base: string, tag: string) =>
        fetch(`${base}/api/catalog/assets/application/histovec`, {
          method: 'PUT',
          headers: { ...json(adminToken), 'if-match': String(version) },
          body: JSON.stringify({ kind: 'application', slug: 'histovec', title: `Histovec ${tag}${i}`, spec: {} }),
        }).then((r) => r.status);
      const s = await Promise.all([put(a.base, 'A'), put(b.base, 'B')]);
      const won = s.filter((x) => x === 200).length;
      if (won > 1) doubles++;
      if (won === 1 && s.includes(409)) exact++;
      else statuses.push(s.join('/'));
      version++;
    }
    record(
      'two PUTs with one If-Match, one per node (×10)',
      doubles === 0 && exact === 10,
      `${exact}/10 rounds with one 200 and one 409, ${doubles} with both accepted${statuses.length ? `; other rounds: ${statuses.join(' ')}` : ''}`,
    );

    // CSV formula injection in a public export.
    await fetch(`${a.base}/api/catalog/assets`, {
      method: 'POST',
      headers: json(adminToken),
      body: JSON.stringify({ kind: 'algorithm', slug: 'formule', title: '=HYPERLINK("http://x")', openness: 'ouvert', spec: {} }),
    });
    const csv = await (await fetch(`${b.base}/api/catalog/assets?format=csv&q=formule`, { headers: json(adminToken) })).text();
    record(
      'CSV formula injection (catalogue export)',
      !/[;\n]=HYPERLINK/.test(csv) && csv.includes("'=HYPERLINK"),
      csv.includes("'=HYPERLINK") ? 'cell prefixed with a quote' : 'cell not found or raw',
    );

    // The anonymous portal shows public fields only.
    const portal = await (await fetch(`${a.base}/api/gateway/apis`)).text();
    record('anonymous portal: no upstream URL or private flag', !/upstreamUrl|allowPrivateUpstream|127\.0\.0\.1/.test(portal), 'listing checked');

    // Gateway path traversal with a valid key.
    const apis = (await (await fetch(`${a.base}/api/gateway/apis/deces`, { headers: json(adminToken) })).json()) as { plans: { id: string }[] };
    const app = (await (
      await fetch(`${a.base}/api/gateway/applications`, { method: 'POST', headers: json(adminToken), body: JSON.stringify({ name: 'Sonde' }) })
    ).json()) as { id: string };
    await fetch(`${a.base}/api/gateway/applications/${app.id}/subscriptions`, {
      method: 'POST',
      headers: json(adminToken),
      body: JSON.stringify({ planId: apis.plans[0]!.id }),
    });
    const key = (
      (await (await fetch(`${a.base}/api/gateway/applications/${app.id}/keys`, { method: 'POST', headers: json(adminToken), body: '{}' })).json()) as {
        key: string;
      }
    ).key;
    const traversal = await Promise.all(
      [
        '/gw/deces/../../api/admin/users',
        '/gw/deces/%2e%2e/%2e%2e/api/admin/users',
        '/gw/deces/..%2f..%2fapi/admin/users',
        '/gw/deces/..;/..;/api/admin/users',
      ].map(
        (p) =>
          new Promise<number>((resolve) => {
            const s = net.connect(Number(new URL(b.base).port), '127.0.0.1', () =>
              s.write(`GET ${p} HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${key}\r\nConnection: close\r\n\r\n`),
            );
            let got = '';
            s.on('data', (d) => (got += d));
            s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
            s.on('error', () => resolve(0));
          }),
      ),
    );
    record(
      'gateway paths leaving the base path (4 spellings)',
      traversal.every((c) => c === 400 || c === 404),
      `statuses ${traversal.join(' ')}`,
    );

    // Password change revokes personal tokens.
    const reset = await run(process.execPath, [bin, 'user', 'reset-password', 'agent'], { env }).then(
      (r) => r.stdout,
      () => '',
    );
    const agentToken = await tok('agent');
    await run(process.execPath, [bin, 'user', 'reset-password', 'agent'], { env }).catch(() => undefined);
    const after = await fetch(`${a.base}/api/auth/me`, { headers: json(agentToken) });
    const me = (await after.json()) as { authenticated?: boolean };
    record(
      'password reset revokes personal API tokens',
      after.status === 401 || me.authenticated === false,
      `status ${after.status}${reset ? '' : ' (reset failed)'}`,
    );

    record('both nodes still alive', (await a.alive()) && (await b.alive()), 'after every attack');
  } finally {
    for (const n of [a, b]) n.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of [a, b]) n.child.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.held).length;
  console.log(`\n${results.length - failed} held, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
