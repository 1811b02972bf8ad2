import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('hashes with scrypt, with a salt, and verifies', async () => {
    const a = await hashPassword('une phrase de passe', 1024);
    const b = await hashPassword('une phrase de passe', 1024);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('une phrase de passe', a)).toBe(true);
    expect(await verifyPassword('une phrase de passE', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('uses the OWASP cost by default and asks to rehash weaker hashes', async () => {
    const h = await hashPassword('une phrase de passe');
    expect(h.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(needsRehash(h, 131072)).toBe(false);
    expect(needsRehash(await hashPassword('x', 1024), 131072)).toBe(true);
  });

  it('normalises Unicode so that é typed two ways matches', async () => {
    const h = await hashPassword('clé secrète très longue', 1024);
    expect(await verifyPassword('cle\u0301 secre\u0300te tre\u0300s longue', h)).toBe(true);
  });

  it('enforces a length-first policy', () => {
    expect(passwordProblem('court')).toMatch(/12/);
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toMatch(/répétitif/);
    expect(passwordProblem('jean.dupont-2026!', 'jean.dupont')).toMatch(/identifiant/);
    expect(passwordProblem('correct horse battery staple')).toBeNull();
  });

  it('generates readable strong passwords that pass the policy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){5}$/);
      expect(p).not.toMatch(/[0O1lI]/);
      expect(passwordProblem(p)).toBeNull();
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });
});
