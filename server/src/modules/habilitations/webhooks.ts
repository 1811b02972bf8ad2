import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Caller } from '../../platform/auth/principal.ts';
import { actorOf, isSystem, requireUser } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { ForbiddenError, NotFoundError, fieldError } from '../../platform/errors.ts';
import type { webhookInput } from '@patrimoine/contracts/habilitations';
import type { HabilitationsRepository, WebhookRow } from './habilitations.repository.ts';
import type { HabilitationsService } from './habilitations.service.ts';
import { WEBHOOK_JOB, type Notifier } from './notify.ts';

const view = (w: WebhookRow) => ({
  id: w.id,
  definitionId: w.definitionId,
  url: w.url,
  events: w.events,
  enabled: w.enabled,
  validated: w.validated,
  consecutiveFailures: w.consecutiveFailures,
  createdAt: w.createdAt,
});
const attemptView = (a: {
  id: string;
  event: string;
  statusCode: number | null;
  responseBody: string | null;
  createdAt: Date;
  requestId: string | null;
  attempt: number;
}) => ({
  id: a.id,
  event: a.event,
  status_code: a.statusCode,
  response_body: a.responseBody,
  created_at: a.createdAt,
  authorization_request_id: a.requestId,
  attempt: a.attempt,
});

/** Webhooks of the definitions a caller manages (DataPass's « développeur » role: the definition's managers here). */
export function createWebhooks(deps: {
  ctx: AppContext;
  repo: HabilitationsRepository;
  svc: HabilitationsService;
  notifier: Notifier;
  seal: (s: string) => string;
}) {
  const { ctx, repo, svc, notifier } = deps;
  async function managed(c: Caller, definitionId: string) {
    const def = await repo.definition(definitionId);
    if (!def) throw fieldError('definitionId', 'type d’habilitation inconnu');
    if (!isSystem(c) && !(await svc.rolesOn(c, def)).has('manager'))
      throw new ForbiddenError('Seuls les gestionnaires du type d’habilitation gèrent ses webhooks.');
    return def;
  }
  async function own(c: Caller, id: string) {
    const w = /^[0-9a-f-]{36}$/i.test(id) ? await repo.webhook(id) : null;
    if (!w) throw new NotFoundError('Webhook introuvable.');
    await managed(c, w.definitionId);
    return w;
  }
  return {
    view,
    attemptView,
    async list(c: Caller) {
      const p = requireUser(c);
      const out: ReturnType<typeof view>[] = [];
      for (const d of await repo.listDefinitions()) {
        if (p.role !== 'admin' && !(await svc.rolesOn(c, d)).has('manager')) continue;
        out.push(...(await repo.webhooksOf(d.id)).map(view));
      }
      return out;
    },
    /** Creates a webhook and sends it the test payload: enabled when the receiver accepts it (DataPass). */
    async create(c: Caller, input: z.output<typeof webhookInput>) {
      await managed(c, input.definitionId);
      const problem = await notifier.checkUrl(input.url);
      if (problem) throw fieldError('url', problem);
      const w = await ctx.db.transaction(async (tx) => {
        const row = await repo.insertWebhook(
          {
            definitionId: input.definitionId,
            url: input.url,
            secretEnc: deps.seal(input.secret),
            events: input.events,
            createdById: c.kind === 'user' ? c.userId : null,
          },
          tx,
        );
        await recordAudit(tx, {
          actor: actorOf(c),
          action: 'habilitations.webhook.create',
          entityType: 'hab_webhook',
          entityId: row.id,
          after: { url: row.url, events: row.events },
        });
        return row;
      });
      const t = await notifier.test(w);
      const after = await repo.updateWebhook(w.id, { validated: t.ok, enabled: t.ok });
      return { webhook: view(after), test: { statusCode: t.statusCode, ok: t.ok } };
    },
    async setEnabled(c: Caller, id: string, enabled: boolean) {
      const w = await own(c, id);
      if (enabled && !w.validated) {
        const t = await notifier.test(w);
        if (!t.ok) throw fieldError('enabled', `le point de réception refuse le message de test (HTTP ${t.statusCode ?? 'sans réponse'})`);
      }
      return ctx.db.transaction(async (tx) => {
        const row = await repo.updateWebhook(w.id, { enabled, validated: w.validated || enabled, consecutiveFailures: 0 }, tx);
        await recordAudit(tx, {
          actor: actorOf(c),
          action: enabled ? 'habilitations.webhook.enable' : 'habilitations.webhook.disable',
          entityType: 'hab_webhook',
          entityId: w.id,
        });
        return view(row);
      });
    },
    async attempts(c: Caller, id: string, f: { since?: Date; until?: Date; limit: number }) {
      const w = await own(c, id);
      return (await repo.attemptsOf(w.id, f)).map(attemptView);
    },
    /** Sends an attempt's payload again (a new attempt, recorded). */
    async replay(c: Caller, id: string, attemptId: string) {
      const w = await own(c, id);
      const a = /^[0-9a-f-]{36}$/i.test(attemptId) ? await repo.attempt(attemptId) : null;
      if (!a || a.webhookId !== w.id) throw new NotFoundError('Appel introuvable.');
      await ctx.db.transaction(async (tx) => {
        await ctx.jobs.enqueue(
          WEBHOOK_JOB,
          { webhookId: w.id, requestId: a.requestId, event: a.event, payload: a.payload, attempt: 1, replay: true },
          { tx, maxAttempts: 1 },
        );
        await recordAudit(tx, { actor: actorOf(c), action: 'habilitations.webhook.replay', entityType: 'hab_webhook', entityId: w.id, after: { attemptId } });
      });
      return { queued: true };
    },
  };
}
export type Webhooks = ReturnType<typeof createWebhooks>;
