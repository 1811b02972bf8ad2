import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './env.ts';
import { createContext } from './platform/bootstrap.ts';
import { moduleFactories } from './modules/index.ts';
import { buildApp } from './app.ts';
import { ensureAdmin, seedAll } from './platform/seed.ts';

export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** `patrimoine serve`: migrate, seed on first start, listen, and shut down gracefully on SIGTERM. */
export async function serve(env: Env, role: Env['PATRIMOINE_ROLE']) {
  const started = Date.now();
  const platform = await createContext({ ...env, PATRIMOINE_ROLE: role }, moduleFactories);
  const { ctx, modules } = platform;
  if (role !== 'gateway') {
    const admin = await ensureAdmin(ctx);
    const seeded = await seedAll(ctx, modules, {
      demo: env.PATRIMOINE_SEED_DEMO,
      firstStart: admin.initialPassword ? { demoPassword: admin.initialPassword } : undefined,
    });
    if (admin.password) {
      // Printed once on the terminal, never through the logger (logs are shipped and kept).
      process.stdout.write(
        `\n  ────────────────────────────────────────────────────────────\n` +
          `   Compte administrateur créé : identifiant « admin »\n` +
          `   Mot de passe initial (affiché une seule fois) : ${admin.password}\n` +
          (seeded.demoAccounts ? `   Comptes de démonstration (même mot de passe) : dsr.admin, dgef.admin, dnum.editeur, relecteur, agent\n` : '') +
          `  ────────────────────────────────────────────────────────────\n\n`,
      );
    }
    if (seeded.demoAccounts) ctx.logger.info('demo accounts created');
  }
  const app = await buildApp(platform, { webDist: webDistDir, role });
  let maintenance: NodeJS.Timeout | null = null;
  if (role === 'all' || role === 'worker') {
    ctx.jobs.start();
    // Expired sessions are purged hourly (a lookup already refuses them; this keeps the table small).
    const purge = () => ctx.usersRepo.purgeExpiredSessions(ctx.clock.now()).catch((err) => ctx.logger.warn({ err }, 'session purge failed'));
    void purge();
    maintenance = setInterval(purge, 3600_000);
    maintenance.unref();
  }
  for (const m of modules) await m.start?.();
  if (role !== 'worker') {
    await app.listen({ port: env.PORT, host: env.HOST });
    ctx.logger.info({ url: env.publicUrl, role, db: ctx.database.kind, startupMs: Date.now() - started }, 'Patrimoine ready');
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    ctx.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      if (maintenance) clearInterval(maintenance);
      await app.close(); // stops accepting, lets in-flight requests finish
      await platform.close(); // stops jobs (they resume elsewhere), closes DB and Redis
      process.exit(0);
    } catch (err) {
      ctx.logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}
