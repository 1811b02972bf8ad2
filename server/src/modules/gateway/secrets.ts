import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { sealerOf } from '../../platform/master-secret.ts';

/**
 * The gateway's secrets: one master secret (GATEWAY_SECRET_KEY, or a file generated in the data
 * directory for a single node) from which purpose-specific keys are derived with HKDF.
 */
export interface GatewaySecrets {
  /** AES-256-GCM encryption of small secrets at rest (signing keys). */
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** HMAC key of the consumer identity header sent to the upstreams of one API. */
  identityKey(apiId: string): Buffer;
}

export { loadMasterSecret } from '../../platform/master-secret.ts';

export function createSecrets(master: Buffer): GatewaySecrets {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, 'patrimoine-gateway', info, 32));
  const sealer = sealerOf(derive('encryption'));
  const identityCache = new Map<string, Buffer>();
  return {
    encrypt: (plain) => sealer.seal(plain),
    decrypt: (sealed) => sealer.open(sealed),
    identityKey(apiId) {
      let k = identityCache.get(apiId);
      if (!k) {
        k = derive(`identity:${apiId}`);
        identityCache.set(apiId, k);
      }
      return k;
    },
  };
}

export { sha256 } from '../../platform/auth/password.ts';

/** A random credential with a recognisable prefix: `pgw_` keys, `pgs_` client secrets. */
export function newCredential(kind: 'key' | 'secret' | 'client'): string {
  const p = kind === 'key' ? 'pgw_' : kind === 'secret' ? 'pgs_' : 'pgc_';
  return p + randomBytes(kind === 'client' ? 12 : 32).toString('base64url');
}

export const credentialPrefix = (k: string) => k.slice(0, 12);

/** Signature of the consumer identity header: `v1=<hex HMAC-SHA256 of the header value>`. */
export function signIdentity(key: Buffer, value: string): string {
  return 'v1=' + createHmac('sha256', key).update(value).digest('hex');
}

export function verifyIdentity(key: Buffer, value: string, signature: string): boolean {
  const a = Buffer.from(signIdentity(key, value));
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}
