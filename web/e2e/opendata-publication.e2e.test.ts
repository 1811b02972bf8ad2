import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

const header = 'id_site;departement;type;vitesse_max;date_mise_en_service;siret_exploitant';
const bad = `${header}\r\nCV-90001;69;fixe;90;2021-03-01;73282932000074\r\nCV-90002;2A;fixe;210;2021-04-01;73282932000074\r\n`;
const fixed = bad.replace(';210;', ';110;');

describe('open data publication in the browser', () => {
  it('an editor of the producer uploads a file, reads the report, fixes it, publishes; the public page serves it and DCAT lists it', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/donnees-ouvertes/jeux/sites-controle-vitesse');
    await visible(page.getByRole('heading', { level: 1, name: /Sites de contrôle automatisé de la vitesse/ }));

    // A new resource validated against the speed-control schema.
    const title = `Contrôles mobiles ${Date.now().toString(36)}`;
    await page.getByLabel('Titre de la ressource').fill(title);
    const select = page.getByLabel('Schéma de validation');
    const option = select.locator('option', { hasText: 'dsr/controles-vitesse' });
    await option.waitFor({ state: 'attached' });
    await select.selectOption((await option.getAttribute('value'))!);
    await page.getByRole('button', { name: 'Ajouter la ressource' }).click();
    const section = page.getByRole('region', { name: title });
    await visible(section.getByText('Pas de version publiée.'));

    // First upload: a speed of 210 breaks the schema.
    await section.getByLabel(`Nouvelle version de « ${title} »`).setInputFiles({ name: 'controles.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await section.getByRole('button', { name: 'Déposer la version' }).click();
    await visible(page.getByRole('heading', { level: 1, name: /Version n° 1/ }));
    await visible(page.getByText('Fichier non valide'), 30_000);
    const errorsTable = page.getByRole('table', { name: /^Erreurs/ });
    await visible(errorsTable.getByText('Ligne 3, colonne « vitesse_max » : 210 est supérieur au maximum 130.'));
    await visible(page.getByText('Aucune colonne ne semble contenir de données personnelles.'));
    expect(await page.getByRole('button', { name: 'Publier cette version' }).count()).toBe(0);

    // Fix and upload again.
    await page.getByRole('link', { name: 'Corriger le fichier et déposer une nouvelle version' }).click();
    const again = page.getByRole('region', { name: title });
    await again.getByLabel(`Nouvelle version de « ${title} »`).setInputFiles({ name: 'controles.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
    await again.getByRole('button', { name: 'Déposer la version' }).click();
    await visible(page.getByRole('heading', { level: 1, name: /Version n° 2/ }));
    await visible(page.getByText('Fichier valide'), 30_000);
    await visible(page.getByRole('table', { name: 'Profil des colonnes' }).getByText('vitesse_max'));
    await visible(page.getByRole('table', { name: /Aperçu/ }).getByText('CV-90002'));
    await page.getByRole('button', { name: 'Publier cette version' }).click();
    await visible(page.getByRole('heading', { level: 1, name: /Version n° 2/ }).getByText('Publiée'));
    expect(unexpected(errors)).toEqual([]);

    // A visitor sees it on the public page and downloads it.
    const visitor = await newPage(browser);
    await visitor.page.goto('/donnees-ouvertes/jeux/sites-controle-vitesse');
    const pub = visitor.page.getByRole('region', { name: title });
    const link = pub.getByRole('link', { name: new RegExp(`^Télécharger ${title} \\(version 2`) });
    await visible(link);
    const history = pub.getByRole('table', { name: `Historique des versions de « ${title} »` });
    await visible(history.locator('tr[data-version="2"]').getByText('Publiée'));
    // The invalid first version is not public.
    expect(await history.locator('tr[data-version="1"]').count()).toBe(0);
    const href = (await link.getAttribute('href'))!;
    const file = await visitor.page.request.get(href);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-disposition']).toMatch(/attachment; filename="sites-controle-vitesse-.*-v2\.csv"/);
    expect(await file.text()).toBe(fixed);
    const ttl = await (await visitor.page.request.get('/catalog.ttl')).text();
    expect(ttl).toContain(href);
    expect(unexpected(visitor.errors)).toEqual([]);
  });
});
