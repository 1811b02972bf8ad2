import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Env } from '../env.ts';

/**
 * The platform's master secret, from which modules derive their own keys (HKDF, one `info` each):
 * GATEWAY_SECRET_KEY (the same value on every node), or for a single node a file generated once in
 * the data directory.
 */
export function loadMasterSecret(env: Env): Buffer {
  if (env.GATEWAY_SECRET_KEY) return Buffer.from(env.GATEWAY_SECRET_KEY, 'utf8');
  const file = path.join(env.dataDir, 'gateway-secret.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
  } catch {
    fs.mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
    const s = randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, s, { mode: 0o600, flag: 'wx' });
      return Buffer.from(s, 'utf8');
    } catch {
      // Another process created it first.
      return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
    }
  }
}

/** Encryption at rest of a module's small secrets (AES-256-GCM), with a key of its own purpose. */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** AES-256-GCM with a 32-byte key: `iv.tag.ciphertext` in base64url; opening checks the tag. */
export function sealerOf(key: Buffer | (() => Buffer)): Sealer {
  const k = typeof key === 'function' ? key : () => key;
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k(), iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return [iv, c.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.');
    },
    open(sealed) {
      const [iv, tag, ct] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !tag || !ct) throw new Error('secret chiffré illisible');
      const d = createDecipheriv('aes-256-gcm', k(), iv);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    },
  };
}

/**
 * A sealer whose key is derived (HKDF-SHA256, `salt` and `purpose` as info) from the master secret: a
 * secret sealed for one purpose cannot be opened with another's key. The master secret is read on first use.
 */
export function createSealer(env: Env, purpose: string, salt = 'patrimoine'): Sealer {
  let key: Buffer | null = null;
  return sealerOf(() => (key ??= Buffer.from(hkdfSync('sha256', loadMasterSecret(env), salt, purpose, 32))));
}
