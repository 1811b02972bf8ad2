import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../test/harness.ts';
import type { PatrimoineModule } from './context.ts';
import { demoUsers, ensureAdmin, seedAll } from './seed.ts';

let t: TestPlatform;
const PASSWORD = 'Initial-Patrimoine-2026-secret';

beforeAll(async () => {
  t = await createTestPlatform({ env: { PATRIMOINE_ADMIN_PASSWORD: PASSWORD } });
});
afterAll(async () => t?.teardown());

/** A module whose demo follows the rule: loaded only when its own "table" is empty. */
function fakeModule() {
  const m = {
    calls: 0,
    rows: [] as string[],
    module: {
      name: 'fake',
      async seedDemo() {
        m.calls++;
        if (m.rows.length) return;
        m.rows.push('demo-1', 'demo-2');
      },
    } satisfies PatrimoineModule,
  };
  return m;
}

describe('seedAll', () => {
  it('creates the demo accounts with the admin’s initial password on the first start of an empty database only', async () => {
    const admin = await ensureAdmin(t.ctx);
    expect(admin).toMatchObject({ created: true, password: null, initialPassword: PASSWORD });
    const fake = fakeModule();
    const first = await seedAll(t.ctx, [fake.module], { demo: true, firstStart: { demoPassword: admin.initialPassword! } });
    expect(first.demoAccounts).toBe(true);
    expect(fake.calls).toBe(1);
    for (const u of demoUsers) {
      const s = await t.sessionFor(u.login, PASSWORD);
      expect(s.csrf).toBeTruthy();
    }

    // Later starts: the admin exists, so no account is (re)created, even a deleted demo account.
    const again = await ensureAdmin(t.ctx);
    expect(again.created).toBe(false);
    await t.ctx.database.query(`delete from users where login = 'agent'`);
    const second = await seedAll(t.ctx, [fake.module], { demo: true, firstStart: again.initialPassword ? { demoPassword: again.initialPassword } : undefined });
    expect(second.demoAccounts).toBe(false);
    expect(await t.ctx.usersRepo.findByLogin('agent')).toBeNull();
  });

  it('calls every module’s seedDemo at every start when demo content is enabled; each module loads its demo once, when its tables are empty', async () => {
    const fake = fakeModule();
    const other = fakeModule();
    other.rows.push('real record'); // real data imported before the demo was enabled
    for (let i = 0; i < 3; i++) await seedAll(t.ctx, [fake.module, other.module], { demo: true });
    expect(fake.calls).toBe(3);
    expect(other.calls).toBe(3);
    expect(fake.rows).toEqual(['demo-1', 'demo-2']); // loaded once, not three times
    expect(other.rows).toEqual(['real record']); // demo never mixed with real data

    await seedAll(t.ctx, [fake.module], { demo: false });
    expect(fake.calls).toBe(3);
  });

  it('runs every module’s reference seed even with demo content disabled', async () => {
    let reference = 0;
    let demo = 0;
    const m: PatrimoineModule = { name: 'ref', seedReference: async () => void reference++, seedDemo: async () => void demo++ };
    await seedAll(t.ctx, [m], { demo: false });
    expect([reference, demo]).toEqual([1, 0]);
  });
});
