import { describe, expect, it } from 'vitest';
import { EnvError, describeEnv, loadEnv } from './env.ts';

describe('configuration', () => {
  it('applies defaults', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(8080);
    expect(env.PATRIMOINE_ORG_NAME).toBe("Ministère de l'Intérieur");
    expect(env.dataDir).toMatch(/\.data$/);
    expect(env.publicUrl).toBe('http://localhost:8080');
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    try {
      loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PATRIMOINE_ADMIN_PASSWORD: 'short', PATRIMOINE_SCRYPT_N: '1000' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      const vars = (e as EnvError).issues.map((i) => i.variable);
      expect(vars).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'PATRIMOINE_ADMIN_PASSWORD', 'PATRIMOINE_SCRYPT_N']));
      expect((e as EnvError).message).toContain('PORT');
    }
  });

  it('treats empty strings as unset and parses booleans', () => {
    const env = loadEnv({ DATABASE_URL: '', PATRIMOINE_SEED_DEMO: 'false', PORT: '9000' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PATRIMOINE_SEED_DEMO).toBe(false);
    expect(env.publicUrl).toBe('http://localhost:9000');
  });

  it('documents every variable', () => {
    const rows = describeEnv();
    expect(rows.find((r) => r.name === 'PORT')).toMatchObject({ default: '8080' });
    for (const r of rows.filter((r) => r.name !== 'NODE_ENV')) expect(r.description, r.name).not.toBe('');
  });
});
