import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import type { Actor, Principal } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError, type FieldError } from '../../platform/errors.ts';
import { createRoadmapRepository, type ActionWithOrgs, type IndicatorRow, type OpeningRow, type RoadmapRow, type UpdateRow } from './roadmap.repository.ts';
import { finalDeadline, isOverdue, openingTimeliness, parisDate, parsePeriod, periodLabel, periodLastDay } from './periods.ts';
import type { ActionStatus, OpeningStatus, OpeningType } from './roadmap.table.ts';
import { parseBulkCsv } from './roadmap.bulk.ts';

/** What the roadmap needs from the catalogue (offered as `services.catalog` when that module is installed). */
export interface CatalogLookup {
  getAssetById(id: string): Promise<{ id: string; kind: string; slug: string; title: string; openness: string; organisationId: string | null } | null>;
  getAsset?(
    kind: string,
    slug: string,
  ): Promise<{ id: string; kind: string; slug: string; title: string; openness: string; organisationId: string | null } | null>;
}

/** Payload of the catalogue's `catalog.asset.changed` event (the part the roadmap reads). */
export interface AssetChangedPayload {
  asset: { id: string; kind: string; slug: string; title: string; openness: string; organisationId: string | null };
  previousOpenness: string | null;
  actor: Actor;
  at: Date;
}

export interface IndicatorPatch {
  name: string;
  unit?: string | null;
  target?: string | null;
  value?: string | null;
  remove?: boolean;
}

export interface ActionPatch {
  status?: ActionStatus;
  progress?: number;
  pilot?: string | null;
  assetIds?: string[];
  indicators?: IndicatorPatch[];
  note?: string;
  deadline?: string;
  deadlineEnd?: string | null;
  contributors?: string[];
}

export interface OpeningPatch {
  status?: OpeningStatus;
  availableOn?: string | null;
  assetId?: string | null;
  organisationCode?: string | null;
  due?: string;
  note?: string;
}

export interface Meta {
  requestId?: string;
  ip?: string;
}

const HISTORY_MAX = 1000;

/** A patch that changes nothing (a re-imported line identical to the current state). */
export class NoChangeError extends ValidationError {}

/** Thrown inside a transaction to roll it back while returning a result (dry runs, failed bulk updates). */
class Rollback<T> extends Error {
  constructor(public readonly result: T) {
    super('rollback');
  }
}

export { parisDate };

export function toActionDto(a: ActionWithOrgs, now: Date, extra: { lastNote?: { at: Date; actorLabel: string; note: string } | null; canEdit?: boolean } = {}) {
  return {
    id: a.id,
    code: a.code,
    parentCode: a.parentCode,
    title: a.title,
    shortTitle: a.shortTitle,
    section: a.section,
    sectionTitle: a.sectionTitle,
    deadline: a.deadline,
    deadlineEnd: a.deadlineEnd,
    deadlineLabel: a.deadlineEnd ? `${periodLabel(a.deadline)} puis ${periodLabel(a.deadlineEnd)}` : periodLabel(a.deadline),
    dueDate: periodLastDay(finalDeadline(a)),
    status: a.status,
    overdue: isOverdue(a, now),
    progress: a.progress,
    pilot: a.pilot,
    contributors: a.organisations.map((o) => ({ code: o.code, name: o.name })),
    collectiveContributors: a.collectiveContributors,
    sourceContributors: a.sourceContributors,
    sourceNote: a.sourceNote,
    assetIds: a.assetIds,
    carriedFromId: a.carriedFromId,
    updatedAt: a.updatedAt.toISOString(),
    lastNote: extra.lastNote ? { at: extra.lastNote.at.toISOString(), actorLabel: extra.lastNote.actorLabel, note: extra.lastNote.note } : null,
    canEdit: extra.canEdit ?? false,
  };
}
export type ActionDto = ReturnType<typeof toActionDto>;

export function toOpeningDto(o: OpeningRow, organisationCode: string | null, now: Date, canEdit = false) {
  return {
    id: o.id,
    position: o.position,
    category: o.category,
    title: o.title,
    type: o.type as OpeningType,
    due: o.due,
    dueLabel: periodLabel(o.due),
    status: o.status,
    availableOn: o.availableOn,
    timeliness: openingTimeliness(o, now),
    assetId: o.assetId,
    organisationCode,
    updatedAt: o.updatedAt.toISOString(),
    canEdit,
  };
}
export type OpeningDto = ReturnType<typeof toOpeningDto>;

export function toUpdateDto(u: UpdateRow, codes: Map<string, { code: string; roadmapTitle?: string }> = new Map()) {
  return {
    id: u.id,
    at: u.at.toISOString(),
    actorLabel: u.actorLabel,
    kind: u.kind,
    note: u.note,
    changes: u.changes,
    statusAfter: u.statusAfter,
    progressAfter: u.progressAfter,
    actionCode: u.actionId ? (codes.get(u.actionId)?.code ?? null) : null,
    roadmapTitle: u.actionId ? (codes.get(u.actionId)?.roadmapTitle ?? null) : null,
  };
}

export function toIndicatorDto(i: IndicatorRow) {
  return { id: i.id, name: i.name, unit: i.unit, target: i.target, currentValue: i.currentValue, history: i.history, updatedAt: i.updatedAt.toISOString() };
}

export function toRoadmapDto(r: RoadmapRow) {
  return { id: r.id, slug: r.slug, title: r.title, startYear: r.startYear, endYear: r.endYear, source: r.source, public: r.public };
}

/** May the principal update this action? Admin: all; data administrator: actions their organisation contributes to. */
export function canEditAction(p: Principal | null, a: { organisations: { id: string }[] }): boolean {
  if (!p) return false;
  if (p.role === 'admin') return true;
  return p.role === 'data_admin' && !!p.organisationId && a.organisations.some((o) => o.id === p.organisationId);
}

export function canEditOpening(p: Principal | null, o: { organisationId: string | null }): boolean {
  if (!p) return false;
  if (p.role === 'admin') return true;
  return p.role === 'data_admin' && !!p.organisationId && o.organisationId === p.organisationId;
}

const isNumeric = (v: string) => /^-?\d+(?:[.,]\d+)?$/.test(v.trim());

export function createRoadmapService(ctx: AppContext, catalog: () => CatalogLookup | undefined) {
  const repo = createRoadmapRepository(ctx.db);

  async function roadmapOr404(idOrSlug: string, tx: Db = ctx.db) {
    const r = await repo.findRoadmap(idOrSlug, tx);
    if (!r) throw new NotFoundError(`Feuille de route « ${idOrSlug} » introuvable.`);
    return r;
  }
  async function actionOr404(roadmapId: string, code: string, tx: Db = ctx.db, lock = false) {
    const a = await repo.findAction(roadmapId, code, tx, lock);
    if (!a) throw new NotFoundError(`Action « ${code} » introuvable dans cette feuille de route.`);
    return a;
  }

  async function validateAssets(ids: string[], field: string): Promise<void> {
    const c = catalog();
    if (!c) return;
    const errors: FieldError[] = [];
    for (const [i, id] of ids.entries())
      if (!(await c.getAssetById(id))) errors.push({ field: `${field}.${i}`, message: `Actif ${id} introuvable dans le catalogue.` });
    if (errors.length) throw new ValidationError('Actif du catalogue introuvable.', errors);
  }

  /** Ids of the action and of the actions it carries over (oldest last), for the shared history. */
  async function lineage(actionId: string, tx: Db = ctx.db) {
    const ids: string[] = [];
    const codes = new Map<string, { code: string; roadmapTitle?: string }>();
    let cur: string | null = actionId;
    for (let i = 0; cur && i < 20; i++) {
      const r = await repo.roadmapOfAction(cur, tx);
      if (!r) break;
      ids.push(cur);
      codes.set(cur, { code: r.code, roadmapTitle: r.title });
      cur = r.carriedFromId;
    }
    return { ids, codes };
  }

  /**
   * Applies a patch to an action, in one transaction: checks rights, records the change in the
   * roadmap's log (who, what, when) and in the audit log.
   */
  async function updateAction(
    p: Principal | null,
    actor: Actor,
    roadmapRef: string,
    code: string,
    patch: ActionPatch,
    opts: { kind?: string; meta?: Meta; tx?: Db; roadmap?: RoadmapRow } = {},
  ) {
    const run = async (tx: Db) => {
      const roadmap = opts.roadmap ?? (await roadmapOr404(roadmapRef, tx));
      const a = await actionOr404(roadmap.id, code, tx, true);
      if (p && !canEditAction(p, a)) {
        throw new ForbiddenError(
          `Seuls l’administrateur ministériel et les administrateurs des données des organisations contributrices peuvent mettre à jour l’action ${a.code}.`,
        );
      }
      const isAdmin = !p || p.role === 'admin';
      if (!isAdmin && (patch.deadline !== undefined || patch.deadlineEnd !== undefined || patch.contributors !== undefined)) {
        throw new ForbiddenError('Seul l’administrateur ministériel modifie l’échéance et les contributeurs d’une action (décision du comité).');
      }
      const now = ctx.clock.now();
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set: Record<string, unknown> = {};
      const change = (field: string, from: unknown, to: unknown) => {
        if (JSON.stringify(from) === JSON.stringify(to)) return;
        changes[field] = { from, to };
        set[field] = to;
      };
      if (patch.status !== undefined) change('status', a.status, patch.status);
      let progress = patch.progress;
      if (progress === undefined && patch.status === 'realisee') progress = 100;
      if (progress !== undefined) change('progress', a.progress, progress);
      if (patch.pilot !== undefined) change('pilot', a.pilot, patch.pilot?.trim() || null);
      if (patch.assetIds !== undefined) change('assetIds', a.assetIds, [...new Set(patch.assetIds)]);
      if (patch.deadline !== undefined) {
        if (!parsePeriod(patch.deadline)) throw fieldError('deadline', 'Échéance attendue au format AAAA-S1, AAAA-S2 ou AAAA-T1 à AAAA-T4.');
        change('deadline', a.deadline, patch.deadline);
      }
      if (patch.deadlineEnd !== undefined) {
        if (patch.deadlineEnd !== null && !parsePeriod(patch.deadlineEnd))
          throw fieldError('deadlineEnd', 'Échéance attendue au format AAAA-S1, AAAA-S2 ou AAAA-T1 à AAAA-T4.');
        change('deadlineEnd', a.deadlineEnd, patch.deadlineEnd);
      }
      if (patch.contributors !== undefined) {
        const orgs = [];
        for (const [i, c] of patch.contributors.entries()) {
          const o = await ctx.organisations.findByCode(c, tx);
          if (!o) throw fieldError(`contributors.${i}`, `Organisation « ${c} » inconnue.`);
          orgs.push(o);
        }
        const before = a.organisations.map((o) => o.code);
        const after = [...new Set(orgs.map((o) => o.code))].sort();
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          changes.contributors = { from: before, to: after };
          await repo.setContributors(a.id, [...new Set(orgs.map((o) => o.id))], tx);
        }
      }
      for (const [i, ind] of (patch.indicators ?? []).entries()) {
        const name = ind.name.trim();
        if (!name) throw fieldError(`indicators.${i}.name`, 'Nom de l’indicateur obligatoire.');
        if (ind.remove) {
          const del = await repo.deleteIndicator(a.id, name, tx);
          if (!del) throw fieldError(`indicators.${i}.name`, `Indicateur « ${name} » introuvable.`);
          changes[`indicateur:${name}`] = { from: del.currentValue, to: null };
          continue;
        }
        const value = ind.value === undefined ? undefined : ind.value === null ? null : ind.value.trim();
        if (value && !isNumeric(value)) throw fieldError(`indicators.${i}.value`, 'Valeur numérique attendue (ex. 12 ou 3,5).');
        if (ind.target && !isNumeric(ind.target)) throw fieldError(`indicators.${i}.target`, 'Cible numérique attendue (ex. 100).');
        const existing = (await repo.listIndicators([a.id], tx)).find((x) => x.name === name);
        const values: Record<string, unknown> = {};
        if (ind.unit !== undefined) values.unit = ind.unit?.trim() || null;
        if (ind.target !== undefined) values.target = ind.target?.trim() || null;
        if (value !== undefined && value !== (existing?.currentValue ?? null)) {
          values.currentValue = value;
          if (value !== null) values.history = [...(existing?.history ?? []), { value, at: now.toISOString(), by: actor.label }].slice(-HISTORY_MAX);
        }
        if (!existing || Object.keys(values).length) {
          await repo.upsertIndicator(a.id, name, values, now, tx);
          changes[`indicateur:${name}`] = { from: existing?.currentValue ?? null, to: value ?? existing?.currentValue ?? null };
        }
      }
      const note = patch.note?.trim() || null;
      if (Object.keys(changes).length === 0 && !note) {
        throw new NoChangeError('Aucune modification : indiquez une note ou changez au moins un champ.', [
          { field: 'note', message: 'Note ou modification attendue.' },
        ]);
      }
      const updated = Object.keys(set).length || changes.contributors ? await repo.updateAction(a.id, set, now, tx) : a;
      const log = await repo.insertUpdate(
        {
          roadmapId: roadmap.id,
          actionId: a.id,
          at: now,
          actorId: actor.id,
          actorLabel: actor.label,
          kind: opts.kind ?? (Object.keys(changes).length ? 'edit' : 'note'),
          note,
          changes,
          statusAfter: changes.status ? updated.status : null,
          progressAfter: changes.progress ? updated.progress : null,
        },
        tx,
      );
      await recordAudit(tx, {
        actor,
        action: 'roadmap.action.update',
        entityType: 'roadmap_action',
        entityId: `${roadmap.slug}/${a.code}`,
        before: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.from])),
        after: { ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])), note },
        ...opts.meta,
      });
      // Bulk updates do not need the re-read action (one query less per line).
      const fresh = opts.kind === 'bulk' ? a : (await repo.findAction(roadmap.id, a.code, tx))!;
      return { action: fresh, update: log, roadmap };
    };
    // The catalogue is read outside the transaction: on PGlite (one connection) a read through the
    // catalogue's own handle inside our transaction would wait for it forever.
    if (patch.assetIds?.length) await validateAssets([...new Set(patch.assetIds)], 'assetIds');
    return opts.tx ? run(opts.tx) : ctx.db.transaction(run);
  }

  async function updateOpening(p: Principal, roadmapRef: string, openingId: string, patch: OpeningPatch, meta: Meta = {}) {
    // Read the catalogue before the transaction (see updateAction).
    if (patch.assetId) await validateAssets([patch.assetId], 'assetId');
    const linked = patch.assetId ? await catalog()?.getAssetById(patch.assetId) : null;
    return ctx.db.transaction(async (tx) => {
      const roadmap = await roadmapOr404(roadmapRef, tx);
      const o = await repo.findOpening(roadmap.id, openingId, tx);
      if (!o) throw new NotFoundError('Ouverture introuvable dans cette feuille de route.');
      if (!canEditOpening(p, o))
        throw new ForbiddenError(
          'Seuls l’administrateur ministériel et les administrateurs des données de l’organisation responsable peuvent mettre à jour cette ouverture.',
        );
      if (p.role !== 'admin' && (patch.organisationCode !== undefined || patch.due !== undefined)) {
        throw new ForbiddenError('Seul l’administrateur ministériel modifie l’échéance et l’organisation responsable d’une ouverture.');
      }
      const now = ctx.clock.now();
      const actor = { id: p.userId, label: p.login };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set: Record<string, unknown> = {};
      const change = (field: string, from: unknown, to: unknown) => {
        if (JSON.stringify(from) === JSON.stringify(to)) return;
        changes[field] = { from, to };
        set[field] = to;
      };
      let status: OpeningStatus = patch.status ?? o.status;
      let availableOn = patch.availableOn !== undefined ? patch.availableOn : o.availableOn;
      if (availableOn && availableOn > parisDate(now)) throw fieldError('availableOn', 'La date de mise à disposition ne peut pas être dans le futur.');
      let autoNote: string | null = null;
      if (linked?.openness === 'ouvert' && status !== 'disponible') {
        status = 'disponible';
        autoNote = `L’actif lié « ${linked.title} » est déjà ouvert : l’ouverture devient disponible.`;
      }
      if (status === 'disponible') {
        if (!availableOn && o.status !== 'disponible') availableOn = parisDate(now);
      } else {
        if (patch.availableOn) throw fieldError('availableOn', 'Une date de mise à disposition n’a de sens que pour une ouverture disponible.');
        availableOn = null;
      }
      change('status', o.status, status);
      change('availableOn', o.availableOn, availableOn);
      if (patch.assetId !== undefined) change('assetId', o.assetId, patch.assetId);
      if (patch.due !== undefined) {
        if (!/^\d{4}-T[1-4]$/.test(patch.due)) throw fieldError('due', 'Trimestre attendu au format AAAA-T1 à AAAA-T4.');
        change('due', o.due, patch.due);
      }
      if (patch.organisationCode !== undefined) {
        let orgId: string | null = null;
        if (patch.organisationCode) {
          const org = await ctx.organisations.findByCode(patch.organisationCode, tx);
          if (!org) throw fieldError('organisationCode', `Organisation « ${patch.organisationCode} » inconnue.`);
          orgId = org.id;
        }
        change('organisationId', o.organisationId, orgId);
      }
      const note = [patch.note?.trim(), autoNote].filter(Boolean).join(' ') || null;
      if (Object.keys(changes).length === 0 && !note)
        throw new ValidationError('Aucune modification.', [{ field: 'status', message: 'Modifiez au moins un champ.' }]);
      const updated = Object.keys(set).length ? await repo.updateOpening(o.id, set, now, tx) : o;
      await repo.insertUpdate(
        {
          roadmapId: roadmap.id,
          openingId: o.id,
          at: now,
          actorId: actor.id,
          actorLabel: actor.label,
          kind: 'edit',
          note,
          changes,
          statusAfter: changes.status ? updated.status : null,
        },
        tx,
      );
      await recordAudit(tx, {
        actor,
        action: 'roadmap.opening.update',
        entityType: 'roadmap_opening',
        entityId: o.id,
        before: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.from])),
        after: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])),
        ...meta,
      });
      const orgCode = updated.organisationId ? ((await ctx.organisations.findById(updated.organisationId, tx))?.code ?? null) : null;
      return toOpeningDto(updated, orgCode, now, true);
    });
  }

  /** Reaction to the catalogue: an asset that becomes `ouvert` makes its linked openings available. */
  async function onAssetChanged(payload: AssetChangedPayload, tx: Db): Promise<void> {
    if (payload.asset.openness !== 'ouvert' || payload.previousOpenness === 'ouvert') return;
    const day = parisDate(payload.at);
    for (const o of await repo.openingsByAsset(payload.asset.id, tx)) {
      if (o.status === 'disponible') continue;
      const changes = { status: { from: o.status, to: 'disponible' }, availableOn: { from: o.availableOn, to: day } };
      await repo.updateOpening(o.id, { status: 'disponible', availableOn: day }, payload.at, tx);
      await repo.insertUpdate(
        {
          roadmapId: o.roadmapId,
          openingId: o.id,
          at: payload.at,
          actorId: payload.actor.id,
          actorLabel: payload.actor.label,
          kind: 'automatic',
          note: `Mise à jour automatique : l’actif « ${payload.asset.title} » du catalogue est passé à « ouvert » ; l’ouverture est disponible depuis le ${day.split('-').reverse().join('/')}.`,
          changes,
          statusAfter: 'disponible',
        },
        tx,
      );
      await recordAudit(tx, {
        actor: payload.actor,
        action: 'roadmap.opening.auto_available',
        entityType: 'roadmap_opening',
        entityId: o.id,
        before: { status: o.status, availableOn: o.availableOn },
        after: { status: 'disponible', availableOn: day, assetId: payload.asset.id },
      });
    }
  }

  async function createRoadmap(
    actor: Actor,
    input: { slug: string; title: string; startYear: number; endYear: number; source?: string | null; public?: boolean },
    meta: Meta = {},
  ) {
    if (input.endYear < input.startYear) throw fieldError('endYear', 'L’année de fin doit suivre l’année de début.');
    return ctx.db.transaction(async (tx) => {
      if (await repo.findRoadmap(input.slug, tx)) throw new ConflictError(`Une feuille de route « ${input.slug} » existe déjà.`, { field: 'slug' });
      const r = await repo.insertRoadmap(
        {
          slug: input.slug,
          title: input.title,
          startYear: input.startYear,
          endYear: input.endYear,
          source: input.source ?? null,
          public: input.public ?? true,
        },
        tx,
      );
      await recordAudit(tx, { actor, action: 'roadmap.create', entityType: 'roadmap', entityId: r.slug, after: r, ...meta });
      return r;
    });
  }

  /** Carries an action over to a later roadmap: a new action linked to the old one, whose history it shows. */
  async function carryOver(
    actor: Actor,
    roadmapRef: string,
    code: string,
    input: { targetRoadmap: string; code?: string; deadline: string; note?: string },
    meta: Meta = {},
  ) {
    return ctx.db.transaction(async (tx) => {
      const src = await roadmapOr404(roadmapRef, tx);
      const a = await actionOr404(src.id, code, tx, true);
      const target = await repo.findRoadmap(input.targetRoadmap, tx);
      if (!target) throw fieldError('targetRoadmap', `Feuille de route « ${input.targetRoadmap} » introuvable.`);
      if (target.id === src.id || target.startYear < src.startYear)
        throw fieldError('targetRoadmap', 'La reprise se fait vers une feuille de route ultérieure.');
      if (a.status === 'realisee' || a.status === 'abandonnee')
        throw new ConflictError(`L’action ${a.code} est ${a.status === 'realisee' ? 'réalisée' : 'abandonnée'} : rien à reprendre.`);
      if (!parsePeriod(input.deadline)) throw fieldError('deadline', 'Échéance attendue au format AAAA-S1, AAAA-S2 ou AAAA-T1 à AAAA-T4.');
      const newCode = (input.code ?? a.code).toUpperCase();
      if (!/^A\d{2,4}(-\d{1,2})?$/.test(newCode)) throw fieldError('code', 'Code attendu de la forme A12 ou A09-1.');
      if (await repo.findAction(target.id, newCode, tx))
        throw new ConflictError(`L’action ${newCode} existe déjà dans « ${target.title} ».`, { field: 'code' });
      if ((await repo.carriedTo(a.id, tx)).length) throw new ConflictError(`L’action ${a.code} a déjà été reprise.`);
      const now = ctx.clock.now();
      const created = await repo.insertAction(
        {
          roadmapId: target.id,
          code: newCode,
          parentCode: a.parentCode,
          position: a.position,
          title: a.title,
          shortTitle: a.shortTitle,
          section: a.section,
          sectionTitle: a.sectionTitle,
          deadline: input.deadline,
          status: a.status,
          progress: a.progress,
          pilot: a.pilot,
          collectiveContributors: a.collectiveContributors,
          sourceContributors: a.sourceContributors,
          assetIds: a.assetIds,
          carriedFromId: a.id,
          createdAt: now,
          updatedAt: now,
        },
        tx,
      );
      await repo.setContributors(
        created.id,
        a.organisations.map((o) => o.id),
        tx,
      );
      for (const ind of await repo.listIndicators([a.id], tx)) {
        await repo.upsertIndicator(created.id, ind.name, { unit: ind.unit, target: ind.target, currentValue: ind.currentValue, history: ind.history }, now, tx);
      }
      const note = input.note?.trim() || null;
      await repo.insertUpdate(
        {
          roadmapId: src.id,
          actionId: a.id,
          at: now,
          actorId: actor.id,
          actorLabel: actor.label,
          kind: 'carry_over',
          note: `Reprise dans « ${target.title} » (${newCode}).${note ? ` ${note}` : ''}`,
          changes: {},
        },
        tx,
      );
      await repo.insertUpdate(
        {
          roadmapId: target.id,
          actionId: created.id,
          at: now,
          actorId: actor.id,
          actorLabel: actor.label,
          kind: 'carry_over',
          note: `Reprise de l’action ${a.code} de « ${src.title} ».${note ? ` ${note}` : ''}`,
          changes: {},
          statusAfter: created.status,
          progressAfter: created.progress,
        },
        tx,
      );
      await recordAudit(tx, {
        actor,
        action: 'roadmap.action.carry_over',
        entityType: 'roadmap_action',
        entityId: `${target.slug}/${newCode}`,
        before: { roadmap: src.slug, code: a.code },
        after: { roadmap: target.slug, code: newCode, deadline: input.deadline },
        ...meta,
      });
      return { roadmap: target, code: newCode };
    });
  }

  /**
   * Bulk update from a CSV: every line is checked and applied in one transaction; any error rolls
   * everything back and is reported with its line. `dryRun` checks and reports without writing.
   */
  async function bulkUpdate(p: Principal, roadmapRef: string, csv: string, dryRun: boolean, meta: Meta = {}) {
    const roadmap = await roadmapOr404(roadmapRef);
    const parsed = parseBulkCsv(csv);
    const actor = { id: p.userId, label: p.login };
    type Result = {
      dryRun: boolean;
      applied: boolean;
      lines: number;
      updated: { line: number; code: string; changes: Record<string, { from: unknown; to: unknown }> }[];
      unchanged: number;
      errors: FieldError[];
    };
    const result: Result = { dryRun, applied: false, lines: parsed.lines.length, updated: [], unchanged: 0, errors: [...parsed.errors] };
    try {
      await ctx.db.transaction(async (tx) => {
        for (const l of parsed.lines) {
          if (result.errors.some((e) => e.field.startsWith(`lignes.${l.line}.`))) continue;
          try {
            const { update } = await updateAction(
              p,
              actor,
              roadmap.id,
              l.code,
              { status: l.status, progress: l.progress, pilot: l.pilot, note: l.note },
              { kind: 'bulk', meta, tx, roadmap },
            );
            result.updated.push({ line: l.line, code: l.code, changes: update.changes });
          } catch (e) {
            if (e instanceof NoChangeError) result.unchanged++;
            else if (e instanceof NotFoundError)
              result.errors.push({ field: `lignes.${l.line}.code`, message: `Action ${l.code} introuvable dans cette feuille de route.` });
            else if (e instanceof ForbiddenError)
              result.errors.push({
                field: `lignes.${l.line}.code`,
                message: `Vous ne pouvez pas mettre à jour l’action ${l.code} (votre organisation n’y contribue pas).`,
              });
            else if (e instanceof ValidationError)
              for (const fe of e.errors) result.errors.push({ field: `lignes.${l.line}.${fe.field}`, message: fe.message });
            else throw e;
          }
        }
        if (result.errors.length || dryRun) throw new Rollback(result);
        await recordAudit(tx, {
          actor,
          action: 'roadmap.action.bulk_update',
          entityType: 'roadmap',
          entityId: roadmap.slug,
          after: { lines: result.lines, updated: result.updated.length, unchanged: result.unchanged },
          ...meta,
        });
      });
      result.applied = true;
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
    result.errors.sort((a, b) => Number(a.field.split('.')[1]) - Number(b.field.split('.')[1]));
    return result;
  }

  return { bulkUpdate, repo, roadmapOr404, actionOr404, lineage, updateAction, updateOpening, onAssetChanged, createRoadmap, carryOver, validateAssets };
}
export type RoadmapService = ReturnType<typeof createRoadmapService>;
