import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliContext, ModuleFactory, ModuleServices } from '../../platform/context.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { getSetting, setSetting } from '../../platform/seed.ts';
import { createHabilitationsRepository } from './habilitations.repository.ts';
import { createHabilitationsService, type HabilitationsService } from './habilitations.service.ts';
import { habilitationsRoutes, V1_API_SLUG } from './habilitations.routes.ts';
import { createNotifier, WEBHOOK_JOB, type MailLike } from './notify.ts';
import { createWebhooks } from './webhooks.ts';
import { createOpenDataExports, lastEndedMonth, OPENDATA_JOB, type OpenDataExports } from './opendata.ts';
import { importDefinitions, parseDefinitions, seedHabilitationsDemo } from './habilitations.seed.ts';

export type { HabilitationsService };

declare module '../../platform/context.ts' {
  interface ModuleServices {
    habilitations: HabilitationsService;
    habilitationsOpenData: OpenDataExports;
  }
}

const EXPIRY_JOB = 'habilitations.expiry';
const EXPIRY_EVERY_MS = 3600_000;

/** Access requests (habilitations) compatible with DataPass, provisioning the gateway (issue 14). */
export const habilitationsModule: ModuleFactory = (ctx, services) => {
  const repo = createHabilitationsRepository(ctx.db);
  const gateway = () => (services as Partial<ModuleServices>).gateway;
  const mail = (): MailLike => ctx.mail;
  const notifier = createNotifier({
    ctx,
    repo,
    mail,
    unseal: (s) => gateway()!.provisioning.unseal(s),
    key: (purpose) => gateway()?.provisioning.key(purpose) ?? Buffer.from(`${ctx.env.publicUrl}:${purpose}`),
  });
  const svc = createHabilitationsService({ ctx, repo, provisioning: () => gateway()?.provisioning, sink: notifier.sink });
  const exports = createOpenDataExports({ ctx, svc });
  const webhooks = createWebhooks({ ctx, repo, svc, notifier, seal: (s) => gateway()!.provisioning.seal(s) });

  ctx.jobs.register<{ webhookId: string; requestId: string | null; event: string; payload: unknown; attempt: number }, unknown, never>(WEBHOOK_JOB, {
    maxAttempts: 1,
    retentionMs: 7 * 86400_000,
    describe: (j) => ({ title: `Envoi d’une notification webhook (événement ${(j.payload as { event: string }).event})` }),
    run: async ({ payload, progress }) => {
      const r = await notifier.runDelivery(payload);
      await progress({ done: 1, total: 1 });
      return r;
    },
  });
  ctx.jobs.register<Record<string, never>, unknown, never>(EXPIRY_JOB, {
    maxAttempts: 1,
    retentionMs: 86400_000,
    describe: () => ({ title: 'Rappels et échéances des habilitations' }),
    run: async ({ progress }) => {
      const r = await svc.expiryRound();
      await progress({ done: 1, total: 1, message: `${r.reminded} rappel(s), ${r.expired} échéance(s)` });
      return r;
    },
  });
  ctx.jobs.register<{ month?: string; replace?: boolean }, unknown, never>(OPENDATA_JOB, {
    maxAttempts: 3,
    retentionMs: 31 * 86400_000,
    run: async ({ payload, progress }) => {
      const r = payload.month ? await exports.publish(payload.month, { replace: payload.replace === true }) : await exports.publishDue();
      await progress({ done: 1, total: 1, message: r.published ? `${r.month} publié (${r.rows} habilitation(s))` : `${r.month} déjà publié` });
      return r;
    },
  });
  let timer: NodeJS.Timeout | null = null;

  return {
    module: {
      name: 'habilitations',
      routes: habilitationsRoutes({ ctx, svc, webhooks, notifier, gateway, exports }),
      /** The gateway API whose OAuth2 clients use the DataPass-compatible API (once: an admin may change it). */
      async seedReference() {
        const gw = gateway();
        if (!gw || (await getSetting(ctx, 'habilitations_api_published'))) return;
        if (!(await gw.service.getApi(SYSTEM, V1_API_SLUG).catch(() => null))) {
          const api = await gw.service.createApi(SYSTEM, {
            slug: V1_API_SLUG,
            name: 'API des habilitations (compatible DataPass v1)',
            description: 'Demandes d’habilitation, habilitations, définitions et appels de webhooks, aux chemins et formats de l’API v1 de DataPass.',
            audience: 'Fournisseurs de données qui instruisent des habilitations',
            organisationCode: 'DNUM',
            visibility: 'restricted',
            upstreamUrl: 'platform:/api/habilitations/v1',
            timeoutMs: 10_000,
            allowPrivateUpstream: true,
            requiredScope: null,
            failPolicy: 'open',
            maxBodyBytes: 1024 * 1024,
            enabled: true,
            healthPath: '/',
            catalogAssetId: null,
          });
          await gw.service.createPlan(SYSTEM, api.id, {
            slug: 'fournisseur',
            name: 'Fournisseur de données',
            keyless: false,
            perSecond: 20,
            perMinute: null,
            perDay: null,
            perMonth: null,
            approval: 'manual',
            scopes: ['read_authorizations', 'write_authorizations', 'read_webhooks'],
          });
        }
        await setSetting(ctx, 'habilitations_api_published', { at: ctx.clock.now().toISOString() });
      },
      async seedDemo() {
        await seedHabilitationsDemo(ctx, svc, gateway());
      },
      start() {
        if (ctx.env.PATRIMOINE_ROLE === 'gateway') return;
        // Hourly: the expiry round, and the monthly open data file once its month has ended (a no-op
        // when it is published; the first round after the 1st of the month writes it).
        const tick = () => {
          void ctx.jobs.enqueue(EXPIRY_JOB, {}).catch((err: unknown) => ctx.logger.warn({ err }, 'habilitations: expiry round not queued'));
          void exports
            .list()
            .then((l) => (l[0]?.month === lastEndedMonth(ctx.clock.now()) ? null : ctx.jobs.enqueue(OPENDATA_JOB, {})))
            .catch((err: unknown) => ctx.logger.warn({ err }, 'habilitations: open data not queued'));
        };
        timer = setInterval(tick, EXPIRY_EVERY_MS);
        timer.unref();
      },
      stop() {
        if (timer) clearInterval(timer);
        notifier.agent.close().catch(() => undefined);
      },
    },
    services: { habilitations: svc, habilitationsOpenData: exports } satisfies Partial<ModuleServices>,
  };
};

/** `patrimoine habilitations import <file.yaml>`: loads definitions and forms (DataPass-like YAML). */
export function habilitationsCli(program: Command, cli: CliContext): void {
  const cmd = program.command('habilitations').description('Habilitations (demandes d’accès compatibles DataPass)');
  cmd
    .command('import <file>')
    .description('Charge des définitions et formulaires depuis un fichier YAML')
    .action(async (file: string) => {
      const { services, close } = await cli.open();
      try {
        const defs = parseDefinitions(fs.readFileSync(file, 'utf8'));
        await importDefinitions(services.habilitations!, defs);
        console.log(`${defs.length} définition(s) chargée(s).`);
      } finally {
        await close();
      }
    });
  cmd
    .command('opendata')
    .description('Publie le fichier ouvert des habilitations actives d’un mois terminé (par défaut le dernier)')
    .option('--month <AAAA-MM>', 'mois à publier')
    .option('--replace', 'réécrit un mois déjà publié')
    .action(async (o: { month?: string; replace?: boolean }) => {
      const { services, close } = await cli.open();
      try {
        console.log(JSON.stringify(await services.habilitationsOpenData!.publish(o.month ?? lastEndedMonth(new Date()), { replace: o.replace === true })));
      } finally {
        await close();
      }
    });
  cmd
    .command('expiry')
    .description('Envoie les rappels d’échéance (J-30, J-7) et coupe les habilitations échues')
    .action(async () => {
      const { services, close } = await cli.open();
      try {
        console.log(JSON.stringify(await services.habilitations!.expiryRound()));
      } finally {
        await close();
      }
    });
}
