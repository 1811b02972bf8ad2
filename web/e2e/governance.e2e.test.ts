import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;
const R = '/feuille-de-route/dac-2021-2023';

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** A one-page PDF, as a person would pick from their disk. */
const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** The progress of an action as its page shows it. */
async function progressOf(page: Page, code: string): Promise<number> {
  await page.goto(`${R}/actions/${code}`);
  const t = page.getByText(new RegExp(`% d’avancement pour ${code}$`)).first();
  await visible(t);
  return Number((await t.textContent())!.match(/^(\d+)/)![1]);
}

describe('data governance in the browser (issue 20)', () => {
  it('the data administrator appoints a directorate’s administrator with a mission letter, and A57 and A58 move', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    const a57 = await progressOf(page, 'A57');
    const a58 = await progressOf(page, 'A58');

    await page.goto('/gouvernance/reseau');
    await visible(page.getByRole('heading', { level: 1, name: 'Réseau des administrateurs des données' }));
    const row = page.locator('tr[data-slot="org:DMAT"]');
    await visible(row.getByText('Vacant'));
    await visible(page.getByRole('img', { name: /Référents données, algorithmes et codes sources des préfectures de région/ }));

    const form = page.getByRole('form', { name: 'Nommer un membre du réseau' });
    await form.getByLabel('Direction').selectOption('DMAT');
    await form.getByLabel('Nom et prénom').fill('Élise Moreau');
    await form.getByLabel('Courriel professionnel').fill('pas-une-adresse');
    await form.getByRole('button', { name: 'Enregistrer la nomination' }).click();
    await visible(form.getByText('adresse électronique invalide'));
    await form.getByLabel('Courriel professionnel').fill('elise.moreau@interieur.gouv.fr');
    await form.getByRole('button', { name: 'Enregistrer la nomination' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Nomination enregistrée : Élise Moreau' }));
    await visible(row.getByText('Lettre de mission absente'));
    await visible(row.getByRole('link', { name: 'elise.moreau@interieur.gouv.fr' }));

    await row.getByRole('button', { name: 'Déposer la lettre' }).click();
    const letter = page.getByRole('form', { name: 'Lettre de mission de Élise Moreau' });
    await letter.getByLabel(/Lettre de mission \(PDF\)/).setInputFiles({ name: 'lettre.txt', mimeType: 'application/pdf', buffer: Buffer.from('pas un PDF') });
    await letter.getByLabel('Signataire').fill('Le secrétaire général');
    await letter.getByRole('button', { name: 'Enregistrer la lettre' }).click();
    await visible(letter.getByText('la lettre de mission doit être un fichier PDF'));
    await letter.getByLabel(/Lettre de mission \(PDF\)/).setInputFiles({ name: 'lettre.pdf', mimeType: 'application/pdf', buffer: pdf });
    await letter.getByRole('button', { name: 'Enregistrer la lettre' }).click();
    await visible(row.getByText('Nommé, lettre reçue'));

    expect(await progressOf(page, 'A57')).toBeGreaterThan(a57);
    expect(await progressOf(page, 'A58')).toBeGreaterThan(a58);
    // The roadmap's dashboard lists the remaining gaps, not DMAT's.
    await page.goto(`${R}/tableau-de-bord`);
    await visible(page.locator('[data-gap="A57:DGCL"]'));
    expect(await page.locator('[data-gap^="A57:DMAT"], [data-gap^="A58:DMAT"]').count()).toBe(0);
    expect(unexpected(errors)).toEqual([]);
  });

  it('a review campaign runs, a directorate confirms its assets, the stale flag clears and the committee report shows it', async () => {
    const admin = await newPage(browser);
    await login(admin.page, 'admin', adminPassword());
    await admin.page.goto('/gouvernance/revues');
    const form = admin.page.getByRole('form', { name: 'Ouvrir une campagne de revue' });
    await form.getByLabel('Titre').fill('Revue e2e');
    const due = new Date(Date.now() + 14 * 86400_000).toLocaleDateString('en-CA');
    await form.getByLabel('Échéance').fill(due);
    await form.getByLabel(/Directions/).fill('DSR, DNUM');
    await form.getByRole('button', { name: 'Ouvrir la campagne' }).click();
    await visible(admin.page.getByRole('link', { name: 'Revue e2e' }));
    await visible(admin.page.getByRole('img', { name: /Avancement de la revue par direction — Revue e2e/ }));

    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/gouvernance/revues');
    await page.getByRole('link', { name: 'Revue e2e' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Revue e2e' }));
    // The DNUM's assets are not the DSR's to confirm.
    await page.getByLabel('Direction', { exact: true }).selectOption('DNUM');
    await page.waitForURL(/organisation=DNUM/);
    // Wait for the DNUM's list itself: the full list (which holds DNUM rows too) may still be on screen.
    const directorates = () => page.locator('tr[data-asset]').evaluateAll((rs) => [...new Set(rs.map((r) => r.getAttribute('data-organisation')))].join(','));
    await expect.poll(directorates, { timeout: 10_000 }).toBe('DNUM');
    expect(await page.getByRole('button', { name: 'Confirmer sans changement' }).count()).toBe(0);
    await page.getByLabel('Direction', { exact: true }).selectOption('DSR');
    await page.waitForURL(/organisation=DSR/);
    const stale = page.locator('tr[data-organisation="DSR"]').filter({ hasText: 'Périmé' }).first();
    await visible(stale);
    const ref = (await stale.getAttribute('data-asset'))!;
    const [kind, slug] = ref.split(':');

    // The catalogue flags it as stale…
    const assetPage = await newPage(browser);
    await login(assetPage.page, 'dsr.admin', adminPassword());
    await assetPage.page.goto(`/catalogue/${kind}/${slug}`);
    await visible(assetPage.page.getByText('Description à confirmer (périmée)'));

    // …until its directorate confirms it unchanged, in one click.
    const line = page.locator(`tr[data-asset="${ref}"]`);
    await line.getByRole('button', { name: 'Confirmer sans changement' }).click();
    await visible(line.getByText('Confirmé sans changement'));
    await expectNoStale(line);
    await assetPage.page.reload();
    await visible(assetPage.page.getByRole('heading', { level: 1 }));
    expect(await assetPage.page.getByText('Description à confirmer (périmée)').count()).toBe(0);

    await page.goto(`${R}/comite`);
    const section = page.getByRole('region', { name: 'Revue de la cartographie (A28) : Revue e2e' });
    await visible(section);
    await visible(section.getByRole('row').filter({ hasText: /^DSR/ }).getByRole('cell', { name: '1', exact: true }).first());
    expect(unexpected(errors)).toEqual([]);
    expect(unexpected(admin.errors)).toEqual([]);
  });

  it('a project is proposed, scored by the data lab and placed on the matrix', async () => {
    const dsr = await newPage(browser);
    await login(dsr.page, 'dsr.admin', adminPassword());
    await dsr.page.goto('/gouvernance/projets');
    const form = dsr.page.getByRole('form', { name: 'Proposer un projet' });
    await form.getByLabel('Titre du projet').fill('Carte des auto-écoles e2e');
    await form.getByLabel(/Actifs du catalogue/).fill('dataset:inconnu');
    await form.getByRole('button', { name: 'Proposer le projet' }).click();
    await visible(form.getByText('actif introuvable dans le catalogue : dataset:inconnu'));
    await form.getByLabel(/Actifs du catalogue/).fill('dataset:auto-ecoles-labellisees');
    await form.getByRole('button', { name: 'Proposer le projet' }).click();
    await visible(dsr.page.getByRole('link', { name: 'Carte des auto-écoles e2e' }));

    const { page, errors } = await newPage(browser);
    await login(page, 'relecteur', adminPassword());
    await page.goto('/gouvernance/projets');
    await page.getByRole('link', { name: 'Carte des auto-écoles e2e' }).click();
    const score = page.getByRole('form', { name: 'Évaluer le projet' });
    await visible(score);
    const selects = score.locator('select');
    const n = await selects.count();
    expect(n).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < n; i++) await selects.nth(i).selectOption(i < n - 2 ? '5' : '1');
    await score.getByRole('button', { name: 'Enregistrer l’évaluation' }).click();
    await visible(page.getByTestId('scores').getByText(/évalué par/));
    await page.getByRole('link', { name: 'Retour à la matrice' }).click();
    await visible(page.locator('svg[data-chart="matrix"] [data-project="Carte des auto-écoles e2e"]'));
    await page.getByText('Voir les données de « Projets évalués : valeur en fonction de l’effort » sous forme de tableau').click();
    await visible(page.getByRole('table', { name: 'Projets évalués : valeur et effort' }).getByRole('rowheader', { name: 'Carte des auto-écoles e2e' }));
    expect(unexpected(errors)).toEqual([]);
  });
});

async function expectNoStale(line: ReturnType<Page['locator']>) {
  expect(await line.getByText('Périmé').count()).toBe(0);
}
