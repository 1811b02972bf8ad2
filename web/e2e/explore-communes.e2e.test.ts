import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, axeViolations, exploreResourceReady, launch, login, newPage, unexpected, visible } from './browser';

/**
 * Issue 18: the demo's commune map (Calvados, synthetic burglaries), in the light and the dark
 * theme — the map drawn with its legend, its data table with the communes' names, a real commune
 * and its value read from the table and found on the map; the year as a shared filter.
 */
let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ browser, close } = await launch());
  // The demo's resources are converted by a job after start.
  await exploreResourceReady('Cambriolages par commune');
}, 180_000);
afterAll(async () => close?.());

const DASHBOARD = 'Cambriolages par commune, Calvados (démonstration, synthétique)';
const fr = (s: string | null) => Number((s ?? '').replace(/[\s\u202f\u00a0]/g, '').replace(',', '.'));

describe('explore, commune map', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`draws the Calvados by commune with its legend and data table (${colorScheme} theme)`, async () => {
      const { page, errors } = await newPage(browser, { colorScheme, bypassCSP: true });
      await page.goto('/exploration/tableaux');
      await page.getByRole('link', { name: DASHBOARD }).click();
      const map = page.locator('svg[data-chart="map_commune"]');
      await visible(map, 30_000);
      expect(await page.evaluate(() => document.documentElement.getAttribute('data-fr-theme'))).toBe(colorScheme);
      // Every commune of the Calvados is drawn (525 in the COG 2026), most of them with a value.
      expect(await map.locator('path[data-code^="14"]').count()).toBeGreaterThan(500);
      const figure = page.locator('figure', { has: map });
      const legend = figure.getByRole('list', { name: 'Légende' });
      await visible(legend);
      expect(await legend.getByRole('listitem').count()).toBeGreaterThanOrEqual(5);
      // Merged communes: their former codes' rows are added into today's commune, and the map says so.
      await expect
        .poll(() => figure.locator('figcaption').textContent())
        .toMatch(/Calvados \(14\)\. 4 anciens codes de commune fusionnée rattachés .*valeurs additionnées/);
      // The data table: open it, read Caen's row (code, name, value), find the same value on the map.
      await figure.locator('details.explore-data summary').click();
      const table = figure.locator('details.explore-data table');
      const caen = table.locator('tbody tr', { has: page.locator('td', { hasText: /^14118$/ }) });
      await visible(caen);
      expect(await caen.locator('td').nth(1).textContent()).toBe('Caen');
      const value = fr(await caen.locator('td').nth(2).textContent());
      expect(value).toBeGreaterThan(0);
      const onMap = await map.locator('path[data-code="14118"] title').textContent();
      expect(onMap).toMatch(/^Caen \(14118\) : /);
      expect(fr(onMap!.split(' : ')[1]!)).toBe(value);
      // Souleuvre en Bocage: its own row and its four former communes' rows, added together on the map.
      const parts = await Promise.all(
        ['14150', '14002', '14013', '14505', '14703'].map(async (code) =>
          fr(
            await table
              .locator('tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${code}$`) }) })
              .locator('td')
              .nth(2)
              .textContent(),
          ),
        ),
      );
      const souleuvre = await map.locator('path[data-code="14150"] title').textContent();
      expect(fr(souleuvre!.split(' : ')[1]!)).toBe(parts.reduce((a, b) => a + b, 0));
      // The shared filter « Année » narrows the map to one year: Caen's value goes down.
      await page.getByLabel('Année').fill('2024');
      await page.getByRole('button', { name: /Appliquer/ }).click();
      await expect
        .poll(async () => fr((await map.locator('path[data-code="14118"] title').textContent())!.split(' : ')[1]!), { timeout: 20_000 })
        .toBeLessThan(value);
      expect(await axeViolations(page)).toEqual([]);
      expect(unexpected(errors)).toEqual([]);
    }, 90_000);
  }

  it('hatches a merged commune without a value when its rows cannot be combined (an average)', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dnum.editeur', adminPassword());
    await page.goto('/exploration/questions/nouvelle');
    const resource = page.getByLabel(/^Ressource/);
    await visible(resource);
    await resource.selectOption({ label: 'Cambriolages de logement par commune, Calvados (synthétique) — Cambriolages par commune du Calvados (synthétique)' });
    await page.getByLabel('Regrouper par').selectOption('commune');
    await page.getByLabel('Mesure', { exact: true }).selectOption({ label: 'Moyenne' });
    await page.getByLabel('Colonne mesurée').selectOption('taux_pour_mille');
    await page.getByLabel('Affichage', { exact: true }).selectOption({ label: 'Carte par commune' });
    await page.getByRole('button', { name: 'Voir le résultat' }).click();
    const map = page.locator('svg[data-chart="map_commune"]');
    await visible(map, 30_000);
    // Souleuvre en Bocage: five rows (its code and four former communes'), an average each: no value, hatched.
    const souleuvre = map.locator('path[data-code="14150"]');
    expect(await souleuvre.getAttribute('data-mixed')).toBe('true');
    expect(await souleuvre.locator('title').textContent()).toMatch(/\(14150\) : communes fusionnées, valeurs non combinables/);
    await visible(page.getByRole('list', { name: 'Légende' }).getByText('Communes fusionnées, valeurs non combinables'));
    expect(await page.locator('figcaption').first().textContent()).toMatch(/1 commune d’aujourd’hui regroupe plusieurs lignes de communes fusionnées/);
    // Caen keeps its own average.
    expect(await map.locator('path[data-code="14118"] title').textContent()).toMatch(/^Caen \(14118\) : \d/);
    expect(await map.locator('path[data-mixed]').count()).toBe(1);
    expect(unexpected(errors)).toEqual([]);
  }, 90_000);
});
