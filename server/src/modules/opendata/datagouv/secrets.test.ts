import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../env.ts';
import { createKeySealer } from './secrets.ts';

const env = { GATEWAY_SECRET_KEY: 'k'.repeat(40), dataDir: '/nonexistent' } as Env;

describe('data.gouv.fr API keys at rest', () => {
  it('still opens the data.gouv.fr keys sealed before the platform sealer (same derivation)', () => {
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(env.GATEWAY_SECRET_KEY!, 'utf8'), 'patrimoine-opendata', 'datagouv-api-key', 32));
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update('udata-api-key', 'utf8'), c.final()]);
    const sealedBefore = [iv, c.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.');
    expect(createKeySealer(env).open(sealedBefore)).toBe('udata-api-key');
  });
});
