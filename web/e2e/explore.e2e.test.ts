import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminPassword, axeViolations, exploreResourceReady, launch, login, newPage, unexpected, visible } from './browser';

/**
 * Issue 18, done when: an agent builds a question without SQL, turns it into a map by département
 * and a line chart, puts both on a dashboard with a shared filter, publishes it, and an anonymous
 * visitor sees it embedded (in another page's <iframe>).
 */
let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ browser, close } = await launch());
  // The demo's resources are converted by a job after start: wait until they can be explored.
  await exploreResourceReady('Séries mensuelles');
}, 180_000);
afterAll(async () => close?.());

async function buildQuestion(page: Page, o: { title: string; group: string; grain?: string; visualization: string; chart: string }) {
  await page.goto('/exploration/questions/nouvelle');
  const resource = page.getByLabel(/^Ressource/);
  await visible(resource);
  await resource.selectOption({ label: 'Crimes et délits enregistrés par département (synthétique) — Séries mensuelles par département (synthétique)' });
  await page.getByLabel('Regrouper par').selectOption(o.group);
  if (o.grain) await page.getByLabel(/^Période/).selectOption({ label: o.grain });
  await page.getByLabel('Mesure', { exact: true }).selectOption({ label: 'Somme' });
  await page.getByLabel('Colonne mesurée').selectOption('nombre');
  await page.getByLabel('Affichage', { exact: true }).selectOption({ label: o.visualization });
  await page.getByRole('button', { name: 'Voir le résultat' }).click();
  await visible(page.locator(`svg[data-chart="${o.chart}"]`), 20_000);
  await page.getByLabel('Titre de la question').fill(o.title);
  await page.getByRole('button', { name: 'Enregistrer la question' }).click();
  await page.waitForURL(/\/exploration\/questions\/[0-9a-f-]{36}$/);
  await visible(page.getByRole('heading', { level: 1, name: o.title }));
  await visible(page.locator(`svg[data-chart="${o.chart}"]`), 20_000);
}

describe('explore', () => {
  it('the demo delinquency dashboard reads in the dark theme: every chart drawn, no serious axe violation (contrast included)', async () => {
    const { page, errors } = await newPage(browser, { colorScheme: 'dark', bypassCSP: true });
    await page.goto('/exploration/tableaux');
    await page.getByRole('link', { name: 'Délinquance enregistrée (démonstration, synthétique)' }).click();
    for (const chart of ['number', 'bar', 'map_departement', 'map_region', 'line']) await visible(page.locator(`[data-chart="${chart}"]`), 20_000);
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-fr-theme'))).toBe('dark');
    // Each chart has its data table, for screen readers.
    expect(await page.locator('details.explore-data table').count()).toBe(5);
    expect(await axeViolations(page)).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  }, 60_000);

  it('the demo dashboard draws the seasonally adjusted series beside the raw one, and exports as real PNG and PDF files', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/exploration/tableaux');
    await page.getByRole('link', { name: 'Délinquance enregistrée (démonstration, synthétique)' }).click();
    for (const chart of ['number', 'bar', 'map_departement', 'map_region', 'line']) await visible(page.locator(`[data-chart="${chart}"]`), 20_000);
    await visible(page.locator('polyline[data-series="cvs"]'));
    // The line's data table has the adjusted column.
    expect(await page.locator('details.explore-data th', { hasText: '(CVS)' }).count()).toBe(1);
    const file = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).first().click()]);
      const path = await download.path();
      const fs = await import('node:fs');
      return { bytes: fs.readFileSync(path), name: download.suggestedFilename() };
    };
    const png = await file('Exporter en PNG');
    expect(png.name).toBe('delinquance-enregistree-demonstration-synthetique.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // A picture of six cards at twice the CSS pixels: well beyond an empty canvas.
    expect(png.bytes.length).toBeGreaterThan(50_000);
    expect(png.bytes.readUInt32BE(16)).toBe(1800);
    const pdf = await file('Exporter en PDF');
    expect(pdf.name.endsWith('.pdf')).toBe(true);
    expect(pdf.bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(pdf.bytes.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(pdf.bytes.toString('latin1')).toContain('/DCTDecode');
    expect(pdf.bytes.length).toBeGreaterThan(50_000);
    // One card alone.
    const card = await file('Image PNG de la carte');
    expect([...card.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(unexpected(errors)).toEqual([]);
  }, 90_000);

  it('an agent builds a map and a line chart without SQL, a dashboard with a shared filter, embeds it; an anonymous visitor sees the embed', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dnum.editeur', adminPassword());
    await buildQuestion(page, {
      title: 'Faits par département (essai)',
      group: 'departement',
      visualization: 'Carte par département',
      chart: 'map_departement',
    });
    // The map has its legend and its data table.
    await visible(page.getByRole('list', { name: 'Légende' }).first());
    expect(await page.locator('svg[data-chart="map_departement"] path[data-code="2A"] title').textContent()).toMatch(/Corse-du-Sud \(2A\) : [\d\s ]+/);
    await buildQuestion(page, { title: 'Évolution mensuelle (essai)', group: 'mois', grain: 'Par mois', visualization: 'Courbe', chart: 'line' });

    await page.goto('/exploration/tableaux/nouveau');
    await page.getByLabel('Titre du tableau de bord').fill('Délinquance (essai)');
    await page.getByLabel('Visibilité').selectOption('public');
    for (const title of ['Faits par département (essai)', 'Évolution mensuelle (essai)']) {
      await page.getByLabel('Question à ajouter').selectOption({ label: title });
      await page.getByRole('button', { name: 'Ajouter la question' }).click();
    }
    await page.getByRole('button', { name: 'Ajouter un filtre partagé' }).click();
    await page.getByLabel('Colonne du filtre partagé 1').fill('indicateur');
    await page.getByLabel('Libellé du filtre partagé 1').fill('Indicateur');
    await page.getByRole('button', { name: 'Enregistrer le tableau de bord' }).click();
    await page.waitForURL(/\/exploration\/tableaux\/[0-9a-f-]{36}$/);
    await visible(page.locator('svg[data-chart="map_departement"]'), 20_000);
    await visible(page.locator('svg[data-chart="line"]'), 20_000);
    const before = await page.locator('svg[data-chart="line"] circle title').first().textContent();
    await page.getByLabel('Indicateur').fill('Escroqueries');
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await visible(page.getByText('Filtres appliqués : Indicateur = Escroqueries'));
    // Both cards have the column: both change.
    await page.waitForFunction((b) => document.querySelector('svg[data-chart="line"] circle title')?.textContent !== b, before);
    await visible(page.locator('svg[data-chart="map_departement"]'));

    await page.getByText('Intégrer ce tableau de bord dans un autre site').click();
    await page.getByRole('button', { name: 'Créer un lien d’intégration' }).click();
    const code = page.getByLabel('Code à coller dans la page');
    await visible(code);
    const iframe = await code.inputValue();
    const src = /src="([^"]+)"/.exec(iframe)![1]!;
    expect(src).toContain('/integration/tableaux/');
    expect(unexpected(errors)).toEqual([]);

    // An anonymous visitor, on another site's page embedding the dashboard.
    const visitor = await newPage(browser);
    // Another site (another origin, a real server on this machine) embedding the dashboard.
    const partner = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="fr"><title>Partenaire</title><h1>Site partenaire</h1>${iframe}</html>`);
    });
    await new Promise<void>((ok) => partner.listen(0, '127.0.0.1', ok));
    await visitor.page.goto(`http://127.0.0.1:${(partner.address() as AddressInfo).port}/`);
    const frame = visitor.page.frameLocator('iframe');
    await visible(frame.getByRole('heading', { level: 1, name: 'Délinquance (essai)' }), 20_000);
    await visible(frame.locator('svg[data-chart="map_departement"]'), 20_000);
    await visible(frame.locator('svg[data-chart="line"]'), 20_000);
    expect(await frame.getByRole('link', { name: 'Télécharger les données de la carte (CSV)' }).count()).toBe(2);
    expect(unexpected(visitor.errors)).toEqual([]);
    partner.close();
  }, 180_000);
});
