import type { Command } from 'commander';
import type { CliContext } from '../platform/context.ts';
import { registerCatalogCli } from './catalog/index.ts';
import { registerRoadmapCli } from './roadmap/index.ts';
import { gatewayCli } from './gateway/index.ts';
import { registerDecesCli } from './deces/index.ts';
import { habilitationsCli } from './habilitations/index.ts';
import { opendataCli } from './opendata/index.ts';

/**
 * CLI commands of the modules. Each module exports a registrar from its index.ts; the commands open
 * the platform (database, services) only when they run, so `--help` is instant.
 */
export const moduleCliRegistrars: ((program: Command, cli: CliContext) => void)[] = [registerCatalogCli, registerRoadmapCli, gatewayCli, registerDecesCli];
moduleCliRegistrars.push(habilitationsCli, opendataCli);
