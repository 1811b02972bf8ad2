import pino from 'pino';
import pretty from 'pino-pretty';
import type { FastifyBaseLogger } from 'fastify';
import type { Env } from '../env.ts';
import { openDatabase, redactQueryError, type Database } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { systemClock, type Clock } from './clock.ts';
import { MemoryCounterStore, RedisCounterStore } from './counters.ts';
import { openRedis } from './redis.ts';
import { createJobsService } from './jobs/jobs.service.ts';
import { createUsersRepository } from './auth/users.repository.ts';
import { createAuthService } from './auth/auth.service.ts';
import { parseAcrPolicy } from './auth/oidc/config.ts';
import { createUsersService } from './auth/users.service.ts';
import { createOrganisationsRepository } from './organisations/organisations.repository.ts';
import { EventBus } from './events.ts';
import { createMailer } from './mail/mailer.ts';
import { createBlobStore } from './blob/index.ts';
import type { BlobStore } from './blob/blob.ts';
import type { AppContext, ModuleFactory, ModuleServices, PatrimoineModule } from './context.ts';

/** Whether logs are for a person: `LOG_PRETTY=auto` (default) means when stdout is a terminal. */
export function prettyLogs(env: Pick<Env, 'LOG_PRETTY'>, isTty = process.stdout.isTTY === true): boolean {
  return env.LOG_PRETTY === 'auto' ? isTty : env.LOG_PRETTY === 'true';
}

export function createLogger(env: Env, destination?: NodeJS.WritableStream): FastifyBaseLogger {
  const options = {
    level: env.LOG_LEVEL,
    // A failed query's bound values (a password hash, personal data) never reach the logs, whoever logs the error.
    serializers: { err: (e: unknown) => pino.stdSerializers.err(redactQueryError(e) as Error) },
    // Secrets never reach the logs, whatever a handler logs by mistake.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]', '*.password', '*.token', '*.secret'],
      censor: '[secret]',
    },
  };
  // Readable lines for a person at a terminal, written synchronously (no worker thread, nothing lost
  // at exit); JSON lines for log collectors otherwise.
  const stream = prettyLogs(env)
    ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId', singleLine: true, destination: destination ?? process.stdout })
    : (destination ?? process.stdout);
  return pino(options, stream) as unknown as FastifyBaseLogger;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** An already open database (tests); otherwise opened from env. */
  database?: Database;
  /** Apply migrations (default true). */
  migrate?: boolean;
  /** A blob store (tests); otherwise built from env. */
  blobs?: BlobStore;
}

/** Opens the database and shared services, and builds the given modules (in dependency order). */

export async function createContext(env: Env, moduleFactories: readonly ModuleFactory[], opts: ContextOptions = {}) {
  const logger = opts.logger ?? createLogger(env);
  const clock = opts.clock ?? systemClock;
  const database =
    opts.database ??
    (await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATABASE_URL ? undefined : `${env.dataDir}/pglite`, poolSize: env.DATABASE_POOL_SIZE }));
  if (opts.migrate !== false) await runMigrations(database);
  const redis = env.REDIS_URL ? await openRedis(env.REDIS_URL) : null;
  const db = database.db;
  const usersRepo = createUsersRepository(db);
  const organisations = createOrganisationsRepository(db);
  const counters = redis ? new RedisCounterStore(redis, `${env.REDIS_PREFIX}ctr:`) : new MemoryCounterStore();
  const jobs = createJobsService({
    db,
    clock,
    logger,
    concurrency: env.PATRIMOINE_ROLE === 'api' || env.PATRIMOINE_ROLE === 'gateway' ? 0 : env.PATRIMOINE_JOB_CONCURRENCY,
    pollMs: env.PATRIMOINE_JOB_POLL_MS,
    listen: (channel, cb) => database.listen(channel, cb),
  });
  const ctx: AppContext = {
    env,
    database,
    db,
    clock,
    logger,
    redis,
    counters,
    events: new EventBus(),
    blobs: opts.blobs ?? (await createBlobStore(env)),
    usersRepo,
    organisations,
    jobs,
    mail: createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, jobs, logger }),
    auth: createAuthService({
      db,
      users: usersRepo,
      clock,
      counters,
      logger,
      config: {
        sessionTtlHours: env.PATRIMOINE_SESSION_TTL_HOURS,
        scryptN: env.PATRIMOINE_SCRYPT_N,
        acrPolicy: parseAcrPolicy(env.PATRIMOINE_PROCONNECT_ACR_POLICY),
      },
    }),
    users: createUsersService({ db, users: usersRepo, organisations, scryptN: env.PATRIMOINE_SCRYPT_N }),
  };
  const services: Partial<ModuleServices> = {};
  const modules: PatrimoineModule[] = [];
  for (const factory of moduleFactories) {
    const built = factory(ctx, services);
    modules.push(built.module);
    Object.assign(services, built.services ?? {});
  }
  async function close() {
    for (const m of [...modules].reverse()) await m.stop?.();
    await ctx.jobs.stop();
    ctx.mail.close();
    if (redis) redis.disconnect();
    if (!opts.blobs) ctx.blobs.close?.();
    if (!opts.database) await database.close();
  }
  return { ctx, modules, services, close };
}
export type Platform = Awaited<ReturnType<typeof createContext>>;
