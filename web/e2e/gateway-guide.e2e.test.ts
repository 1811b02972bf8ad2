import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, baseUrl, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('the API portal guides a visitor', () => {
  it('« S’abonner » comes before « Tester l’API »; a visitor without a key is told how to get one; the documentation has examples and no admin routes', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/api-portail/deces');
    await visible(page.getByRole('heading', { level: 1, name: 'API des personnes décédées' }));
    const h2 = await page.locator('h2').allTextContents();
    expect(h2.indexOf('S’abonner')).toBeGreaterThanOrEqual(0);
    expect(h2.indexOf('S’abonner')).toBeLessThan(h2.indexOf('Tester l’API'));
    await visible(page.getByRole('link', { name: 'Connectez-vous' }).first());

    // Before sending anything, the console says a key is needed and how to get one.
    const form = page.getByRole('form', { name: "Tester l'API" });
    await visible(form.getByText('Vous n’avez pas encore de clé ?'));
    await visible(form.getByRole('link', { name: 'Mes applications' }).first());
    await form.getByLabel('Chemin').fill('/search?q=Martin');
    await form.getByRole('button', { name: 'Envoyer la requête' }).click();
    await visible(page.getByTestId('console-status'));
    expect(await page.getByTestId('console-status').textContent()).toBe('401');
    // Not a bare 401: what to do.
    const told = form.getByRole('alert').filter({ hasText: 'Une clé d’API est nécessaire' });
    await visible(told);
    expect(await told.textContent()).toContain('abonnez-la à cette API');
    // A key typed wrong: told so.
    await form.getByLabel('Votre clé d’API').fill('pgw_pas-une-vraie-cle');
    await form.getByRole('button', { name: 'Envoyer la requête' }).click();
    await visible(form.getByRole('alert').filter({ hasText: 'Clé d’API non reconnue' }));

    // Documentation: descriptions, parameters with examples, an example request, answers.
    const search = page.getByRole('region', { name: 'GET /search' });
    await visible(search);
    await visible(search.getByRole('table', { name: 'Paramètres' }));
    await visible(search.getByRole('cell', { name: 'lastName' }));
    await visible(search.getByText('Exemple de requête'));
    expect(await search.locator('pre').first().textContent()).toContain('/gw/deces/search');
    await visible(search.getByText('Réponses'));
    // The platform's own administration routes are not in a consumer's documentation.
    await visible(page.getByRole('navigation', { name: 'Opérations de l’API' }));
    const doc = await page.getByRole('navigation', { name: 'Opérations de l’API' }).textContent();
    expect(doc).not.toContain('/admin/import');
    expect(doc).not.toContain('/corrections/{id}/review');
    expect(doc).toContain('GET /search');
    expect(await page.getByText('Rôles autorisés').count()).toBe(0);
    expect(unexpected(errors)).toEqual([]);
  });

  it('the usage chart has axes, a legend and its figures in a table, with the CSV', async () => {
    // A few calls through the gateway (refused without a key: they count too).
    for (let i = 0; i < 3; i++) await fetch(`${baseUrl()}/gw/deces/search?q=e2e`);
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/api-portail/producteur');
    const region = page.getByRole('region', { name: 'API des personnes décédées' });
    const usage = region.getByRole('region', { name: 'Statistiques d’utilisation' });
    // The analytics buffer is flushed in the background: reload until the calls are counted.
    for (let i = 0; i < 60; i++) {
      await visible(usage.getByTestId('usage-calls'), 20_000);
      if (Number(await usage.getByTestId('usage-calls').textContent()) > 0) break;
      await page.reload();
    }
    expect(Number(await usage.getByTestId('usage-calls').textContent())).toBeGreaterThan(0);
    const chart = usage.getByRole('img', { name: /Appels par heure sur 7 jours/ });
    await visible(chart);
    await visible(chart.getByText('appels / h'));
    await visible(usage.getByRole('list', { name: 'Légende' }).getByText('Appels', { exact: true }));
    await visible(usage.getByRole('list', { name: 'Légende' }).getByText(/^Erreurs/));
    const table = usage.getByRole('table', { name: 'Appels par jour' });
    await visible(table);
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(7);
    const href = await usage.getByRole('link', { name: 'Exporter les appels par heure en CSV' }).getAttribute('href');
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(unexpected(errors)).toEqual([]);
  });
});
