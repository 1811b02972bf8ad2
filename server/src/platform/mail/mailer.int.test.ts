import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { startSmtpServer } from '../../../test/smtp.ts';
import { checkMessage, maskAddress, MAIL_JOB } from './mailer.ts';

let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestPlatform({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Patrimoine <ne-pas-repondre@interieur.gouv.fr>' }, startJobs: true });
});
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
});

describe('mailer', () => {
  it('delivers a French message through SMTP, with its headers', async () => {
    await t.ctx.mail.send({
      to: 'agent@interieur.gouv.fr',
      subject: 'Votre demande a été validée',
      text: 'Bonjour,\nvotre demande « accès RGA » est validée.',
      headers: { 'List-Unsubscribe': '<https://patrimoine.example/desabonnement/abc>' },
    });
    const m = await smtp.waitFor((x) => x.subject === 'Votre demande a été validée');
    expect(m.to).toEqual(['agent@interieur.gouv.fr']);
    expect(m.from).toBe('ne-pas-repondre@interieur.gouv.fr');
    expect(m.text).toContain('« accès RGA »');
    expect(m.headers['list-unsubscribe']).toContain('desabonnement/abc');
  });

  it('queues atomically with the caller: a rolled-back transaction sends nothing', async () => {
    const before = smtp.messages.length;
    await t.ctx.db
      .transaction(async (tx) => {
        await t.ctx.mail.send({ to: 'x@interieur.gouv.fr', subject: 'Annulé', text: '…' }, { tx });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await t.ctx.mail.send({ to: 'y@interieur.gouv.fr', subject: 'Après', text: '…' });
    await smtp.waitFor((x) => x.subject === 'Après');
    expect(smtp.messages.slice(before).map((x) => x.subject)).toEqual(['Après']);
  });

  it('runs as a job that succeeds once delivered', async () => {
    const job = await t.ctx.jobs.enqueue(MAIL_JOB, { to: ['z@interieur.gouv.fr'], subject: 'Par tâche', text: '…' });
    const done = await t.ctx.jobs.waitFor(job.id, 15_000);
    expect(done.state).toBe('succeeded');
    expect((await smtp.waitFor((x) => x.subject === 'Par tâche')).to).toEqual(['z@interieur.gouv.fr']);
  });

  it('refuses header injection, bad addresses and oversized bodies before queuing', async () => {
    await expect(t.ctx.mail.send({ to: 'a@b.fr', subject: 'x\r\nBcc: evil@x.fr', text: '' })).rejects.toThrow(/subject/);
    await expect(t.ctx.mail.send({ to: 'a@b.fr, evil@x.fr', subject: 'x', text: '' })).rejects.toThrow(/recipient/);
    await expect(t.ctx.mail.send({ to: 'a@b.fr', subject: 'x', text: '', headers: { 'X-A\nB': '1' } })).rejects.toThrow(/header/);
    expect(() => checkMessage({ to: 'a@b.fr', subject: 'x', text: 'y'.repeat(300_000) })).toThrow(/body/);
    expect(maskAddress('jean.dupont@interieur.gouv.fr')).toBe('j***@interieur.gouv.fr');
  });
});
