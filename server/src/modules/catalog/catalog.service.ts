import { fieldLabel } from '@patrimoine/contracts/field-labels';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { roleLabels } from '@patrimoine/contracts/platform';
import { SYSTEM, actorOf, isUser, type Caller } from '../../platform/auth/principal.ts';
import type { Asset, AssetDetail, Dashboard, Graph, HistoryItem, ImpactItem, SearchResult } from '@patrimoine/contracts/catalog';
import type { assetRelation, catalogImportReport, relationListItem, synonymInput, SynonymGroup } from '@patrimoine/contracts/catalog';
import { contentWords } from './catalog.query.ts';
import type { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { validateOpenApiDocument } from '../../platform/openapi.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, fieldError, type FieldError } from '../../platform/errors.ts';
import { createCatalogRepository, type AssetWithOwner, type RelationRow, type SearchFilters } from './catalog.repository.ts';
import { completeness } from './catalog.completeness.ts';
import {
  assetKinds,
  envelopeProblems,
  parseSpec,
  relationProblem,
  relationRules,
  relationTypes,
  type AssetInput,
  type AssetKind,
  type RelationType,
} from './catalog.model.ts';

export type { Caller };
export type { Asset };

type SynonymInputOut = z.output<typeof synonymInput>;
function toSynonym(r: { id: string; terms: string[]; note: string | null; updatedBy: string; updatedAt: Date }): SynonymGroup {
  return { id: r.id, terms: r.terms, note: r.note, updatedBy: r.updatedBy, updatedAt: r.updatedAt };
}
/** The data team edits the synonyms: the ministerial administrator and the data administrators. */
function assertSynonymEditor(c: Caller) {
  if (c.kind === 'system') return;
  if (!isUser(c) || (c.role !== 'admin' && c.role !== 'data_admin'))
    throw new ForbiddenError('Seuls les administrateurs des données modifient la liste des synonymes.');
}
/** The expressions of a group, each once (compared without accents nor case). */
function synonymTerms(terms: string[]): string[] {
  const seen = new Map<string, string>();
  const errors: FieldError[] = [];
  terms.forEach((t, i) => {
    const key = contentWords(t).join(' ');
    if (seen.has(key)) errors.push({ field: `terms.${i}`, message: `« ${t} » est déjà dans le groupe (« ${seen.get(key)} »).` });
    else seen.set(key, t);
  });
  if (errors.length) throw new ValidationError('Expressions en double dans le groupe de synonymes.', errors);
  return terms.map((t) => t.replace(/\s+/g, ' '));
}

/** The editable content of an asset, in the form of the YAML/JSON catalogue file (no ids, no dates). */
export type AssetDocument = Partial<AssetInput> & { kind: AssetKind; slug: string; title: string };

export function toAsset(a: AssetWithOwner): Asset {
  return {
    id: a.id,
    kind: a.kind,
    slug: a.slug,
    ref: `${a.kind}:${a.slug}`,
    title: a.title,
    description: a.description,
    owner: a.ownerCode,
    ownerName: a.ownerName,
    organisationId: a.organisationId,
    contacts: a.contacts,
    tags: a.tags,
    lifecycle: a.lifecycle,
    decommissionPlannedOn: a.decommissionPlannedOn,
    decommissionedOn: a.decommissionedOn,
    openness: a.openness,
    opennessReason: a.opennessReason,
    personalData: a.personalData,
    spec: a.spec,
    completeness: a.completeness,
    isDemo: a.isDemo,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    updatedBy: a.updatedBy,
    lastConfirmedAt: a.lastConfirmedAt,
    stale: a.stale,
  };
}

/** The canonical document of an asset: what the history stores and the catalogue file holds. */
export function toDocument(a: {
  kind: string;
  slug: string;
  title: string;
  description: string;
  ownerCode: string | null;
  contacts: unknown[];
  tags: string[];
  lifecycle: string;
  decommissionPlannedOn: string | null;
  decommissionedOn: string | null;
  openness: string;
  opennessReason: string | null;
  personalData: boolean;
  spec: Record<string, unknown>;
}): AssetDocument {
  const d: Record<string, unknown> = {
    kind: a.kind,
    slug: a.slug,
    title: a.title,
    description: a.description,
    owner: a.ownerCode,
    contacts: a.contacts,
    tags: a.tags,
    lifecycle: a.lifecycle,
    decommissionPlannedOn: a.decommissionPlannedOn,
    decommissionedOn: a.decommissionedOn,
    openness: a.openness,
    opennessReason: a.opennessReason,
    personalData: a.personalData,
    spec: a.spec,
  };
  // Defaults and empty values are left out, so that files stay readable and round-trips stable.
  for (const [k, v] of Object.entries(d)) {
    if (
      v === null ||
      v === '' ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v && !Array.isArray(v) && Object.keys(v).length === 0)
    )
      delete d[k];
  }
  return d as AssetDocument;
}

/** JSON with sorted keys: equality of documents regardless of key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function isPublic(a: { openness: string; personalData: boolean }) {
  return a.openness === 'ouvert' && !a.personalData;
}

/** What a write did to one asset (the entries of an import report). */
export type AssetChange = z.output<typeof catalogImportReport>['assets'][number];

export function createCatalogService(ctx: AppContext) {
  const repo = createCatalogRepository(ctx.db);

  /** Anonymous visitors read public, non-personal assets only; signed-in accounts and the system read everything. */
  function canRead(c: Caller, a: { openness: string; personalData: boolean }) {
    return c.kind !== 'anonymous' || isPublic(a);
  }

  /** Whether the caller may change assets owned by this organisation (admins all, data_admin and editor theirs). */
  function canWrite(c: Caller, organisationId: string | null): boolean {
    if (c.kind === 'system') return true;
    if (c.kind !== 'user') return false;
    if (c.role === 'admin') return true;
    return (c.role === 'data_admin' || c.role === 'editor') && !!c.organisationId && c.organisationId === organisationId;
  }

  /** Why the caller may not change this asset, in French (the read-only view shows it), or null when they may. */
  function editRefusal(c: Caller, a: AssetWithOwner): string | null {
    if (canWrite(c, a.organisationId)) return null;
    if (c.kind !== 'user') return 'Connectez-vous pour modifier le catalogue.';
    const owner = a.ownerCode ? `${a.ownerName ?? a.ownerCode} (${a.ownerCode})` : null;
    if (c.role !== 'data_admin' && c.role !== 'editor')
      return `Votre rôle (${roleLabels[c.role]}) ne permet pas de modifier le catalogue : seuls les éditeurs et administrateurs de données de l’organisation propriétaire, et les administrateurs ministériels, le peuvent.`;
    if (!c.organisationId) return 'Votre compte n’est rattaché à aucune organisation : demandez à un administrateur de vous rattacher à la vôtre.';
    return owner
      ? `Cet actif appartient à ${owner} : seuls ses éditeurs et administrateurs de données, et les administrateurs ministériels, le modifient. Proposez votre changement à son contact.`
      : 'Cet actif n’est rattaché à aucune organisation : seul un administrateur ministériel le modifie.';
  }

  function assertWrite(c: Caller, organisationId: string | null, what = 'modifier') {
    if (c.kind === 'anonymous') throw new UnauthorizedError('Connectez-vous pour modifier le catalogue.');
    if (!canWrite(c, organisationId)) throw new ForbiddenError(`Vous ne pouvez ${what} que les actifs de votre organisation.`);
  }

  async function mustGet(kind: string, slug: string, c: Caller, tx: Db = ctx.db): Promise<AssetWithOwner> {
    const a = await repo.findByRef(kind, slug, tx);
    if (!a || !canRead(c, a)) throw new NotFoundError(`Actif ${kind}:${slug} introuvable.`);
    return a;
  }

  /** Validates an input document: kind-specific fields, cross-field rules and owner. */
  async function validate(
    input: AssetInput,
    tx: Db,
    prefix = '',
  ): Promise<{ spec: Record<string, unknown>; organisationId: string | null; errors: FieldError[] }> {
    const errors: FieldError[] = [];
    const spec = parseSpec(input.kind, input.spec);
    if (!spec.ok) errors.push(...spec.errors);
    // An API's OpenAPI document is checked against the official schemas, not only its shape.
    if (spec.ok && input.kind === 'api' && spec.value.openapi) errors.push(...(await validateOpenApiDocument(spec.value.openapi, 'spec.openapi')));
    errors.push(...envelopeProblems(input));
    let organisationId: string | null = null;
    if (input.owner) {
      const org = await ctx.organisations.findByCode(input.owner, tx);
      if (!org) errors.push({ field: 'owner', message: `organisation inconnue : ${input.owner}` });
      else organisationId = org.id;
    }
    return { spec: spec.ok ? spec.value : {}, organisationId, errors: errors.map((e) => ({ field: prefix + e.field, message: e.message })) };
  }

  /** 409 for an edit made from a version that is no longer the current one. */
  function staleVersion(version?: number) {
    return new ConflictError(
      `L’actif a été modifié entre-temps${version !== undefined ? ` (version ${version})` : ''} : rechargez la page avant d’enregistrer.`,
      { errors: [{ field: 'version', message: 'version périmée : l’actif a été modifié par quelqu’un d’autre' }] },
    );
  }

  function normTags(tags: string[]) {
    return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
  }

  /**
   * Creates or updates an asset inside `tx`: validation, permission, version, audit and the
   * `catalog.asset.changed` event. Returns what changed (nothing when the content is identical).
   */
  async function write(
    tx: Db,
    input: AssetInput,
    c: Caller,
    opts: {
      mode: 'create' | 'update' | 'upsert';
      current?: AssetWithOwner | null;
      expectedVersion?: number;
      requestId?: string;
      isDemo?: boolean;
      fieldPrefix?: string;
    },
  ): Promise<{ asset: AssetWithOwner; change: AssetChange }> {
    const v = await validate(input, tx, opts.fieldPrefix);
    if (v.errors.length)
      throw new ValidationError(
        `L’actif ${input.kind}:${input.slug} est invalide : ${v.errors.map((e) => `${fieldLabel(e.field)} : ${e.message}`).join(' ; ')}`,
        v.errors,
      );
    const current = opts.current !== undefined ? opts.current : await repo.findByRef(input.kind, input.slug, tx);
    if (opts.mode === 'create' && current)
      throw new ConflictError(`Un actif ${input.kind}:${input.slug} existe déjà.`, {
        errors: [{ field: 'slug', message: 'identifiant déjà utilisé pour ce type' }],
      });
    if (opts.mode === 'update' && !current) throw new NotFoundError(`Actif ${input.kind}:${input.slug} introuvable.`);
    if (opts.expectedVersion !== undefined && current && current.version !== opts.expectedVersion) throw staleVersion(current.version);
    assertWrite(c, v.organisationId, current ? 'modifier' : 'créer');
    if (current) assertWrite(c, current.organisationId);

    const values = {
      kind: input.kind,
      slug: input.slug,
      title: input.title.trim(),
      description: input.description,
      organisationId: v.organisationId,
      contacts: input.contacts,
      tags: normTags(input.tags),
      lifecycle: input.lifecycle,
      decommissionPlannedOn: input.decommissionPlannedOn,
      decommissionedOn: input.decommissionedOn,
      openness: input.openness,
      opennessReason: input.openness === 'non_ouvrable' ? input.opennessReason : (input.opennessReason ?? null),
      personalData: input.personalData,
      spec: v.spec,
    };
    const doc = toDocument({ ...values, ownerCode: input.owner ?? null });
    const score = completeness({ ...values, owner: input.owner ?? null, kind: input.kind }).score;
    const actor = actorOf(c);
    const now = ctx.clock.now();
    const ref = `${input.kind}:${input.slug}`;
    let row;
    let change: AssetChange;
    if (!current) {
      row = await repo.insert(
        {
          ...values,
          completeness: score,
          isDemo: opts.isDemo ?? false,
          version: 1,
          createdAt: now,
          updatedAt: now,
          updatedBy: actor.label,
          lastConfirmedAt: now,
          stale: false,
        },
        tx,
      );
      if (!row)
        throw new ConflictError(`Un actif ${input.kind}:${input.slug} existe déjà.`, {
          errors: [{ field: 'slug', message: 'identifiant déjà utilisé pour ce type' }],
        });
      change = { action: 'create', ref, changes: Object.entries(doc).map(([field, after]) => ({ field, before: undefined, after })) };
    } else {
      const before = toDocument(current) as Record<string, unknown>;
      const fields = [...new Set([...Object.keys(before), ...Object.keys(doc)])].filter(
        (k) => canonical(before[k]) !== canonical((doc as Record<string, unknown>)[k]),
      );
      if (fields.length === 0) return { asset: current, change: { action: 'unchanged', ref, changes: [] } };
      // The version check is made by the database (compare-and-set on the version read above):
      // of two concurrent writers from the same version, on one node or two, only one matches.
      row = await repo.updateIfVersion(
        current.id,
        current.version,
        // An edit is a confirmation of the description (A28 review campaigns).
        { ...values, completeness: score, version: current.version + 1, updatedAt: now, updatedBy: actor.label, lastConfirmedAt: now, stale: false },
        tx,
      );
      if (!row) throw staleVersion();
      change = {
        action: 'update',
        ref,
        changes: fields.sort().map((field) => ({ field, before: before[field], after: (doc as Record<string, unknown>)[field] })),
      };
    }
    await repo.insertVersion(
      {
        assetId: row.id,
        version: row.version,
        action: change.action as 'create' | 'update',
        snapshot: doc as Record<string, unknown>,
        actorId: actor.id,
        actorLabel: actor.label,
        at: now,
      },
      tx,
    );
    await recordAudit(tx, {
      actor,
      action: `catalog.asset.${change.action}`,
      entityType: 'catalog_asset',
      entityId: ref,
      before: current ? toDocument(current) : undefined,
      after: doc,
      requestId: opts.requestId,
    });
    await ctx.events.emit(
      'catalog.asset.changed',
      {
        asset: { id: row.id, kind: row.kind, slug: row.slug, title: row.title, openness: row.openness, organisationId: row.organisationId },
        previousOpenness: current?.openness ?? null,
        actor,
        at: now,
      },
      tx,
    );
    const ownerCode = input.owner ?? null;
    const org = v.organisationId ? await ctx.organisations.findByCode(ownerCode!, tx) : null;
    return { asset: { ...row, ownerCode, ownerName: org?.name ?? null }, change };
  }

  function relationView(r: RelationRow, assets: Map<string, AssetWithOwner>, fromSide: string): z.output<typeof assetRelation> {
    const outgoing = r.fromId === fromSide;
    const other = assets.get(outgoing ? r.toId : r.fromId);
    const rule = relationRules[r.type];
    return {
      id: r.id,
      type: r.type,
      direction: outgoing ? ('outgoing' as const) : ('incoming' as const),
      label: outgoing ? rule.label : rule.inverse,
      from: outgoing ? `${assets.get(fromSide)?.kind}:${assets.get(fromSide)?.slug}` : other ? `${other.kind}:${other.slug}` : '',
      to: outgoing ? (other ? `${other.kind}:${other.slug}` : '') : `${assets.get(fromSide)?.kind}:${assets.get(fromSide)?.slug}`,
      other: other ? { id: other.id, kind: other.kind, slug: other.slug, title: other.title } : null,
      note: r.note,
      since: r.since,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
    };
  }

  const service = {
    repo,
    canWrite,

    // ---- contract used by other modules (no visibility filter: server-side callers) ----
    async getAssetById(id: string): Promise<Asset | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const a = await repo.findById(id);
      return a ? toAsset(a) : null;
    },
    async getAsset(kind: string, slug: string): Promise<Asset | null> {
      const a = await repo.findByRef(kind, slug);
      return a ? toAsset(a) : null;
    },
    async listAssets(q: { kind?: string; q?: string; page: number; pageSize: number }): Promise<{ items: Asset[]; total: number }> {
      const f = { kind: q.kind ? [q.kind] : undefined, q: q.q, publicOnly: false };
      const r = await repo.search(f, q.page, q.pageSize, await repo.plan(f));
      return { items: r.items.map(toAsset), total: r.total };
    },

    // ---- review campaigns (governance, A28) ----
    /** Assets owned by these organisations (every owned asset when undefined), with what a review shows. */
    async reviewFacts(organisationIds?: string[], tx: Db = ctx.db) {
      return repo.reviewFacts(organisationIds, tx);
    },
    /**
     * « Confirmed unchanged »: the ministerial administrator, or the data administrator of the owning
     * organisation (not an editor: the review is the administrator's). Audited in `tx`.
     */
    async confirmAsset(id: string, c: Caller, tx: Db, at: Date = ctx.clock.now()): Promise<void> {
      const a = await repo.findById(id, tx);
      if (!a) throw new NotFoundError('Actif introuvable.');
      const allowed =
        c.kind === 'system' || (isUser(c) && (c.role === 'admin' || (c.role === 'data_admin' && !!c.organisationId && c.organisationId === a.organisationId)));
      if (!allowed) throw new ForbiddenError('Seul l’administrateur des données de l’organisation propriétaire confirme cet actif.');
      await repo.setConfirmed(id, at, tx);
      await recordAudit(tx, {
        actor: actorOf(c),
        action: 'catalog.asset.confirm',
        entityType: 'catalog_asset',
        entityId: `${a.kind}:${a.slug}`,
        before: { lastConfirmedAt: a.lastConfirmedAt, stale: a.stale },
        after: { lastConfirmedAt: at, stale: false },
      });
    },
    /** Flags the assets not confirmed since `before` as stale (and clears the flag of the others). Audited when anything changed. */
    async sweepStale(before: Date, tx: Db): Promise<{ flagged: number; cleared: number }> {
      const r = await repo.sweepStale(before, tx);
      if (r.flagged || r.cleared)
        await recordAudit(tx, {
          actor: actorOf(SYSTEM),
          action: 'catalog.asset.stale_sweep',
          entityType: 'catalog',
          entityId: 'assets',
          after: { before, ...r },
        });
      return r;
    },

    // ---- API ----
    async search(f: Omit<SearchFilters, 'publicOnly'>, page: number, pageSize: number, c: Caller): Promise<SearchResult> {
      const filters = { ...f, publicOnly: c.kind === 'anonymous' };
      const plan = await repo.plan(filters);
      const [items, { total, estimated, ...facets }] = await Promise.all([repo.page(filters, page, pageSize, plan), repo.facets(filters, plan)]);
      // A query that found nothing offers corrections to try and assets with a similar title.
      const suggestions = total === 0 && f.q?.trim() ? await repo.suggestions(filters, plan) : null;
      return { items: items.map(toAsset), total, estimated, facets, interpretation: plan.interpretation, suggestions };
    },

    async *iterate(f: Omit<SearchFilters, 'publicOnly'>, c: Caller): AsyncGenerator<Asset[]> {
      const filters = { ...f, publicOnly: c.kind === 'anonymous' };
      const plan = await repo.plan(filters);
      for await (const batch of repo.iterate(filters, plan)) yield batch.map(toAsset);
    },

    // ---- synonyms of the search (ADR 0106): read by any account, edited by admin and data_admin ----
    async listSynonyms(): Promise<SynonymGroup[]> {
      return (await repo.listSynonyms()).map(toSynonym);
    },
    async createSynonym(input: SynonymInputOut, c: Caller, requestId?: string): Promise<SynonymGroup> {
      assertSynonymEditor(c);
      const terms = synonymTerms(input.terms);
      return ctx.db.transaction(async (tx) => {
        const r = await repo.insertSynonym({ terms, note: input.note || null, updatedBy: actorOf(c).label }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'catalog.synonym.create',
          entityType: 'catalog_synonym',
          entityId: r.id,
          after: { terms, note: r.note },
          requestId,
        });
        repo.invalidateSynonyms();
        return toSynonym(r);
      });
    },
    async updateSynonym(id: string, input: SynonymInputOut, c: Caller, requestId?: string): Promise<SynonymGroup> {
      assertSynonymEditor(c);
      const terms = synonymTerms(input.terms);
      return ctx.db.transaction(async (tx) => {
        const before = await repo.findSynonym(id, tx);
        if (!before) throw new NotFoundError('Groupe de synonymes introuvable.');
        const r = await repo.updateSynonym(id, { terms, note: input.note || null, updatedBy: actorOf(c).label, updatedAt: ctx.clock.now() }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'catalog.synonym.update',
          entityType: 'catalog_synonym',
          entityId: id,
          before: { terms: before.terms, note: before.note },
          after: { terms, note: r!.note },
          requestId,
        });
        repo.invalidateSynonyms();
        return toSynonym(r!);
      });
    },
    async deleteSynonym(id: string, c: Caller, requestId?: string): Promise<void> {
      assertSynonymEditor(c);
      await ctx.db.transaction(async (tx) => {
        const before = await repo.findSynonym(id, tx);
        if (!before || !(await repo.deleteSynonym(id, tx))) throw new NotFoundError('Groupe de synonymes introuvable.');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'catalog.synonym.delete',
          entityType: 'catalog_synonym',
          entityId: id,
          before: { terms: before.terms, note: before.note },
          requestId,
        });
      });
      repo.invalidateSynonyms();
    },

    async get(kind: string, slug: string, c: Caller): Promise<AssetDetail> {
      const a = await mustGet(kind, slug, c);
      const rels = await repo.relationsOf([a.id]);
      const others = await repo.findByIds([...new Set(rels.flatMap((r) => [r.fromId, r.toId]))]);
      const map = new Map(others.map((o) => [o.id, o]));
      map.set(a.id, a);
      const visible = rels.filter((r) => {
        const o = map.get(r.fromId === a.id ? r.toId : r.fromId);
        return o && canRead(c, o);
      });
      const comp = completeness({ ...a, owner: a.ownerCode, kind: a.kind });
      return {
        asset: toAsset(a),
        completeness: comp,
        relations: visible.map((r) => relationView(r, map, a.id)),
        canEdit: canWrite(c, a.organisationId),
        editRefusal: editRefusal(c, a),
      };
    },

    async create(input: AssetInput, c: Caller, requestId?: string): Promise<Asset> {
      const { asset } = await ctx.db.transaction((tx) => write(tx, input, c, { mode: 'create', requestId }));
      return toAsset(asset);
    },

    async update(kind: string, slug: string, input: AssetInput, c: Caller, opts: { expectedVersion?: number; requestId?: string } = {}): Promise<Asset> {
      if (input.kind !== kind) throw fieldError('kind', 'le type d’un actif ne change pas ; créez un nouvel actif');
      return ctx.db.transaction(async (tx) => {
        const current = await mustGet(kind, slug, c, tx);
        if (input.slug !== slug) {
          // Renaming: the new slug must be free; relations follow (they hold ids).
          if (await repo.findByRef(kind, input.slug, tx)) throw fieldError('slug', 'identifiant déjà utilisé pour ce type');
        }
        const { asset } = await write(tx, input, c, { mode: 'update', current, expectedVersion: opts.expectedVersion, requestId: opts.requestId });
        return toAsset(asset);
      });
    },

    async remove(kind: string, slug: string, c: Caller, requestId?: string): Promise<void> {
      await ctx.db.transaction(async (tx) => {
        const a = await mustGet(kind, slug, c, tx);
        if (isUser(c) && c.role === 'editor') throw new ForbiddenError('Seuls les administrateurs de données suppriment des actifs.');
        assertWrite(c, a.organisationId, 'supprimer');
        const actor = actorOf(c);
        // Same compare-and-set as an edit: a deletion racing an edit does not erase it unseen.
        if (!(await repo.deleteIfVersion(a.id, a.version, tx))) throw staleVersion();
        await repo.insertVersion(
          {
            assetId: a.id,
            version: a.version + 1,
            action: 'delete',
            snapshot: toDocument(a) as Record<string, unknown>,
            actorId: actor.id,
            actorLabel: actor.label,
            at: ctx.clock.now(),
          },
          tx,
        );
        await recordAudit(tx, {
          actor,
          action: 'catalog.asset.delete',
          entityType: 'catalog_asset',
          entityId: `${kind}:${slug}`,
          before: toDocument(a),
          requestId,
        });
      });
    },

    async history(kind: string, slug: string, c: Caller): Promise<HistoryItem[]> {
      const a = await mustGet(kind, slug, c);
      const versions = await repo.listVersions(a.id);
      return versions.map((v) => ({ version: v.version, action: v.action, actor: v.actorLabel, at: v.at, snapshot: v.snapshot }));
    },

    async createRelation(
      b: { type: RelationType; from: { kind: string; slug: string }; to: { kind: string; slug: string }; note?: string | null; since?: string | null },
      c: Caller,
      requestId?: string,
      tx0?: Db,
    ) {
      const run = async (tx: Db) => {
        const from = await repo.findByRef(b.from.kind, b.from.slug, tx);
        const to = await repo.findByRef(b.to.kind, b.to.slug, tx);
        if (!from || !canRead(c, from)) throw fieldError('from', `actif ${b.from.kind}:${b.from.slug} introuvable`);
        if (!to || !canRead(c, to)) throw fieldError('to', `actif ${b.to.kind}:${b.to.slug} introuvable`);
        const problem = relationProblem(b.type, from.kind as AssetKind, to.kind as AssetKind, from.id === to.id);
        if (problem) throw fieldError('type', problem);
        // Whoever may edit either end may link the two assets.
        if (!canWrite(c, from.organisationId) && !canWrite(c, to.organisationId)) assertWrite(c, from.organisationId, 'relier');
        const existing = await repo.findRelation(b.type, from.id, to.id, tx);
        if (existing) {
          if (tx0) return { relation: existing, created: false };
          throw new ConflictError('Cette relation existe déjà.');
        }
        const actor = actorOf(c);
        const r = await repo.insertRelation(
          { type: b.type, fromId: from.id, toId: to.id, note: b.note ?? null, since: b.since ?? null, createdBy: actor.label, createdAt: ctx.clock.now() },
          tx,
        );
        await recordAudit(tx, {
          actor,
          action: 'catalog.relation.create',
          entityType: 'catalog_relation',
          entityId: r.id,
          after: { type: b.type, from: `${from.kind}:${from.slug}`, to: `${to.kind}:${to.slug}`, note: r.note, since: r.since },
          requestId,
        });
        return { relation: r, created: true };
      };
      return tx0 ? run(tx0) : ctx.db.transaction(run);
    },

    async deleteRelation(id: string, c: Caller, requestId?: string) {
      await ctx.db.transaction(async (tx) => {
        const r = await repo.findRelationById(id, tx);
        if (!r) throw new NotFoundError('Relation introuvable.');
        const [from, to] = [await repo.findById(r.fromId, tx), await repo.findById(r.toId, tx)];
        if (!canWrite(c, from?.organisationId ?? null) && !canWrite(c, to?.organisationId ?? null)) assertWrite(c, from?.organisationId ?? null, 'délier');
        await repo.deleteRelation(id, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'catalog.relation.delete',
          entityType: 'catalog_relation',
          entityId: id,
          before: { type: r.type, from: `${from?.kind}:${from?.slug}`, to: `${to?.kind}:${to?.slug}`, note: r.note },
          requestId,
        });
      });
    },

    async listRelations(ref: { kind: string; slug: string } | null, type: string | undefined, c: Caller): Promise<z.output<typeof relationListItem>[]> {
      let rels: RelationRow[];
      let rootId: string | null = null;
      if (ref) {
        const a = await mustGet(ref.kind, ref.slug, c);
        rootId = a.id;
        rels = await repo.relationsOf([a.id], type ? [type] : undefined);
      } else {
        rels = (await repo.allRelations()).filter((r) => !type || r.type === type);
      }
      const assets = await repo.findByIds([...new Set(rels.flatMap((r) => [r.fromId, r.toId]))]);
      const map = new Map(assets.map((a) => [a.id, a]));
      return rels
        .filter((r) => {
          const f = map.get(r.fromId);
          const t = map.get(r.toId);
          return f && t && canRead(c, f) && canRead(c, t);
        })
        .map((r) => {
          const f = map.get(r.fromId)!;
          const t = map.get(r.toId)!;
          return {
            id: r.id,
            type: r.type,
            from: `${f.kind}:${f.slug}`,
            fromTitle: f.title,
            to: `${t.kind}:${t.slug}`,
            toTitle: t.title,
            direction: rootId === null ? null : r.fromId === rootId ? ('outgoing' as const) : ('incoming' as const),
            note: r.note,
            since: r.since,
            createdBy: r.createdBy,
            createdAt: r.createdAt,
          };
        });
    },

    /** The neighbourhood of an asset up to `depth` relations away, in both directions. */
    async graph(kind: string, slug: string, depth: number, types: string[] | undefined, c: Caller, maxNodes = 300): Promise<Graph> {
      const root = await mustGet(kind, slug, c);
      const depthOf = new Map<string, number>([[root.id, 0]]);
      const edges = new Map<string, RelationRow>();
      let frontier = [root.id];
      for (let d = 1; d <= depth && frontier.length; d++) {
        const rels = await repo.relationsOf(frontier, types);
        const next: string[] = [];
        for (const r of rels) {
          for (const id of [r.fromId, r.toId]) {
            if (!depthOf.has(id) && depthOf.size < maxNodes) {
              depthOf.set(id, d);
              next.push(id);
            }
          }
          if (depthOf.has(r.fromId) && depthOf.has(r.toId)) edges.set(r.id, r);
        }
        frontier = next;
      }
      const assets = (await repo.findByIds([...depthOf.keys()])).filter((a) => canRead(c, a));
      const ids = new Set(assets.map((a) => a.id));
      return {
        root: root.id,
        truncated: depthOf.size >= maxNodes,
        nodes: assets
          .map((a) => ({ id: a.id, ref: `${a.kind}:${a.slug}`, kind: a.kind, slug: a.slug, title: a.title, owner: a.ownerCode, depth: depthOf.get(a.id)! }))
          .sort((x, y) => x.depth - y.depth || x.title.localeCompare(y.title, 'fr')),
        edges: [...edges.values()]
          .filter((e) => ids.has(e.fromId) && ids.has(e.toId))
          .map((e) => ({ id: e.id, type: e.type, from: e.fromId, to: e.toId, note: e.note })),
      };
    },

    /** Everything downstream: the assets a change or decommissioning of this one would affect. */
    async impact(kind: string, slug: string, c: Caller): Promise<ImpactItem[]> {
      const root = await mustGet(kind, slug, c);
      const forward = relationTypes.filter((t) => relationRules[t].impact === 'forward');
      const hits = await repo.impact(root.id, forward);
      const assets = new Map((await repo.findByIds([...new Set([...hits.map((h) => h.id), ...hits.map((h) => h.fromId)])])).map((a) => [a.id, a]));
      assets.set(root.id, root);
      return hits
        .filter((h) => assets.has(h.id) && canRead(c, assets.get(h.id)!))
        .map((h) => {
          const a = assets.get(h.id)!;
          const via = assets.get(h.fromId);
          return {
            ref: `${a.kind}:${a.slug}`,
            kind: a.kind,
            slug: a.slug,
            title: a.title,
            owner: a.ownerCode,
            lifecycle: a.lifecycle,
            depth: h.depth,
            relation: h.via as RelationType,
            through: via ? `${via.kind}:${via.slug}` : '',
          };
        })
        .sort((x, y) => x.depth - y.depth || x.title.localeCompare(y.title, 'fr'));
    },

    async dashboard(ownerCode: string | undefined, c: Caller): Promise<Dashboard> {
      if (c.kind === 'anonymous') throw new UnauthorizedError('Connectez-vous pour voir les tableaux de bord.');
      let orgId: string | null = null;
      if (ownerCode) {
        const org = await ctx.organisations.findByCode(ownerCode);
        if (!org) throw fieldError('owner', `organisation inconnue : ${ownerCode}`);
        orgId = org.id;
      }
      return repo.stats(orgId);
    },

    /** Used by the import: the write primitive inside a caller-owned transaction. */
    write,
    validate,
    kinds: assetKinds,
  };
  return service;
}

export type CatalogService = ReturnType<typeof createCatalogService>;
