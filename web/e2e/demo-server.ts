import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
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
 * database with demo content, as `npm start` does — for the e2e tests (web/e2e/global-setup.ts) and
 * the cold-load benchmark (bench/web). `env(port)` adds variables of the caller.
 */
export async function startDemoServer(opts: {
  adminPassword: string;
  env?: (port: number) => Record<string, string>;
  quietBuild?: boolean;
  readyTimeoutMs?: number;
  dataDirPrefix?: string;
}) {
  // @ts-expect-error plain ESM script without types
  const { ensureWebBuild } = await import('../../scripts/web-build.mjs');
  ensureWebBuild({ quiet: opts.quietBuild ?? true });
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.dataDirPrefix ?? 'patrimoine-demo-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'server/bin/patrimoine.mjs'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PATRIMOINE_DATA_DIR: dataDir,
      PATRIMOINE_ADMIN_PASSWORD: opts.adminPassword,
      PATRIMOINE_SCRYPT_N: '1024',
      LOG_LEVEL: 'warn',
      ...opts.env?.(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const timeout = opts.readyTimeoutMs ?? 180_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
    try {
      if ((await fetch(`${base}/api/ready`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after ${timeout / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
