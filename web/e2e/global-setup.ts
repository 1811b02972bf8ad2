import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const E2E_ADMIN_PASSWORD = 'e2e-Patrimoine-secret-2026';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Builds the web app if needed and starts the real server (`patrimoine serve`) on a fresh embedded
 * database with demo content, as `npm start` does; the tests drive it in Chromium.
 */
export default async function setup(project: TestProject) {
  // @ts-expect-error plain ESM script without types
  const { ensureWebBuild } = await import('../../scripts/web-build.mjs');
  ensureWebBuild({ quiet: true });
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'server/bin/patrimoine.mjs'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PATRIMOINE_DATA_DIR: dataDir,
      PATRIMOINE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      PATRIMOINE_SCRYPT_N: '1024',
      LOG_LEVEL: 'warn',
      // The local ProConnect-like provider of development (proconnect.e2e.test.ts signs in through it).
      PATRIMOINE_PROCONNECT_DEV_PROVIDER: 'true',
      PATRIMOINE_PROCONNECT_REDIRECT_BASE: `http://127.0.0.1:${port}`,
      // Webhook receivers of the tests listen on loopback (habilitations-manage.e2e.test.ts).
      HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: 'true',
      // The data.gouv.fr push reaches the local udata fake on loopback (opendata-usage.e2e.test.ts).
      DATAGOUV_ALLOW_PRIVATE: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
    try {
      const r = await fetch(`${base}/api/ready`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`server not ready after 180 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  project.provide('baseUrl', base);
  project.provide('adminPassword', E2E_ADMIN_PASSWORD);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    adminPassword: string;
  }
}
