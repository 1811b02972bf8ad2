import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, testDbKind } from '../test/harness.ts';
import { openDatabase } from './db/client.ts';
import { verifyPassword } from './platform/auth/password.ts';
import { demoUsers } from './platform/seed.ts';

const run = promisify(execFile);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/patrimoine.mjs');
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-cli-'));
  env = { ...(process.env as Record<string, string>), PATRIMOINE_DATA_DIR: dataDir, PATRIMOINE_SCRYPT_N: '1024', LOG_LEVEL: 'warn', DATABASE_URL: '' };
  if (testDbKind === 'postgres') {
    const tdb = await createTestDatabase();
    env.DATABASE_URL = tdb.url!;
    cleanup = () => tdb.drop();
  } else cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
});
afterAll(async () => cleanup?.());

const cli = async (...args: string[]) => run(process.execPath, [bin, ...args], { env, timeout: 60_000 });

describe('patrimoine CLI', () => {
  it('describes its commands', async () => {
    const { stdout } = await cli('--help');
    for (const c of ['serve', 'migrate', 'seed', 'user', 'token']) expect(stdout).toContain(c);
    const user = await cli('user', '--help');
    for (const c of ['create', 'list', 'reset-password', 'set-role']) expect(user.stdout).toContain(c);
    expect((await cli('token', 'create', '--help')).stdout).toContain('--expires');
  }, 60_000);

  it('migrates, creates users, changes roles, resets passwords and creates tokens', async () => {
    expect((await cli('migrate')).stdout).toMatch(/migration|up to date/);
    const created = await cli('user', 'create', '--login', 'cli.user', '--name', 'Utilisateur CLI', '--role', 'editor', '--org', 'DNUM');
    expect(created.stdout).toContain('« cli.user » created (editor)');
    expect(created.stdout).toMatch(/Initial password \(shown once\): \S{29}/);

    const bad = await cli('user', 'create', '--login', 'x', '--name', 'X', '--role', 'data_admin').catch((e) => e);
    expect(bad.code).toBe(1);
    // Named as the forms name it (`Organisation`), with the reason.
    expect(bad.stderr).toMatch(/Organisation : un administrateur de données est rattaché à une organisation/);

    expect((await cli('user', 'set-role', 'cli.user', 'data_admin', '--org', 'DSR')).stdout).toContain('data_admin (DSR)');
    expect((await cli('user', 'list')).stdout).toContain('cli.user');
    expect((await cli('user', 'reset-password', 'cli.user')).stdout).toMatch(/New password \(shown once\): \S+/);

    const tok = await cli('token', 'create', '--user', 'cli.user', '--name', 'script', '--expires', '30');
    expect(tok.stdout).toMatch(/^pat_[\w-]{43}$/m);
    const badExpiry = await cli('token', 'create', '--user', 'cli.user', '--name', 's', '--expires', 'soon').catch((e) => e);
    expect(badExpiry.stderr).toMatch(/--expires/);
  }, 180_000); // seven processes, each opening the database

  it('seed gives the demo accounts the admin’s initial password, printed once (README, Quick start)', async () => {
    // A database of its own: `seed` creates the admin and the demo accounts only when it is empty.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-seed-'));
    const own = testDbKind === 'postgres' ? await createTestDatabase() : null;
    const seedEnv: Record<string, string> = { ...env, PATRIMOINE_DATA_DIR: dataDir, DATABASE_URL: own?.url ?? '' };
    delete seedEnv.PATRIMOINE_ADMIN_PASSWORD; // generated, then printed once
    try {
      const first = await run(process.execPath, [bin, 'seed'], { env: seedEnv, timeout: 170_000 });
      const password = /password \(shown once\): (\S+)/.exec(first.stdout)?.[1];
      expect(password, first.stdout).toBeTruthy();
      expect(first.stdout).toContain(`Demo accounts created with the admin’s initial password: ${demoUsers.map((u) => u.login).join(', ')}.`);
      const again = await run(process.execPath, [bin, 'seed'], { env: seedEnv, timeout: 170_000 });
      expect(again.stdout).not.toMatch(/shown once|Demo accounts created/);

      const db = await openDatabase(own?.url ? { url: own.url, poolSize: 1 } : { dataDir: `${dataDir}/pglite` });
      try {
        const rows = await db.query<{ login: string; password_hash: string }>('select login, password_hash from users order by login');
        expect(rows.map((r) => r.login).sort()).toEqual(['admin', ...demoUsers.map((u) => u.login)].sort());
        for (const r of rows) expect(await verifyPassword(password!, r.password_hash), r.login).toBe(true);
      } finally {
        await db.close();
      }
    } finally {
      await own?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 360_000);

  it('refuses an invalid configuration, naming every bad variable', async () => {
    const r = await run(process.execPath, [bin, 'migrate'], { env: { ...env, PORT: 'x', REDIS_URL: 'http://nope' } }).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('REDIS_URL');
  }, 60_000);

  it('writes the files it produces for its owner only (catalogue export, synthetic deaths file)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-cli-out-'));
    try {
      const exported = path.join(dir, 'catalogue.yaml');
      await cli('catalog', 'export', '-o', exported);
      const generated = path.join(dir, 'deces.txt');
      await cli('deces', 'generate', '--count', '20', '--seed', '3', '--out', generated);
      for (const f of [exported, generated]) {
        expect(fs.statSync(f).size, f).toBeGreaterThan(0);
        expect(fs.statSync(f).mode & 0o077, f).toBe(0);
      }
      // Every file and directory the commands wrote under the data directory is the owner's only. PGlite
      // chmods its own files 0666 whatever the umask, so its directory (0700, tightened at start) is what
      // protects them: it is checked, not descended.
      const dataDir = env.PATRIMOINE_DATA_DIR!;
      const walk = (d: string): string[] =>
        fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
          const p = path.join(d, e.name);
          return e.isDirectory() && e.name !== 'pglite' ? [p, ...walk(p)] : [p];
        });
      const written = walk(dataDir);
      expect(written.length).toBeGreaterThan(0);
      for (const f of written) expect(fs.lstatSync(f).mode & 0o077, f).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('serves, then shuts down gracefully on SIGTERM', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', PATRIMOINE_SEED_DEMO: 'false', LOG_PRETTY: 'true', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    try {
      let ready = false;
      for (let i = 0; i < 240 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready).toBe(true);
      // The serving process's umask is 077: a writer added later that gives no mode still creates
      // owner-only files (PATRIMOINE_UMASK loosens it on purpose).
      if (process.platform === 'linux') expect(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')).toMatch(/^Umask:\s+0077$/m);
      // A person at the terminal is told what is happening, then where to go: readable lines, not JSON.
      for (let i = 0; i < 40 && !out.includes('est prêt'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Démarrage de Patrimoine/);
      expect(out).toMatch(/Base de données prête/);
      expect(out).toMatch(/Contenu de référence : catalog/);
      expect(out).toContain(`Patrimoine est prêt en`);
      expect(out).toContain(`ouvrez http://localhost:${port}`);
      expect(out).not.toMatch(/^\{"level"/m);
      // Health checks are not worth a line at info.
      expect(out).not.toMatch(/GET \/api\/ready/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
