import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { z } from 'zod';
import { yamlToJsSafely } from '../../platform/yaml.ts';
import type { AppContext } from '../../platform/context.ts';
import { DomainError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { catalogFile } from '@patrimoine/contracts/catalog';
import { assetInputSchema, parseRef, relationTypes, type RelationType } from './catalog.model.ts';
import { toDocument, type AssetChange, type CatalogService, type Caller } from './catalog.service.ts';

/** The catalogue file (YAML or JSON): every asset and relation, without ids or dates. */
export type CatalogFile = z.output<typeof catalogFile>;

export interface RelationChange {
  action: 'create' | 'update' | 'unchanged';
  type: string;
  from: string;
  to: string;
}

export interface ImportOutcome {
  dryRun: boolean;
  assets: AssetChange[];
  relations: RelationChange[];
  summary: { created: number; updated: number; unchanged: number; relationsCreated: number; relationsUpdated: number };
}

const MAX_ASSETS = 20_000;
const relationSchema = z
  .object({
    type: z.enum(relationTypes),
    from: z.string().max(200),
    to: z.string().max(200),
    note: z.string().max(1000).optional(),
    since: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ')
      .optional(),
  })
  .strict();
const fileSchema = z
  .object({
    version: z.literal(1).optional(),
    assets: z.array(z.unknown()).max(MAX_ASSETS).default([]),
    relations: z
      .array(z.unknown())
      .max(MAX_ASSETS * 5)
      .default([]),
  })
  .strict();

/** Rolls a dry run back after it has gone through every rule. */
class DryRun extends Error {}

/** Line (1-based) of the node at `path` in the parsed YAML/JSON document. */
function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | null {
  for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
    const node = p.length ? doc.getIn(p, true) : doc.contents;
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
    if (p.length === 0) break;
  }
  return null;
}

/** Parses a catalogue file: syntax errors and shape errors reported with their line. */
export function parseCatalogFile(text: string): { file: { assets: unknown[]; relations: unknown[] }; doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ValidationError(
      'Le fichier n’est pas un YAML ou un JSON valide.',
      doc.errors.slice(0, 50).map((e) => ({ field: `ligne ${e.linePos?.[0]?.line ?? '?'}`, message: e.message.split('\n')[0]! })),
    );
  }
  const r = fileSchema.safeParse(yamlToJsSafely(doc, 'content') ?? {});
  if (!r.success) {
    throw new ValidationError(
      'Le fichier n’a pas la forme d’un catalogue (version, assets, relations).',
      r.error.issues.map((i) => ({
        field: i.path.join('.') || 'fichier',
        message: `ligne ${lineOf(doc, lc, i.path as (string | number)[]) ?? 1} : ${i.message}`,
      })),
    );
  }
  return { file: r.data, doc, lc };
}

export function createCatalogTransfer(ctx: AppContext, service: CatalogService) {
  return {
    /** The whole catalogue as a file object (assets by kind and slug, relations by type and ends). */
    async exportFile(c: Caller): Promise<CatalogFile> {
      const assets: Record<string, unknown>[] = [];
      const byId = new Map<string, string>();
      for await (const batch of service.repo.iterate({ publicOnly: c.kind === 'anonymous' })) {
        for (const a of batch) {
          assets.push(toDocument(a) as Record<string, unknown>);
          byId.set(a.id, `${a.kind}:${a.slug}`);
        }
      }
      const relations = (await service.repo.allRelations())
        .filter((r) => byId.has(r.fromId) && byId.has(r.toId))
        .map((r) => {
          const o: CatalogFile['relations'][number] = { type: r.type, from: byId.get(r.fromId)!, to: byId.get(r.toId)! };
          if (r.note) o.note = r.note;
          if (r.since) o.since = r.since;
          return o;
        })
        .sort((x, y) => (x.type + x.from + x.to < y.type + y.from + y.to ? -1 : 1));
      return { version: 1, assets, relations };
    },

    serialize(f: CatalogFile, format: 'yaml' | 'json'): string {
      if (format === 'json') return `${JSON.stringify(f, null, 2)}\n`;
      return `# Catalogue Patrimoine — export (patrimoine catalog import ce-fichier.yaml pour le recharger)\n${stringify(f, { lineWidth: 0, aliasDuplicateObjects: false })}`;
    },

    /**
     * Imports a catalogue file in one transaction: every asset and relation is validated and written,
     * or nothing is (all errors reported with their line). Idempotent: identical content is left as is.
     * Assets absent from the file are kept. A dry run goes through every rule and rolls back.
     */
    async importText(text: string, c: Caller, opts: { dryRun?: boolean; isDemo?: boolean; requestId?: string } = {}): Promise<ImportOutcome> {
      const { file, doc, lc } = parseCatalogFile(text);
      const errors: FieldError[] = [];
      const at = (path: (string | number)[]) => `ligne ${lineOf(doc, lc, path) ?? '?'}`;
      const inputs: { input: z.infer<typeof assetInputSchema>; index: number }[] = [];
      const seen = new Map<string, number>();
      file.assets.forEach((raw, i) => {
        const r = assetInputSchema.safeParse(raw);
        if (!r.success) {
          for (const iss of r.error.issues)
            errors.push({
              field: ['assets', i, ...iss.path].join('.'),
              message: `${at(['assets', i, ...(iss.path as (string | number)[])])} : ${iss.message}`,
            });
          return;
        }
        const ref = `${r.data.kind}:${r.data.slug}`;
        if (seen.has(ref))
          errors.push({ field: `assets.${i}.slug`, message: `${at(['assets', i])} : ${ref} apparaît deux fois (déjà à l’entrée ${seen.get(ref)})` });
        seen.set(ref, i);
        inputs.push({ input: r.data, index: i });
      });
      const rels: { rel: z.infer<typeof relationSchema>; index: number }[] = [];
      file.relations.forEach((raw, i) => {
        const r = relationSchema.safeParse(raw);
        if (!r.success) {
          for (const iss of r.error.issues)
            errors.push({
              field: ['relations', i, ...iss.path].join('.'),
              message: `${at(['relations', i, ...(iss.path as (string | number)[])])} : ${iss.message}`,
            });
          return;
        }
        for (const end of ['from', 'to'] as const) {
          if (!parseRef(r.data[end]))
            errors.push({
              field: `relations.${i}.${end}`,
              message: `${at(['relations', i, end])} : référence invalide « ${r.data[end]} » (attendu type:identifiant)`,
            });
        }
        rels.push({ rel: r.data, index: i });
      });
      if (errors.length) throw new ValidationError(`Import refusé : ${errors.length} erreur(s), rien n’a été modifié.`, errors);

      const report: ImportOutcome = {
        dryRun: !!opts.dryRun,
        assets: [],
        relations: [],
        summary: { created: 0, updated: 0, unchanged: 0, relationsCreated: 0, relationsUpdated: 0 },
      };
      try {
        await ctx.db.transaction(async (tx) => {
          for (const { input, index } of inputs) {
            try {
              const { change } = await service.write(tx, input, c, { mode: 'upsert', isDemo: opts.isDemo, requestId: opts.requestId });
              report.assets.push(change);
            } catch (e) {
              if (!(e instanceof DomainError)) throw e;
              const fe = e instanceof ValidationError && e.errors.length ? e.errors : [{ field: '', message: e.message }];
              for (const x of fe) {
                const path = x.field ? x.field.split('.') : [];
                errors.push({ field: ['assets', index, ...path].join('.'), message: `${at(['assets', index, ...path])} : ${x.message}` });
              }
            }
          }
          if (errors.length) throw new ValidationError('', errors);
          for (const { rel, index } of rels) {
            const from = parseRef(rel.from)!;
            const to = parseRef(rel.to)!;
            try {
              const { relation, created } = await service.createRelation(
                { type: rel.type as RelationType, from, to, note: rel.note ?? null, since: rel.since ?? null },
                c,
                opts.requestId,
                tx,
              );
              let action: RelationChange['action'] = created ? 'create' : 'unchanged';
              if (!created && ((relation.note ?? null) !== (rel.note ?? null) || (relation.since ?? null) !== (rel.since ?? null))) {
                await service.repo.updateRelation(relation.id, { note: rel.note ?? null, since: rel.since ?? null }, tx);
                action = 'update';
              }
              report.relations.push({ action, type: rel.type, from: rel.from, to: rel.to });
            } catch (e) {
              if (!(e instanceof DomainError)) throw e;
              const fe = e instanceof ValidationError && e.errors.length ? e.errors : [{ field: '', message: e.message }];
              for (const x of fe)
                errors.push({
                  field: `relations.${index}${x.field ? `.${x.field}` : ''}`,
                  message: `${at(['relations', index, x.field].filter((p) => p !== ''))} : ${x.message}`,
                });
            }
          }
          if (errors.length) throw new ValidationError('', errors);
          if (opts.dryRun) throw new DryRun();
        });
      } catch (e) {
        if (e instanceof DryRun) {
          /* rolled back on purpose */
        } else if (e instanceof ValidationError && e.message === '') {
          throw new ValidationError(`Import refusé : ${errors.length} erreur(s), rien n’a été modifié.`, errors);
        } else throw e;
      }
      for (const a of report.assets) report.summary[a.action === 'create' ? 'created' : a.action === 'update' ? 'updated' : 'unchanged']++;
      report.summary.relationsCreated = report.relations.filter((r) => r.action === 'create').length;
      report.summary.relationsUpdated = report.relations.filter((r) => r.action === 'update').length;
      return report;
    },
  };
}

/** Human-readable diff of an import (CLI `--dry-run`, UI). */
export function formatImportReport(r: ImportOutcome): string {
  const sign = { create: '+', update: '~', unchanged: '=' } as const;
  const show = (v: unknown) => (v === undefined ? '∅' : JSON.stringify(v).slice(0, 120));
  const lines: string[] = [];
  for (const a of r.assets) {
    if (a.action === 'unchanged') continue;
    lines.push(`${sign[a.action]} ${a.ref}`);
    if (a.action === 'update') for (const ch of a.changes) lines.push(`    ${ch.field} : ${show(ch.before)} → ${show(ch.after)}`);
  }
  for (const x of r.relations) if (x.action !== 'unchanged') lines.push(`${sign[x.action]} relation ${x.from} —${x.type}→ ${x.to}`);
  const s = r.summary;
  lines.push(
    `${r.dryRun ? 'Simulation : ' : ''}${s.created} actif(s) créé(s), ${s.updated} modifié(s), ${s.unchanged} inchangé(s) ; ${s.relationsCreated} relation(s) créée(s), ${s.relationsUpdated} modifiée(s).`,
  );
  return lines.join('\n');
}
