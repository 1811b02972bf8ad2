import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;
const R = '/feuille-de-route/dac-2021-2023';
const shots = process.env.E2E_SCREENSHOTS;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('roadmap in the browser', () => {
  it('shows the 66 actions (and A09’s 3 sub-actions) and the 30 openings of the real roadmap, with the source’s remarks', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'agent', adminPassword());
    await page.goto('/feuille-de-route');
    await page.waitForURL(`**${R}`);
    await visible(page.getByRole('heading', { level: 1, name: 'Actions de la feuille de route' }));
    await visible(page.getByRole('status').filter({ hasText: '69 action(s)' }));
    expect(await page.locator('tbody tr').count()).toBe(69);
    await visible(page.getByText(/Remarque sur la source : Contributeur absent du tableau en annexe/));
    // Today is past every 2021-2023 deadline: an action not done is late.
    const a01 = page.locator('tr[data-code="A01"]');
    await visible(a01.getByText('En retard'));
    await page.getByRole('link', { name: 'Ouvertures', exact: true }).click();
    await visible(page.getByRole('status').filter({ hasText: '30 ouverture(s)' }));
    expect(await page.locator('tbody tr').count()).toBe(30);
    if (shots) await page.screenshot({ path: `${shots}/roadmap-openings.png`, fullPage: false });
    expect(unexpected(errors)).toEqual([]);
  });

  it('filters the dashboard, keeps the filters in the URL, and draws accessible charts with tables', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'agent', adminPassword());
    await page.goto(`${R}/tableau-de-bord`);
    await visible(page.getByRole('heading', { level: 1, name: 'Tableau de bord' }));
    await visible(page.locator('[data-kpi="actions"]').filter({ hasText: /^69$/ }));
    await page.getByLabel('Organisation contributrice', { exact: true }).selectOption('DSR');
    await page.waitForURL(/contributeur=DSR/);
    await visible(page.locator('[data-kpi="actions"]').filter({ hasText: /^4$/ }));
    await page.getByLabel('Statut', { exact: true }).selectOption('a_lancer');
    await page.waitForURL(/statut=a_lancer/);
    // A shared link gives the same view.
    const url = page.url();
    const other = await newPage(browser);
    await login(other.page, 'agent', adminPassword());
    await other.page.goto(url);
    await visible(other.page.locator('[data-kpi="actions"]'));
    expect(await other.page.getByLabel('Organisation contributrice', { exact: true }).inputValue()).toBe('DSR');
    expect(await other.page.getByLabel('Statut', { exact: true }).inputValue()).toBe('a_lancer');
    // Charts are images with a title, and their data is available as a table.
    const chart = page.getByRole('img', { name: /Actions par partie et par statut/ });
    await visible(chart);
    await page.getByText('Voir les données de « Actions par partie et par statut » sous forme de tableau').click();
    await visible(page.getByRole('table', { name: 'Actions par partie' }));
    const csv = await page.getByRole('link', { name: 'CSV' }).first().getAttribute('href');
    expect(csv).toContain('contributor=DSR');
    expect(csv).toContain('format=csv');
    const res = await page.request.get(csv!);
    expect(res.headers()['content-type']).toContain('text/csv');
    if (shots) await page.screenshot({ path: `${shots}/roadmap-dashboard.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('lets the DSR data administrator update A10, and the update shows everywhere', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto(R);
    await page.getByLabel('Contributeur').selectOption('DSR');
    await page.waitForURL(/contributeur=DSR/);
    await page.getByRole('link', { name: 'A10', exact: true }).click();
    await visible(page.getByRole('heading', { level: 1, name: /A10 — Ouvrir les données relatives aux auto-écoles/ }));
    await visible(page.getByText('Deux échéances dans la source'));
    const form = page.getByRole('form', { name: 'Mettre à jour l’action' });
    await form.getByLabel('Avancement (%)').fill('150');
    await form.getByRole('button', { name: 'Enregistrer la mise à jour' }).click();
    await visible(form.getByText('Entre 0 et 100.'));
    await form.getByLabel('Statut', { exact: true }).selectOption('en_cours');
    await form.getByLabel('Avancement (%)').fill('60');
    await form.getByRole('textbox', { name: /^Note/ }).fill('Jeu des auto-écoles labellisées publié ; le second suit.');
    await form.getByRole('button', { name: 'Enregistrer la mise à jour' }).click();
    await visible(page.getByText('Mise à jour enregistrée.'));
    await visible(page.locator('.roadmap-log').getByText('Jeu des auto-écoles labellisées publié ; le second suit.'));
    await visible(page.locator('.roadmap-log').getByText('statut : À lancer → En cours'));
    if (shots) await page.screenshot({ path: `${shots}/roadmap-action.png`, fullPage: true });

    // The list shows the new state and the note.
    await page.goto(`${R}?contributeur=DSR`);
    const row = page.locator('tr[data-code="A10"]');
    await visible(row.getByText('En cours'));
    await visible(row.getByText(/Jeu des auto-écoles labellisées publié/));
    // The dashboard counts it.
    await page.goto(`${R}/tableau-de-bord?contributeur=DSR`);
    await visible(page.locator('[data-kpi="en cours"]').filter({ hasText: /^1$/ }));
    // The committee report of the current quarter lists the status change.
    await page.goto(`${R}/comite`);
    await visible(page.getByText(/A10.*À lancer → En cours/).first());
    // The public transparency page (no login) too.
    const anon = await newPage(browser);
    await anon.page.goto('/transparence/feuille-de-route');
    const pub = anon.page.locator('tr', { has: anon.page.getByRole('rowheader', { name: 'A10', exact: true }) });
    await visible(pub.getByText('En cours'));
    await visible(pub.getByText('60 %'));
    if (shots) await anon.page.screenshot({ path: `${shots}/roadmap-public.png`, fullPage: false });
    expect(await anon.page.content()).not.toContain('Jeu des auto-écoles labellisées publié');
    // The public tables download as CSV, with A10's update in them.
    const [download] = await Promise.all([anon.page.waitForEvent('download'), anon.page.getByRole('link', { name: 'Télécharger les actions (CSV)' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/A10;[^\n]*;en_cours;60;/);

    // Not an action of the DSR: no form, and the API refuses.
    await page.goto(`${R}/actions/A01`);
    await visible(page.getByText(/Seuls l’administrateur ministériel et les administrateurs des données des organisations contributrices/));
    expect(await page.getByRole('form', { name: 'Mettre à jour l’action' }).count()).toBe(0);
    expect(unexpected(errors)).toEqual([]);
    expect(unexpected(anon.errors)).toEqual([]);
  });

  it('bulk-updates from a CSV: errors by line first, then applied', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto(`${R}/mise-a-jour`);
    await page
      .getByLabel('Fichier CSV')
      .setInputFiles({ name: 'maj.csv', mimeType: 'text/csv', buffer: Buffer.from('code;statut;avancement\nA11;en cours;30\nA12;fini;10\nA01;en cours;5\n') });
    await page.getByRole('button', { name: 'Vérifier sans appliquer' }).click();
    await visible(page.getByText('Fichier refusé : aucune ligne n’a été appliquée'));
    const table = page.getByRole('table', { name: 'Erreurs par ligne' });
    await visible(table.getByRole('cell', { name: /Statut « fini » inconnu/ }));
    await visible(table.getByRole('cell', { name: /A01/ }));
    await page
      .getByLabel('Fichier CSV')
      .setInputFiles({ name: 'maj.csv', mimeType: 'text/csv', buffer: Buffer.from('code;statut;avancement\nA11;en cours;30\n') });
    await page.getByRole('button', { name: 'Vérifier sans appliquer' }).click();
    await visible(page.getByText('Vérification réussie : rien n’a encore été appliqué'));
    await page.getByRole('button', { name: 'Appliquer', exact: true }).click();
    await visible(page.getByText('Mise à jour appliquée'));
    await page.goto(`${R}/actions/A11`);
    await visible(page.locator('.roadmap-log').getByText('Mise à jour en masse'));
    expect(unexpected(errors)).toEqual([]);
  });

  it('makes an opening available when its linked catalogue API is opened in the catalogue', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto(`${R}/ouvertures?type=api`);
    const row = page.locator('tr', { hasText: 'API Historique d' });
    await visible(row.getByText('Planifiée'));
    await row.getByRole('link', { name: /API historique d’un véhicule/ }).click();
    await page.getByRole('link', { name: 'Modifier' }).click();
    const form = page.getByRole('form', { name: 'Modifier l’actif' });
    await form.getByLabel('Ouverture', { exact: true }).selectOption('ouvert');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await visible(page.getByText('Modifications enregistrées.'));
    await page.goto(`${R}/ouvertures?type=api`);
    const after = page.locator('tr', { hasText: 'API Historique d' });
    await visible(after.getByText('Disponible'));
    await visible(after.getByText('(ouvert)'));
    // Due in Q4 2021, available today: late.
    await visible(after.getByText('En retard'));
    expect(unexpected(errors)).toEqual([]);
  });

  it('records a committee decision and prints the report on clean A4 pages', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto(`${R}/comite`);
    const form = page.getByRole('form', { name: 'Enregistrer une décision' });
    await form.getByLabel('Décision du comité').fill('Prioriser la publication des données de vitesse (A11).');
    await form.getByLabel('Action concernée (facultatif)').fill('A99');
    await form.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await visible(form.getByText('Action « A99 » introuvable.'));
    await form.getByLabel('Action concernée (facultatif)').fill('A11');
    await form.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await visible(page.getByRole('listitem').filter({ hasText: 'Prioriser la publication des données de vitesse' }));
    if (shots) await page.screenshot({ path: `${shots}/roadmap-committee.png`, fullPage: false });
    const href = await page.getByRole('link', { name: 'Version imprimable (nouvel onglet)' }).getAttribute('href');
    const printable = await page.context().newPage();
    await printable.goto(href!);
    await visible(printable.getByRole('heading', { level: 1, name: /Comité de gouvernance des données/ }));
    await visible(printable.getByText('Prioriser la publication des données de vitesse (A11).'));
    await printable.emulateMedia({ media: 'print' });
    const pdf = await printable.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, path: shots ? `${shots}/roadmap-report.pdf` : undefined });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThan(1);
    // A4 media box (595 × 842 points).
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]/);
    const md = await page.request.get(href!.replace('format=html', 'format=md'));
    expect(await md.text()).toContain('Prioriser la publication des données de vitesse');
    expect(unexpected(errors)).toEqual([]);
  });
});
