import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

const header = 'id_site;departement;type;vitesse_max;date_mise_en_service;siret_exploitant;contact';

describe('open data validation in the browser', () => {
  it('an anonymous visitor uploads a bad file, reads the error at its line, fixes it and gets a valid report with the personal-data verdict', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/donnees-ouvertes/valider');
    await visible(page.getByRole('heading', { level: 1, name: 'Valider un fichier' }));
    const select = page.getByLabel('Schéma du catalogue');
    const option = select.locator('option', { hasText: 'Sites de contrôle automatisé de la vitesse (démonstration)' });
    await option.waitFor({ state: 'attached' });
    await select.selectOption((await option.getAttribute('value'))!);

    const bad = `${header}\r\nCV-00001;69;fixe;90;2021-03-01;73282932000074;jeanne.martin@example.org\r\nCV-00002;2A;fixe;210;2021-04-01;73282932000074;paul.durand@example.org\r\n`;
    await page.getByLabel('Fichier à valider').setInputFiles({ name: 'controles.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await visible(page.getByText('Fichier non valide'));
    const table = page.getByRole('table', { name: /Erreurs/ });
    const row = table.locator('tbody tr').first();
    await visible(row.getByText('Ligne 3, colonne « vitesse_max » : 210 est supérieur au maximum 130.'));
    expect(await row.locator('td').first().textContent()).toBe('3');
    // The personal-data gate names the column of e-mail addresses.
    const pd = page.getByRole('table', { name: 'Colonnes à données personnelles' });
    await visible(pd.getByText('contact'));
    await visible(pd.getByText('Adresse électronique personnelle'));
    await visible(page.getByRole('link', { name: 'Télécharger les erreurs (CSV)' }));

    const fixed = bad.replace(';210;', ';110;');
    await page.getByLabel('Fichier à valider').setInputFiles({ name: 'controles.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await visible(page.getByText('Fichier valide'));
    await visible(page.getByText(/2 ligne\(s\) de données conformes au schéma/));
    expect(unexpected(errors)).toEqual([]);
  });

  it('lists the catalogue and opens a schema', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/donnees-ouvertes/schemas');
    await page.getByLabel('Rechercher').fill('irve');
    await page
      .getByRole('link', { name: /IRVE statique/i })
      .first()
      .click();
    await visible(page.getByRole('table', { name: /Champs/ }));
    await visible(page.getByText('etalab/schema-irve-statique'));
    // The search's write, due 250 ms after the typing, must not bring the list back (stop 25's CI
    // failure: the schema page opened, then the list came back with ?q=irve).
    await page.waitForTimeout(400);
    expect(new URL(page.url()).pathname).toMatch(/^\/donnees-ouvertes\/schemas\/[^/]+$/);
    expect(unexpected(errors)).toEqual([]);
  });
});
