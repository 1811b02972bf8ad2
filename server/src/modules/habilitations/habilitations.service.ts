import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { sealerOf } from '../../platform/master-secret.ts';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import type { Caller, Principal } from '../../platform/auth/principal.ts';
import { actorOf, isSystem, requireUser } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../platform/errors.ts';
import {
  definitionInput,
  eventNameLabels,
  formInput,
  type DefinitionRole,
  type EventName,
  type Transition,
  type definition as definitionSchema,
  type habilitation as habilitationSchema,
  type requestDetail as requestDetailSchema,
  type requestSummary as requestSummarySchema,
} from '@patrimoine/contracts/habilitations';
import type { AuthorizationRow, DefinitionRow, HabilitationsRepository, RequestRow } from './habilitations.repository.ts';
import { compileSchema, diffData, isPdf, MAX_DOCUMENT_BYTES } from './blocks.ts';
import { allowedTransitions, RULES, target, type Standing } from './machine.ts';
import type { GatewayModuleService } from '../gateway/index.ts';

type GatewayProvisioning = GatewayModuleService['provisioning'];

type DefinitionDto = z.output<typeof definitionSchema>;
type SummaryDto = z.output<typeof requestSummarySchema>;
type DetailDto = z.output<typeof requestDetailSchema>;
type HabDto = z.output<typeof habilitationSchema>;

/** What the service tells the outside world after a committed change (e-mails and webhooks are queued in the transaction). */
export interface HabEventSink {
  /** Called inside the transaction of every journaled event. */
  onEvent(tx: Db, e: { name: EventName; request: RequestRow; definition: DefinitionRow; message?: string | null; revealUrl?: string | null }): Promise<void>;
}

const REVEAL_TTL_MS = 7 * 86400_000;
const MAX_DATA_BYTES = 256 * 1024;

/** Seals a credential with a key derived from the one-time link's token (the platform keeps only the token's hash). */
const tokenSealer = (token: string) => sealerOf(Buffer.from(hkdfSync('sha256', Buffer.from(token), 'patrimoine-habilitations', 'reveal', 32)));
export const sealWithToken = (token: string, plain: string): string => tokenSealer(token).seal(plain);
export const openWithToken = (token: string, sealed: string): string => tokenSealer(token).open(sealed);
export const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const SYSTEM_CALLER: Caller = { kind: 'system', label: 'habilitations' };

function v1Hab(a: AuthorizationRow) {
  return {
    id: a.id,
    slug: a.slug,
    revoked: a.state === 'revoked',
    state: a.state,
    created_at: a.createdAt.toISOString(),
    data: a.data,
    authorization_request_class: `AuthorizationRequest::${a.definitionId}`,
    definition_id: a.definitionId,
  };
}

export function createHabilitationsService(deps: {
  ctx: AppContext;
  repo: HabilitationsRepository;
  provisioning: () => GatewayProvisioning | undefined;
  sink: HabEventSink;
}) {
  const { ctx, repo, sink } = deps;
  const clock = ctx.clock;

  // ---------- who may do what ----------
  async function rolesOn(c: Caller, def: DefinitionRow): Promise<Set<DefinitionRole>> {
    if (isSystem(c)) return new Set(['instructor', 'reporter', 'manager']);
    if (c.kind !== 'user') return new Set();
    if (c.role === 'admin') return new Set(['instructor', 'reporter', 'manager']);
    const mine = (await repo.rolesOfUser(c.userId)).filter((r) => r.definitionId === def.id).map((r) => r.role);
    const s = new Set<DefinitionRole>(mine);
    // The provider's data administrators manage their definitions.
    if (c.role === 'data_admin' && c.organisationId === def.providerId) s.add('manager');
    return s;
  }
  async function standing(c: Caller, req: RequestRow, def: DefinitionRow) {
    const roles = await rolesOn(c, def);
    const u = c.kind === 'user' ? c : null;
    const s: Standing & { colleague: boolean; reporter: boolean; manager: boolean } = {
      applicant: !!u && req.applicantId === u.userId,
      intended: !!u && req.intendedForId === u.userId,
      instructor: roles.has('instructor'),
      reporter: roles.has('reporter'),
      manager: roles.has('manager'),
      colleague: !!u && !!req.organisationId && u.organisationId === req.organisationId,
    };
    return s;
  }
  const canRead = (s: Awaited<ReturnType<typeof standing>>) => s.applicant || s.intended || s.colleague || s.instructor || s.reporter || s.manager;

  async function defOr404(id: string, tx?: Db) {
    const d = await repo.definition(id, tx);
    if (!d) throw new NotFoundError(`Type d’habilitation « ${id.slice(0, 80)} » introuvable.`);
    return d;
  }
  async function reqOr404(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Demande introuvable.');
    const r = await repo.request(id);
    if (!r) throw new NotFoundError('Demande introuvable.');
    return r;
  }
  async function readable(c: Caller, id: string) {
    const req = await reqOr404(id);
    const def = await defOr404(req.definitionId);
    const s = await standing(c, req, def);
    if (!canRead(s)) throw new NotFoundError('Demande introuvable.');
    return { req, def, s };
  }

  // ---------- views ----------
  async function orgNames() {
    const orgs = await ctx.organisations.list();
    return new Map(orgs.map((o) => [o.id, o]));
  }
  async function toDefinition(c: Caller, d: DefinitionRow, orgs?: Awaited<ReturnType<typeof orgNames>>): Promise<DefinitionDto> {
    const o = (orgs ?? (await orgNames())).get(d.providerId);
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      providerCode: o?.code ?? '',
      providerName: o?.name ?? '',
      cguUrl: d.cguUrl,
      apiSlug: d.apiSlug,
      planSlug: d.planSlug,
      catalogAssetSlug: d.catalogAssetSlug,
      credentialKind: d.credentialKind,
      scopes: d.scopes,
      blocks: d.blocks,
      eligibility: d.eligibility,
      validityMonths: d.validityMonths,
      public: d.public,
      myRoles: [...(await rolesOn(c, d))],
      fields: compileSchema(d).fields.map((f) => ({
        key: f.key,
        block: f.block,
        label: f.label,
        type: f.type,
        required: f.required,
        ...(f.choices ? { choices: f.choices.map(Number) } : {}),
      })),
      updatedAt: d.updatedAt,
    };
  }
  function summary(
    r: RequestRow,
    defs: Map<string, DefinitionRow>,
    orgs: Awaited<ReturnType<typeof orgNames>>,
    people: Map<string, { login: string; displayName: string }>,
  ): SummaryDto {
    const o = r.organisationId ? orgs.get(r.organisationId) : undefined;
    const a = r.applicantId ? people.get(r.applicantId) : undefined;
    return {
      id: r.id,
      definitionId: r.definitionId,
      definitionName: defs.get(r.definitionId)?.name ?? r.definitionId,
      formUid: r.formUid,
      state: r.state,
      intitule: r.intitule,
      organisationCode: o?.code ?? null,
      organisationName: (typeof r.data.raison_sociale === 'string' ? r.data.raison_sociale : null) ?? o?.name ?? null,
      siret: r.siret,
      applicant: { id: r.applicantId, login: a?.login ?? null, displayName: a?.displayName ?? null },
      reopening: r.reopening,
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      lastSubmittedAt: r.lastSubmittedAt,
      lastValidatedAt: r.lastValidatedAt,
    };
  }
  async function summaries(rows: RequestRow[]) {
    const [defs, orgs, people] = await Promise.all([
      repo.listDefinitions().then((d) => new Map(d.map((x) => [x.id, x]))),
      orgNames(),
      repo.usersByIds([...new Set(rows.flatMap((r) => (r.applicantId ? [r.applicantId] : [])))]).then((u) => new Map(u.map((x) => [x.id, x]))),
    ]);
    return rows.map((r) => summary(r, defs, orgs, people));
  }
  function toHab(a: AuthorizationRow, def: DefinitionRow | undefined, orgs: Awaited<ReturnType<typeof orgNames>>): HabDto {
    return {
      id: a.id,
      slug: a.slug,
      requestId: a.requestId,
      definitionId: a.definitionId,
      definitionName: def?.name ?? a.definitionId,
      state: a.state,
      organisationName:
        (typeof a.data.raison_sociale === 'string' ? a.data.raison_sociale : null) ?? (a.organisationId ? (orgs.get(a.organisationId)?.name ?? null) : null),
      siret: typeof a.data.siret === 'string' ? a.data.siret : null,
      scopes: a.scopes,
      data: a.data,
      createdAt: a.createdAt,
      expiresAt: a.expiresAt,
      revokedAt: a.revokedAt,
      credential: a.credentialKind ? { kind: a.credentialKind, id: a.credentialId, label: a.credentialLabel } : null,
      gatewayApplicationId: a.gatewayApplicationId,
    };
  }

  async function journal(
    tx: Db,
    c: Caller,
    req: RequestRow,
    def: DefinitionRow,
    name: EventName,
    extra: { message?: string | null; diff?: Record<string, [unknown, unknown]> | null; revealUrl?: string | null } = {},
  ) {
    const actor = actorOf(c);
    await repo.insertEvent(
      { requestId: req.id, name, actorId: actor.id, actorLabel: actor.label, message: extra.message ?? null, diff: extra.diff ?? null, at: clock.now() },
      tx,
    );
    await sink.onEvent(tx, { name, request: req, definition: def, message: extra.message ?? null, revealUrl: extra.revealUrl ?? null });
  }

  function checkDataSize(data: Record<string, unknown>) {
    if (JSON.stringify(data).length > MAX_DATA_BYTES) throw fieldError('data', 'données trop volumineuses (256 Ko au plus)');
  }
  function copies(data: Record<string, unknown>) {
    return {
      intitule: typeof data.intitule === 'string' ? data.intitule.slice(0, 200) : '',
      siret: typeof data.siret === 'string' ? data.siret.replace(/\s/g, '').slice(0, 14) : null,
    };
  }

  /** Provisions the gateway for a validated request (same transaction). */
  async function provision(tx: Db, c: Caller, req: RequestRow, def: DefinitionRow, scopes: string[], previous: AuthorizationRow | undefined) {
    const gw = deps.provisioning();
    const base = {
      gatewayApplicationId: null as string | null,
      gatewaySubscriptionId: null as string | null,
      credentialKind: null as AuthorizationRow['credentialKind'],
      credentialId: null as string | null,
      credentialLabel: null as string | null,
    };
    if (!def.apiSlug || !gw) return { ...base, secret: null as string | null };
    if (previous?.gatewaySubscriptionId) {
      // Reopening approved: the same subscription and credential, the new scopes in place.
      await gw.inTransaction(tx, () => gw.updateScopes(tx, previous.gatewaySubscriptionId!, scopes, actorOf(c)));
      return {
        gatewayApplicationId: previous.gatewayApplicationId,
        gatewaySubscriptionId: previous.gatewaySubscriptionId,
        credentialKind: previous.credentialKind,
        credentialId: previous.credentialId,
        credentialLabel: previous.credentialLabel,
        secret: null,
      };
    }
    const g = await gw.grant(tx, {
      organisationId: req.organisationId,
      ownerId: req.applicantId,
      appName: 'Habilitations',
      apiSlug: def.apiSlug,
      planSlug: def.planSlug,
      scopes,
      credential: def.credentialKind,
      label: `habilitation ${def.id}`,
      reason: `Habilitation ${def.name} : ${req.intitule}`.slice(0, 500),
      actor: actorOf(c),
    });
    const secret = g.credential
      ? JSON.stringify(
          g.credential.kind === 'api_key'
            ? { kind: 'api_key', key: g.credential.key }
            : { kind: 'oauth_client', clientId: g.credential.clientId, clientSecret: g.credential.clientSecret },
        )
      : null;
    return {
      gatewayApplicationId: g.applicationId,
      gatewaySubscriptionId: g.subscriptionId,
      credentialKind: g.credential?.kind ?? null,
      credentialId: g.credential?.id ?? null,
      credentialLabel: g.credential?.label ?? null,
      secret,
    };
  }

  const service = {
    repo,
    rolesOn,
    compile: (def: Pick<DefinitionRow, 'blocks' | 'scopes'>) => compileSchema(def),

    // ---------- definitions ----------
    async listDefinitions(c: Caller) {
      const [defs, orgs] = await Promise.all([repo.listDefinitions(), orgNames()]);
      const out: DefinitionDto[] = [];
      for (const d of defs) {
        const dto = await toDefinition(c, d, orgs);
        if (d.public || dto.myRoles.length) out.push(dto);
      }
      return out;
    },
    async getDefinition(c: Caller, id: string) {
      const d = await defOr404(id);
      const dto = await toDefinition(c, d);
      if (!d.public && !dto.myRoles.length) throw new NotFoundError(`Type d’habilitation « ${id.slice(0, 80)} » introuvable.`);
      return dto;
    },
    /** Creates or replaces a definition (seed YAML, managers). */
    async saveDefinition(c: Caller, raw: unknown) {
      const input = definitionInput.parse(raw);
      const existing = await repo.definition(input.id);
      const org = await ctx.organisations.findByCode(input.providerCode);
      if (!org) throw fieldError('providerCode', `organisation « ${input.providerCode} » inconnue`);
      if (!isSystem(c)) {
        const p = requireUser(c);
        const allowed = existing ? (await rolesOn(c, existing)).has('manager') : p.role === 'admin' || (p.role === 'data_admin' && p.organisationId === org.id);
        if (!allowed) throw new ForbiddenError('Seuls les gestionnaires de ce type d’habilitation le modifient.');
        if (p.role !== 'admin' && existing && existing.providerId !== org.id) throw fieldError('providerCode', 'seul un administrateur change le fournisseur');
      }
      const values = { ...input, providerCode: undefined, providerId: org.id, updatedAt: clock.now() };
      delete values.providerCode;
      const row = await ctx.db.transaction(async (tx) => {
        const row = await repo.upsertDefinition(values as never, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: existing ? 'habilitations.definition.update' : 'habilitations.definition.create',
          entityType: 'hab_definition',
          entityId: row.id,
          before: existing ?? undefined,
          after: row,
        });
        return row;
      });
      return toDefinition(c, row);
    },
    async forms(c: Caller, definitionId: string) {
      await service.getDefinition(c, definitionId);
      return (await repo.formsOf(definitionId)).map((f) => ({
        uid: f.uid,
        name: f.name,
        description: f.description,
        useCase: f.useCase,
        editor: f.editor,
        data: f.data,
        definitionId: f.definitionId,
      }));
    },
    async saveForm(c: Caller, definitionId: string, raw: unknown) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).has('manager')) throw new ForbiddenError('Seuls les gestionnaires de ce type d’habilitation gèrent ses formulaires.');
      const input = formInput.parse(raw);
      const existing = await repo.form(input.uid);
      if (existing && existing.definitionId !== def.id) throw new ConflictError(`Le formulaire « ${input.uid} » appartient à un autre type d’habilitation.`);
      const problems = compileSchema(def)
        .check(input.data, 'draft')
        .filter((p) => !p.message.includes('document'));
      if (problems.length) throw new ValidationError('Pré-remplissage invalide.', problems);
      return ctx.db.transaction(async (tx) => {
        const row = await repo.upsertForm({ ...input, definitionId: def.id }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.form.save',
          entityType: 'hab_form',
          entityId: row.uid,
          before: existing ?? undefined,
          after: row,
        });
        return { ...row, definitionId: def.id };
      });
    },
    async roles(c: Caller, definitionId: string) {
      const def = await defOr404(definitionId);
      const mine = await rolesOn(c, def);
      if (!mine.size) throw new ForbiddenError('Réservé à l’instruction de ce type d’habilitation.');
      return (await repo.rolesOf(def.id)).map((r) => ({ userId: r.userId, login: r.login, displayName: r.displayName, role: r.role }));
    },
    async grantRole(c: Caller, definitionId: string, login: string, role: DefinitionRole) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).has('manager')) throw new ForbiddenError('Seuls les gestionnaires attribuent les rôles.');
      const u = await ctx.usersRepo.findByLogin(login);
      if (!u) throw fieldError('login', `compte « ${login.slice(0, 100)} » inconnu`);
      await ctx.db.transaction(async (tx) => {
        await repo.addRole({ definitionId: def.id, userId: u.id, role }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.role.grant',
          entityType: 'hab_definition',
          entityId: def.id,
          after: { login, role },
        });
      });
      return service.roles(c, definitionId);
    },
    async revokeRole(c: Caller, definitionId: string, userId: string, role: DefinitionRole) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).has('manager')) throw new ForbiddenError('Seuls les gestionnaires retirent les rôles.');
      await ctx.db.transaction(async (tx) => {
        if (!(await repo.removeRole(def.id, userId, role, tx))) throw new NotFoundError('Rôle introuvable.');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.role.revoke',
          entityType: 'hab_definition',
          entityId: def.id,
          before: { userId, role },
        });
      });
    },
    async templates(c: Caller, definitionId: string) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).size) throw new ForbiddenError('Réservé à l’instruction de ce type d’habilitation.');
      return (await repo.templatesOf(def.id)).map((t) => ({ id: t.id, title: t.title, body: t.body }));
    },
    async addTemplate(c: Caller, definitionId: string, input: { title: string; body: string }) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).has('manager')) throw new ForbiddenError('Seuls les gestionnaires écrivent les modèles de message.');
      return ctx.db.transaction(async (tx) => {
        const t = await repo.insertTemplate({ definitionId: def.id, ...input }, tx);
        await recordAudit(tx, { actor: actorOf(c), action: 'habilitations.template.create', entityType: 'hab_template', entityId: t.id, after: t });
        return { id: t.id, title: t.title, body: t.body };
      });
    },
    async deleteTemplate(c: Caller, definitionId: string, id: string) {
      const def = await defOr404(definitionId);
      if (!(await rolesOn(c, def)).has('manager')) throw new ForbiddenError('Seuls les gestionnaires suppriment les modèles de message.');
      await ctx.db.transaction(async (tx) => {
        const t = /^[0-9a-f-]{36}$/i.test(id) ? await repo.deleteTemplate(def.id, id, tx) : null;
        if (!t) throw new NotFoundError('Modèle de message introuvable.');
        await recordAudit(tx, { actor: actorOf(c), action: 'habilitations.template.delete', entityType: 'hab_template', entityId: t.id, before: t });
      });
    },

    // ---------- requests ----------
    async createRequest(c: Caller, input: { definitionId: string; formUid?: string; data: Record<string, unknown>; forLogin?: string }, viaApi = false) {
      const p = requireUser(c);
      const def = await defOr404(input.definitionId);
      const roles = await rolesOn(c, def);
      if (!def.public && !roles.size) throw new NotFoundError(`Type d’habilitation « ${def.id} » introuvable.`);
      const form = input.formUid ? await repo.form(input.formUid) : null;
      if (input.formUid && (!form || form.definitionId !== def.id)) throw fieldError('formUid', 'formulaire inconnu pour ce type d’habilitation');
      let applicantId: string | null = p.userId;
      let intendedForId: string | null = null;
      let organisationId = p.organisationId;
      if (input.forLogin) {
        // An instructor pre-fills a draft that the applicant claims.
        if (!roles.has('instructor')) throw new ForbiddenError('Seuls les instructeurs pré-remplissent une demande pour un tiers.');
        const u = await ctx.usersRepo.findByLogin(input.forLogin);
        if (!u) throw fieldError('forLogin', `compte « ${input.forLogin.slice(0, 100)} » inconnu`);
        applicantId = null;
        intendedForId = u.id;
        organisationId = u.organisationId;
      }
      const schema = compileSchema(def);
      const data = schema.normalise({ ...(form?.data ?? {}), ...input.data });
      checkDataSize(data);
      const problems = schema.check(data, 'draft');
      if (problems.length) throw new ValidationError('Données invalides.', problems);
      const now = clock.now();
      const created = await ctx.db.transaction(async (tx) => {
        const row = await repo.insertRequest(
          {
            definitionId: def.id,
            formUid: form?.uid ?? `${def.id}-libre`,
            applicantId,
            intendedForId,
            organisationId,
            data,
            ...copies(data),
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
        await journal(tx, c, row, def, viaApi ? 'create_by_api' : 'create');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.request.create',
          entityType: 'hab_request',
          entityId: row.id,
          after: { definitionId: def.id, formUid: row.formUid },
        });
        return row;
      });
      return (await summaries([created]))[0]!;
    },
    /** Autosave of the form (draft or changes requested), by the applicant. */
    async updateRequest(c: Caller, id: string, input: { data: Record<string, unknown>; version?: number }, viaApi = false) {
      const { req, def, s } = await readable(c, id);
      if (!s.applicant) throw new ForbiddenError('Seul le demandeur modifie sa demande.');
      if (req.state !== 'draft' && req.state !== 'changes_requested')
        throw new ConflictError('Cette demande ne se modifie plus : elle est en instruction ou close.');
      if (input.version !== undefined && input.version !== req.version) throw new ConflictError('La demande a été modifiée entre-temps : rechargez la page.');
      const schema = compileSchema(def);
      const data = schema.normalise(input.data);
      checkDataSize(data);
      const docs = new Set((await repo.documentsOf(req.id)).map((d) => d.id));
      const problems = schema.check(data, 'draft', docs);
      if (problems.length) throw new ValidationError('Données invalides.', problems);
      const updated = await ctx.db.transaction(async (tx) => {
        const row = await repo.updateRequestIf(req.id, ['draft', 'changes_requested'], req.version, { data, ...copies(data), updatedAt: clock.now() }, tx);
        if (!row) throw new ConflictError('La demande a été modifiée entre-temps : rechargez la page.');
        await journal(tx, c, row, def, viaApi ? 'update_by_api' : 'update');
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.request.update',
          entityType: 'hab_request',
          entityId: row.id,
          before: { data: req.data },
          after: { data },
        });
        return row;
      });
      return (await summaries([updated]))[0]!;
    },
    async getRequest(c: Caller, id: string): Promise<DetailDto> {
      const { req, def, s } = await readable(c, id);
      const [sum] = await summaries([req]);
      const [events, messages, documents, auths, orgs] = await Promise.all([
        repo.eventsOf(req.id),
        repo.messagesOf(req.id),
        repo.documentsOf(req.id),
        repo.authorizationsOf(req.id),
        orgNames(),
      ]);
      const docs = new Set(documents.map((d) => d.id));
      const instruction = s.instructor || s.reporter || s.manager;
      return {
        ...sum!,
        data: req.data,
        definition: await toDefinition(c, def, orgs),
        events: events.map((e) => ({
          id: e.id,
          name: e.name,
          label: eventNameLabels[e.name],
          actor: e.actorLabel,
          at: e.at,
          message: e.message,
          diff: e.diff,
        })),
        messages: messages.map((m) => ({ id: m.id, author: m.authorLabel, fromInstruction: m.fromInstruction, body: m.body, at: m.at })),
        documents,
        habilitations: auths.map((a) => toHab(a, def, orgs)),
        allowed: allowedTransitions(req.state, req.reopening, s, !!req.applicantId),
        canEdit: s.applicant && (req.state === 'draft' || req.state === 'changes_requested'),
        canMessage: s.applicant || instruction,
        problems: compileSchema(def).check(req.data, 'submit', docs),
      };
    },
    async listRequests(c: Caller, q: { mine?: 'true' | 'false'; state?: string; definitionId?: string; q?: string; page: number; pageSize: number }) {
      const p = requireUser(c);
      let definitionIds: string[] | null = null;
      if (q.mine !== 'true' && p.role === 'admin') definitionIds = null;
      else if (q.mine === 'true') definitionIds = [];
      else definitionIds = [...new Set((await repo.rolesOfUser(p.userId)).map((r) => r.definitionId))];
      if (q.mine !== 'true' && p.role === 'data_admin' && p.organisationId) {
        const own = (await repo.listDefinitions()).filter((d) => d.providerId === p.organisationId).map((d) => d.id);
        definitionIds = [...new Set([...(definitionIds ?? []), ...own])];
      }
      const f =
        q.mine === 'true'
          ? { definitionIds: [] as string[], applicantId: p.userId, organisationId: p.organisationId }
          : definitionIds === null
            ? { definitionIds: null }
            : { definitionIds };
      const { rows, total } = await repo.listRequests({
        ...f,
        state: q.state,
        definitionId: q.definitionId,
        q: q.q,
        limit: q.pageSize,
        offset: (q.page - 1) * q.pageSize,
      });
      return { items: await summaries(rows), total, page: q.page, pageSize: q.pageSize };
    },

    /** A transition of the state machine, checked by role, atomic (conditional update), journaled and audited in one transaction. */
    async transition(c: Caller, id: string, t: Transition, input: { message?: string; scopes?: string[]; version?: number } = {}) {
      requireUser(c);
      const { req, def, s } = await readable(c, id);
      const rule = RULES[t];
      const allowed = allowedTransitions(req.state, req.reopening, s, !!req.applicantId);
      if (!allowed.includes(t)) {
        const byRole = allowedTransitions(req.state, req.reopening, { applicant: true, intended: true, instructor: true }, !!req.applicantId).includes(t);
        if (byRole)
          throw new ForbiddenError(
            rule.by === 'instructor' ? 'Seuls les instructeurs de ce type d’habilitation décident.' : 'Seul le demandeur fait cette action.',
          );
        throw new ConflictError(`Action « ${t} » impossible : la demande est à l’état « ${req.state} ».`);
      }
      if (input.version !== undefined && input.version !== req.version)
        throw new ConflictError('La demande a changé entre-temps (une autre décision a été prise) : rechargez la page.');
      const message = input.message?.trim() || null;
      if (rule.needsMessage && !message) throw fieldError('message', 'indiquez le motif');
      const schema = compileSchema(def);
      if (t === 'submit') {
        const docs = new Set((await repo.documentsOf(req.id)).map((d) => d.id));
        const problems = schema.check(req.data, 'submit', docs);
        if (problems.length) throw new ValidationError('La demande est incomplète.', problems);
      }
      const requested = Array.isArray(req.data.scopes) ? (req.data.scopes as string[]) : [];
      let scopes = requested;
      if (t === 'approve' && input.scopes) {
        const extra = input.scopes.filter((x) => !requested.includes(x));
        if (extra.length) throw fieldError('scopes', `données non demandées : ${extra.slice(0, 5).join(', ')}`);
        scopes = input.scopes;
      }
      const now = clock.now();
      const result = await ctx.db.transaction(async (tx) => {
        const to = target(t, req.reopening);
        const patch: Partial<RequestRow> = { state: to, updatedAt: now };
        let diff: Record<string, [unknown, unknown]> | null = null;
        if (t === 'submit') {
          diff = diffData(req.submittedData ?? null, req.data);
          Object.assign(patch, { submittedData: req.data, lastSubmittedAt: now, firstSubmittedAt: req.firstSubmittedAt ?? now });
        }
        if (t === 'request_changes' || t === 'approve' || t === 'refuse') Object.assign(patch, { firstDecisionAt: req.firstDecisionAt ?? now });
        if (t === 'approve' || (t === 'refuse' && !req.reopening)) patch.finalDecisionAt = now;
        if (t === 'approve') Object.assign(patch, { lastValidatedAt: now, reopening: false });
        if (t === 'refuse' && req.reopening) patch.reopening = false;
        if (t === 'reopen') Object.assign(patch, { reopening: true, reopenedAt: now });
        if (t === 'cancel_reopening') Object.assign(patch, { reopening: false, data: req.submittedData ?? req.data });
        if (t === 'claim') Object.assign(patch, { applicantId: (c as Principal).userId, intendedForId: null });
        const row = await repo.updateRequestIf(req.id, rule.from, req.version, patch, tx);
        if (!row) throw new ConflictError('La demande a changé entre-temps (une autre décision a été prise) : rechargez la page.');
        let hab: AuthorizationRow | null = null;
        let revealUrl: string | null = null;
        const auths = await repo.authorizationsOf(req.id, tx);
        const active = auths.find((a) => a.state === 'active');
        // Renewal after expiry is a reopening too: an expired habilitation must never leave its holder stuck.
        const expired = auths.some((a) => a.state === 'obsolete' && a.expiresAt !== null && a.expiresAt <= now);
        if (t === 'reopen' && !active && !expired) throw new ConflictError('Aucune habilitation active à mettre à jour.');
        if (t === 'archive' && active) throw new ConflictError('Une habilitation active empêche l’archivage.');
        if (t === 'approve') {
          const prov = await provision(tx, c, row, def, scopes, active);
          const n = await repo.nextNumber(def.id, tx);
          hab = await repo.insertAuthorization(
            {
              slug: `${def.id}-${n}`,
              requestId: row.id,
              definitionId: def.id,
              state: 'active',
              organisationId: row.organisationId,
              applicantId: row.applicantId,
              data: { ...row.data, scopes },
              scopes,
              gatewayApplicationId: prov.gatewayApplicationId,
              gatewaySubscriptionId: prov.gatewaySubscriptionId,
              credentialKind: prov.credentialKind,
              credentialId: prov.credentialId,
              credentialLabel: prov.credentialLabel,
              expiresAt: def.validityMonths ? new Date(now.getTime() + def.validityMonths * 30 * 86400_000) : null,
              createdAt: now,
            },
            tx,
          );
          if (active) await repo.updateAuthorization(active.id, { state: 'obsolete' }, tx);
          if (prov.secret) {
            const token = randomBytes(32).toString('base64url');
            const recipient = typeof row.data.contact_technique_email === 'string' ? row.data.contact_technique_email : '';
            await repo.insertReveal(
              {
                tokenHash: sha256(token),
                authorizationId: hab.id,
                recipient,
                sealed: sealWithToken(token, prov.secret),
                expiresAt: new Date(now.getTime() + REVEAL_TTL_MS),
              },
              tx,
            );
            revealUrl = `${ctx.env.publicUrl}/habilitations/secret/${token}`;
          }
        }
        if (t === 'revoke') {
          const gw = deps.provisioning();
          for (const a of auths.filter((x) => x.state === 'active')) {
            if (gw)
              await gw.inTransaction(tx, () =>
                gw.revoke(tx, { subscriptionId: a.gatewaySubscriptionId, credentialKind: a.credentialKind, credentialId: a.credentialId }, actorOf(c)),
              );
            await repo.updateAuthorization(a.id, { state: 'revoked', revokedAt: now }, tx);
          }
        }
        await journal(tx, c, row, def, t, { message, diff, revealUrl });
        await recordAudit(tx, {
          actor: actorOf(c),
          action: `habilitations.request.${t}`,
          entityType: 'hab_request',
          entityId: row.id,
          before: { state: req.state, version: req.version },
          after: { state: row.state, version: row.version, habilitation: hab?.slug, scopes: t === 'approve' ? scopes : undefined },
        });
        return { row, hab, revealUrl };
      });
      if (t === 'approve' || t === 'revoke') await deps.provisioning()?.reload();
      const orgs = await orgNames();
      return { request: (await summaries([result.row]))[0]!, habilitation: result.hab ? toHab(result.hab, def, orgs) : null, revealUrl: result.revealUrl };
    },

    async postMessage(c: Caller, id: string, body: string) {
      const { req, def, s } = await readable(c, id);
      const instruction = s.instructor || s.reporter || s.manager;
      if (!s.applicant && !instruction) throw new ForbiddenError('Seuls le demandeur et l’instruction échangent des messages.');
      const actor = actorOf(c);
      return ctx.db.transaction(async (tx) => {
        const fromInstruction = instruction && !s.applicant;
        const m = await repo.insertMessage(
          { requestId: req.id, authorId: actor.id, authorLabel: (c as Principal).displayName ?? actor.label, fromInstruction, body, at: clock.now() },
          tx,
        );
        await journal(tx, c, req, def, fromInstruction ? 'instructor_message' : 'applicant_message', { message: body });
        await recordAudit(tx, { actor, action: 'habilitations.message.create', entityType: 'hab_request', entityId: req.id, after: { messageId: m.id } });
        return { id: m.id, author: m.authorLabel, fromInstruction: m.fromInstruction, body: m.body, at: m.at };
      });
    },

    /** A PDF (≤ 10 MB, checked by its magic bytes) attached to a data key of a document field. */
    async uploadDocument(c: Caller, id: string, key: string, filename: string, content: Buffer) {
      const { req, def, s } = await readable(c, id);
      if (!s.applicant) throw new ForbiddenError('Seul le demandeur dépose des documents.');
      if (req.state !== 'draft' && req.state !== 'changes_requested') throw new ConflictError('Cette demande ne se modifie plus.');
      const field = compileSchema(def).fields.find((f) => f.key === key && f.type === 'document');
      if (!field) throw fieldError('key', 'ce formulaire n’attend pas de document sous cette clé');
      if (content.length > MAX_DOCUMENT_BYTES) throw fieldError(key, 'document trop volumineux (10 Mo au plus)');
      if (!isPdf(content)) throw fieldError(key, 'le document doit être un PDF');
      const name = (filename || 'document.pdf').replace(/[^\p{L}\p{N} ._-]+/gu, '_').slice(0, 200);
      return ctx.db.transaction(async (tx) => {
        const d = await repo.insertDocument({ requestId: req.id, key, filename: name, size: content.length, sha256: sha256(content), content }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.document.upload',
          entityType: 'hab_request',
          entityId: req.id,
          after: { key, filename: name, size: content.length },
        });
        return { id: d.id, key, filename: name, size: content.length, sha256: sha256(content), createdAt: d.createdAt };
      });
    },
    async document(c: Caller, id: string, docId: string) {
      const { req } = await readable(c, id);
      const d = /^[0-9a-f-]{36}$/i.test(docId) ? await repo.document(docId) : null;
      if (!d || d.requestId !== req.id) throw new NotFoundError('Document introuvable.');
      return d;
    },

    // ---------- habilitations ----------
    async listHabilitations(c: Caller, q: { state?: string; definitionId?: string }) {
      const p = requireUser(c);
      const defs = await repo.listDefinitions();
      const byId = new Map(defs.map((d) => [d.id, d]));
      let requestIds: string[] | null = null;
      let definitionIds: Set<string> | null = null;
      if (p.role !== 'admin') {
        const roles = await repo.rolesOfUser(p.userId);
        definitionIds = new Set([
          ...roles.map((r) => r.definitionId),
          ...defs.filter((d) => p.role === 'data_admin' && d.providerId === p.organisationId).map((d) => d.id),
        ]);
        const mine = await repo.listRequests({ definitionIds: [], applicantId: p.userId, organisationId: p.organisationId, limit: 10_000, offset: 0 });
        requestIds = mine.rows.map((r) => r.id);
      }
      const rows = await repo.listAuthorizations({ state: q.state, definitionId: q.definitionId });
      const orgs = await orgNames();
      const ids = requestIds ? new Set(requestIds) : null;
      return rows.filter((a) => !ids || ids.has(a.requestId) || definitionIds?.has(a.definitionId)).map((a) => toHab(a, byId.get(a.definitionId), orgs));
    },
    async getHabilitation(c: Caller, id: string) {
      const a = /^[0-9a-f-]{36}$/i.test(id) ? await repo.authorization(id) : null;
      if (!a) throw new NotFoundError('Habilitation introuvable.');
      const { def } = await readable(c, a.requestId);
      const gw = deps.provisioning();
      const usage =
        gw && a.gatewayApplicationId && def.apiSlug && a.state === 'active' ? await gw.usageOf(a.gatewayApplicationId, def.apiSlug).catch(() => null) : null;
      return { ...toHab(a, def, await orgNames()), usage };
    },
    /** Habilitations active at `at` (open data: organisation, SIRET, API, scopes, dates; no person). */
    async openData(at: Date) {
      const [defs, orgs] = await Promise.all([repo.listDefinitions(), orgNames()]);
      const byId = new Map(defs.map((d) => [d.id, d]));
      const rows = await repo.listAuthorizations({});
      return rows
        .filter((a) => a.createdAt <= at && (a.state === 'active' || (a.revokedAt && a.revokedAt > at)) && (!a.expiresAt || a.expiresAt > at))
        .map((a) => {
          const h = toHab(a, byId.get(a.definitionId), orgs);
          return {
            slug: h.slug,
            definitionName: h.definitionName,
            organisationName: h.organisationName,
            siret: h.siret,
            scopes: h.scopes,
            createdAt: h.createdAt,
            expiresAt: h.expiresAt,
          };
        });
    },
    async stats(c: Caller, definitionId?: string) {
      const p = requireUser(c);
      const t0 = performance.now();
      const defs = await repo.listDefinitions();
      const visible = new Set<string>();
      for (const d of defs) if (p.role === 'admin' || (await rolesOn(c, d)).size) visible.add(d.id);
      if (definitionId && !visible.has(definitionId)) throw new ForbiddenError('Réservé à l’instruction de ce type d’habilitation.');
      const { definitionStats } = await import('./habilitations.stats.ts');
      const rows = (await definitionStats(ctx.db, clock.now(), definitionId)).filter((s) => visible.has(s.definitionId));
      const names = new Map(defs.map((d) => [d.id, d.name]));
      return { items: rows.map((r) => ({ ...r, name: names.get(r.definitionId) ?? r.definitionId })), ms: Math.round((performance.now() - t0) * 10) / 10 };
    },

    /** DataPass API v1 serialisations (app/serializers/api/v1). */
    v1: {
      async definitions() {
        return (await repo.listDefinitions()).map((d) => ({
          id: d.id,
          name: d.name,
          'multi_stage?': false,
          authorization_request_class: `AuthorizationRequest::${d.id}`,
          scopes: d.scopes.map((s) => ({
            name: s.label,
            value: s.value,
            group: s.group,
            link: null,
            included: s.included,
            disabled: false,
            deprecated: false,
            deprecated_date: null,
          })),
        }));
      },
      async forms(definitionId: string) {
        return (await repo.formsOf(definitionId)).map((f) => ({
          uid: f.uid,
          name: f.name,
          description: f.description,
          use_case: f.useCase,
          definition_id: f.definitionId,
          authorization_request_class: `AuthorizationRequest::${f.definitionId}`,
          data: f.data,
        }));
      },
      async serialize(rows: RequestRow[]) {
        const iso = (d: Date | null) => (d ? d.toISOString() : null);
        const orgs = await orgNames();
        const people = new Map((await repo.usersByIds([...new Set(rows.flatMap((r) => (r.applicantId ? [r.applicantId] : [])))])).map((u) => [u.id, u]));
        return Promise.all(
          rows.map(async (r) => {
            const [auths, events] = await Promise.all([repo.authorizationsOf(r.id), repo.eventsOf(r.id)]);
            const a = r.applicantId ? people.get(r.applicantId) : undefined;
            return {
              id: r.id,
              public_id: r.id,
              definition_id: r.definitionId,
              type: `AuthorizationRequest::${r.definitionId}`,
              state: r.state,
              form_uid: r.formUid,
              data: r.data,
              created_at: r.createdAt.toISOString(),
              last_submitted_at: iso(r.lastSubmittedAt),
              last_validated_at: iso(r.lastValidatedAt),
              reopening: r.reopening,
              reopened_at: iso(r.reopenedAt),
              habilitations: auths.map(v1Hab),
              organisation: {
                id: r.organisationId,
                name: (r.data.raison_sociale as string | undefined) ?? (r.organisationId ? (orgs.get(r.organisationId)?.name ?? null) : null),
                siret: r.siret,
              },
              applicant: a ? { id: a.id, email: a.email, family_name: a.displayName } : null,
              events: events.map((e) => ({ id: e.id, name: e.name, created_at: e.at.toISOString() })),
            };
          }),
        );
      },
      async requests(definitionIds: string[], q: { state?: string; limit: number; offset: number }) {
        const { rows } = await repo.listRequests({ definitionIds, state: q.state, limit: q.limit, offset: q.offset });
        return service.v1.serialize(rows);
      },
      async request(definitionIds: string[], id: string) {
        const r = await reqOr404(id);
        if (!definitionIds.includes(r.definitionId)) throw new NotFoundError('Demande introuvable.');
        return (await service.v1.serialize([r]))[0]!;
      },
      async habilitations(definitionIds: string[], q: { limit: number; offset: number }) {
        const rows = (await repo.listAuthorizations({})).filter((a) => definitionIds.includes(a.definitionId));
        return rows.slice(q.offset, q.offset + q.limit).map(v1Hab);
      },
      async habilitation(definitionIds: string[], id: string) {
        const a = /^[0-9a-f-]{36}$/i.test(id) ? await repo.authorization(id) : null;
        if (!a || !definitionIds.includes(a.definitionId)) throw new NotFoundError('Habilitation introuvable.');
        return v1Hab(a);
      },
    },

    /** Expiry reminders (D-30, D-7) and expiry: run by a periodic job. */
    async expiryRound() {
      const now = clock.now();
      let reminded = 0;
      let expired = 0;
      for (const a of await repo.expiring(new Date(now.getTime() + 30 * 86400_000))) {
        const left = a.expiresAt!.getTime() - now.getTime();
        const req = await repo.request(a.requestId);
        const def = await repo.definition(a.definitionId);
        if (!req || !def) continue;
        await ctx.db.transaction(async (tx) => {
          if (left <= 0) {
            // Claimed first: another node running the round at the same time finds it done.
            if (!(await repo.claimExpiry(a.id, tx))) return;
            const gw = deps.provisioning();
            if (gw)
              await gw.inTransaction(tx, () =>
                gw.revoke(
                  tx,
                  { subscriptionId: a.gatewaySubscriptionId, credentialKind: a.credentialKind, credentialId: a.credentialId },
                  { id: null, label: 'habilitations (échéance)' },
                ),
              );
            await journal(tx, SYSTEM_CALLER, req, def, 'system_reminder', {
              message: `L’habilitation ${a.slug} est arrivée à échéance : l’accès est coupé. Mettez-la à jour pour la renouveler.`,
            });
            await recordAudit(tx, {
              actor: { id: null, label: 'habilitations (échéance)' },
              action: 'habilitations.habilitation.expire',
              entityType: 'hab_authorization',
              entityId: a.slug,
            });
            expired++;
            return;
          }
          const d7 = left <= 7 * 86400_000;
          if (d7 ? a.remindedD7 : a.remindedD30) return;
          // The claim is the conditional update itself: one node wins, the others send nothing.
          if (!(await repo.claimReminder(a.id, d7 ? 'd7' : 'd30', tx))) return;
          const days = Math.ceil(left / 86400_000);
          await journal(tx, SYSTEM_CALLER, req, def, 'system_reminder', {
            message: `L’habilitation ${a.slug} expire dans ${days} jour${days > 1 ? 's' : ''} (le ${a.expiresAt!.toISOString().slice(0, 10)}) : renouvelez-la en un clic depuis la demande (« Mettre à jour »).`,
          });
          await recordAudit(tx, {
            actor: { id: null, label: 'habilitations (rappel)' },
            action: 'habilitations.habilitation.remind',
            entityType: 'hab_authorization',
            entityId: a.slug,
            after: { days },
          });
          reminded++;
        });
      }
      if (expired) await deps.provisioning()?.reload();
      return { reminded, expired };
    },

    /** The one-time reveal of a credential: the secret is erased as it is shown. */
    async reveal(token: string) {
      const hash = sha256(token);
      const peek = await repo.peekReveal(hash);
      if (!peek?.sealed || peek.revealedAt || peek.expiresAt <= clock.now())
        throw new NotFoundError('Ce lien a déjà servi ou a expiré : demandez un nouvel identifiant à l’instruction.');
      return ctx.db.transaction(async (tx) => {
        const taken = await repo.takeReveal(hash, clock.now(), tx);
        if (!taken) throw new NotFoundError('Ce lien a déjà servi ou a expiré : demandez un nouvel identifiant à l’instruction.');
        const a = (await repo.authorization(taken.authorizationId, tx))!;
        const def = await defOr404(a.definitionId, tx);
        const secret = JSON.parse(openWithToken(token, peek.sealed!)) as
          { kind: 'api_key'; key: string } | { kind: 'oauth_client'; clientId: string; clientSecret: string };
        await recordAudit(tx, {
          actor: { id: null, label: `lien à usage unique (${peek.recipient || 'contact technique'})` },
          action: 'habilitations.credential.reveal',
          entityType: 'hab_authorization',
          entityId: a.slug,
        });
        return {
          kind: secret.kind,
          apiSlug: def.apiSlug,
          key: secret.kind === 'api_key' ? secret.key : null,
          clientId: secret.kind === 'oauth_client' ? secret.clientId : null,
          clientSecret: secret.kind === 'oauth_client' ? secret.clientSecret : null,
          tokenUrl: secret.kind === 'oauth_client' ? `${ctx.env.publicUrl}/oauth/token` : null,
          scopes: a.scopes,
        };
      });
    },
  };
  return service;
}
export type HabilitationsService = ReturnType<typeof createHabilitationsService>;
