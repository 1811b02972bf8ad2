import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Env } from '../env.ts';
import { createSealer, sealerOf } from './master-secret.ts';

const env = { GATEWAY_SECRET_KEY: 'k'.repeat(40), dataDir: '/nonexistent' } as Env;

describe('sealing small secrets at rest (AES-256-GCM)', () => {
  it('opens what it sealed, never the same ciphertext twice, and refuses a tampered one', () => {
    const s = sealerOf(randomBytes(32));
    const a = s.seal('clé secrète');
    expect(s.open(a)).toBe('clé secrète');
    expect(s.seal('clé secrète')).not.toBe(a);
    const [iv, tag, ct] = a.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => s.open([iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => s.open('pas-un-secret')).toThrow(/illisible/);
  });

  it('derives one key per purpose: a secret sealed for one purpose does not open for another', () => {
    const a = createSealer(env, 'deces-webhook-challenge').seal('x');
    expect(createSealer(env, 'deces-webhook-challenge').open(a)).toBe('x');
    expect(() => createSealer(env, 'autre').open(a)).toThrow();
  });
});
