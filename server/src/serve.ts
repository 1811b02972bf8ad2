import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './env.ts';
import { createContext, createLogger } from './platform/bootstrap.ts';
import { moduleFactories } from './modules/index.ts';
import { buildApp } from './app.ts';
import { ensureAdmin, seedAll } from './platform/seed.ts';

export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** `patrimoine serve`: migrate, seed on first start, listen, and shut down gracefully on SIGTERM. */
export async function serve(env: Env, role: Env['PATRIMOINE_ROLE']) {
  const started = Date.now();
  const nodeEnv = { ...env, PATRIMOINE_ROLE: role };
  // What a person starting the platform waits for, said as it happens (readable on a terminal, JSON otherwise).
  const logger = createLogger(nodeEnv);
  const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  logger.info(
    env.DATABASE_URL
      ? 'Démarrage de Patrimoine : connexion à PostgreSQL et migrations…'
      : `Démarrage de Patrimoine : ouverture de la base embarquée (PGlite) dans ${env.dataDir} et migrations — quelques secondes…`,
  );
  const platform = await createContext(nodeEnv, moduleFactories, { logger });
  const { ctx, modules } = platform;
  logger.info(`Base de données prête (${ctx.database.kind}, migrations appliquées) en ${secs()}`);
  let demoReady = false;
  if (role !== 'gateway') {
    const admin = await ensureAdmin(ctx);
    const seeded = await seedAll(ctx, modules, {
      demo: env.PATRIMOINE_SEED_DEMO,
      firstStart: admin.initialPassword ? { demoPassword: admin.initialPassword } : undefined,
      progress: (message) => logger.info(message),
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
    demoReady = env.PATRIMOINE_SEED_DEMO && (seeded.demoAccounts || !!(await ctx.usersRepo.findByLogin('agent')));
  }
  const app = await buildApp(platform, { webDist: webDistDir, role });
  let maintenance: NodeJS.Timeout | null = null;
  if (role === 'all' || role === 'worker') {
    ctx.jobs.start();
    // Expired sessions are purged hourly (a lookup already refuses them; this keeps the table small).
    // Temporary files of writes interrupted by a crash (blob store on the filesystem) go after a day.
    const purge = () =>
      Promise.all([
        ctx.usersRepo.purgeExpiredSessions(ctx.clock.now()).catch((err) => ctx.logger.warn({ err }, 'session purge failed')),
        ctx.blobs.sweepTemp?.().catch((err) => ctx.logger.warn({ err }, 'blob store sweep failed')),
      ]);
    void purge();
    maintenance = setInterval(purge, 3600_000);
    maintenance.unref();
  }
  for (const m of modules) await m.start?.();
  if (role !== 'worker') {
    await app.listen({ port: env.PORT, host: env.HOST });
    ctx.logger.info(
      { url: env.publicUrl, role, db: ctx.database.kind, startupMs: Date.now() - started },
      role === 'gateway'
        ? `Passerelle prête en ${secs()} : ${env.publicUrl}/gw/…`
        : `Patrimoine est prêt en ${secs()} : ouvrez ${env.publicUrl} — comptes : admin${demoReady ? ', dsr.admin, dgef.admin, dnum.editeur, relecteur, agent (même mot de passe initial)' : ''}`,
    );
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
