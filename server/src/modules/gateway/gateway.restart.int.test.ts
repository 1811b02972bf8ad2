import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKind } from '../../../test/harness.ts';

/**
 * The platform's own APIs follow the running configuration: the deaths API published through the
 * gateway on a first start keeps answering after a restart on another port (it used to store the
 * first port and answer 502 ever after).
 */
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/patrimoine.mjs');
const run = promisify(execFile);
const PASSWORD = 'restart-Patrimoine-2026';
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-restart-'));
  env = {
    ...(process.env as Record<string, string>),
    PATRIMOINE_DATA_DIR: dataDir,
    PATRIMOINE_SCRYPT_N: '1024',
    PATRIMOINE_ADMIN_PASSWORD: PASSWORD,
    PATRIMOINE_SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: '',
  };
  if (testDbKind === 'postgres') {
    const tdb = await createTestDatabase();
    env.DATABASE_URL = tdb.url!;
    cleanup = async () => {
      await tdb.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  } else cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
});
afterAll(async () => cleanup?.());

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

async function serve(port: number): Promise<{ base: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve'], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`${base}/api/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the deaths API through the gateway across restarts', () => {
  it('keeps answering after a restart on another port, and the stored upstream is the platform itself', async () => {
    // First start: admin account, reference content (the deaths API published through the gateway).
    let s = await serve(await freePort());
    await s.stop();
    const { stdout } = await run(process.execPath, [bin, 'token', 'create', '--user', 'admin', '--name', 'restart'], { env, timeout: 60_000 });
    const token = /pat_[\w-]+/.exec(stdout)![0];
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    s = await serve(await freePort());
    const api = (await (await fetch(`${s.base}/api/gateway/apis/deces`, { headers: auth })).json()) as { upstreamUrl: string; plans: { id: string }[] };
    expect(api.upstreamUrl).toBe('platform:/deces/api/v1');
    const created = await fetch(`${s.base}/api/gateway/applications`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Redémarrage' }) });
    const app = (await created.json()) as { id: string };
    const sub = await fetch(`${s.base}/api/gateway/applications/${app.id}/subscriptions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ planId: api.plans[0]!.id }),
    });
    expect(sub.status).toBe(201);
    const key = (
      (await (await fetch(`${s.base}/api/gateway/applications/${app.id}/keys`, { method: 'POST', headers: auth, body: '{}' })).json()) as { key: string }
    ).key;
    const call = (base: string) => fetch(`${base}/gw/deces/healthcheck`, { headers: { 'x-api-key': key } });
    expect((await call(s.base)).status).toBe(200);
    await s.stop();

    // Same database, another port.
    s = await serve(await freePort());
    try {
      expect((await call(s.base)).status).toBe(200);
    } finally {
      await s.stop();
    }
  }, 180_000);
});
