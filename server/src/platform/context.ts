import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mailer } from './mail/mailer.ts';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { Env } from '../env.ts';
import type { Database, Db } from '../db/client.ts';
import type { Clock } from './clock.ts';
import type { CounterStore } from './counters.ts';
import type { JobsService } from './jobs/jobs.service.ts';
import type { AuthService } from './auth/auth.service.ts';
import type { UsersService } from './auth/users.service.ts';
import type { UsersRepository } from './auth/users.repository.ts';
import type { OrganisationsRepository } from './organisations/organisations.repository.ts';
import type { EventBus } from './events.ts';
import type { BlobStore } from './blob/blob.ts';

/** What the platform hands to every module: its explicit dependencies. */
export interface AppContext {
  env: Env;
  database: Database;
  db: Db;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Shared Redis connection, when REDIS_URL is set. */
  redis: Redis | null;
  counters: CounterStore;
  jobs: JobsService;
  auth: AuthService;
  users: UsersService;
  usersRepo: UsersRepository;
  organisations: OrganisationsRepository;
  events: EventBus;
  /** E-mail notifications, queued as jobs (SMTP_URL). */
  mail: Mailer;
  /** Files (uploads, produced files): local directory or S3 bucket, the same on every node (ADR 0010). */
  blobs: BlobStore;
}

/**
 * Services that modules offer each other. Each module adds its entry by declaration merging in its
 * index.ts; a module reads another's service only through this map, never through its files.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModuleServices {}

export interface CliContext {
  /** Opens the database (migrated) and builds the modules; closes everything on `close()`. */
  open(): Promise<{ ctx: AppContext; services: Partial<ModuleServices>; modules: PatrimoineModule[]; close(): Promise<void> }>;
}

export interface PatrimoineModule {
  name: string;
  /** Control-plane HTTP routes (UI API); not registered on `--role gateway` nodes. */
  routes?: FastifyPluginAsync;
  /** Data-plane routes, also served by `--role gateway` nodes (the gateway proxy, OAuth2). */
  dataPlane?: FastifyPluginAsync;
  /**
   * Requests whose raw URL starts with `prefix` are handed to `handler()` by the main port's HTTP
   * server itself, before the platform's Fastify instance (and its per-request hooks) sees them;
   * `null` while not ready (the platform's own routes answer then). `inject()` never goes through it.
   */
  front?: { prefix: string; handler(): ((req: IncomingMessage, res: ServerResponse) => void) | null };
  /**
   * Demo content. Called at every start when demo content is enabled (PATRIMOINE_SEED_DEMO, `patrimoine
   * seed`): it must load the module's demo only when the module's own tables are empty, and do
   * nothing otherwise, so that demo records never mix with real data (and a restart adds nothing).
   * The demo accounts it may refer to exist only when the database was empty at first start.
   */
  seedDemo?(): Promise<void>;
  /** Reference content every installation needs (idempotent, run at every start). */
  seedReference?(): Promise<void>;
  /**
   * What `/api/ready` says of the module beyond the database: `degraded` names what a person should look
   * at (an upstream that fails its probes…) without making the node unready.
   */
  readiness?(): Promise<{ status: 'ok' | 'degraded'; detail: string }>;
  /** Background work of the node (probes, flushers); started after listen. */
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** Module-specific CLI commands (`patrimoine deces import`…). */
  cli?(program: Command, cli: CliContext): void;
}

/** A module is built from the platform context and the services of the modules built before it. */
export type ModuleFactory = (ctx: AppContext, services: Partial<ModuleServices>) => { module: PatrimoineModule; services?: Partial<ModuleServices> };
