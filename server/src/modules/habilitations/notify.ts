import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { checkOutboundUrl, guardedAgent } from '../../platform/net/outbound.ts';
import { requestStateLabels, webhookEvents, type EventName } from '@patrimoine/contracts/habilitations';
import type { DefinitionRow, HabilitationsRepository, RequestRow, WebhookRow } from './habilitations.repository.ts';
import type { HabEventSink } from './habilitations.service.ts';

/** The platform mailer as this module uses it (`ctx.mail`, server/src/platform/mail/mailer.ts). */
export interface MailLike {
  send(m: { to: string | string[]; subject: string; text: string; html?: string; headers?: Record<string, string> }, opts?: { tx?: Db }): Promise<unknown>;
}

export const WEBHOOK_JOB = 'habilitations.webhook';
/** Consecutive failures after which a webhook is disabled (DataPass's THRESHOLD_TO_NOTIFY_DATA_PROVIDER). */
export const MAX_FAILURES = 5;
/** Delay before retry n (1-based), growing polynomially like DataPass's `:polynomially_longer`. */
export const retryDelayMs = (n: number) => Math.min(6 * 3600_000, (n ** 4 + 2) * 1000);

/** `sha256=<hex HMAC-SHA256 of the body>` (DataPass's X-Hub-Signature-256). */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** What the instruction and the applicant receive at each event (French; none for drafts' autosaves). */
const SUBJECTS: Partial<Record<EventName, string>> = {
  submit: 'Demande d’habilitation soumise',
  request_changes: 'Des modifications sont demandées sur votre demande d’habilitation',
  approve: 'Votre demande d’habilitation est validée',
  refuse: 'Votre demande d’habilitation est refusée',
  revoke: 'Votre habilitation est révoquée',
  reopen: 'Mise à jour d’une habilitation',
  cancel_reopening: 'Mise à jour d’une habilitation annulée',
  archive: 'Demande d’habilitation archivée',
  applicant_message: 'Nouveau message du demandeur',
  instructor_message: 'Nouveau message de l’instruction',
  system_reminder: 'Votre habilitation arrive à échéance',
};

export function createNotifier(deps: {
  ctx: AppContext;
  repo: HabilitationsRepository;
  mail: () => MailLike | undefined;
  unseal: (s: string) => string;
  key: (purpose: string) => Buffer;
}) {
  const { ctx, repo } = deps;
  const agent = guardedAgent({ allowPrivate: ctx.env.HABILITATIONS_WEBHOOK_ALLOW_PRIVATE }, { connectTimeoutMs: 5000 });
  const environment = ctx.env.HABILITATIONS_APP_ENVIRONMENT ?? ctx.env.NODE_ENV;

  async function recipientsOf(name: EventName, req: RequestRow, def: DefinitionRow, tx: Db): Promise<string[]> {
    const toApplicant = [
      'request_changes',
      'approve',
      'refuse',
      'revoke',
      'instructor_message',
      'system_reminder',
      'archive',
      'cancel_reopening',
      'submit',
    ].includes(name);
    const toInstruction = ['submit', 'applicant_message', 'reopen'].includes(name);
    const out = new Set<string>();
    if (toApplicant && req.applicantId) for (const u of await repo.usersByIds([req.applicantId], tx)) if (u.email) out.add(u.email);
    if (toInstruction) for (const r of await repo.rolesOf(def.id, tx)) if (r.role === 'instructor' && r.email) out.add(r.email);
    if (name === 'approve' && typeof req.data.contact_technique_email === 'string') out.add(req.data.contact_technique_email);
    const off = await repo.unsubscribed([...out], tx);
    return [...out].filter((e) => !off.has(e));
  }

  function unsubscribeUrl(email: string) {
    return `${ctx.env.publicUrl}/api/habilitations/unsubscribe?email=${encodeURIComponent(email)}&sig=${unsubscribeSig(email)}`;
  }
  function unsubscribeSig(email: string) {
    return createHmac('sha256', deps.key('unsubscribe')).update(email.toLowerCase()).digest('hex').slice(0, 32);
  }

  async function email(tx: Db, name: EventName, req: RequestRow, def: DefinitionRow, message: string | null, revealUrl: string | null) {
    const mail = deps.mail();
    const subject = SUBJECTS[name];
    if (!mail || !subject) return;
    const link = `${ctx.env.publicUrl}/habilitations/demandes/${req.id}`;
    for (const to of await recipientsOf(name, req, def, tx)) {
      const lines = [
        'Bonjour,',
        '',
        `${subject} : « ${req.intitule || 'sans titre'} » (${def.name}).`,
        `État : ${requestStateLabels[req.state]}.`,
        ...(message ? ['', 'Message :', message] : []),
        // The credential itself is never sent by e-mail: only the one-time link, to the technical contact.
        ...(revealUrl && to === req.data.contact_technique_email
          ? ['', 'Votre identifiant d’accès s’affiche une seule fois à cette adresse (valable 7 jours) :', revealUrl]
          : []),
        '',
        `Suivre la demande : ${link}`,
        '',
        '—',
        `Ne plus recevoir ces messages : ${unsubscribeUrl(to)}`,
      ];
      await mail.send(
        {
          to,
          subject: `[Habilitations] ${subject}`,
          text: lines.join('\n'),
          headers: { 'List-Unsubscribe': `<${unsubscribeUrl(to)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        },
        { tx },
      );
    }
  }

  /** DataPass's webhook payload of an event. */
  async function payloadOf(name: string, req: RequestRow, tx: Db) {
    const [applicant] = req.applicantId ? await repo.usersByIds([req.applicantId], tx) : [];
    const org = req.organisationId ? await ctx.organisations.findById(req.organisationId, tx) : null;
    const auths = await repo.authorizationsOf(req.id, tx);
    return {
      event: name,
      fired_at: Math.floor(ctx.clock.now().getTime() / 1000),
      model_type: 'authorization_request',
      model_id: req.id,
      data: {
        id: req.id,
        public_id: req.id,
        type: `AuthorizationRequest::${req.definitionId}`,
        state: req.state,
        form_uid: req.formUid,
        data: req.data,
        created_at: req.createdAt,
        last_submitted_at: req.lastSubmittedAt,
        last_validated_at: req.lastValidatedAt,
        organization: {
          id: req.organisationId,
          name: (req.data.raison_sociale as string | undefined) ?? org?.name ?? null,
          siret: req.siret,
          insee_payload: null,
        },
        applicant: applicant ? { id: applicant.id, email: applicant.email, given_name: null, family_name: applicant.displayName, job_title: null } : null,
        authorizations: auths.map((a) => ({
          id: a.id,
          slug: a.slug,
          revoked: a.state === 'revoked',
          state: a.state,
          created_at: a.createdAt,
          data: a.data,
          authorization_request_class: `AuthorizationRequest::${a.definitionId}`,
          definition_id: a.definitionId,
        })),
      },
    };
  }

  async function deliver(w: WebhookRow, body: string) {
    const secret = deps.unseal(w.secretEnc);
    try {
      const r = await request(w.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(secret, body),
          'x-app-environment': environment,
          'user-agent': 'Patrimoine-Habilitations/1',
        },
        dispatcher: agent,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
        maxRedirections: 0,
      } as never);
      const text = (await r.body.text()).slice(0, 2000);
      return { statusCode: r.statusCode, responseBody: text };
    } catch (e) {
      return { statusCode: null, responseBody: `Échec de connexion : ${(e as Error).message}`.slice(0, 2000) };
    }
  }
  const ok = (s: number | null) => s === 200 || s === 201 || s === 204;

  const notifier = {
    agent,
    sink: {
      async onEvent(tx, e) {
        await email(tx, e.name, e.request, e.definition, e.message ?? null, e.revealUrl ?? null);
        if (!(webhookEvents as readonly string[]).includes(e.name)) return;
        const hooks = (await repo.webhooksOf(e.definition.id, tx)).filter((w) => w.enabled && (w.events as string[]).includes(e.name));
        if (!hooks.length) return;
        const payload = await payloadOf(e.name, e.request, tx);
        for (const w of hooks)
          await ctx.jobs.enqueue(WEBHOOK_JOB, { webhookId: w.id, requestId: e.request.id, event: e.name, payload, attempt: 1 }, { tx, maxAttempts: 1 });
      },
    } satisfies HabEventSink,
    /** One delivery attempt (job); a failure schedules the next attempt with a growing delay. */
    async runDelivery(p: { webhookId: string; requestId: string | null; event: string; payload: unknown; attempt: number }) {
      const w = await repo.webhook(p.webhookId);
      if (!w || (!w.enabled && p.event !== 'test')) return { skipped: true };
      const body = JSON.stringify(p.payload);
      const res = await deliver(w, body);
      await repo.insertAttempt({
        webhookId: w.id,
        requestId: p.requestId,
        event: p.event,
        payload: p.payload as object,
        statusCode: res.statusCode,
        responseBody: res.responseBody,
        attempt: p.attempt,
      });
      if (p.event === 'test') return res;
      const after = await repo.countFailure(w.id, !ok(res.statusCode));
      if (ok(res.statusCode)) return res;
      if (after.consecutiveFailures >= MAX_FAILURES) {
        await ctx.db.transaction(async (tx) => {
          await repo.updateWebhook(w.id, { enabled: false }, tx);
          const mail = deps.mail();
          const [owner] = w.createdById ? await repo.usersByIds([w.createdById], tx) : [];
          if (mail && owner?.email)
            await mail.send(
              {
                to: owner.email,
                subject: '[Habilitations] Webhook désactivé après 5 échecs consécutifs',
                text: `Bonjour,\n\nLe webhook ${w.url} (type d’habilitation ${w.definitionId}) a échoué ${MAX_FAILURES} fois de suite : il est désactivé. Consultez ses appels, corrigez le point de réception puis réactivez-le.\n`,
              },
              { tx },
            );
        });
        return res;
      }
      await ctx.jobs.enqueue(
        WEBHOOK_JOB,
        { ...p, attempt: p.attempt + 1 },
        { runAfter: new Date(ctx.clock.now().getTime() + retryDelayMs(p.attempt)), maxAttempts: 1 },
      );
      return res;
    },
    /** The test payload sent when a webhook is created (DataPass: `{ test: true, timestamp }`). */
    async test(w: WebhookRow) {
      const payload = { test: true, timestamp: ctx.clock.now().toISOString() };
      const res = await deliver(w, JSON.stringify(payload));
      await repo.insertAttempt({
        webhookId: w.id,
        requestId: null,
        event: 'test',
        payload,
        statusCode: res.statusCode,
        responseBody: res.responseBody,
        attempt: 1,
      });
      return { ...res, ok: ok(res.statusCode) };
    },
    checkUrl: (url: string) => checkOutboundUrl(url, { allowPrivate: ctx.env.HABILITATIONS_WEBHOOK_ALLOW_PRIVATE }, { allowQuery: true }),
    unsubscribeSig,
    newSecret: () => randomBytes(24).toString('base64url'),
  };
  return notifier;
}
export type Notifier = ReturnType<typeof createNotifier>;
