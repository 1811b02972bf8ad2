import { eq } from 'drizzle-orm';
import type { AppContext, PatrimoineModule } from './context.ts';
import { platformSettings } from './settings.table.ts';
import { ministryOrganisations } from './organisations/organisations.seed.ts';
import { generatePassword } from './auth/password.ts';
import { actorOf, SYSTEM } from './auth/principal.ts';
import { recordAudit } from './audit/audit.repository.ts';

export async function getSetting<T>(ctx: AppContext, key: string): Promise<T | null> {
  const [r] = await ctx.db.select().from(platformSettings).where(eq(platformSettings.key, key));
  return (r?.value as T) ?? null;
}

export async function setSetting(ctx: AppContext, key: string, value: unknown): Promise<void> {
  await ctx.db
    .insert(platformSettings)
    .values({ key, value: value as object })
    .onConflictDoUpdate({ target: platformSettings.key, set: { value: value as object, updatedAt: new Date() } });
}

/** Reference data every installation needs: the ministry's organisations (idempotent). */
export async function seedOrganisations(ctx: AppContext): Promise<number> {
  let added = 0;
  await ctx.db.transaction(async (tx) => {
    for (const o of ministryOrganisations) {
      if (await ctx.organisations.findByCode(o.code, tx)) continue;
      const parent = o.parent ? await ctx.organisations.findByCode(o.parent, tx) : null;
      const row = await ctx.organisations.insert({ code: o.code, name: o.name, kind: o.kind, parentId: parent?.id ?? null }, tx);
      await recordAudit(tx, { actor: actorOf(SYSTEM), action: 'organisation.create', entityType: 'organisation', entityId: row.code, after: row });
      added++;
    }
  });
  return added;
}

/**
 * Creates the `admin` account when no account exists. Returns the generated password (to be
 * printed once by the caller) or null when it came from the environment or the account exists.
 */
export async function ensureAdmin(ctx: AppContext): Promise<{ created: boolean; password: string | null; initialPassword?: string }> {
  await seedOrganisations(ctx);
  if ((await ctx.usersRepo.count()) > 0) return { created: false, password: null };
  const fromEnv = ctx.env.PATRIMOINE_ADMIN_PASSWORD;
  const password = fromEnv ?? generatePassword();
  await ctx.users.create(
    { login: 'admin', displayName: 'Administrateur ministériel des données', role: 'admin', organisationCode: 'DNUM', password },
    actorOf(SYSTEM),
  );
  return { created: true, password: fromEnv ? null : password, initialPassword: password };
}

/** Demo accounts, one per role, so that the platform can be explored as each kind of user. */
export const demoUsers = [
  { login: 'dsr.admin', displayName: 'Camille Martin (DSR)', role: 'data_admin', organisationCode: 'DSR' },
  { login: 'dgef.admin', displayName: 'Nadia Benali (DGEF)', role: 'data_admin', organisationCode: 'DGEF' },
  { login: 'dnum.editeur', displayName: 'Julien Moreau (DNUM)', role: 'editor', organisationCode: 'DNUM' },
  { login: 'relecteur', displayName: 'Sophie Leroy', role: 'reviewer', organisationCode: 'DNUM' },
  { login: 'agent', displayName: 'Paul Durand', role: 'reader', organisationCode: 'DMAT' },
] as const;

export interface SeedOptions {
  /** Demo content enabled (PATRIMOINE_SEED_DEMO, `seed` without --no-demo). */
  demo: boolean;
  /**
   * This is the first start of an empty database (the admin account was just created): only then
   * are the demo accounts created, with this password (the admin's initial one, as README promises).
   */
  firstStart?: { demoPassword: string };
  /** Told what is being loaded, for the terminal of a first start (which takes several seconds). */
  progress?: (message: string) => void;
}

export interface SeedResult {
  /** The demo accounts were created by this run. */
  demoAccounts: boolean;
}

/**
 * Runs the reference seeds, then, when demo content is enabled, every module's `seedDemo()` — at
 * every start: each module loads its demo only when its own tables are empty, so demo content never
 * mixes with real data (a real INSEE file imported, the deaths demo stays out). The demo accounts are
 * created only on the first start of an empty database.
 */
export async function seedAll(ctx: AppContext, modules: PatrimoineModule[], opts: SeedOptions): Promise<SeedResult> {
  await seedOrganisations(ctx);
  for (const m of modules) {
    opts.progress?.(`Contenu de référence : ${m.name}`);
    await m.seedReference?.();
  }
  if (!opts.demo) return { demoAccounts: false };
  let demoAccounts = false;
  if (opts.firstStart) {
    for (const u of demoUsers) {
      if (await ctx.usersRepo.findByLogin(u.login)) continue;
      // Demo accounts share the admin's initial password (printed once, or set by the operator).
      await ctx.users.create({ ...u, password: opts.firstStart.demoPassword }, actorOf(SYSTEM));
      demoAccounts = true;
    }
  }
  for (const m of modules) {
    if (!m.seedDemo) continue;
    opts.progress?.(`Contenu de démonstration : ${m.name} (chargé seulement si le module est vide)`);
    await m.seedDemo();
  }
  return { demoAccounts };
}
