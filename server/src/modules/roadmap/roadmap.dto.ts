import type { Action, Decision, Indicator, Opening, Roadmap, Update } from '@patrimoine/contracts/roadmap';
import { SYSTEM_ACTOR_LABEL } from '@patrimoine/contracts/platform';
import { isSystem, requireUser, type Caller } from '../../platform/auth/principal.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { ActionWithOrgs, DecisionRow, IndicatorRow, OpeningRow, RoadmapRow, UpdateRow } from './roadmap.repository.ts';
import { finalDeadline, isOverdue, openingTimeliness, periodLabel, periodLastDay } from './periods.ts';

/** Rows to the contract's shapes (`@patrimoine/contracts/roadmap`), and who may do what. */

export function toActionDto(
  a: ActionWithOrgs,
  now: Date,
  extra: { lastNote?: { at: Date; actorLabel: string; note: string } | null; canEdit?: boolean } = {},
): Action {
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
    updatedAt: a.updatedAt,
    lastNote: extra.lastNote ? { at: extra.lastNote.at, actorLabel: actorLabelOf(extra.lastNote.actorLabel), note: extra.lastNote.note } : null,
    canEdit: extra.canEdit ?? false,
  };
}

export function toOpeningDto(o: OpeningRow, organisationCode: string | null, now: Date, canEdit = false): Opening {
  return {
    id: o.id,
    position: o.position,
    category: o.category,
    title: o.title,
    type: o.type,
    due: o.due,
    dueLabel: periodLabel(o.due),
    status: o.status,
    availableOn: o.availableOn,
    timeliness: openingTimeliness(o, now),
    assetId: o.assetId,
    organisationCode,
    updatedAt: o.updatedAt,
    canEdit,
  };
}

/**
 * The stored author of a log entry as the API sends it. Entries written by the reference import
 * before the system actor had one label say « système »: they are the system's too.
 */
export const actorLabelOf = (label: string) => (label === 'système' ? SYSTEM_ACTOR_LABEL : label);

export function toUpdateDto(u: UpdateRow, codes: Map<string, { code: string; roadmapTitle?: string }> = new Map()): Update {
  return {
    id: u.id,
    at: u.at,
    actorLabel: actorLabelOf(u.actorLabel),
    kind: u.kind as Update['kind'],
    note: u.note,
    changes: u.changes,
    statusAfter: u.statusAfter,
    progressAfter: u.progressAfter,
    actionCode: u.actionId ? (codes.get(u.actionId)?.code ?? null) : null,
    roadmapTitle: u.actionId ? (codes.get(u.actionId)?.roadmapTitle ?? null) : null,
  };
}

export function toIndicatorDto(i: IndicatorRow): Indicator {
  return { id: i.id, name: i.name, unit: i.unit, target: i.target, currentValue: i.currentValue, history: i.history, updatedAt: i.updatedAt };
}

export function toDecisionDto(d: DecisionRow): Decision {
  return { id: d.id, quarter: d.quarter, text: d.text, actionCode: d.actionCode, actorLabel: d.actorLabel, createdAt: d.createdAt };
}

export function toRoadmapDto(r: RoadmapRow): Roadmap {
  return { id: r.id, slug: r.slug, title: r.title, startYear: r.startYear, endYear: r.endYear, source: r.source, public: r.public };
}

/**
 * Whether the caller steers the whole roadmap: the ministry's administrator, or the system (seed,
 * demo, CLI). An anonymous visitor never does.
 */
export function steersAll(c: Caller): boolean {
  return isSystem(c) || (c.kind === 'user' && c.role === 'admin');
}

/** May the caller update this action? Admin and system: all; data administrator: actions their organisation contributes to. */
export function canEditAction(c: Caller, a: { organisations: { id: string }[] }): boolean {
  if (steersAll(c)) return true;
  return c.kind === 'user' && c.role === 'data_admin' && !!c.organisationId && a.organisations.some((o) => o.id === c.organisationId);
}

export function canEditOpening(c: Caller, o: { organisationId: string | null }): boolean {
  if (steersAll(c)) return true;
  return c.kind === 'user' && c.role === 'data_admin' && !!c.organisationId && o.organisationId === c.organisationId;
}

/** Internal pages: a signed-in account or the system; 401 for an anonymous visitor. */
export function requireReader(c: Caller): void {
  if (!isSystem(c)) requireUser(c);
}

/** Administration of the roadmaps (creation, carry-over, committee decisions): the admin or the system. */
export function requireSteering(c: Caller, message: string): void {
  requireReader(c);
  if (!steersAll(c)) throw new ForbiddenError(message);
}
