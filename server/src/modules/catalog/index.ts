import type { Command } from 'commander';
import type { CliContext, ModuleFactory } from '../../platform/context.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import { createCatalogService, type Asset, type CatalogService as FullCatalogService } from './catalog.service.ts';
import { catalogRoutes } from './catalog.routes.ts';

/** What other modules may use of the catalogue. */
export interface CatalogService {
  /** The asset with this id, or null. */
  getAssetById(id: string): Promise<Asset | null>;
  /** The asset `kind:slug`, or null. */
  getAsset(kind: string, slug: string): Promise<Asset | null>;
  /** A page of assets, optionally of one kind and matching a French full-text query. */
  listAssets(q: { kind?: string; q?: string; page: number; pageSize: number }): Promise<{ items: Asset[]; total: number }>;
}
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

/** The catalogue and cartography of the ministry's assets (issue 3). */
export const catalogModule: ModuleFactory = (ctx) => {
  const service: FullCatalogService = createCatalogService(ctx);
  return {
    module: {
      name: 'catalog',
      routes: catalogRoutes(service),
    },
    services: { catalog: service },
  };
};

/** `patrimoine catalog …` commands. */
export function registerCatalogCli(program: Command, cli: CliContext): void {
  void program;
  void cli;
}
