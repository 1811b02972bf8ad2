/**
 * Open data service: the schema catalogue (reference schemas of schema.data.gouv.fr, ministry schemas
 * uploaded and versioned) and the stateless validation of a file against a schema, with the
 * personal-data verdicts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { SchemaDetail, SchemaSource, SchemaSummary, ValidationResult } from '@patrimoine/contracts/opendata';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, requireUser, type Caller } from '../../platform/auth/principal.ts';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError, fieldError } from '../../platform/errors.ts';
import { checkOutboundUrl, guardedAgent } from '../../platform/net/outbound.ts';
import { request } from 'undici';
import type { Db } from '../../db/client.ts';
import { opendataSchemas } from './opendata.table.ts';
import { PersonalDataScanner } from './personal-data/detector.ts';
import { REFERENCE_DIR, tableSchemaProblems } from './schema-profile.ts';
import { validateFile, ValidationAborted } from './validation/validate.ts';
import type { TableSchemaDescriptor } from './validation/types.ts';

type Row = typeof opendataSchemas.$inferSelect;

const MAX_SCHEMA_BYTES = 2 * 1024 * 1024;
/** Validations run at once by a node (CPU-bound work on a shared event loop). */
export const MAX_CONCURRENT_VALIDATIONS = 4;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
const sha256 = (v: unknown) => createHash('sha256').update(canonical(v)).digest('hex');

function toSummary(r: Row): SchemaSummary {
  return {
    id: r.id,
    name: r.name,
    title: r.title,
    description: r.description,
    version: r.version,
    versions: r.versions,
    source: r.source,
    fields: r.fieldCount,
    homepage: r.homepage,
    createdAt: r.createdAt,
  };
}

function toDetail(r: Row): SchemaDetail {
  return { ...toSummary(r), descriptor: r.descriptor, organisationId: r.organisationId, createdBy: r.createdBy };
}

interface CatalogueEntry {
  name: string;
  title?: string;
  description?: string;
  schema_type: string;
  homepage?: string;
  versions?: { version_name: string }[];
}

export interface ValidateInput {
  path: string;
  filename: string;
  /** `schema` form field: a JSON descriptor, a catalogue schema id, or a URL. */
  schema: string | null;
}

export function createOpendataService(ctx: AppContext) {
  const limits = () => ({
    anonymousBytes: ctx.env.PATRIMOINE_OPENDATA_ANON_LIMIT,
    userBytes: ctx.env.PATRIMOINE_OPENDATA_USER_LIMIT,
    maxErrors: 1000,
    timeoutMs: ctx.env.PATRIMOINE_OPENDATA_TIMEOUT_MS,
  });
  const agent = guardedAgent({ allowPrivate: false }, { connectTimeoutMs: 5000 });
  let running = 0;

  /** A validation slot, taken before the upload is read; `release()` when done. */
  function acquireSlot(): { release(): void } {
    if (running >= MAX_CONCURRENT_VALIDATIONS) {
      throw new TooManyRequestsError('Trop de validations en cours sur ce serveur : réessayez dans quelques secondes.', 5);
    }
    running++;
    let done = false;
    return {
      release() {
        if (!done) {
          done = true;
          running--;
        }
      },
    };
  }

  async function latestByName(name: string, db: Db = ctx.db): Promise<Row[]> {
    return db.select().from(opendataSchemas).where(eq(opendataSchemas.name, name)).orderBy(asc(opendataSchemas.createdAt));
  }

  /** Loads the shipped catalogue; idempotent (an existing (name, version) is left alone). */
  async function seedReference(): Promise<number> {
    const catalogue = JSON.parse(readFileSync(join(REFERENCE_DIR, 'schemas.json'), 'utf8')) as { schemas: CatalogueEntry[] };
    let added = 0;
    for (const e of catalogue.schemas) {
      if (e.schema_type !== 'tableschema') continue;
      let descriptor: Record<string, unknown>;
      try {
        descriptor = JSON.parse(readFileSync(join(REFERENCE_DIR, e.name, 'schema.json'), 'utf8')) as Record<string, unknown>;
      } catch {
        continue;
      }
      const versions = (e.versions ?? []).map((v) => v.version_name);
      const version = versions.at(-1) ?? String(descriptor.version ?? '0');
      const res = await ctx.db
        .insert(opendataSchemas)
        .values({
          name: e.name,
          version,
          source: 'reference',
          title: String(descriptor.title ?? e.title ?? e.name),
          description: (typeof descriptor.description === 'string' ? descriptor.description : e.description) ?? null,
          versions,
          fieldCount: Array.isArray(descriptor.fields) ? descriptor.fields.length : 0,
          homepage: (typeof descriptor.homepage === 'string' ? descriptor.homepage : e.homepage) ?? null,
          descriptor,
          sha256: sha256(descriptor),
          createdAt: ctx.clock.now(),
        })
        .onConflictDoNothing()
        .returning({ id: opendataSchemas.id });
      added += res.length;
    }
    return added;
  }

  async function list(q: { q?: string; source?: SchemaSource }): Promise<SchemaSummary[]> {
    const where: SQL[] = [];
    if (q.source) where.push(eq(opendataSchemas.source, q.source));
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      where.push(or(ilike(opendataSchemas.name, like), ilike(opendataSchemas.title, like))!);
    }
    const rows = await ctx.db
      .select()
      .from(opendataSchemas)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(opendataSchemas.source), asc(opendataSchemas.name), asc(opendataSchemas.createdAt));
    // Latest version of each name (rows are immutable; versions come in upload order).
    const latest = new Map<string, Row>();
    const versions = new Map<string, string[]>();
    for (const r of rows) {
      latest.set(r.name, r);
      if (r.source === 'ministry') versions.set(r.name, [...(versions.get(r.name) ?? []), r.version]);
    }
    return [...latest.values()].map((r) => ({ ...toSummary(r), versions: r.source === 'ministry' ? versions.get(r.name)! : r.versions }));
  }

  async function get(id: string): Promise<SchemaDetail> {
    const [r] = await ctx.db.select().from(opendataSchemas).where(eq(opendataSchemas.id, id));
    if (!r) throw new NotFoundError('Schéma introuvable.');
    const d = toDetail(r);
    if (r.source === 'ministry') d.versions = (await latestByName(r.name)).map((x) => x.version);
    return d;
  }

  /** A data_admin publishes a schema for their organisation; an admin for any. New version = new row. */
  async function upload(
    caller: Caller,
    body: { slug: string; version: string; organisationId: string; descriptor: Record<string, unknown> },
    meta: { ip?: string; requestId?: string },
  ): Promise<SchemaDetail> {
    const p = requireUser(caller);
    if (p.role !== 'admin' && !(p.role === 'data_admin' && p.organisationId === body.organisationId)) {
      throw new ForbiddenError('Vous ne pouvez publier un schéma que pour votre organisation.');
    }
    const org = (await ctx.organisations.list()).find((o) => o.id === body.organisationId);
    if (!org) throw fieldError('organisationId', 'organisation inconnue');
    if (Buffer.byteLength(JSON.stringify(body.descriptor)) > MAX_SCHEMA_BYTES) throw fieldError('descriptor', 'schéma trop volumineux (2 Mo au plus)');
    const problems = tableSchemaProblems(body.descriptor);
    if (problems.length) {
      throw new ValidationError(
        "Ce document n'est pas un Table Schema valide.",
        problems.map((x) => ({ field: x.field.replace(/^schema/, 'descriptor'), message: x.message })),
      );
    }
    const name = `${org.code.toLowerCase()}/${body.slug}`;
    const d = body.descriptor;
    return ctx.db.transaction(async (tx) => {
      const existing = await latestByName(name, tx as never);
      if (existing.some((r) => r.version === body.version)) {
        throw new ConflictError(`La version ${body.version} du schéma « ${name} » existe déjà : les versions sont immuables, publiez une nouvelle version.`);
      }
      const last = existing.at(-1);
      if (last && compareVersions(body.version, last.version) <= 0) {
        throw fieldError('version', `la version doit être supérieure à la dernière publiée (${last.version})`);
      }
      const [row] = await tx
        .insert(opendataSchemas)
        .values({
          name,
          version: body.version,
          source: 'ministry',
          title: String(d.title ?? body.slug),
          description: typeof d.description === 'string' ? d.description : null,
          versions: [],
          fieldCount: (d.fields as unknown[]).length,
          homepage: typeof d.homepage === 'string' ? d.homepage : null,
          descriptor: d,
          sha256: sha256(d),
          organisationId: org.id,
          createdBy: p.displayName,
          createdAt: ctx.clock.now(),
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ConflictError(`La version ${body.version} du schéma « ${name} » vient d'être publiée par quelqu'un d'autre.`);
      await recordAudit(tx as never, {
        actor: actorOf(p),
        action: 'opendata.schema.publish',
        entityType: 'opendata_schema',
        entityId: row.id,
        after: { name, version: body.version, fields: row.fieldCount, sha256: row.sha256 },
        ip: meta.ip,
        requestId: meta.requestId,
      });
      const detail = toDetail(row);
      detail.versions = [...existing.map((r) => r.version), row.version];
      return detail;
    });
  }

  async function fetchSchema(url: string): Promise<unknown> {
    const refused = await checkOutboundUrl(url, { allowPrivate: false }, { allowQuery: true });
    if (refused) throw fieldError('schema', `URL du schéma refusée : ${refused}`);
    try {
      const res = await request(url, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000, maxRedirections: 0 } as never);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        res.body.destroy();
        throw fieldError('schema', `le schéma n'a pas pu être téléchargé (HTTP ${res.statusCode})`);
      }
      const parts: Buffer[] = [];
      let n = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        n += chunk.length;
        if (n > MAX_SCHEMA_BYTES) {
          res.body.destroy();
          throw fieldError('schema', 'schéma distant trop volumineux (2 Mo au plus)');
        }
        parts.push(chunk);
      }
      try {
        return JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        throw fieldError('schema', "le document à cette URL n'est pas du JSON");
      }
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      throw fieldError('schema', "le schéma n'a pas pu être téléchargé (hôte injoignable, délai dépassé ou redirection)");
    }
  }

  async function resolveSchema(input: string | null): Promise<{ descriptor: TableSchemaDescriptor | null; name: string | null; version: string | null }> {
    const s = input?.trim() ?? '';
    if (s === '') return { descriptor: null, name: null, version: null };
    let doc: unknown;
    let name: string | null = null;
    let version: string | null = null;
    if (s.startsWith('{')) {
      try {
        doc = JSON.parse(s);
      } catch (e) {
        throw fieldError('schema', `JSON illisible : ${(e as Error).message}`);
      }
    } else if (/^[0-9a-f-]{36}$/i.test(s)) {
      const d = await get(s).catch(() => {
        throw fieldError('schema', 'schéma du catalogue introuvable');
      });
      return { descriptor: d.descriptor as TableSchemaDescriptor, name: d.name, version: d.version };
    } else if (/^https?:\/\//i.test(s)) {
      // A catalogue schema's URL (schema.data.gouv.fr/schemas/<name>/<version>/…): served locally.
      const m = /^https:\/\/schema\.data\.gouv\.fr\/schemas\/([^/]+\/[^/]+)\/([^/]+)\//.exec(s);
      if (m) {
        const rows = await latestByName(m[1]!);
        const hit = rows.find((r) => r.version === m[2] || m[2] === 'latest') ?? null;
        if (hit) return { descriptor: hit.descriptor as TableSchemaDescriptor, name: hit.name, version: hit.version };
      }
      doc = await fetchSchema(s);
    } else {
      const rows = await latestByName(s);
      const last = rows.at(-1);
      if (!last) throw fieldError('schema', 'donnez un descripteur Table Schema (JSON), l’identifiant ou l’URL d’un schéma du catalogue');
      return { descriptor: last.descriptor as TableSchemaDescriptor, name: last.name, version: last.version };
    }
    const problems = tableSchemaProblems(doc);
    // Catalogue schemas are used even when they stray from the strict profile; a sent schema must be usable.
    const blocking = problems.filter((p) => p.field === 'schema' || p.field === 'schema.fields' || /pattern|primaryKey|\.name$/.test(p.field));
    if (blocking.length) {
      throw new ValidationError(
        "Le schéma fourni n'est pas un Table Schema utilisable.",
        blocking.map((p) => ({ field: p.field, message: p.message })),
      );
    }
    const d = doc as TableSchemaDescriptor;
    name = typeof d.name === 'string' ? d.name : null;
    version = typeof d.version === 'string' ? d.version : null;
    return { descriptor: d, name, version };
  }

  async function validate(_caller: Caller, input: ValidateInput): Promise<ValidationResult> {
    const started = Date.now();
    const schema = await resolveSchema(input.schema);
    const scanner = new PersonalDataScanner();
    try {
      const report = await validateFile(input.path, {
        schema: schema.descriptor,
        filename: input.filename,
        deadline: started + limits().timeoutMs,
        observer: scanner,
      });
      return {
        valid: report.valid,
        stats: { rows: report.stats.rows, errors: report.stats.errors, bytes: report.stats.bytes, seconds: (Date.now() - started) / 1000 },
        format: report.format,
        encoding: report.encoding,
        dialect: report.dialect,
        header: report.header,
        schema: schema.descriptor ? { name: schema.name, version: schema.version } : null,
        errors: report.errors.map((e) => ({ type: e.type, rowNumber: e.rowNumber, fieldName: e.fieldName, message: e.message })),
        errorCounts: report.errorCounts,
        truncated: report.truncated,
        warnings: report.warnings,
        personalData: scanner.verdicts().map((v) => ({ fieldName: v.fieldName, kinds: v.kinds, share: v.share })),
      };
    } catch (e) {
      if (e instanceof ValidationAborted) throw fieldError('file', e.message);
      throw e;
    }
  }

  return { limits, seedReference, list, get, upload, validate, resolveSchema, acquireSlot };
}

export type OpendataService = ReturnType<typeof createOpendataService>;

/** Compare dotted versions numerically (1.10 > 1.9). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
