import net from 'node:net';
import { createHmac, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { request } from 'undici';
import type { WebhookAnswer, WebhookEvent } from '@patrimoine/contracts/deces';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { fieldError } from '../../platform/errors.ts';
import { createSealer } from '../../platform/master-secret.ts';
import { FORBIDDEN_OUTBOUND, guardedAgent } from '../../platform/net/outbound.ts';
import { decesWebhooks } from './deces.table.ts';
import { withMsg } from './matchid.ts';

/**
 * matchID's webhooks for bulk jobs (deces-backend `webhook.ts`): an API user registers a URL and gets a
 * challenge, the platform POSTs `{ event: "challenge" }` to the URL, which must answer (text/html or
 * JSON) with the challenge; only then can bulk jobs name it (`webhook` or `webhookUrl`), and it receives
 * `started`, `completed` (with the result page's URL), `failed` and `deleted` (results expired).
 *
 * Where we differ from matchID, to its users' benefit: the registry is in the database (every node, and
 * restarts, see it) and per account (nobody else can use, see or delete your registration); the answer
 * must really contain the challenge (matchID only logs its absence, so any URL answering 200 passes);
 * notifications are signed (`X-Hub-Signature-256`, HMAC-SHA256 of the body keyed by the challenge),
 * delivered by a persistent job with retries, to an address checked after resolution at connection time;
 * a ban ends after its 4 hours (matchID bans again at once, its attempts never reset).
 */
export const WEBHOOK_JOB = 'deces.webhook';
export const MAX_ATTEMPTS = 5;
export const BAN_HOURS = 4;
const ANSWER_LIMIT = 64 * 1024;
const TIMEOUT_MS = 5000;

/** matchID's answers, word for word (its clients and tests compare them). */
export const MSG = {
  challenge: 'Please configure your webhook to respond with a text/html or json response containing the challenge.',
  alreadyRegistered: 'Webhook is already registered and validated',
  alreadyValidated: 'Webhook is already validated',
  banned: `Webhook is temporarily banned. Please try again in ${BAN_HOURS} hours.`,
  noRecord: 'No webhook registration found',
  validated: 'Webhook is now validated and can be used with the bulk search API (csv/json).',
  deleted: 'Webhook has been successfully deleted',
  mustValidate: 'Webhook must be registered and validated before submitting a bulk job',
} as const;

/** A URL refused by matchID's rules: its English message and ours. */
export interface UrlRefusal {
  msg: string;
  detail: string;
}

/**
 * matchID's `validateWebhookUrl`: https, default port, a domain name (no IP, no localhost, two labels at
 * least), no user info, not a bare trailing slash. With `allowPrivate` (an internal receiver, tests) only a
 * parseable http(s) URL without credentials is asked for; the address is checked at delivery either way.
 */
export function urlRefusal(url: string, allowPrivate = false): UrlRefusal | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { msg: 'Invalid URL format. Please provide a valid HTTPS URL', detail: 'URL invalide : donnez une URL https complète.' };
  }
  if (allowPrivate) {
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      return { msg: 'Only HTTPS protocol is allowed for security reasons', detail: 'seuls http et https sont acceptés.' };
    if (u.username || u.password) return { msg: 'Domain parts can only contain letters, numbers, and hyphens', detail: 'pas d’identifiants dans l’URL.' };
    return null;
  }
  if (/^https:\/\/[^/]+:[0-9]+(\/|$)/.test(url))
    return { msg: 'Custom ports are not allowed. Please use the default HTTPS port (443)', detail: 'pas de port dans l’URL : le port 443 (https) seulement.' };
  if (/^https:\/\/[A-Za-z0-9-]*@/.test(url) || u.username || u.password)
    return { msg: 'Domain parts can only contain letters, numbers, and hyphens', detail: 'pas d’identifiants dans l’URL.' };
  if (u.protocol !== 'https:') return { msg: 'Only HTTPS protocol is allowed for security reasons', detail: 'seul https est accepté.' };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost')
    return { msg: 'Localhost is not allowed. Please use a valid domain name.', detail: 'localhost n’est pas accepté : donnez un nom de domaine.' };
  if (net.isIP(host)) return { msg: 'IP addresses are not allowed. Please use a valid domain name.', detail: 'pas d’adresse IP : donnez un nom de domaine.' };
  const parts = host.split('.');
  if (parts.length < 2)
    return {
      msg: 'Domain must have at least a name and an extension (e.g., example.com)',
      detail: 'le domaine doit avoir un nom et une extension (exemple.fr).',
    };
  if (parts.some((p) => p.length === 0))
    return { msg: 'Domain parts cannot be empty (e.g., example..com is invalid)', detail: 'le domaine a une partie vide.' };
  for (const part of parts) {
    if (part.startsWith('-') || part.endsWith('-'))
      return { msg: 'Domain parts cannot start or end with a hyphen', detail: 'une partie du domaine commence ou finit par un tiret.' };
    if (!/^[a-z0-9-]+$/i.test(part))
      return {
        msg: 'Domain parts can only contain letters, numbers, and hyphens',
        detail: 'le domaine ne contient que des lettres, des chiffres et des tirets.',
      };
  }
  if (/^https:\/\/[^/]+\/$/.test(url)) return { msg: 'Invalid hostname format', detail: 'une URL sans chemin ne se termine pas par « / ».' };
  return null;
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body, keyed by the webhook's challenge. */
export const webhookSignature = (challenge: string, body: string) => `sha256=${createHmac('sha256', challenge).update(body).digest('hex')}`;

interface DeliveryPayload {
  ownerId: string;
  url: string;
  event: WebhookEvent;
  jobId: string;
}

export function createWebhooks(ctx: AppContext) {
  const sealer = createSealer(ctx.env, 'deces-webhook-challenge');
  const allowPrivate = ctx.env.DECES_WEBHOOK_ALLOW_PRIVATE;
  const agent = guardedAgent({ allowPrivate }, { connectTimeoutMs: TIMEOUT_MS });
  const now = () => ctx.clock.now();
  const banEnd = () => new Date(now().getTime() + BAN_HOURS * 3600_000);
  const bannedNow = (r: { status: string; bannedUntil: Date | null }) => r.status === 'banned' && !!r.bannedUntil && r.bannedUntil > now();
  const banned: WebhookAnswer = { status: 'banned', msg: MSG.banned, detail: `Webhook suspendu pour ${BAN_HOURS} heures (trop de tentatives).` };

  const find = async (db: Db, ownerId: string, url: string, lock = false) => {
    const q = db
      .select()
      .from(decesWebhooks)
      .where(and(eq(decesWebhooks.ownerId, ownerId), eq(decesWebhooks.url, url)));
    const [row] = await (lock ? q.for('update') : q);
    return row ?? null;
  };

  /**
   * POSTs a JSON body to the URL; the platform's outbound guard classifies its addresses at connection
   * time (one resolution, no rebinding). The answer is read up to 64 KB.
   */
  async function post(url: string, body: string, headers: Record<string, string> = {}) {
    const r = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'Patrimoine-Deces/1', ...headers },
      dispatcher: agent, // undici's request never follows a redirect
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of r.body) {
      size += (c as Buffer).length;
      if (size > ANSWER_LIMIT) {
        r.body.destroy();
        break;
      }
      chunks.push(c as Buffer);
    }
    const type = r.headers['content-type'];
    return { status: r.statusCode, type: Array.isArray(type) ? type.join(',') : (type ?? ''), text: Buffer.concat(chunks).toString('utf8') };
  }

  const webhooks = {
    urlRefusal: (url: string) => urlRefusal(url, allowPrivate),

    /** matchID's `register`: the same challenge while it is not answered; 5 registrations, then a ban. */
    async register(ownerId: string, url: string): Promise<WebhookAnswer> {
      try {
        new URL(url);
      } catch {
        throw withMsg(fieldError('url', 'URL invalide : donnez une URL https complète.'), 'Invalid URL format. Please provide a valid HTTPS URL');
      }
      return ctx.db.transaction(async (tx) => {
        const db = tx as unknown as Db;
        const challenge = randomBytes(16).toString('hex');
        const inserted = await db
          .insert(decesWebhooks)
          .values({ ownerId, url, challengeSealed: sealer.seal(challenge), createdAt: now() })
          .onConflictDoNothing()
          .returning({ id: decesWebhooks.id });
        if (inserted.length) return { status: 'initiated', challenge, msg: MSG.challenge };
        const r = (await find(db, ownerId, url, true))!;
        if (r.status === 'validated') return { status: 'validated', msg: MSG.alreadyRegistered };
        if (bannedNow(r)) return banned;
        if (r.status === 'banned') {
          // The ban is over: a fresh start, with a new challenge.
          await db
            .update(decesWebhooks)
            .set({ status: 'initiated', attempts: 1, fails: 0, bannedUntil: null, challengeSealed: sealer.seal(challenge) })
            .where(eq(decesWebhooks.id, r.id));
          return { status: 'initiated', challenge, msg: MSG.challenge };
        }
        if (r.attempts >= MAX_ATTEMPTS) {
          await db.update(decesWebhooks).set({ status: 'banned', bannedUntil: banEnd() }).where(eq(decesWebhooks.id, r.id));
          return banned;
        }
        await db
          .update(decesWebhooks)
          .set({ attempts: sql`${decesWebhooks.attempts} + 1` })
          .where(eq(decesWebhooks.id, r.id));
        return { status: 'initiated', challenge: sealer.open(r.challengeSealed), msg: MSG.challenge };
      });
    },

    /** matchID's `challenge`: POSTs `{ event: "challenge" }`; the answer must hold the challenge. */
    async challenge(ownerId: string, url: string): Promise<WebhookAnswer> {
      const refusal = webhooks.urlRefusal(url);
      const r = await find(ctx.db, ownerId, url);
      if (!r)
        return refusal
          ? { status: 'failed', ...refusal }
          : { status: 'failed', msg: MSG.noRecord, detail: 'Aucun enregistrement de ce webhook : commencez par « register ».' };
      if (refusal) return { status: 'failed', ...refusal };
      if (bannedNow(r)) return banned;
      if (r.status === 'validated') return { status: 'validated', msg: MSG.alreadyValidated };
      const challenge = sealer.open(r.challengeSealed);
      let failure: { msg: string; detail: string } | null = null;
      try {
        const a = await post(url, JSON.stringify({ event: 'challenge' }));
        if (a.status < 200 || a.status > 299) failure = { msg: `Request failed with status code ${a.status}`, detail: `le webhook a répondu ${a.status}.` };
        else if (!/text\/html|application\/json/i.test(a.type))
          failure = {
            msg: 'Invalid content type. Response must be text/html or application/json',
            detail: 'la réponse doit être en text/html ou application/json.',
          };
        else if (!a.text.includes(challenge))
          failure = { msg: 'Challenge not found in response', detail: 'la réponse du webhook ne contient pas le défi (challenge) donné à l’enregistrement.' };
      } catch (e) {
        // Never the address or the port reached (the answer must not help scanning a network).
        const reason = e instanceof Error && (e as { code?: string }).code === FORBIDDEN_OUTBOUND ? e.message : 'le webhook n’a pas pu être joint';
        failure = { msg: 'Challenge validation failed', detail: `${reason}.` };
      }
      if (!failure) {
        await ctx.db
          .update(decesWebhooks)
          .set({ status: 'validated', fails: 0, validatedAt: now() })
          .where(and(eq(decesWebhooks.id, r.id), eq(decesWebhooks.status, 'initiated')));
        return { status: 'validated', msg: MSG.validated };
      }
      // Counted atomically: two checks at once count two failures.
      const [c] = await ctx.db
        .update(decesWebhooks)
        .set({ fails: sql`${decesWebhooks.fails} + 1` })
        .where(eq(decesWebhooks.id, r.id))
        .returning({ fails: decesWebhooks.fails });
      if ((c?.fails ?? 0) >= MAX_ATTEMPTS) {
        await ctx.db.update(decesWebhooks).set({ status: 'banned', bannedUntil: banEnd() }).where(eq(decesWebhooks.id, r.id));
        return banned;
      }
      return { status: 'failed', msg: failure.msg, detail: `Défi non relevé : ${failure.detail}` };
    },

    async status(ownerId: string, url: string): Promise<WebhookAnswer> {
      const r = await find(ctx.db, ownerId, url);
      if (!r) return { status: 'no record found' };
      if (bannedNow(r)) return banned;
      if (r.status === 'initiated' || r.status === 'banned') return { status: 'waiting for challenge', msg: MSG.challenge };
      return { status: 'validated' };
    },

    async delete(ownerId: string, url: string): Promise<WebhookAnswer> {
      const gone = await ctx.db
        .delete(decesWebhooks)
        .where(and(eq(decesWebhooks.ownerId, ownerId), eq(decesWebhooks.url, url)))
        .returning({ id: decesWebhooks.id });
      return gone.length ? { status: 'deleted', msg: MSG.deleted } : { status: 'no record found' };
    },

    async isValidated(ownerId: string, url: string): Promise<boolean> {
      const r = await find(ctx.db, ownerId, url);
      return r?.status === 'validated';
    },

    /** Queues a notification (a job: it survives the node, and is retried with backoff). */
    async notify(p: DeliveryPayload, opts: { runAfter?: Date; tx?: Db } = {}) {
      await ctx.jobs.enqueue(WEBHOOK_JOB, p, { ownerId: p.ownerId, maxAttempts: MAX_ATTEMPTS, ...opts });
      if (!opts.runAfter) ctx.jobs.notify();
    },
  };

  ctx.jobs.register<DeliveryPayload, { sent: boolean; status?: number; reason?: string }, never>(WEBHOOK_JOB, {
    maxAttempts: MAX_ATTEMPTS,
    retentionMs: 7 * 24 * 3600_000,
    describe: (job) => ({ title: `Notification « ${(job.payload as DeliveryPayload).event} » d’un appariement à son webhook` }),
    async run({ payload: p }) {
      const r = await find(ctx.db, p.ownerId, p.url);
      // Deleted or no longer validated since the job was queued: nothing is sent to it.
      if (!r || r.status !== 'validated') return { sent: false, reason: 'webhook supprimé ou non validé' };
      const body = JSON.stringify({
        event: p.event,
        jobId: p.jobId,
        ...(p.event === 'completed' ? { url: `${ctx.env.publicUrl}/deces/appariement?tache=${p.jobId}` } : {}),
        firedAt: now().toISOString(),
      });
      const signature = webhookSignature(sealer.open(r.challengeSealed), body);
      let status = 0;
      try {
        status = (await post(p.url, body, { 'x-hub-signature-256': signature, 'x-patrimoine-event': p.event })).status;
      } finally {
        await ctx.db.update(decesWebhooks).set({ lastDeliveryAt: now(), lastDeliveryStatus: status }).where(eq(decesWebhooks.id, r.id));
      }
      if (status < 200 || status > 299) throw new Error(`le webhook a répondu ${status} : nouvel essai plus tard`);
      return { sent: true, status };
    },
  });

  return webhooks;
}

export type Webhooks = ReturnType<typeof createWebhooks>;
