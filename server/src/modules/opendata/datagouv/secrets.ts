import type { Env } from '../../../env.ts';
import { createSealer, type Sealer } from '../../../platform/master-secret.ts';

/**
 * Encryption at rest of the organisations' data.gouv.fr API keys: AES-256-GCM with a key derived
 * (HKDF, its own `info`) from the platform's master secret — GATEWAY_SECRET_KEY, or the file the
 * gateway generates in the data directory for a single node (the same value on every node).
 */
export type KeySealer = Sealer;

export function createKeySealer(env: Env): KeySealer {
  // Salt and info as before the platform's sealer existed: keys sealed then still open.
  return createSealer(env, 'datagouv-api-key', 'patrimoine-opendata');
}
