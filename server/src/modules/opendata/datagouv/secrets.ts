import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Env } from '../../../env.ts';

/**
 * Encryption at rest of the organisations' data.gouv.fr API keys: AES-256-GCM with a key derived
 * (HKDF, its own `info`) from the platform's master secret — GATEWAY_SECRET_KEY, or the file the
 * gateway generates in the data directory for a single node (the same value on every node).
 */
function masterSecret(env: Env): Buffer {
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
      return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
    }
  }
}

export interface KeySealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createKeySealer(env: Env): KeySealer {
  let key: Buffer | null = null;
  const k = () => (key ??= Buffer.from(hkdfSync('sha256', masterSecret(env), 'patrimoine-opendata', 'datagouv-api-key', 32)));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k(), iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return [iv, c.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.');
    },
    open(sealed) {
      const [iv, tag, ct] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !tag || !ct) throw new Error('clé chiffrée illisible');
      const d = createDecipheriv('aes-256-gcm', k(), iv);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    },
  };
}
