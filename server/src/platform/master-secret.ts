import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
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
