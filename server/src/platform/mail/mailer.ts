import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/client.ts';
import type { JobsService } from '../jobs/jobs.service.ts';

/** A message to send. Bodies are in French; the sender adds an unsubscribe link or header where relevant. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /**
   * Queues a message. With `tx`, it is queued atomically with the caller's writes (a `platform.mail`
   * job): rolled back with them, delivered once they commit, retried when the SMTP server refuses it.
   */
  send(message: MailMessage, opts?: { tx?: Db }): Promise<void>;
  /** Whether messages leave this platform (SMTP_URL set); otherwise only recipient and subject are logged. */
  readonly delivering: boolean;
  close(): void;
}

export const MAIL_JOB = 'platform.mail';
const MAX_RECIPIENTS = 50;
const MAX_BODY = 256 * 1024;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Refuses what would let a caller inject headers or recipients (line breaks, lists in one string, oversized bodies). */
export function checkMessage(m: MailMessage): { to: string[] } & Omit<MailMessage, 'to'> {
  const to = (Array.isArray(m.to) ? m.to : [m.to]).map((a) => a.trim());
  if (to.length === 0 || to.length > MAX_RECIPIENTS) throw new Error(`mail: between 1 and ${MAX_RECIPIENTS} recipients`);
  for (const a of to) if (!ADDRESS.test(a) || a.length > 254) throw new Error('mail: invalid recipient address');
  if (/[\r\n]/.test(m.subject) || m.subject.length > 250) throw new Error('mail: invalid subject');
  if (m.text.length > MAX_BODY || (m.html?.length ?? 0) > MAX_BODY) throw new Error('mail: body too large');
  for (const [k, v] of Object.entries(m.headers ?? {}))
    if (!HEADER_NAME.test(k) || /[\r\n]/.test(v) || v.length > 1000) throw new Error('mail: invalid header');
  return { ...m, to };
}

/** Masks the local part of an address for logs: `j***@interieur.gouv.fr`. */
export function maskAddress(a: string): string {
  const at = a.lastIndexOf('@');
  return at <= 0 ? '***' : `${a[0]}***${a.slice(at)}`;
}

export function createMailer(deps: { smtpUrl?: string; from: string; jobs: JobsService; logger: FastifyBaseLogger }): Mailer {
  const transport: Transporter | null = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl, { from: deps.from }) : null;
  deps.jobs.register<MailMessage & { to: string[] }, { delivered: boolean }, never>(MAIL_JOB, {
    maxAttempts: 6,
    retentionMs: 24 * 3600_000,
    describe: (j) => ({ title: `Envoi d’un courriel « ${String((j.payload as { subject?: unknown }).subject ?? '').slice(0, 120)} »` }),
    async run({ payload }) {
      const m = checkMessage(payload);
      if (!transport) {
        deps.logger.info({ to: m.to.map(maskAddress), subject: m.subject }, 'mail not sent (SMTP_URL is not set)');
        return { delivered: false };
      }
      await transport.sendMail({ from: deps.from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
      deps.logger.info({ to: m.to.map(maskAddress), subject: m.subject }, 'mail sent');
      return { delivered: true };
    },
  });
  return {
    delivering: transport !== null,
    async send(message, opts = {}) {
      const m = checkMessage(message);
      await deps.jobs.enqueue(MAIL_JOB, m, { tx: opts.tx });
    },
    close() {
      transport?.close();
    },
  };
}
