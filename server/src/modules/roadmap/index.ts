import type { Command } from 'commander';
import type { CliContext, ModuleFactory, AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { SYSTEM, principalOfUser, systemActor } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { createRoadmapService, type AssetChangedPayload, type CatalogLookup, type RoadmapService } from './roadmap.service.ts';
import { roadmapRoutes } from './roadmap.routes.ts';
import { REFERENCE_ROADMAP, loadReferenceSeed, parseSeed } from './roadmap.seed.ts';
import { loadReport, reportHtml, reportMarkdown } from './roadmap.report.ts';
import { isOverdue, quarterOf, periodLabel, finalDeadline } from './periods.ts';
import { ValidationError } from '../../platform/errors.ts';

export type { RoadmapService };
export type { RoadmapFeed } from './roadmap.feeds.ts';

/**
 * Imports the reference roadmap « Données, Algorithmes, Codes sources 2021-2023 » (66 actions,
 * 3 sub-actions, 30 openings) when it is not there yet. Idempotent: run at every start.
 * @returns true when it was imported by this call.
 */
export async function seedReferenceRoadmap(ctx: AppContext, svc: RoadmapService): Promise<boolean> {
  if (await svc.repo.findRoadmap(REFERENCE_ROADMAP.slug)) return false;
  const orgs = await ctx.organisations.list();
  const byCode = new Map(orgs.map((o) => [o.code, o]));
  const seed = parseSeed(loadReferenceSeed(), new Set(byCode.keys()));
  const now = ctx.clock.now();
  try {
    return await importReference(ctx, svc, seed, byCode, now);
  } catch (e) {
    // Two nodes starting together: the second insert hits the unique slug; the roadmap is there.
    if ((e as { code?: string; cause?: { code?: string } }).code === '23505' || (e as { cause?: { code?: string } }).cause?.code === '23505') return false;
    throw e;
  }
}

async function importReference(
  ctx: AppContext,
  svc: RoadmapService,
  seed: ReturnType<typeof parseSeed>,
  byCode: Map<string, { id: string }>,
  now: Date,
): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    if (await svc.repo.findRoadmap(REFERENCE_ROADMAP.slug, tx)) return false;
    const r = await svc.repo.insertRoadmap({ ...REFERENCE_ROADMAP, source: seed.source, public: true, createdAt: now, updatedAt: now }, tx);
    for (const a of seed.actions) {
      const row = await svc.repo.insertAction(
        {
          roadmapId: r.id,
          code: a.code,
          parentCode: a.parentCode,
          position: a.position,
          title: a.title,
          shortTitle: a.shortTitle,
          section: a.section,
          sectionTitle: a.sectionTitle,
          deadline: a.deadline,
          deadlineEnd: a.deadlineEnd,
          sourceContributors: a.sourceContributors,
          collectiveContributors: a.collectiveContributors,
          sourceNote: a.sourceNote,
          createdAt: now,
          updatedAt: now,
        },
        tx,
      );
      await svc.repo.setContributors(
        row.id,
        a.organisationCodes.flatMap((c) => (byCode.has(c) ? [byCode.get(c)!.id] : [])),
        tx,
      );
      await svc.repo.insertUpdate(
        {
          roadmapId: r.id,
          actionId: row.id,
          at: now,
          actorLabel: systemActor.label,
          kind: 'import',
          note: 'Import de la feuille de route publiée.',
          changes: {},
          statusAfter: 'a_lancer',
          progressAfter: 0,
        },
        tx,
      );
    }
    for (const o of seed.openings) {
      const row = await svc.repo.insertOpening(
        {
          roadmapId: r.id,
          position: o.position,
          category: o.category,
          title: o.title,
          type: o.type,
          due: o.due,
          status: o.status,
          createdAt: now,
          updatedAt: now,
        },
        tx,
      );
      await svc.repo.insertUpdate(
        {
          roadmapId: r.id,
          openingId: row.id,
          at: now,
          actorLabel: systemActor.label,
          kind: 'import',
          note: 'Import du tableau de suivi des ouvertures.',
          changes: {},
          statusAfter: o.status,
        },
        tx,
      );
    }
    await recordAudit(tx, {
      actor: systemActor,
      action: 'roadmap.import',
      entityType: 'roadmap',
      entityId: r.slug,
      after: { title: r.title, actions: seed.actions.length, openings: seed.openings.length },
    });
    return true;
  });
}

/**
 * Demo content: a few updates on the reference roadmap, so that dashboards and the report have
 * something to show, and openings linked to the demo catalogue's assets (when the catalog module is
 * installed), so that opening one of them in the catalogue makes the opening available. Every note
 * starts with « Démo : ».
 *
 * The platform calls this at every start when demo content is enabled, so it loads only into a
 * module that holds nothing but its reference data. The reference roadmap itself is reference data
 * (imported at every start), so the test is on what people (or an earlier demo) add to it: any log
 * entry other than the reference import, any committee decision, or any other roadmap means the
 * module is in use, and the demo is skipped (`repo.hasActivity`). The demo's own entries count too,
 * so a second start never adds it twice.
 * @returns true when the demo was loaded by this call.
 */
export async function seedDemoUpdates(ctx: AppContext, svc: RoadmapService, catalog: () => CatalogLookup | undefined): Promise<boolean> {
  const r = await svc.repo.findRoadmap(REFERENCE_ROADMAP.slug);
  if (!r || (await svc.repo.hasActivity(REFERENCE_ROADMAP.slug))) return false;
  const demo = [
    {
      login: 'admin',
      code: 'A54',
      patch: {
        status: 'en_cours' as const,
        progress: 50,
        pilot: 'Administrateur ministériel des données (DNUM)',
        note: 'Démo : le comité de gouvernance des données se réunit chaque trimestre.',
      },
    },
    { login: 'admin', code: 'A53', patch: { status: 'realisee' as const, note: 'Démo : administrateur ministériel des données nommé.' } },
    {
      login: 'dgef.admin',
      code: 'A15',
      patch: {
        status: 'en_cours' as const,
        progress: 30,
        note: 'Démo : premiers jeux de données identifiés avec le DSED.',
        indicators: [{ name: 'Jeux de données publiés', unit: 'jeux de données', target: '3', value: '1' }],
      },
    },
  ];
  for (const d of demo) {
    // Written as the demo account when it exists, else by the system (the notes say « Démo »).
    const u = await ctx.usersRepo.findByLogin(d.login);
    await svc.updateAction(u ? principalOfUser(u) : SYSTEM, r.id, d.code, d.patch, { kind: 'edit' });
  }
  const c = catalog();
  const admin = await ctx.usersRepo.findByLogin('admin');
  if (!c?.getAsset || !admin) return true;
  const links: [string, string, string][] = [
    ['API Historique d', 'api', 'api-historique-vehicule'],
    ['API Certificat d', 'api', 'api-certificat-immatriculation'],
    ['API Droit à conduire', 'api', 'verifpermis'],
    ['Référentiel général des armes', 'dataset', 'referentiel-general-armes'],
    ['Données auto-écoles labélisées', 'dataset', 'auto-ecoles-labellisees'],
  ];
  const principal = principalOfUser(admin);
  const openings = await svc.repo.listOpenings(r.id);
  for (const [title, kind, slug] of links) {
    const o = openings.find((x) => x.o.title.startsWith(title));
    const asset = await c.getAsset(kind, slug);
    if (o && asset && !o.o.assetId) await svc.updateOpening(principal, r.id, o.o.id, { assetId: asset.id, note: 'Démo : lien vers l’actif du catalogue.' });
  }
  return true;
}

/** The roadmap module: actions, openings, dashboards, committee report (issue 4). */
export const roadmapModule: ModuleFactory = (ctx, services) => {
  const catalog = () => (services as { catalog?: CatalogLookup }).catalog;
  const svc = createRoadmapService(ctx, catalog);
  // Typed loosely on purpose: the event belongs to the catalog module, which may not be installed.
  const on = ctx.events.on.bind(ctx.events) as unknown as (name: string, h: (p: AssetChangedPayload, tx: Db) => Promise<void>) => void;
  on('catalog.asset.changed', (p, tx) => svc.onAssetChanged(p, tx));
  return {
    module: {
      name: 'roadmap',
      routes: roadmapRoutes(svc),
      seedReference: async () => {
        await seedReferenceRoadmap(ctx, svc);
      },
      seedDemo: async () => {
        await seedDemoUpdates(ctx, svc, catalog);
      },
    },
    services: { roadmap: svc } as never,
  };
};

declare module '../../platform/context.ts' {
  interface ModuleServices {
    roadmap: RoadmapService;
  }
}

/** CLI: `patrimoine roadmap overdue|report`. */
export function registerRoadmapCli(program: Command, cli: CliContext): void {
  const cmd = program.command('roadmap').description('Roadmap steering (actions, openings, committee report)');
  cmd
    .command('overdue')
    .description('List the overdue actions of a roadmap (today, Paris time)')
    .option('--roadmap <slug>', 'roadmap slug or id', REFERENCE_ROADMAP.slug)
    .action(async (o: { roadmap: string }) => {
      const { ctx, services, close } = await cli.open();
      try {
        const svc = (services as { roadmap?: RoadmapService }).roadmap!;
        const r = await svc.roadmapOr404(o.roadmap);
        const now = ctx.clock.now();
        const late = (await svc.repo.listActions(r.id)).filter((a) => isOverdue(a, now));
        for (const a of late) console.log(`${a.code}\t${periodLabel(finalDeadline(a))}\t${a.status}\t${a.progress}%\t${a.title}`);
        console.log(`${late.length} action(s) en retard.`);
      } finally {
        await close();
      }
    });
  cmd
    .command('report')
    .description('Print the committee report of a quarter (Markdown or HTML)')
    .option('--roadmap <slug>', 'roadmap slug or id', REFERENCE_ROADMAP.slug)
    .option('--quarter <YYYY-Tn>', 'quarter (default: current)')
    .option('--format <md|html>', 'output format', 'md')
    .action(async (o: { roadmap: string; quarter?: string; format: string }) => {
      if (o.quarter && !/^\d{4}-T[1-4]$/.test(o.quarter)) throw new ValidationError('--quarter must look like 2022-T1');
      if (o.format !== 'md' && o.format !== 'html') throw new ValidationError('--format must be md or html');
      const { ctx, services, close } = await cli.open();
      try {
        const svc = (services as { roadmap?: RoadmapService }).roadmap!;
        const r = await svc.roadmapOr404(o.roadmap);
        const now = ctx.clock.now();
        const rep = await loadReport(svc.repo, r, o.quarter ?? quarterOf(now), now);
        process.stdout.write(o.format === 'html' ? reportHtml(rep) : reportMarkdown(rep));
      } finally {
        await close();
      }
    });
}
