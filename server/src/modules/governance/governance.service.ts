import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  appointmentInput,
  appointmentPatch,
  campaignInput,
  decisionInput,
  governanceRoleLabels,
  gridInput,
  projectInput,
  regionName,
  regions,
  reviewOutcomeLabels,
  scoreInput,
  type Appointment,
  type Campaign,
  type Criterion,
  type DirectorateProgress,
  type Network,
  type NetworkSlot,
  type Project,
  type ReviewItem,
} from '@patrimoine/contracts/governance';
import type { ReportSection, RoadmapGap } from '@patrimoine/contracts/roadmap';
import type { AppContext, ModuleServices } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { SYSTEM, actorOf, isUser, requireUser, type Caller, type Principal } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError, type FieldError } from '../../platform/errors.ts';
import { createGovernanceRepository, type AppointmentWithOrg, type CampaignRow, type CriterionRow, type ProjectRow } from './governance.repository.ts';
import { scoreProject as computeScore } from './governance.scoring.ts';

/** Organisation kinds that should each have a business data administrator (A57). */
export const DIRECTORATE_KINDS = ['secretariat_general', 'direction_generale', 'direction', 'delegation'];
/** The roadmap whose actions the directory feeds (the reference roadmap « Données, algorithmes, codes sources 2021-2023 »). */
export const FED_ROADMAP = 'dac-2021-2023';
/** Mission letters: PDF only, 5 MB at most. */
export const LETTER_LIMIT = 5 * 1024 * 1024;

export interface Meta {
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

type Catalog = ModuleServices['catalog'];
type Roadmap = ModuleServices['roadmap'];

/** Paris calendar day of an instant (YYYY-MM-DD). */
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
export const parisDay = (d: Date) => DAY.format(d);
const frDay = (ymd: string) => ymd.split('-').reverse().join('/');

function requireAdmin(c: Caller, what: string): void {
  if (c.kind === 'system') return;
  const p = requireUser(c);
  if (p.role !== 'admin') throw new ForbiddenError(`Seul l’administrateur ministériel des données ${what}.`);
}
function requireReader(c: Caller): void {
  if (c.kind !== 'system') requireUser(c);
}
const isCurrent = (a: { appointedOn: string; until: string | null }, day: string) => a.appointedOn <= day && (!a.until || a.until >= day);

export function toAppointment(a: AppointmentWithOrg, today: string): Appointment {
  return {
    id: a.id,
    role: a.role,
    position: a.position,
    organisation: a.organisationId && a.orgCode ? { id: a.organisationId, code: a.orgCode, name: a.orgName ?? a.orgCode } : null,
    region: a.region,
    regionName: a.region ? regionName(a.region) : null,
    personName: a.personName,
    email: a.email,
    phone: a.phone,
    userLogin: a.userLogin,
    appointedOn: a.appointedOn,
    until: a.until,
    current: isCurrent(a, today),
    public: a.public,
    note: a.note,
    letter:
      a.letterFile && a.letterSignedOn
        ? {
            signedOn: a.letterSignedOn,
            signatory: a.letterSignatory ?? '',
            size: a.letterSize ?? 0,
            sha256: a.letterSha256 ?? '',
            uploadedAt: a.letterUploadedAt ?? a.updatedAt,
            uploadedBy: a.letterUploadedBy ?? '',
          }
        : null,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function createGovernanceService(ctx: AppContext, services: () => { catalog?: Catalog; roadmap?: Roadmap }) {
  const repo = createGovernanceRepository(ctx.db);
  const letterDir = path.join(ctx.env.dataDir, 'governance', 'letters');
  const now = () => ctx.clock.now();
  const today = () => parisDay(now());

  async function directorates(tx: Db = ctx.db) {
    return (await ctx.organisations.list(tx)).filter((o) => DIRECTORATE_KINDS.includes(o.kind));
  }

  // ---------------------------------------------------------------- the network

  /** Who holds which place of the network on `day`: ministerial roles, directorates, régions. */
  async function networkAt(day: string, tx: Db = ctx.db): Promise<Network> {
    const all = await repo.listAppointments({ currentAt: day }, tx);
    const dto = all.map((a) => toAppointment(a, day));
    const slot = (
      key: string,
      role: NetworkSlot['role'],
      label: string,
      match: (a: Appointment) => boolean,
      org: string | null,
      region: string | null,
    ): NetworkSlot => {
      const people = dto.filter((a) => a.role === role && match(a));
      const titular = people.find((a) => a.position === 'titulaire') ?? null;
      return {
        key,
        role,
        label,
        organisationCode: org,
        region,
        titular,
        deputies: people.filter((a) => a.position === 'suppleant'),
        vacant: !titular,
        missingLetter: !!titular && !titular.letter,
      };
    };
    const ministerial = [
      slot('administrateur_ministeriel', 'administrateur_ministeriel', governanceRoleLabels.administrateur_ministeriel, () => true, null, null),
      slot('referent_algorithmes', 'referent_algorithmes', governanceRoleLabels.referent_algorithmes, () => true, null, null),
    ];
    const dirs = (await directorates(tx)).map((o) =>
      slot(`org:${o.code}`, 'administrateur_metier', `${o.code} — ${o.name}`, (a) => a.organisation?.code === o.code, o.code, null),
    );
    const regs = regions.map((r) => slot(`region:${r.code}`, 'referent_prefecture', r.name, (a) => a.region === r.code, null, r.code));
    return {
      asOf: now(),
      ministerial,
      directorates: dirs,
      regions: regs,
      summary: {
        directorates: dirs.length,
        directoratesFilled: dirs.filter((s) => !s.vacant).length,
        directoratesWithLetter: dirs.filter((s) => !s.vacant && !s.missingLetter).length,
        regions: regs.length,
        regionsFilled: regs.filter((s) => !s.vacant).length,
        regionsWithLetter: regs.filter((s) => !s.vacant && !s.missingLetter).length,
      },
    };
  }

  /** The gaps of the network on `day`, as the roadmap shows them (A41, A57–A60). */
  async function gapsAt(day: string, tx: Db = ctx.db): Promise<Omit<RoadmapGap, 'source'>[]> {
    const n = await networkAt(day, tx);
    const gaps: Omit<RoadmapGap, 'source'>[] = [];
    for (const s of n.directorates) {
      if (s.vacant) gaps.push({ actionCode: 'A57', organisation: s.organisationCode, label: 'Aucun administrateur des données métiers nommé' });
      else if (s.missingLetter)
        gaps.push({ actionCode: 'A58', organisation: s.organisationCode, label: `Lettre de mission absente (${s.titular!.personName})` });
    }
    for (const s of n.regions) {
      if (s.vacant) gaps.push({ actionCode: 'A59', organisation: 'SGAR', label: `${s.label} : aucun référent données, algorithmes et codes sources désigné` });
      else if (s.missingLetter)
        gaps.push({ actionCode: 'A60', organisation: 'SGAR', label: `${s.label} : lettre de mission absente (${s.titular!.personName})` });
    }
    if (n.ministerial[1]!.vacant) gaps.push({ actionCode: 'A41', organisation: 'DNUM', label: 'Aucun référent algorithmes nommé' });
    return gaps;
  }

  /**
   * Feeds the roadmap's actions A41 and A57–A60 from the directory, inside `tx` (ADR 0702): progress
   * is the share of places filled (with a letter for A58 and A60), the status follows (à lancer, en
   * cours, réalisée), and an indicator records the count. Nothing is written when nothing changed.
   */
  async function syncRoadmap(tx: Db): Promise<void> {
    const roadmap = services().roadmap;
    if (!roadmap) return;
    const r = await roadmap.repo.findRoadmap(FED_ROADMAP, tx);
    if (!r) return;
    const n = await networkAt(today(), tx);
    const s = n.summary;
    const feeds: { code: string; done: number; total: number; indicator: string; unit: string }[] = [
      {
        code: 'A57',
        done: s.directoratesFilled,
        total: s.directorates,
        indicator: 'Directions dotées d’un administrateur des données métiers',
        unit: 'directions',
      },
      {
        code: 'A58',
        done: s.directoratesWithLetter,
        total: s.directorates,
        indicator: 'Administrateurs des données métiers ayant reçu leur lettre de mission',
        unit: 'directions',
      },
      { code: 'A59', done: s.regionsFilled, total: s.regions, indicator: 'Préfectures de région dotées d’un référent', unit: 'régions' },
      { code: 'A60', done: s.regionsWithLetter, total: s.regions, indicator: 'Référents de préfecture ayant reçu leur lettre de mission', unit: 'régions' },
      { code: 'A41', done: n.ministerial[1]!.vacant ? 0 : 1, total: 1, indicator: 'Référent algorithmes nommé', unit: 'référent' },
    ];
    for (const f of feeds) {
      const a = await roadmap.repo.findAction(r.id, f.code, tx);
      if (!a || a.status === 'abandonnee') continue;
      const progress = f.total ? Math.round((100 * f.done) / f.total) : 0;
      const status = progress >= 100 ? 'realisee' : progress > 0 ? 'en_cours' : 'a_lancer';
      const indicator = (await roadmap.repo.listIndicators([a.id], tx)).find((i) => i.name === f.indicator);
      if (a.progress === progress && a.status === status && indicator?.currentValue === String(f.done) && indicator?.target === String(f.total)) continue;
      await roadmap.updateAction(
        SYSTEM,
        r.id,
        f.code,
        {
          status,
          progress,
          indicators: [{ name: f.indicator, unit: f.unit, target: String(f.total), value: String(f.done) }],
          note: `Annuaire de la gouvernance des données : ${f.done} sur ${f.total}.`,
        },
        { kind: 'automatic', tx, roadmap: r },
      );
    }
  }

  async function resolveAppointment(input: z.output<typeof appointmentInput>, tx: Db): Promise<{ organisationId: string | null; region: string | null }> {
    const errors: FieldError[] = [];
    let organisationId: string | null = null;
    let region: string | null = null;
    if (input.role === 'administrateur_metier') {
      if (!input.organisation) errors.push({ field: 'organisation', message: 'direction obligatoire pour un administrateur des données métiers' });
      else {
        const o = await ctx.organisations.findByCode(input.organisation, tx);
        if (!o) errors.push({ field: 'organisation', message: `organisation inconnue : ${input.organisation}` });
        else if (!DIRECTORATE_KINDS.includes(o.kind)) errors.push({ field: 'organisation', message: `${o.code} n’est pas une direction` });
        else organisationId = o.id;
      }
    } else if (input.organisation) {
      const o = await ctx.organisations.findByCode(input.organisation, tx);
      if (!o) errors.push({ field: 'organisation', message: `organisation inconnue : ${input.organisation}` });
      else organisationId = o.id;
    }
    if (input.role === 'referent_prefecture') {
      if (!input.region || !regions.some((r) => r.code === input.region))
        errors.push({ field: 'region', message: 'région attendue (code INSEE de la région)' });
      else region = input.region;
    } else if (input.region) errors.push({ field: 'region', message: 'la région ne concerne que les référents de préfecture' });
    if (input.until && input.until < input.appointedOn) errors.push({ field: 'until', message: 'la fin de mandat précède la nomination' });
    if (input.userLogin && !(await ctx.usersRepo.findByLogin(input.userLogin, tx)))
      errors.push({ field: 'userLogin', message: `compte inconnu : ${input.userLogin}` });
    if (errors.length) throw new ValidationError(`Nomination invalide : ${errors.map((e) => e.field).join(', ')}`, errors);
    return { organisationId, region };
  }

  async function appointmentOr404(id: string, tx: Db = ctx.db) {
    const a = await repo.findAppointment(id, tx);
    if (!a) throw new NotFoundError('Nomination introuvable.');
    return a;
  }

  const service = {
    repo,
    networkAt,
    gapsAt,
    syncRoadmap,

    async network(c: Caller): Promise<Network> {
      requireReader(c);
      return networkAt(today());
    },

    async publicNetwork() {
      const n = await networkAt(today());
      const items = [...n.ministerial, ...n.directorates, ...n.regions]
        .flatMap((s) => (s.titular && s.titular.public ? [s.titular] : []))
        .map((a) => ({ role: a.role, organisation: a.organisation?.code ?? null, region: a.regionName, personName: a.personName }));
      return { asOf: n.asOf, items };
    },

    async listAppointments(c: Caller, f: { role?: string; organisation?: string; region?: string; history?: boolean }): Promise<Appointment[]> {
      requireReader(c);
      const org = f.organisation ? await ctx.organisations.findByCode(f.organisation) : null;
      if (f.organisation && !org) throw fieldError('organisation', `organisation inconnue : ${f.organisation}`);
      const day = today();
      const rows = await repo.listAppointments({ role: f.role, organisationId: org?.id, region: f.region, currentAt: f.history ? undefined : day });
      return rows.map((a) => toAppointment(a, day));
    },

    async getAppointment(c: Caller, id: string): Promise<Appointment> {
      requireReader(c);
      return toAppointment(await appointmentOr404(id), today());
    },

    async createAppointment(c: Caller, body: unknown, meta: Meta = {}, isDemo = false): Promise<Appointment> {
      requireAdmin(c, 'nomme les membres du réseau');
      const input = appointmentInput.parse(body);
      const at = now();
      const id = await ctx.db.transaction(async (tx) => {
        const { organisationId, region } = await resolveAppointment(input, tx);
        const row = await repo.insertAppointment(
          {
            role: input.role,
            position: input.position,
            organisationId,
            region,
            personName: input.personName,
            email: input.email.toLowerCase(),
            phone: input.phone || null,
            userLogin: input.userLogin || null,
            appointedOn: input.appointedOn,
            until: input.until ?? null,
            public: input.public,
            note: input.note || null,
            isDemo,
            createdAt: at,
            updatedAt: at,
          },
          tx,
        );
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.appointment.create',
          entityType: 'governance_appointment',
          entityId: row.id,
          after: row,
          ...meta,
        });
        await syncRoadmap(tx);
        return row.id;
      });
      return toAppointment((await repo.findAppointment(id))!, today());
    },

    async updateAppointment(c: Caller, id: string, body: unknown, meta: Meta = {}): Promise<Appointment> {
      requireAdmin(c, 'modifie les nominations');
      const patch = appointmentPatch.parse(body);
      await ctx.db.transaction(async (tx) => {
        const cur = await appointmentOr404(id, tx);
        const merged = appointmentInput.parse({
          role: patch.role ?? cur.role,
          position: patch.position ?? cur.position,
          organisation: patch.organisation !== undefined ? patch.organisation : cur.orgCode,
          region: patch.region !== undefined ? patch.region : cur.region,
          personName: patch.personName ?? cur.personName,
          email: patch.email ?? cur.email ?? '',
          phone: patch.phone !== undefined ? patch.phone : cur.phone,
          userLogin: patch.userLogin !== undefined ? patch.userLogin : cur.userLogin,
          appointedOn: patch.appointedOn ?? cur.appointedOn,
          until: patch.until !== undefined ? patch.until : cur.until,
          public: patch.public ?? cur.public,
          note: patch.note !== undefined ? patch.note : cur.note,
        });
        const { organisationId, region } = await resolveAppointment(merged, tx);
        const row = await repo.updateAppointment(
          id,
          patch.version,
          {
            role: merged.role,
            position: merged.position,
            organisationId,
            region,
            personName: merged.personName,
            email: merged.email.toLowerCase(),
            phone: merged.phone || null,
            userLogin: merged.userLogin || null,
            appointedOn: merged.appointedOn,
            until: merged.until ?? null,
            public: merged.public,
            note: merged.note || null,
            updatedAt: now(),
          },
          tx,
        );
        if (!row)
          throw new ConflictError('La nomination a été modifiée entre-temps : rechargez la page.', {
            errors: [{ field: 'version', message: 'version périmée' }],
          });
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.appointment.update',
          entityType: 'governance_appointment',
          entityId: id,
          before: cur,
          after: row,
          ...meta,
        });
        await syncRoadmap(tx);
      });
      return toAppointment((await repo.findAppointment(id))!, today());
    },

    async deleteAppointment(c: Caller, id: string, meta: Meta = {}): Promise<void> {
      requireAdmin(c, 'supprime une nomination');
      const removed = await ctx.db.transaction(async (tx) => {
        const row = await repo.deleteAppointment(id, tx);
        if (!row) throw new NotFoundError('Nomination introuvable.');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.appointment.delete',
          entityType: 'governance_appointment',
          entityId: id,
          before: row,
          ...meta,
        });
        await syncRoadmap(tx);
        return row;
      });
      if (removed.letterFile) fs.rmSync(path.join(letterDir, path.basename(removed.letterFile)), { force: true });
    },

    /**
     * Stores the mission letter of an appointment (A58, A60): a PDF (magic bytes `%PDF-`) of 5 MB at
     * most, under the data directory (0600), with its date and signatory; replaces a previous letter.
     */
    async putLetter(c: Caller, id: string, pdf: Buffer | null, fields: Record<string, string>, meta: Meta = {}): Promise<Appointment> {
      requireAdmin(c, 'dépose les lettres de mission');
      const errors: FieldError[] = [];
      if (!pdf || !pdf.length) errors.push({ field: 'letter', message: 'joignez la lettre de mission (PDF)' });
      else if (pdf.length > LETTER_LIMIT) errors.push({ field: 'letter', message: 'lettre trop volumineuse (5 Mo au plus)' });
      else if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') errors.push({ field: 'letter', message: 'la lettre de mission doit être un fichier PDF' });
      const signedOn = (fields.signedOn ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(signedOn) || Number.isNaN(Date.parse(signedOn)))
        errors.push({ field: 'signedOn', message: 'date de signature attendue (AAAA-MM-JJ)' });
      else if (signedOn > today()) errors.push({ field: 'signedOn', message: 'la date de signature est dans le futur' });
      const signatory = (fields.signatory ?? '').trim();
      if (signatory.length < 3 || signatory.length > 200) errors.push({ field: 'signatory', message: 'signataire attendu (3 à 200 caractères)' });
      if (errors.length) throw new ValidationError(`Lettre de mission invalide : ${errors.map((e) => e.field).join(', ')}`, errors);
      const file = `${randomUUID()}.pdf`;
      fs.mkdirSync(letterDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(letterDir, file), pdf!, { mode: 0o600 });
      let previous: string | null = null;
      try {
        await ctx.db.transaction(async (tx) => {
          const cur = await appointmentOr404(id, tx);
          previous = cur.letterFile;
          const actor = actorOf(c);
          const row = await repo.updateAppointment(
            id,
            cur.version,
            {
              letterFile: file,
              letterSignedOn: signedOn,
              letterSignatory: signatory,
              letterSize: pdf!.length,
              letterSha256: createHash('sha256').update(pdf!).digest('hex'),
              letterUploadedAt: now(),
              letterUploadedBy: actor.label,
              updatedAt: now(),
            },
            tx,
          );
          if (!row) throw new ConflictError('La nomination a été modifiée entre-temps : réessayez.');
          await recordAudit(tx, {
            actor,
            action: 'governance.letter.upload',
            entityType: 'governance_appointment',
            entityId: id,
            before: { letter: cur.letterSha256 },
            after: { letter: row.letterSha256, signedOn, signatory, size: pdf!.length },
            ...meta,
          });
          await syncRoadmap(tx);
        });
      } catch (e) {
        fs.rmSync(path.join(letterDir, file), { force: true });
        throw e;
      }
      if (previous) fs.rmSync(path.join(letterDir, path.basename(previous)), { force: true });
      return toAppointment((await repo.findAppointment(id))!, today());
    },

    /** Path of the letter for a reader: the ministerial administrator, or the data administrator of the directorate. */
    async letterPath(c: Caller, id: string): Promise<{ file: string; name: string }> {
      const p = requireUser(c);
      const a = await appointmentOr404(id);
      if (!a.letterFile) throw new NotFoundError('Aucune lettre de mission pour cette nomination.');
      if (p.role !== 'admin' && !(p.role === 'data_admin' && a.organisationId && p.organisationId === a.organisationId) && p.login !== a.userLogin)
        throw new ForbiddenError('La lettre de mission n’est visible que de l’administrateur ministériel, de la direction concernée et de la personne nommée.');
      return { file: path.join(letterDir, path.basename(a.letterFile)), name: `lettre-de-mission-${a.id}.pdf` };
    },
  };

  // ---------------------------------------------------------------- review campaigns (A28)

  const periodDays = () => ctx.env.GOVERNANCE_REVIEW_PERIOD_DAYS;

  function progressOf(rows: { organisationId: string; code: string; name: string; outcome: string; n: number }[]) {
    const by = new Map<string, DirectorateProgress>();
    for (const r of rows) {
      let g = by.get(r.code);
      if (!g) by.set(r.code, (g = { organisationCode: r.code, organisationName: r.name, total: 0, confirmed: 0, modified: 0, pending: 0, percent: 0 }));
      g.total += r.n;
      if (r.outcome === 'confirme') g.confirmed += r.n;
      else if (r.outcome === 'modifie') g.modified += r.n;
      else g.pending += r.n;
    }
    const list = [...by.values()].sort((a, b) => a.organisationCode.localeCompare(b.organisationCode));
    for (const g of list) g.percent = g.total ? Math.round((100 * (g.confirmed + g.modified)) / g.total) : 100;
    const t = list.reduce(
      (s, g) => ({ total: s.total + g.total, confirmed: s.confirmed + g.confirmed, modified: s.modified + g.modified, pending: s.pending + g.pending }),
      {
        total: 0,
        confirmed: 0,
        modified: 0,
        pending: 0,
      },
    );
    return { byDirectorate: list, totals: { ...t, percent: t.total ? Math.round((100 * (t.confirmed + t.modified)) / t.total) : 100 } };
  }

  async function campaignsDto(rows: CampaignRow[], tx: Db = ctx.db): Promise<Campaign[]> {
    const prog = await repo.progress(
      rows.map((r) => r.id),
      tx,
    );
    const day = today();
    return rows.map((r) => {
      const p = progressOf(prog.filter((x) => x.campaignId === r.id));
      return {
        id: r.id,
        title: r.title,
        status: r.status,
        startedOn: r.startedOn,
        dueOn: r.dueOn,
        overdue: r.status === 'ouverte' && r.dueOn < day,
        remindDaysBefore: r.remindDaysBefore,
        lastReminderOn: r.lastReminderOn,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
        closedAt: r.closedAt,
        ...p,
      };
    });
  }

  async function campaignOr404(id: string, tx: Db = ctx.db) {
    const r = await repo.findCampaign(id, tx);
    if (!r) throw new NotFoundError('Campagne de revue introuvable.');
    return r;
  }

  function catalogOr409(): Catalog {
    const c = services().catalog;
    if (!c) throw new ConflictError('Le module catalogue n’est pas installé : pas de revue de la cartographie.');
    return c;
  }

  /** Flags the assets not confirmed for longer than the policy's period as stale (GOVERNANCE_REVIEW_PERIOD_DAYS). */
  async function sweepStale(tx: Db) {
    const cat = services().catalog;
    if (!cat) return { flagged: 0, cleared: 0 };
    return cat.sweepStale(new Date(now().getTime() - periodDays() * 86400_000), tx);
  }

  /** Recipients of a directorate's reminders: its business data administrators in office (titular and deputies). */
  async function recipientsByOrg(day: string, tx: Db) {
    const m = new Map<string, string[]>();
    for (const a of await repo.listAppointments({ role: 'administrateur_metier', currentAt: day }, tx))
      if (a.organisationId && a.email) m.set(a.organisationId, [...(m.get(a.organisationId) ?? []), a.email]);
    return m;
  }

  /** Sends one reminder per directorate with assets still to review, queued in `tx` (delivered by the platform mailer). */
  async function sendReminders(cmp: CampaignRow, tx: Db): Promise<{ sent: number; recipients: string[] }> {
    const prog = progressOf(await repo.progress([cmp.id], tx));
    const orgs = new Map((await ctx.organisations.list(tx)).map((o) => [o.code, o]));
    const to = await recipientsByOrg(today(), tx);
    const url = `${ctx.env.publicUrl.replace(/\/$/, '')}/gouvernance/revues/${cmp.id}`;
    let sent = 0;
    const recipients: string[] = [];
    for (const g of prog.byDirectorate) {
      if (!g.pending) continue;
      const org = orgs.get(g.organisationCode);
      const emails = org ? (to.get(org.id) ?? []) : [];
      if (!emails.length) continue;
      const text = [
        'Bonjour,',
        '',
        `La campagne de revue de la cartographie « ${cmp.title} » attend la confirmation des actifs de ${g.organisationName} (${g.organisationCode}) avant le ${frDay(cmp.dueOn)}.`,
        `Il reste ${g.pending} actif(s) à revoir sur ${g.total} (${g.percent} % déjà revus).`,
        '',
        `Pour chaque actif, confirmez-le sans changement en un clic ou mettez-le à jour : ${url}?organisation=${encodeURIComponent(g.organisationCode)}`,
        '',
        'Vous recevez ce message en tant qu’administrateur des données métiers de votre direction (annuaire de la gouvernance des données).',
        `Pour ne plus le recevoir, demandez à l’administrateur ministériel des données de mettre à jour l’annuaire : ${ctx.env.publicUrl.replace(/\/$/, '')}/gouvernance/reseau`,
      ].join('\n');
      await ctx.mail.send(
        {
          to: emails,
          subject: `[Patrimoine] Revue de la cartographie : ${g.pending} actif(s) à confirmer avant le ${frDay(cmp.dueOn)}`,
          text,
          headers: { 'List-Unsubscribe': `<${ctx.env.publicUrl.replace(/\/$/, '')}/gouvernance/reseau>`, 'X-Patrimoine-Campaign': cmp.id },
        },
        { tx },
      );
      sent++;
      recipients.push(...emails);
    }
    return { sent, recipients };
  }

  const campaigns = {
    sweepStale,

    async listCampaigns(c: Caller): Promise<Campaign[]> {
      requireReader(c);
      return campaignsDto(await repo.listCampaigns());
    },

    async getCampaign(c: Caller, id: string): Promise<Campaign> {
      requireReader(c);
      return (await campaignsDto([await campaignOr404(id)]))[0]!;
    },

    /** Opens a campaign: the assets owned by the directorates asked are listed, to be confirmed or updated by the due date. */
    async createCampaign(c: Caller, body: unknown, meta: Meta = {}, isDemo = false): Promise<Campaign> {
      requireAdmin(c, 'ouvre les campagnes de revue');
      const input = campaignInput.parse(body);
      const cat = catalogOr409();
      if (input.dueOn <= today()) throw fieldError('dueOn', 'l’échéance doit être postérieure à aujourd’hui');
      const id = await ctx.db.transaction(async (tx) => {
        let orgIds: string[] | undefined;
        if (input.organisations.length) {
          orgIds = [];
          for (const [i, code] of input.organisations.entries()) {
            const o = await ctx.organisations.findByCode(code, tx);
            if (!o) throw fieldError(`organisations.${i}`, `organisation inconnue : ${code}`);
            orgIds.push(o.id);
          }
        }
        const facts = await cat.reviewFacts(orgIds, tx);
        if (!facts.length) throw fieldError('organisations', 'aucun actif à revoir pour ces organisations');
        const actor = actorOf(c);
        const row = await repo.insertCampaign(
          {
            title: input.title,
            dueOn: input.dueOn,
            startedOn: today(),
            remindDaysBefore: input.remindDaysBefore,
            createdBy: actor.label,
            createdAt: now(),
            isDemo,
          },
          tx,
        );
        await repo.insertItems(
          facts.map((f) => ({ campaignId: row.id, assetId: f.id, organisationId: f.organisationId! })),
          tx,
        );
        await recordAudit(tx, {
          actor,
          action: 'governance.campaign.create',
          entityType: 'governance_campaign',
          entityId: row.id,
          after: { ...row, assets: facts.length },
          ...meta,
        });
        await sweepStale(tx);
        return row.id;
      });
      return (await campaignsDto([(await repo.findCampaign(id))!]))[0]!;
    },

    async closeCampaign(c: Caller, id: string, meta: Meta = {}): Promise<Campaign> {
      requireAdmin(c, 'clôt les campagnes de revue');
      await ctx.db.transaction(async (tx) => {
        await campaignOr404(id, tx);
        const row = await repo.closeCampaign(id, now(), tx);
        if (!row) throw new ConflictError('La campagne est déjà close.');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.campaign.close',
          entityType: 'governance_campaign',
          entityId: id,
          after: { status: 'close' },
          ...meta,
        });
      });
      return (await campaignsDto([await campaignOr404(id)]))[0]!;
    },

    /** The assets of a campaign with their completeness, last confirmation and outcome; `pageSize: null` gives all (CSV). */
    async reviewItems(
      c: Caller,
      id: string,
      f: { organisation?: string; outcome?: string },
      page: { page: number; pageSize: number } | null,
    ): Promise<{ campaign: CampaignRow; items: ReviewItem[]; total: number }> {
      requireReader(c);
      const cat = catalogOr409();
      const cmp = await campaignOr404(id);
      const org = f.organisation ? await ctx.organisations.findByCode(f.organisation) : null;
      if (f.organisation && !org) throw fieldError('organisation', `organisation inconnue : ${f.organisation}`);
      const { rows, total } = await repo.items(
        id,
        { organisationId: org?.id, outcome: f.outcome },
        page ? page.pageSize : 100_000,
        page ? (page.page - 1) * page.pageSize : 0,
      );
      const orgIds = [...new Set(rows.map((r) => r.i.organisationId))];
      const facts = new Map((await cat.reviewFacts(orgIds)).map((x) => [x.id, x]));
      const p = isUser(c) ? c : null;
      const items = rows.flatMap(({ i, code }) => {
        const a = facts.get(i.assetId);
        if (!a) return []; // deleted from the catalogue since the campaign opened
        return [
          {
            assetId: a.id,
            kind: a.kind,
            slug: a.slug,
            title: a.title,
            organisationCode: code,
            completeness: a.completeness,
            lastConfirmedAt: a.lastConfirmedAt,
            stale: a.stale,
            outcome: i.outcome,
            reviewedAt: i.reviewedAt,
            reviewedBy: i.reviewedBy,
            canConfirm: cmp.status === 'ouverte' && !!p && (p.role === 'admin' || (p.role === 'data_admin' && p.organisationId === a.organisationId)),
          },
        ];
      });
      return { campaign: cmp, items, total };
    },

    /** « Confirmed unchanged » in one click: the catalogue records the confirmation (clearing the stale flag), the campaign the outcome. */
    async confirm(c: Caller, id: string, assetId: string, meta: Meta = {}): Promise<ReviewItem> {
      const p = requireUser(c);
      const cat = catalogOr409();
      await ctx.db.transaction(async (tx) => {
        const cmp = await campaignOr404(id, tx);
        if (cmp.status !== 'ouverte') throw new ConflictError('La campagne est close : plus de confirmation possible.');
        const item = await repo.findItem(id, assetId, tx);
        if (!item) throw new NotFoundError('Cet actif ne fait pas partie de la campagne.');
        // The catalogue decides who may confirm (the owner's data administrator, or the ministerial administrator).
        await cat.confirmAsset(assetId, p, tx, now());
        const actor = actorOf(p);
        await repo.setOutcome(id, assetId, 'confirme', now(), actor.label, tx);
        await recordAudit(tx, {
          actor,
          action: 'governance.review.confirm',
          entityType: 'governance_campaign',
          entityId: `${id}/${assetId}`,
          before: { outcome: item.outcome },
          after: { outcome: 'confirme' },
          ...meta,
        });
      });
      const org = await ctx.organisations.findById((await repo.findItem(id, assetId))!.organisationId);
      const all = await campaigns.reviewItems(c, id, { organisation: org?.code }, null);
      return all.items.find((i) => i.assetId === assetId)!;
    },

    /** Asset updated in the catalogue (the edit form): its review in the open campaigns is « updated ». */
    async onAssetChanged(p: { asset: { id: string }; actor: { label: string }; at: Date }, tx: Db) {
      await repo.markModified(p.asset.id, p.at, p.actor.label, tx);
    },

    /** Sends the reminders of a campaign now (admin), whatever the day. */
    async remind(c: Caller, id: string, meta: Meta = {}) {
      requireAdmin(c, 'envoie les relances');
      return ctx.db.transaction(async (tx) => {
        const cmp = await campaignOr404(id, tx);
        if (cmp.status !== 'ouverte') throw new ConflictError('La campagne est close : pas de relance.');
        await repo.claimReminder(id, today(), tx);
        const r = await sendReminders(cmp, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.campaign.remind',
          entityType: 'governance_campaign',
          entityId: id,
          after: { sent: r.sent },
          ...meta,
        });
        return r;
      });
    },

    /**
     * The periodic round (every node runs it; the database lets one node a day per campaign send):
     * flags stale assets, then reminds the directorates of open campaigns from `remindDaysBefore` days
     * before the due date, daily until the campaign is closed.
     */
    async tick(): Promise<{ reminded: number; stale: { flagged: number; cleared: number } }> {
      const day = today();
      let reminded = 0;
      const stale = await ctx.db.transaction((tx) => sweepStale(tx));
      for (const cmp of await repo.openCampaigns()) {
        const start = parisDay(new Date(Date.parse(`${cmp.dueOn}T12:00:00Z`) - cmp.remindDaysBefore * 86400_000));
        if (day < start) continue;
        await ctx.db.transaction(async (tx) => {
          if (!(await repo.claimReminder(cmp.id, day, tx))) return;
          const r = await sendReminders(cmp, tx);
          reminded += r.sent;
          await recordAudit(tx, {
            actor: actorOf(SYSTEM),
            action: 'governance.campaign.remind',
            entityType: 'governance_campaign',
            entityId: cmp.id,
            after: { sent: r.sent, day },
          });
        });
      }
      return { reminded, stale };
    },

    /** The committee report's section: each campaign active during the period, with its result per directorate. */
    async reportSections(period: { from: Date; to: Date }): Promise<ReportSection[]> {
      const from = parisDay(period.from);
      const to = parisDay(period.to);
      const rows = (await repo.listCampaigns()).filter((r) => r.startedOn <= to && (!r.closedAt || parisDay(r.closedAt) >= from));
      const dtos = await campaignsDto(rows);
      return dtos.map((d) => ({
        id: `revue-${d.id.slice(0, 8)}`,
        title: `Revue de la cartographie (A28) : ${d.title}`,
        summary: `Campagne ${d.status === 'close' ? 'close' : 'ouverte'} du ${frDay(d.startedOn)}, échéance le ${frDay(d.dueOn)}${d.overdue ? ' (dépassée)' : ''} : ${d.totals.confirmed + d.totals.modified} actif(s) revu(s) sur ${d.totals.total} (${d.totals.percent} %), dont ${d.totals.confirmed} ${reviewOutcomeLabels.confirme.toLowerCase()} et ${d.totals.modified} mis à jour ; ${d.totals.pending} restant(s).`,
        columns: ['Direction', 'Actifs', 'Confirmés', 'Mis à jour', 'À revoir', 'Avancement'],
        rows: d.byDirectorate.map((g) => [g.organisationCode, String(g.total), String(g.confirmed), String(g.modified), String(g.pending), `${g.percent} %`]),
      }));
    },
  };

  // ---------------------------------------------------------------- value of data projects (A29)

  const toCriterion = (r: CriterionRow): Criterion => ({
    id: r.id,
    label: r.label,
    axis: r.axis,
    weight: r.weight,
    justification: r.justification,
    position: r.position,
  });

  async function projectDto(rows: (ProjectRow & { organisationCode: string })[], crit: CriterionRow[]): Promise<Project[]> {
    const cat = services().catalog;
    const ids = [...new Set(rows.flatMap((r) => r.assetIds))];
    const assets = new Map<string, { id: string; ref: string; title: string; completeness: number }>();
    if (cat)
      for (const id of ids) {
        const a = await cat.getAssetById(id);
        if (a) assets.set(id, { id: a.id, ref: a.ref, title: a.title, completeness: a.completeness });
      }
    const active = new Set(crit.map((c) => c.id));
    return rows.map((r) => {
      const linked = r.assetIds.flatMap((id) => (assets.has(id) ? [assets.get(id)!] : []));
      return {
        id: r.id,
        title: r.title,
        description: r.description,
        organisationCode: r.organisationCode,
        assets: linked,
        catalogQuality: linked.length ? Math.round(linked.reduce((s, a) => s + a.completeness, 0) / linked.length) : null,
        status: r.status,
        scores: Object.entries(r.scores)
          .filter(([k]) => active.has(k))
          .map(([criterionId, s]) => ({ criterionId, score: s.score, comment: s.comment })),
        value: r.value,
        effort: r.effort,
        scoredBy: r.scoredBy,
        scoredAt: r.scoredAt,
        decision: r.decision,
        decidedBy: r.decidedBy,
        decidedAt: r.decidedAt,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
        version: r.version,
      };
    });
  }

  async function projectOr404(id: string, tx: Db = ctx.db) {
    const p = await repo.findProject(id, tx);
    if (!p) throw new NotFoundError('Projet introuvable.');
    return p;
  }

  const projects = {
    async grid(c: Caller) {
      requireReader(c);
      const rows = await repo.criteria();
      return { criteria: rows.map(toCriterion), updatedAt: rows.reduce<Date | null>((m, r) => (!m || r.updatedAt > m ? r.updatedAt : m), null) };
    },

    /** Replaces the grid (data team): criteria kept by id are updated, new ones added, missing ones retired (their scores stay). */
    async saveGrid(c: Caller, body: unknown, meta: Meta = {}) {
      requireAdmin(c, 'modifie la grille d’évaluation');
      const input = gridInput.parse(body);
      const axes = new Set(input.criteria.map((x) => x.axis));
      if (!axes.has('valeur') || !axes.has('effort'))
        throw fieldError('criteria', 'la grille doit compter au moins un critère de valeur et un critère d’effort');
      const labels = new Set<string>();
      for (const [i, x] of input.criteria.entries()) {
        const k = x.label.toLowerCase();
        if (labels.has(k)) throw fieldError(`criteria.${i}.label`, 'libellé en double');
        labels.add(k);
      }
      await ctx.db.transaction(async (tx) => {
        const before = await repo.criteria(false, tx);
        const at = now();
        const keep: string[] = [];
        for (const [i, x] of input.criteria.entries()) {
          if (x.id && !before.some((b) => b.id === x.id)) throw fieldError(`criteria.${i}.id`, 'critère inconnu');
          const r = await repo.upsertCriterion(
            { id: x.id, label: x.label, axis: x.axis, weight: x.weight, justification: x.justification, position: i, active: true, updatedAt: at },
            tx,
          );
          keep.push(r!.id);
        }
        await repo.retireCriteria(keep, at, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'governance.grid.update',
          entityType: 'governance_grid',
          entityId: 'grid',
          before: before.map(toCriterion),
          after: input.criteria,
          ...meta,
        });
      });
      return projects.grid(c);
    },

    async listProjects(c: Caller, status?: string): Promise<Project[]> {
      requireReader(c);
      return projectDto(await repo.listProjects(status), await repo.criteria());
    },

    async getProject(c: Caller, id: string): Promise<Project> {
      requireReader(c);
      return (await projectDto([await projectOr404(id)], await repo.criteria()))[0]!;
    },

    /** A proposal (admin, a data administrator or an editor for their own directorate), linked to catalogue assets. */
    async createProject(c: Caller, body: unknown, meta: Meta = {}, isDemo = false): Promise<Project> {
      const p: Principal | null = c.kind === 'system' ? null : requireUser(c);
      if (p && !['admin', 'data_admin', 'editor'].includes(p.role)) throw new ForbiddenError('Votre rôle ne permet pas de proposer un projet.');
      const input = projectInput.parse(body);
      const org = await ctx.organisations.findByCode(input.organisation);
      if (!org) throw fieldError('organisation', `organisation inconnue : ${input.organisation}`);
      if (p && p.role !== 'admin' && p.organisationId !== org.id) throw fieldError('organisation', 'vous ne proposez de projet que pour votre organisation');
      const cat = services().catalog;
      const assetIds: string[] = [];
      for (const [i, ref] of input.assets.entries()) {
        const [kind, slug] = ref.split(':');
        const a = cat && kind && slug ? await cat.getAsset(kind, slug) : null;
        if (!a) throw fieldError(`assets.${i}`, `actif introuvable dans le catalogue : ${ref}`);
        assetIds.push(a.id);
      }
      const id = await ctx.db.transaction(async (tx) => {
        const actor = actorOf(c);
        const row = await repo.insertProject(
          {
            title: input.title,
            description: input.description,
            organisationId: org.id,
            assetIds: [...new Set(assetIds)],
            createdBy: actor.label,
            createdAt: now(),
            updatedAt: now(),
            isDemo,
          },
          tx,
        );
        if (!row) throw new ConflictError('Un projet porte déjà ce titre.', { errors: [{ field: 'title', message: 'titre déjà utilisé' }] });
        await recordAudit(tx, { actor, action: 'governance.project.create', entityType: 'governance_project', entityId: row.id, after: row, ...meta });
        return row.id;
      });
      return projects.getProject(c, id);
    },

    /** Scoring by the data lab (admin or reviewer): every active criterion gets a score 0–5. */
    async score(c: Caller, id: string, body: unknown, meta: Meta = {}): Promise<Project> {
      if (c.kind !== 'system') {
        const p = requireUser(c);
        if (p.role !== 'admin' && p.role !== 'reviewer')
          throw new ForbiddenError('Seul le lab data (relecteurs et administrateur ministériel) évalue les projets.');
      }
      const input = scoreInput.parse(body);
      await ctx.db.transaction(async (tx) => {
        const cur = await projectOr404(id, tx);
        if (cur.status !== 'proposee' && cur.status !== 'evaluee')
          throw new ConflictError('Le projet a déjà fait l’objet d’une décision : il n’est plus évalué.');
        const crit = await repo.criteria(false, tx);
        const errors: FieldError[] = [];
        for (const [i, s] of input.scores.entries())
          if (!crit.some((k) => k.id === s.criterionId)) errors.push({ field: `scores.${i}.criterionId`, message: 'critère inconnu ou retiré' });
        for (const k of crit)
          if (!input.scores.some((s) => s.criterionId === k.id)) errors.push({ field: `scores.${k.id}`, message: `note manquante pour « ${k.label} »` });
        if (errors.length) throw new ValidationError(`Évaluation incomplète : ${errors.length} problème(s)`, errors);
        const scores = Object.fromEntries(input.scores.map((s) => [s.criterionId, { score: s.score, comment: s.comment?.trim() || null }]));
        const { value, effort } = computeScore(crit, scores);
        const actor = actorOf(c);
        const row = await repo.updateProject(
          id,
          cur.version,
          { scores, value, effort, status: 'evaluee', scoredBy: actor.label, scoredAt: now(), updatedAt: now() },
          tx,
        );
        if (!row) throw new ConflictError('Le projet a été modifié entre-temps : rechargez la page.');
        await recordAudit(tx, {
          actor,
          action: 'governance.project.score',
          entityType: 'governance_project',
          entityId: id,
          before: { value: cur.value, effort: cur.effort },
          after: { value, effort, scores },
          ...meta,
        });
      });
      return projects.getProject(c, id);
    },

    /** The decision (admin): retenu, ajourné or rejeté, with its reason; the project must be scored. */
    async decide(c: Caller, id: string, body: unknown, meta: Meta = {}): Promise<Project> {
      requireAdmin(c, 'enregistre les décisions sur les projets');
      const input = decisionInput.parse(body);
      await ctx.db.transaction(async (tx) => {
        const cur = await projectOr404(id, tx);
        if (cur.value === null) throw fieldError('status', 'évaluez le projet avant de décider');
        const actor = actorOf(c);
        const row = await repo.updateProject(
          id,
          cur.version,
          { status: input.status, decision: input.decision, decidedBy: actor.label, decidedAt: now(), updatedAt: now() },
          tx,
        );
        if (!row) throw new ConflictError('Le projet a été modifié entre-temps : rechargez la page.');
        await recordAudit(tx, {
          actor,
          action: 'governance.project.decide',
          entityType: 'governance_project',
          entityId: id,
          before: { status: cur.status },
          after: input,
          ...meta,
        });
      });
      return projects.getProject(c, id);
    },
  };

  return { ...service, ...campaigns, ...projects };
}
export type GovernanceService = ReturnType<typeof createGovernanceService>;
