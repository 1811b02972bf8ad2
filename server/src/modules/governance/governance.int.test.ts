import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { startSmtpServer } from '../../../test/smtp.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import type { GovernanceService } from './index.ts';
import { demoPdf } from './governance.demo.ts';
import { parisDay } from './governance.service.ts';

let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let svc: GovernanceService;
const tok: Record<string, string> = {};
const R = '/api/roadmaps/dac-2021-2023';
const day = (offset: number) => parisDay(new Date(Date.now() + offset * 86400_000));

/** A multipart body with text fields and one file. */
function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; data: Buffer }) {
  const boundary = `----governance${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const action = async (code: string) => (await t.app.inject({ method: 'GET', url: `${R}/actions/${code}`, headers: bearer(tok.admin!) })).json();

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestPlatform({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Patrimoine <ne-pas-repondre@interieur.gouv.fr>' }, startJobs: true });
  svc = (t.services as { governance?: GovernanceService }).governance!;
  // The demo catalogue: DSR and DNUM own assets.
  await t.modules.find((m) => m.name === 'catalog')!.seedDemo!();
  tok.admin = (await t.tokenFor('admin')).token;
  const dsr = await t.tokenFor('data_admin', { organisationCode: 'DSR' });
  tok.dsr = dsr.token;
  tok.dsrLogin = dsr.login;
  tok.dnum = (await t.tokenFor('data_admin', { organisationCode: 'DNUM' })).token;
  tok.dsrEditor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
  tok.reviewer = (await t.tokenFor('reviewer')).token;
  tok.reader = (await t.tokenFor('reader')).token;
});
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
});

describe('the network of people feeds the roadmap (A57, A58)', () => {
  let id: string;
  it('only the ministerial administrator appoints; fields are checked in French', async () => {
    const body = {
      role: 'administrateur_metier',
      organisation: 'DSR',
      personName: 'Camille Martin',
      email: 'camille.martin@interieur.gouv.fr',
      appointedOn: day(-10),
    };
    const forbidden = await t.app.inject({ method: 'POST', url: '/api/governance/appointments', headers: bearer(tok.dsr!), payload: body });
    expect(forbidden.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/governance/appointments',
      headers: bearer(tok.admin!),
      payload: { ...body, organisation: null, email: 'pas-une-adresse' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('body.email');
    const noOrg = await t.app.inject({
      method: 'POST',
      url: '/api/governance/appointments',
      headers: bearer(tok.admin!),
      payload: { ...body, organisation: null },
    });
    expect(noOrg.statusCode).toBe(400);
    expect(noOrg.json().errors).toEqual([
      { field: 'organisation', label: 'Direction', message: 'direction obligatoire pour un administrateur des données métiers' },
    ]);

    const before = await action('A57');
    const r = await t.app.inject({ method: 'POST', url: '/api/governance/appointments', headers: bearer(tok.admin!), payload: body });
    expect(r.statusCode).toBe(201);
    id = r.json().id;
    const after = await action('A57');
    expect(after.action.progress).toBeGreaterThan(before.action.progress);
    expect(after.action.status).toBe('en_cours');
    expect(after.indicators.find((i: { name: string }) => i.name.startsWith('Directions dotées')).currentValue).toBe('1');
    // The directorate has an administrator but no letter yet: an A58 gap, no A57 gap.
    const dash = (await t.app.inject({ method: 'GET', url: `${R}/dashboard`, headers: bearer(tok.reader!) })).json();
    const dsrGaps = dash.gaps.filter((g: { organisation: string }) => g.organisation === 'DSR').map((g: { actionCode: string }) => g.actionCode);
    expect(dsrGaps).toEqual(['A58']);
    expect(dash.gaps.some((g: { actionCode: string; organisation: string }) => g.actionCode === 'A57' && g.organisation === 'DGEF')).toBe(true);
  });

  it('stores the mission letter (PDF checked by its signature and size) and A58 moves', async () => {
    const notPdf = multipart(
      { signedOn: day(-5), signatory: 'Le secrétaire général' },
      { name: 'letter', filename: 'x.pdf', type: 'application/pdf', data: Buffer.from('GIF89a…') },
    );
    const r1 = await t.app.inject({
      method: 'PUT',
      url: `/api/governance/appointments/${id}/letter`,
      headers: { ...bearer(tok.admin!), ...notPdf.headers },
      payload: notPdf.payload,
    });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().errors).toEqual([{ field: 'letter', label: 'Lettre de mission', message: 'la lettre de mission doit être un fichier PDF' }]);
    const big = multipart(
      { signedOn: day(-5), signatory: 'Le SG' },
      { name: 'letter', filename: 'x.pdf', type: 'application/pdf', data: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5 * 1024 * 1024)]) },
    );
    const r2 = await t.app.inject({
      method: 'PUT',
      url: `/api/governance/appointments/${id}/letter`,
      headers: { ...bearer(tok.admin!), ...big.headers },
      payload: big.payload,
    });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().errors[0].field).toBe('letter');

    const before = await action('A58');
    const ok = multipart(
      { signedOn: day(-5), signatory: 'Le secrétaire général' },
      { name: 'letter', filename: 'lettre.pdf', type: 'application/pdf', data: demoPdf('Lettre') },
    );
    const r3 = await t.app.inject({
      method: 'PUT',
      url: `/api/governance/appointments/${id}/letter`,
      headers: { ...bearer(tok.admin!), ...ok.headers },
      payload: ok.payload,
    });
    expect(r3.statusCode).toBe(200);
    expect(r3.json().letter).toMatchObject({ signedOn: day(-5), signatory: 'Le secrétaire général' });
    expect((await action('A58')).action.progress).toBeGreaterThan(before.action.progress);
    const pdf = await t.app.inject({ method: 'GET', url: `/api/governance/appointments/${id}/letter`, headers: bearer(tok.dsr!) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await t.app.inject({ method: 'GET', url: `/api/governance/appointments/${id}/letter`, headers: bearer(tok.reader!) })).statusCode).toBe(403);
    const net = (await t.app.inject({ method: 'GET', url: '/api/governance/network', headers: bearer(tok.reader!) })).json();
    const slot = net.directorates.find((s: { organisationCode: string }) => s.organisationCode === 'DSR');
    expect(slot).toMatchObject({ vacant: false, missingLetter: false });
    expect(net.directorates.find((s: { organisationCode: string }) => s.organisationCode === 'DGEF').vacant).toBe(true);
  });

  it('publishes names only, and exports the internal directory as CSV', async () => {
    const pub = (await t.app.inject({ method: 'GET', url: '/api/public/governance/network' })).json();
    expect(pub.items).toContainEqual({ role: 'administrateur_metier', organisation: 'DSR', region: null, personName: 'Camille Martin' });
    expect(JSON.stringify(pub)).not.toContain('@');
    const csv = await t.app.inject({ method: 'GET', url: '/api/governance/appointments?format=csv', headers: bearer(tok.reader!) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('camille.martin@interieur.gouv.fr');
    expect((await t.app.inject({ method: 'GET', url: '/api/governance/network' })).statusCode).toBe(401);
  });
});

describe('review campaigns of the cartography (A28)', () => {
  let campaign: string;
  let dsrAsset: { assetId: string; kind: string; slug: string };
  let dnumAsset: { assetId: string };
  it('opens a campaign over the directorates’ assets (admin only)', async () => {
    const body = { title: 'Revue de test', dueOn: day(10), organisations: ['DSR', 'DNUM'] };
    expect((await t.app.inject({ method: 'POST', url: '/api/governance/campaigns', headers: bearer(tok.dsr!), payload: body })).statusCode).toBe(403);
    const past = await t.app.inject({ method: 'POST', url: '/api/governance/campaigns', headers: bearer(tok.admin!), payload: { ...body, dueOn: day(-1) } });
    expect(past.json().errors[0].field).toBe('dueOn');
    const r = await t.app.inject({ method: 'POST', url: '/api/governance/campaigns', headers: bearer(tok.admin!), payload: body });
    expect(r.statusCode).toBe(201);
    campaign = r.json().id;
    expect(r.json().byDirectorate.map((g: { organisationCode: string }) => g.organisationCode)).toEqual(['DNUM', 'DSR']);
    expect(r.json().totals.pending).toBe(r.json().totals.total);
    const items = (
      await t.app.inject({ method: 'GET', url: `/api/governance/campaigns/${campaign}/items?organisation=DSR`, headers: bearer(tok.dsr!) })
    ).json();
    dsrAsset = items.items[0];
    expect(items.items.every((i: { canConfirm: boolean }) => i.canConfirm)).toBe(true);
    dnumAsset = (await t.app.inject({ method: 'GET', url: `/api/governance/campaigns/${campaign}/items?organisation=DNUM`, headers: bearer(tok.dsr!) })).json()
      .items[0];
  });

  it('flags an asset not confirmed for longer than the policy as stale', async () => {
    await t.ctx.db.transaction(async (tx) => {
      await t.services.catalog!.confirmAsset(dsrAsset.assetId, SYSTEM, tx, new Date(Date.now() - 400 * 86400_000));
      await svc.sweepStale(tx);
    });
    const a = (await t.app.inject({ method: 'GET', url: `/api/catalog/assets/${dsrAsset.kind}/${dsrAsset.slug}`, headers: bearer(tok.reader!) })).json();
    expect(a.asset.stale).toBe(true);
  });

  it('a directorate’s administrator confirms only its own organisation’s assets; the stale flag clears', async () => {
    const other = await t.app.inject({
      method: 'POST',
      url: `/api/governance/campaigns/${campaign}/items/${dnumAsset.assetId}/confirm`,
      headers: bearer(tok.dsr!),
    });
    expect(other.statusCode).toBe(403);
    const editor = await t.app.inject({
      method: 'POST',
      url: `/api/governance/campaigns/${campaign}/items/${dsrAsset.assetId}/confirm`,
      headers: bearer(tok.dsrEditor!),
    });
    expect(editor.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/governance/campaigns/${campaign}/items/${dsrAsset.assetId}/confirm`,
      headers: bearer(tok.dsr!),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ outcome: 'confirme', stale: false });
    const a = (await t.app.inject({ method: 'GET', url: `/api/catalog/assets/${dsrAsset.kind}/${dsrAsset.slug}`, headers: bearer(tok.reader!) })).json();
    expect(a.asset.stale).toBe(false);
    expect(a.asset.lastConfirmedAt).not.toBeNull();
    // The DNUM asset is still to review.
    const items = (
      await t.app.inject({ method: 'GET', url: `/api/governance/campaigns/${campaign}/items?organisation=DNUM&outcome=en_attente`, headers: bearer(tok.dnum!) })
    ).json();
    expect(items.items.some((i: { assetId: string }) => i.assetId === dnumAsset.assetId)).toBe(true);
  });

  it('an edit through the catalogue counts as « updated »', async () => {
    const items = (
      await t.app.inject({ method: 'GET', url: `/api/governance/campaigns/${campaign}/items?organisation=DSR&outcome=en_attente`, headers: bearer(tok.dsr!) })
    ).json();
    const x = items.items[0];
    const a = (await t.app.inject({ method: 'GET', url: `/api/catalog/assets/${x.kind}/${x.slug}`, headers: bearer(tok.dsr!) })).json().asset;
    const body = {
      kind: a.kind,
      slug: a.slug,
      title: a.title,
      description: `${a.description} Revu en campagne.`,
      owner: a.owner,
      contacts: a.contacts,
      tags: a.tags,
      lifecycle: a.lifecycle,
      decommissionPlannedOn: a.decommissionPlannedOn,
      decommissionedOn: a.decommissionedOn,
      openness: a.openness,
      opennessReason: a.opennessReason,
      personalData: a.personalData,
      spec: a.spec,
    };
    const put = await t.app.inject({ method: 'PUT', url: `/api/catalog/assets/${a.kind}/${a.slug}`, headers: bearer(tok.dsr!), payload: body });
    expect(put.statusCode).toBe(200);
    const c = (await t.app.inject({ method: 'GET', url: `/api/governance/campaigns/${campaign}`, headers: bearer(tok.reader!) })).json();
    const dsr = c.byDirectorate.find((g: { organisationCode: string }) => g.organisationCode === 'DSR');
    expect(dsr).toMatchObject({ confirmed: 1, modified: 1 });
  });

  it('reminds the directorates by e-mail, and the committee report shows the campaign', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/api/governance/campaigns/${campaign}/remind`, headers: bearer(tok.admin!) });
    expect(r.statusCode).toBe(200);
    expect(r.json().recipients).toEqual(['camille.martin@interieur.gouv.fr']);
    const m = await smtp.waitFor((x) => x.to.includes('camille.martin@interieur.gouv.fr'));
    expect(m.subject).toMatch(/Revue de la cartographie : \d+ actif\(s\) à confirmer/);
    expect(m.headers['list-unsubscribe']).toContain('/gouvernance/reseau');
    // The periodic round sends at most one round a day: already done today for this campaign.
    // A campaign due in 3 days (reminders from 7 days before) is reminded by the round, once.
    const soon = await t.app.inject({
      method: 'POST',
      url: '/api/governance/campaigns',
      headers: bearer(tok.admin!),
      payload: { title: 'Revue courte', dueOn: day(3), organisations: ['DSR'] },
    });
    expect(soon.statusCode).toBe(201);
    expect((await svc.tick()).reminded).toBe(1);
    expect((await svc.tick()).reminded).toBe(0);
    await smtp.waitFor((x) => x.subject.includes('actif(s) à confirmer') && x.headers['x-patrimoine-campaign'] === soon.json().id);
    const rep = (await t.app.inject({ method: 'GET', url: `${R}/report`, headers: bearer(tok.reader!) })).json();
    const sec = rep.sections.find((s: { title: string }) => s.title.includes('Revue de test'));
    expect(sec.rows.find((row: string[]) => row[0] === 'DSR')).toEqual(['DSR', expect.any(String), '1', '1', expect.any(String), expect.stringMatching(/ %$/)]);
    expect(rep.gaps.some((g: { actionCode: string; organisation: string }) => g.actionCode === 'A57' && g.organisation === 'DGEF')).toBe(true);
    const md = await t.app.inject({ method: 'GET', url: `${R}/report?format=md`, headers: bearer(tok.reader!) });
    expect(md.body).toContain('Revue de la cartographie (A28) : Revue de test');
  });
});

describe('value of a data project (A29)', () => {
  let criteria: { id: string; label: string }[];
  let project: string;
  it('the grid is edited by the data team only, weighted and justified', async () => {
    const grid = {
      criteria: [
        { label: 'Bénéfices pour les usagers', axis: 'valeur', weight: 60, justification: 'Premier objectif de la politique.' },
        { label: 'Potentiel de réutilisation', axis: 'valeur', weight: 40, justification: 'Données et code réutilisables.' },
        { label: 'Coût et effort', axis: 'effort', weight: 100, justification: 'Charge de réalisation estimée.' },
      ],
    };
    expect((await t.app.inject({ method: 'PUT', url: '/api/governance/grid', headers: bearer(tok.reviewer!), payload: grid })).statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/api/governance/grid',
      headers: bearer(tok.admin!),
      payload: { criteria: grid.criteria.slice(0, 2) },
    });
    expect(bad.json().errors[0].field).toBe('criteria');
    const r = await t.app.inject({ method: 'PUT', url: '/api/governance/grid', headers: bearer(tok.admin!), payload: grid });
    expect(r.statusCode).toBe(200);
    criteria = r.json().criteria;
  });

  it('a directorate proposes for itself, the data lab scores, the administrator decides; CSV export', async () => {
    const body = { title: 'Tableau de bord accidentalité', organisation: 'DSR', assets: ['dataset:auto-ecoles-labellisees'] };
    const wrongOrg = await t.app.inject({
      method: 'POST',
      url: '/api/governance/projects',
      headers: bearer(tok.dsr!),
      payload: { ...body, organisation: 'DGEF' },
    });
    expect(wrongOrg.json().errors[0].field).toBe('organisation');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/governance/projects',
      headers: bearer(tok.dsr!),
      payload: { ...body, assets: ['dataset:nope'] },
    });
    expect(unknown.json().errors[0].field).toBe('assets.0');
    const r = await t.app.inject({ method: 'POST', url: '/api/governance/projects', headers: bearer(tok.dsr!), payload: body });
    expect(r.statusCode).toBe(201);
    project = r.json().id;
    expect(r.json().catalogQuality).toEqual(expect.any(Number));
    const scores = { scores: criteria.map((k, i) => ({ criterionId: k.id, score: [5, 0, 2][i]! })) };
    expect(
      (await t.app.inject({ method: 'PUT', url: `/api/governance/projects/${project}/scores`, headers: bearer(tok.dsr!), payload: scores })).statusCode,
    ).toBe(403);
    const partial = await t.app.inject({
      method: 'PUT',
      url: `/api/governance/projects/${project}/scores`,
      headers: bearer(tok.reviewer!),
      payload: { scores: scores.scores.slice(0, 1) },
    });
    expect(partial.statusCode).toBe(400);
    const s = await t.app.inject({ method: 'PUT', url: `/api/governance/projects/${project}/scores`, headers: bearer(tok.reviewer!), payload: scores });
    expect(s.json()).toMatchObject({ status: 'evaluee', value: 60, effort: 40 });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/governance/projects/${project}/decision`,
          headers: bearer(tok.reviewer!),
          payload: { status: 'retenue', decision: 'Retenu au comité.' },
        })
      ).statusCode,
    ).toBe(403);
    const d = await t.app.inject({
      method: 'POST',
      url: `/api/governance/projects/${project}/decision`,
      headers: bearer(tok.admin!),
      payload: { status: 'retenue', decision: 'Retenu au comité.' },
    });
    expect(d.json()).toMatchObject({ status: 'retenue', decision: 'Retenu au comité.' });
    const csv = await t.app.inject({ method: 'GET', url: '/api/governance/projects?format=csv', headers: bearer(tok.reader!) });
    expect(csv.body).toContain('Tableau de bord accidentalité');
    expect(csv.body).toContain('Bénéfices pour les usagers (60)');
    const audit = await t.ctx.database.query<{ n: number }>("select count(*)::int as n from audit_log where action like 'governance.%'");
    expect(audit[0]!.n).toBeGreaterThanOrEqual(8);
  });
});

describe('demo content', () => {
  it('loads into empty governance tables only', async () => {
    // Tables hold the test's records: the demo is skipped.
    await t.modules.find((m) => m.name === 'governance')!.seedDemo!();
    expect((await svc.listProjects(SYSTEM)).every((p) => !p.title.includes('(démo)'))).toBe(true);
  });
});
