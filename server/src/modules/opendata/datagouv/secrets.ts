import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Env } from '../../../env.ts';
import { loadMasterSecret } from '../../../platform/master-secret.ts';

/**
 * Encryption at rest of the organisations' data.gouv.fr API keys: AES-256-GCM with a key derived
 * (HKDF, its own `info`) from the platform's master secret — GATEWAY_SECRET_KEY, or the file the
 * gateway generates in the data directory for a single node (the same value on every node).
 */
export interface KeySealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createKeySealer(env: Env): KeySealer {
  let key: Buffer | null = null;
  const k = () => (key ??= Buffer.from(hkdfSync('sha256', loadMasterSecret(env), 'patrimoine-opendata', 'datagouv-api-key', 32)));
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
