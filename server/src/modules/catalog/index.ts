import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliContext, ModuleFactory } from '../../platform/context.ts';
import { SYSTEM, type Actor } from '../../platform/auth/principal.ts';
import { ValidationError } from '../../platform/errors.ts';
import { createCatalogService, type Asset, type CatalogService as FullCatalogService } from './catalog.service.ts';
import { catalogRoutes } from './catalog.routes.ts';
import { catalogInteropRoutes } from './catalog.interop.routes.ts';
import { createCatalogTransfer, formatImportReport } from './catalog.transfer.ts';
import { demoAssets, demoRelations } from './catalog.demo.ts';
import type { DistributionSource } from './catalog.dcat.ts';
import type { RelationType } from '@patrimoine/contracts/catalog';

/** What other modules may use of the catalogue. */
export interface CatalogService {
  /** The asset with this id, or null. */
  getAssetById(id: string): Promise<Asset | null>;
  /** The asset `kind:slug`, or null. */
  getAsset(kind: string, slug: string): Promise<Asset | null>;
  /** A page of assets, optionally of one kind and matching a French full-text query. */
  listAssets(q: { kind?: string; q?: string; page: number; pageSize: number }): Promise<{ items: Asset[]; total: number }>;
  /** Review facts (completeness, last confirmation, stale flag) of the assets owned by these organisations (A28). */
  reviewFacts: FullCatalogService['reviewFacts'];
  /** Confirms an asset unchanged inside `tx` (owner's data administrator or admin; audited). */
  confirmAsset: FullCatalogService['confirmAsset'];
  /** Flags the assets not confirmed since a date as stale, inside `tx`. */
  sweepStale: FullCatalogService['sweepStale'];
  /** Creates an asset (rights checked as for the API; audited): the open data module's demo datasets. */
  create: FullCatalogService['create'];
  /** Who gives the DCAT distributions of the datasets beyond their `spec.resources` (the open data module's published resources). */
  setDistributionSource(source: DistributionSource): void;
  /** Relations touching any of these assets (both ends), optionally of some types: the open data module's APIs linked to a dataset. */
  relationsOf(ids: string[], types?: RelationType[]): Promise<{ type: RelationType; fromId: string; toId: string }[]>;
}
export type { DistributionSource, ExtraDistribution } from './catalog.dcat.ts';
export type { Asset };

/** Payload of `catalog.asset.changed`, emitted inside the transaction of every create, update and import. */
export interface CatalogAssetChanged {
  asset: { id: string; kind: string; slug: string; title: string; openness: string; organisationId: string | null };
  previousOpenness: string | null;
  actor: Actor;
  at: Date;
}

declare module '../../platform/context.ts' {
  interface ModuleServices {
    catalog: CatalogService;
  }
}
declare module '../../platform/events.ts' {
  interface PlatformEvents {
    'catalog.asset.changed': CatalogAssetChanged;
  }
}

/** The demo catalogue as a catalogue file (the same path as any import). */
export function demoCatalogJson(): string {
  return JSON.stringify({
    version: 1,
    assets: demoAssets,
    relations: demoRelations.map(([type, from, to, note]) => (note ? { type, from, to, note } : { type, from, to })),
  });
}

/** The catalogue and cartography of the ministry's assets (issue 3). */
export const catalogModule: ModuleFactory = (ctx) => {
  const service: FullCatalogService = createCatalogService(ctx);
  const transfer = createCatalogTransfer(ctx, service);
  let distributionSource: DistributionSource | null = null;
  const exported: FullCatalogService & CatalogService = Object.assign(service, {
    setDistributionSource: (s: DistributionSource) => {
      distributionSource = s;
    },
    relationsOf: async (ids: string[], types?: RelationType[]) =>
      (await service.repo.relationsOf(ids, types)).map((r) => ({ type: r.type, fromId: r.fromId, toId: r.toId })),
  });
  return {
    module: {
      name: 'catalog',
      async routes(app) {
        await app.register(catalogRoutes(service, transfer, ctx.env.publicUrl, () => distributionSource));
        await app.register(catalogInteropRoutes(service, transfer, ctx.organisations));
      },
      /** The demo catalogue, into an empty catalogue only: it never mixes with real assets (called at every start when demo content is on). */
      async seedDemo() {
        if (!(await service.repo.isEmpty())) return;
        await transfer.importText(demoCatalogJson(), SYSTEM, { isDemo: true });
      },
    },
    services: { catalog: exported },
  };
};

/** `patrimoine catalog import|export`. */
export function registerCatalogCli(program: Command, cli: CliContext): void {
  const c = program.command('catalog').description('Asset catalogue: YAML/JSON import and export');
  c.command('import')
    .argument('<file>', 'YAML or JSON file (version, assets, relations)')
    .option('--dry-run', 'print the changes without writing anything')
    .description('Import a catalogue file (all or nothing, idempotent) and print the diff')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const { ctx, close } = await cli.open();
      try {
        const transfer = createCatalogTransfer(ctx, createCatalogService(ctx));
        const report = await transfer.importText(fs.readFileSync(file, 'utf8'), SYSTEM, { dryRun: opts.dryRun });
        process.stdout.write(`${formatImportReport(report)}\n`);
      } catch (e) {
        if (e instanceof ValidationError) {
          process.stderr.write(`${e.message}\n${e.errors.map((x) => `  - ${x.field} : ${x.message}`).join('\n')}\n`);
          process.exitCode = 1;
        } else throw e;
      } finally {
        await close();
      }
    });
  c.command('export')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-o, --output <file>', 'output file (standard output otherwise)')
    .description('Export the whole catalogue (stable order: re-imports identically)')
    .action(async (opts: { format: string; output?: string }) => {
      if (opts.format !== 'yaml' && opts.format !== 'json') {
        process.stderr.write('--format : yaml ou json\n');
        process.exitCode = 1;
        return;
      }
      const { ctx, close } = await cli.open();
      try {
        const transfer = createCatalogTransfer(ctx, createCatalogService(ctx));
        const text = transfer.serialize(await transfer.exportFile(SYSTEM), opts.format);
        // The export holds the non-public assets too: readable by its owner only.
        if (opts.output) fs.writeFileSync(opts.output, text, { mode: 0o600 });
        else process.stdout.write(text);
      } finally {
        await close();
      }
    });
}
