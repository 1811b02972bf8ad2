// Builds the web app when its build is missing or older than its sources (content hash).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const stampFile = path.join(web, 'dist', '.build-hash');

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

export function sourceHash() {
  const h = crypto.createHash('sha256');
  const inputs = [...files(path.join(web, 'src'))].sort();
  for (const f of ['index.html', 'vite.config.ts', 'package.json']) inputs.push(path.join(web, f));
  inputs.push(path.join(root, 'package-lock.json'));
  for (const f of inputs) {
    if (!fs.existsSync(f)) continue;
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

export function ensureWebBuild({ quiet = false } = {}) {
  const hash = sourceHash();
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
  if (current === hash && fs.existsSync(path.join(web, 'dist', 'index.html'))) return false;
  if (!quiet) process.stdout.write(current ? 'Web app sources changed: rebuilding… ' : 'Building the web app… ');
  const t = Date.now();
  const r = spawnSync('npm', ['run', 'build', '-w', 'web', '--silent'], { cwd: root, stdio: 'pipe', env: process.env });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`);
    throw new Error('web build failed');
  }
  if (!quiet) console.log(`done in ${((Date.now() - t) / 1000).toFixed(1)} s.`);
  // The DSFR build steps rewrite index.html (asset version and icon-set hash): stamp what the
  // sources are after the build, so that the next start does not rebuild for nothing.
  fs.writeFileSync(stampFile, sourceHash());
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureWebBuild();
