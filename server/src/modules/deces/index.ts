import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { DEMO_SOURCE } from '@patrimoine/contracts/deces';
import type { CliContext, ModuleFactory } from '../../platform/context.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { moveLegacyFiles } from '../../platform/blob/legacy.ts';
import { createDecesService, type DecesService } from './deces.service.ts';
import { decesRoutes } from './deces.routes.ts';
import { applyOppositions, importFile } from './import.service.ts';
import { generateLines } from './generator.ts';
import { registerBulk } from './bulk.service.ts';
import { bulkRoutes } from './bulk.routes.ts';
import { createWebhooks } from './webhooks.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { correctionsRoutes } from './corrections.routes.ts';
import { matchidUpdatesRoutes } from './matchid-updates.routes.ts';
import { decesDocsRoutes } from './docs.routes.ts';
import { adminRoutes, registerImportJob } from './admin.routes.ts';
import { addMatchIdMsg } from './matchid.ts';
import { authCompatRoutes } from './auth.routes.ts';

declare module '../../platform/context.ts' {
  interface ModuleServices {
    deces: DecesService;
  }
}

/** Writes a synthetic INSEE file (`.gz` compressed when the name says so). */
export async function writeSyntheticFile(out: string, count: number, seed: number): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const src = Readable.from(
    (function* () {
      for (const l of generateLines(count, seed)) yield Buffer.from(l + '\n', 'latin1');
    })(),
  );
  if (out.endsWith('.gz')) await pipeline(src, createGzip({ level: 1 }), fs.createWriteStream(out, { mode: 0o600 }));
  else await pipeline(src, fs.createWriteStream(out, { mode: 0o600 }));
}

/** The deaths-records module: matchID-compatible search API, bulk matching, corrections. */
export const decesModule: ModuleFactory = (ctx) => {
  const service = createDecesService(ctx);
  const webhooks = createWebhooks(ctx);
  const bulk = registerBulk(ctx, service, webhooks);
  registerImportJob(ctx);
  let sweeper: NodeJS.Timeout | null = null;
  return {
    module: {
      name: 'deces',
      async routes(app) {
        // matchID's clients read `msg` in error bodies: every problem of this API carries it (ADR 0305).
        app.addHook('onSend', async (req, reply, payload) => addMatchIdMsg(reply, payload));
        await app.register(decesRoutes(service));
        await app.register(authCompatRoutes(ctx));
        await app.register(bulkRoutes(ctx, bulk, webhooks));
        await app.register(webhookRoutes(webhooks));
        await app.register(correctionsRoutes(ctx, service));
        await app.register(matchidUpdatesRoutes(ctx, service));
        await app.register(adminRoutes(ctx));
        await app.register(decesDocsRoutes());
      },
      /** Files written on one node's disk by earlier versions (proofs, uploads, bulk files) move to the blob store. */
      async seedReference() {
        await moveLegacyFiles(ctx.blobs, path.join(ctx.env.dataDir, 'deces'), 'deces/', ctx.logger);
      },
      start() {
        sweeper = setInterval(() => void bulk.sweep().catch((err) => ctx.logger.warn({ err }, 'deces bulk sweep failed')), 10 * 60_000);
        sweeper.unref();
      },
      stop() {
        if (sweeper) clearInterval(sweeper);
      },
      /**
       * 3,000 synthetic deceased persons (source `DEMO_SOURCE`), loaded only into empty deaths tables:
       * called at every start when demo content is on, it never adds fictitious people to a base that
       * holds real records (or a demo already). The first real import removes them.
       */
      async seedDemo() {
        if (!(await service.repo.isEmpty())) {
          ctx.logger.info('deces: demo content not loaded (the deaths tables are not empty)');
          return;
        }
        const file = path.join(os.tmpdir(), `patrimoine-deces-demo-${process.pid}.txt`);
        await writeSyntheticFile(file, 3000, 2021);
        try {
          await importFile(ctx, file, { caller: SYSTEM, source: DEMO_SOURCE });
        } finally {
          fs.rmSync(file, { force: true });
        }
      },
    },
    services: { deces: service },
  };
};

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** `patrimoine deces import|oppose|generate`. */
export function registerDecesCli(program: Command, cli: CliContext): void {
  const deces = program.command('deces').description('Deaths records (INSEE file): import, RGPD oppositions, synthetic data');
  deces
    .command('import')
    .description('Import INSEE files (.txt, .txt.gz, .zip; latin1), each in one transaction; idempotent')
    .argument('<files...>', 'files to import')
    .action(async (files: string[]) => {
      for (const f of files) if (!fs.existsSync(f)) throw new Error(`File not found: ${f}`);
      const { ctx, close } = await cli.open();
      try {
        for (const f of files) {
          const bar = new cliProgress.SingleBar(
            {
              format: `${path.basename(f)} [{bar}] {percentage}% | {lines} lignes | {rate} lignes/s | reste {eta_h}`,
              hideCursor: true,
              noTTYOutput: true,
              notTTYSchedule: 5000,
            },
            cliProgress.Presets.shades_classic,
          );
          const t0 = Date.now();
          bar.start(100, 0, { lines: 0, rate: 0, eta_h: '?' });
          const r = await importFile(ctx, f, {
            caller: SYSTEM,
            onProgress: (p) => {
              const el = (Date.now() - t0) / 1000;
              const frac = p.totalBytes ? p.bytes / p.totalBytes : 0;
              bar.update(Math.round(frac * 100), {
                lines: p.lines,
                rate: Math.round(p.lines / Math.max(el, 0.001)),
                eta_h: frac > 0 ? fmtDuration((el / frac) * (1 - frac)) : '?',
              });
            },
          });
          bar.update(100);
          bar.stop();
          console.log(
            `${r.source}: ${r.lines} lines, ${r.inserted} new records, ${r.rejected} rejected, ${r.opposed} opposed (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          );
          if (r.demoRemoved) console.log(`  ${r.demoRemoved} synthetic demo records removed in the same transaction (demo never mixes with real data)`);
          for (const e of r.errors.slice(0, 10)) console.log(`  line ${e.line}: ${e.message}`);
        }
      } finally {
        await close();
      }
    });
  deces
    .command('oppose')
    .description('Apply the RGPD opposition list: delete those records and keep them out of later imports')
    .argument('<file>', 'opposition list (CSV date;code lieu;numéro d’acte, or INSEE records)')
    .action(async (file: string) => {
      const { ctx, close } = await cli.open();
      try {
        const r = await applyOppositions(ctx, file, SYSTEM);
        console.log(`${r.keys} opposition keys, ${r.deleted} records deleted, ${r.rejected.length} lines rejected`);
        for (const e of r.rejected.slice(0, 10)) console.log(`  line ${e.line}: ${e.message}`);
      } finally {
        await close();
      }
    });
  deces
    .command('generate')
    .description('Write a synthetic INSEE file (exact format, realistic distributions and defects; no real data)')
    .requiredOption('--count <n>', 'number of records', (v) => Number(v))
    .option('--seed <s>', 'random seed', (v) => Number(v), 1)
    .requiredOption('--out <file>', 'output file (.txt or .txt.gz)')
    .action(async (o: { count: number; seed: number; out: string }) => {
      if (!Number.isInteger(o.count) || o.count < 1 || o.count > 50_000_000) throw new Error('--count: an integer between 1 and 50,000,000');
      const t0 = Date.now();
      await writeSyntheticFile(o.out, o.count, o.seed);
      console.log(`${o.count} records written to ${o.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
}
