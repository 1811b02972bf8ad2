import type {
  ActionPatch,
  BulkUpdateResult,
  CarryOver,
  CreateRoadmap,
  DecisionInput,
  Opening,
  OpeningPatch,
  OpeningStatus,
  Update,
} from '@patrimoine/contracts/roadmap';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { actorOf, requireUser, type Actor, type Caller } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError, type FieldError } from '../../platform/errors.ts';
import { createRoadmapRepository, type RoadmapRow } from './roadmap.repository.ts';
import { parisDate, parsePeriod } from './periods.ts';
import { parseBulkCsv } from './roadmap.bulk.ts';
import { canEditAction, canEditOpening, requireSteering, steersAll, toDecisionDto, toOpeningDto, toUpdateDto } from './roadmap.dto.ts';
import { createRoadmapQueries } from './roadmap.queries.ts';
import type { RoadmapFeed } from './roadmap.feeds.ts';

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

/** Request details recorded in the audit log. */
export interface Meta {
  requestId?: string;
  ip?: string;
  userAgent?: string;
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
    caller: Caller,
    roadmapRef: string,
    code: string,
    patch: ActionPatch,
    opts: { kind?: Update['kind']; meta?: Meta; tx?: Db; roadmap?: RoadmapRow } = {},
  ) {
    if (caller.kind === 'anonymous') requireUser(caller);
    const actor = actorOf(caller);
    const run = async (tx: Db) => {
      const roadmap = opts.roadmap ?? (await roadmapOr404(roadmapRef, tx));
      const a = await actionOr404(roadmap.id, code, tx, true);
      if (!canEditAction(caller, a)) {
        throw new ForbiddenError(
          `Seuls l’administrateur ministériel et les administrateurs des données des organisations contributrices peuvent mettre à jour l’action ${a.code}.`,
        );
      }
      if (!steersAll(caller) && (patch.deadline !== undefined || patch.deadlineEnd !== undefined || patch.contributors !== undefined)) {
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

  async function updateOpening(caller: Caller, roadmapRef: string, openingId: string, patch: OpeningPatch, meta: Meta = {}): Promise<Opening> {
    if (caller.kind === 'anonymous') requireUser(caller);
    const actor = actorOf(caller);
    // Read the catalogue before the transaction (see updateAction).
    if (patch.assetId) await validateAssets([patch.assetId], 'assetId');
    const linked = patch.assetId ? await catalog()?.getAssetById(patch.assetId) : null;
    return ctx.db.transaction(async (tx) => {
      const roadmap = await roadmapOr404(roadmapRef, tx);
      const o = await repo.findOpening(roadmap.id, openingId, tx);
      if (!o) throw new NotFoundError('Ouverture introuvable dans cette feuille de route.');
      if (!canEditOpening(caller, o))
        throw new ForbiddenError(
          'Seuls l’administrateur ministériel et les administrateurs des données de l’organisation responsable peuvent mettre à jour cette ouverture.',
        );
      if (!steersAll(caller) && (patch.organisationCode !== undefined || patch.due !== undefined)) {
        throw new ForbiddenError('Seul l’administrateur ministériel modifie l’échéance et l’organisation responsable d’une ouverture.');
      }
      const now = ctx.clock.now();
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

  async function createRoadmap(caller: Caller, input: CreateRoadmap, meta: Meta = {}) {
    requireSteering(caller, 'Seul l’administrateur ministériel crée une feuille de route.');
    const actor = actorOf(caller);
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
  async function carryOver(caller: Caller, roadmapRef: string, code: string, input: CarryOver, meta: Meta = {}) {
    requireSteering(caller, 'Seul l’administrateur ministériel reprend une action dans une autre feuille de route.');
    const actor = actorOf(caller);
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
  async function bulkUpdate(caller: Caller, roadmapRef: string, csv: string, dryRun: boolean, meta: Meta = {}): Promise<BulkUpdateResult> {
    if (caller.kind === 'anonymous') requireUser(caller);
    const roadmap = await roadmapOr404(roadmapRef);
    const parsed = parseBulkCsv(csv);
    const actor = actorOf(caller);
    const result: BulkUpdateResult = { dryRun, applied: false, lines: parsed.lines.length, updated: [], unchanged: 0, errors: [...parsed.errors] };
    try {
      await ctx.db.transaction(async (tx) => {
        for (const l of parsed.lines) {
          if (result.errors.some((e) => e.field.startsWith(`lignes.${l.line}.`))) continue;
          try {
            const { update } = await updateAction(
              caller,
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

  /** `updateAction` as the API answers it: the dated log entry and the action as the caller now sees it. */
  async function editAction(caller: Caller, roadmapRef: string, code: string, patch: ActionPatch, meta: Meta = {}) {
    const { roadmap, update } = await updateAction(caller, roadmapRef, code, patch, { meta });
    return { update: toUpdateDto(update), action: await queries.actionOf(caller, roadmap.id, code) };
  }

  /** Records a decision of the committee of a quarter (admin). */
  async function createDecision(caller: Caller, roadmapRef: string, input: DecisionInput, meta: Meta = {}) {
    requireSteering(caller, 'Seul l’administrateur ministériel enregistre les décisions du comité.');
    const actor = actorOf(caller);
    const r = await roadmapOr404(roadmapRef);
    const d = await ctx.db.transaction(async (tx) => {
      if (input.actionCode && !(await repo.findAction(r.id, input.actionCode, tx)))
        throw fieldError('actionCode', `Action « ${input.actionCode} » introuvable.`);
      const row = await repo.insertDecision(
        {
          roadmapId: r.id,
          quarter: input.quarter,
          text: input.text,
          actionCode: input.actionCode?.toUpperCase() || null,
          actorId: actor.id,
          actorLabel: actor.label,
          createdAt: ctx.clock.now(),
        },
        tx,
      );
      await recordAudit(tx, { actor, action: 'roadmap.decision.create', entityType: 'roadmap_decision', entityId: row.id, after: row, ...meta });
      return row;
    });
    return toDecisionDto(d);
  }

  /** Deletes a decision recorded by mistake (admin). */
  async function deleteDecision(caller: Caller, roadmapRef: string, decisionId: string, meta: Meta = {}): Promise<void> {
    requireSteering(caller, 'Seul l’administrateur ministériel supprime une décision du comité.');
    const actor = actorOf(caller);
    const r = await roadmapOr404(roadmapRef);
    await ctx.db.transaction(async (tx) => {
      const d = await repo.deleteDecision(r.id, decisionId, tx);
      if (!d) throw new NotFoundError('Décision introuvable.');
      await recordAudit(tx, { actor, action: 'roadmap.decision.delete', entityType: 'roadmap_decision', entityId: d.id, before: d, ...meta });
    });
  }

  const feeds: RoadmapFeed[] = [];
  /** Lets another module add gaps and report sections (governance: vacancies of the network, review campaigns). */
  function registerFeed(feed: RoadmapFeed): void {
    feeds.push(feed);
  }
  const queries = createRoadmapQueries(ctx, repo, catalog, { roadmapOr404, actionOr404, lineage, feeds });

  return {
    ...queries,
    repo,
    roadmapOr404,
    actionOr404,
    lineage,
    updateAction,
    editAction,
    updateOpening,
    bulkUpdate,
    onAssetChanged,
    createRoadmap,
    carryOver,
    createDecision,
    deleteDecision,
    validateAssets,
    registerFeed,
  };
}
export type RoadmapService = ReturnType<typeof createRoadmapService>;
