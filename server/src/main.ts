import { Argument, Command, Option } from 'commander';
import { loadEnv, EnvError, type Env } from './env.ts';
import { createContext } from './platform/bootstrap.ts';
import { moduleFactories } from './modules/index.ts';
import { runMigrations } from './db/migrate.ts';
import { openDatabase } from './db/client.ts';
import { demoUsers, ensureAdmin, seedAll, seedOrganisations } from './platform/seed.ts';
import { roles, type Role } from '@patrimoine/contracts/platform';
import { actorOf, type SystemCaller } from './platform/auth/principal.ts';
import { DomainError, ValidationError } from './platform/errors.ts';
import { serve } from './serve.ts';
import type { CliContext } from './platform/context.ts';
import { registerBlobCli } from './platform/blob/copy.ts';

function env(): Env {
  try {
    return loadEnv();
  } catch (e) {
    if (e instanceof EnvError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

/** The command line acts as the platform itself; its audit entries say « cli ». */
const CLI: SystemCaller = Object.freeze({ kind: 'system' as const, label: 'cli' });

/** Opens the platform for a one-shot command (quiet logs, no HTTP, no job runner). */
const cli: CliContext = {
  async open() {
    const e = { ...env(), LOG_LEVEL: 'warn' as const, PATRIMOINE_ROLE: 'api' as const };
    const p = await createContext(e, moduleFactories);
    // Reference data (organisations, the roadmap…) must exist before any command refers to it.
    await seedOrganisations(p.ctx);
    for (const m of p.modules) await m.seedReference?.();
    return { ctx: p.ctx, services: p.services, modules: p.modules, close: p.close };
  },
};

async function withPlatform<T>(fn: (p: Awaited<ReturnType<typeof cli.open>>) => Promise<T>): Promise<T> {
  const p = await cli.open();
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('patrimoine')
    .description('Patrimoine — catalogue, pilotage et services de données du ministère')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });

  program
    .command('serve')
    .description('Start the platform (UI, API, jobs) on PORT')
    .addOption(new Option('--role <role>', 'what this node runs').choices(['all', 'api', 'gateway', 'worker']))
    .action(async (o: { role?: Env['PATRIMOINE_ROLE'] }) => {
      const e = env();
      await serve(e, o.role ?? e.PATRIMOINE_ROLE);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const e = env();
      const db = await openDatabase({ url: e.DATABASE_URL, dataDir: e.DATABASE_URL ? undefined : `${e.dataDir}/pglite` });
      try {
        const n = await runMigrations(db);
        console.log(n ? `${n} migration(s) applied.` : 'Database is up to date.');
      } finally {
        await db.close();
      }
    });

  program
    .command('seed')
    .description(
      'Load reference data and the admin account; unless --no-demo, the demo content of every module whose tables are empty, and on an empty database the demo accounts (with the admin’s initial password)',
    )
    .option('--no-demo', 'reference data only')
    .action(async (o: { demo: boolean }) => {
      await withPlatform(async ({ ctx, modules }) => {
        const admin = await ensureAdmin(ctx);
        const r = await seedAll(ctx, modules, {
          demo: o.demo,
          firstStart: admin.initialPassword ? { demoPassword: admin.initialPassword } : undefined,
        });
        if (admin.created) {
          console.log(
            admin.password
              ? `Admin account created: login « admin », password (shown once): ${admin.password}`
              : 'Admin account created: login « admin », password from PATRIMOINE_ADMIN_PASSWORD.',
          );
        }
        if (r.demoAccounts) console.log(`Demo accounts created with the admin’s initial password: ${demoUsers.map((u) => u.login).join(', ')}.`);
        console.log(o.demo ? 'Reference data and demo content up to date.' : 'Reference data up to date (demo content disabled).');
      });
    });

  const user = program.command('user').description('Manage accounts');
  user
    .command('create')
    .description('Create an account; prints a generated password once unless --password is given')
    .requiredOption('--login <login>', 'login (lower-case)')
    .requiredOption('--name <displayName>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices([...roles]).default('reader'))
    .option('--org <code>', 'organisation code (required for data_admin)')
    .option('--email <email>', 'e-mail address')
    .option('--password <password>', 'initial password (generated when absent)')
    .action(async (o: { login: string; name: string; role: Role; org?: string; email?: string; password?: string }) => {
      await withPlatform(async ({ ctx }) => {
        const r = await ctx.users.create(
          { login: o.login, displayName: o.name, role: o.role, organisationCode: o.org, email: o.email, password: o.password },
          actorOf(CLI),
        );
        console.log(`Account « ${r.user.login} » created (${r.user.role}).`);
        if (r.password) console.log(`Initial password (shown once): ${r.password}`);
      });
    });
  user
    .command('list')
    .description('List accounts')
    .action(async () => {
      await withPlatform(async ({ ctx }) => {
        const r = await ctx.users.list({ page: 1, pageSize: 10_000 });
        console.table(r.items.map((u) => ({ login: u.login, name: u.displayName, role: u.role, org: u.organisationCode ?? '', active: u.active })));
      });
    });
  user
    .command('reset-password')
    .description('Set a new password for an account (generated and printed once unless --password is given); closes its sessions')
    .argument('<login>')
    .option('--password <password>', 'new password')
    .action(async (login: string, o: { password?: string }) => {
      await withPlatform(async ({ ctx }) => {
        const r = await ctx.users.resetPassword(login, actorOf(CLI), o.password);
        console.log(`Password of « ${r.login} » reset.`);
        if (r.password) console.log(`New password (shown once): ${r.password}`);
      });
    });
  user
    .command('set-role')
    .description('Change the role of an account')
    .argument('<login>')
    .addArgument(new Argument('<role>', 'new role').choices([...roles]))
    .option('--org <code>', 'organisation code (for data_admin)')
    .action(async (login: string, role: Role, o: { org?: string }) => {
      if (!roles.includes(role)) throw new ValidationError(`role must be one of ${roles.join(', ')}`);
      await withPlatform(async ({ ctx }) => {
        const u = await ctx.users.setRole(login, role, actorOf(CLI), o.org);
        console.log(`« ${u.login} » is now ${u.role}${u.organisationCode ? ` (${u.organisationCode})` : ''}.`);
      });
    });

  program
    .command('token')
    .description('Personal API tokens')
    .command('create')
    .description('Create a personal API token for a user; prints it once')
    .requiredOption('--user <login>', 'owner of the token')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires <days>', 'validity in days (none: no expiry)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 3660) throw new ValidationError('--expires must be a number of days between 1 and 3660');
      return n;
    })
    .action(async (o: { user: string; name: string; expires?: number }) => {
      await withPlatform(async ({ ctx }) => {
        const u = await ctx.usersRepo.findByLogin(o.user);
        if (!u) throw new ValidationError(`unknown user « ${o.user} »`);
        const { token, row } = await ctx.auth.createToken(u.id, o.name, o.expires ?? null, actorOf(CLI));
        console.log(`Token « ${row.name} » for ${u.login}${row.expiresAt ? `, expires ${row.expiresAt.toISOString().slice(0, 10)}` : ', no expiry'}.`);
        console.log(`Store it now, it will not be shown again:\n${token}`);
      });
    });

  registerBlobCli(program);

  return program;
}

/**
 * Files and directories the platform creates are its own: uploads, blobs, the embedded database,
 * exports and CLI outputs. A writer that forgets its `mode` still gets 0600/0700 (issue 10).
 * `PATRIMOINE_UMASK` (octal) loosens it where an operator needs a group to read the data directory.
 */
export function restrictFileModes(value = process.env.PATRIMOINE_UMASK) {
  const mask = value && /^0?[0-7]{3}$/.test(value) ? parseInt(value, 8) : 0o077;
  process.umask(mask);
  return mask;
}

export async function main(argv = process.argv) {
  restrictFileModes();
  const program = buildProgram();
  // Modules register their commands from their factories, which need no database to describe them.
  const { moduleCliRegistrars } = await import('./modules/cli.ts');
  for (const register of moduleCliRegistrars) register(program, cli);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof DomainError) {
      process.stderr.write(`Error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
