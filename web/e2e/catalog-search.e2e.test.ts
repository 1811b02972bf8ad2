import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

// Search that finds what people type (issue 11, ADR 0106): several words, some absent from the asset,
// misspelt, or synonyms; an empty state that suggests; a synonym list the data team edits.
let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

async function type(page: Page, q: string) {
  await page.getByLabel('Rechercher dans le catalogue').fill(q);
  await page.waitForURL((u) => new URL(u).searchParams.get('q') === q);
}
const results = (page: Page) => page.locator('section[aria-live] h2 a');

describe('catalogue search in the browser', () => {
  it('finds what a person types: several words, accents left out, typos, words absent from the asset', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/catalogue');
    // The hint says what the search tolerates; the whole rule opens on request.
    await visible(page.getByText(/fautes de frappe, accents, pluriels et synonymes sont tolérés/));
    await page.getByText('Comment la recherche classe les actifs').click();
    await visible(page.getByText(/ceux qui en contiennent le plus sont proposés/));
    for (const [q, title] of [
      ['données décès', 'Fichier des personnes décédées (INSEE)'],
      ['donnees deces', 'Fichier des personnes décédées (INSEE)'],
      ['jeu de données décès', 'Fichier des personnes décédées (INSEE)'],
      ['résultats des élections municipales', 'Résultats des élections'],
      ['sécurité civile pompiers', 'INFOSDIS — entrepôt national de données de sécurité civile'],
      ['candylib', 'Candilib'],
    ] as const) {
      await type(page, q);
      await visible(page.getByRole('link', { name: title, exact: true }));
      await expect.poll(async () => (await results(page).allTextContents()).slice(0, 5)).toContain(title);
    }
    // The page says what it did with the query.
    await type(page, 'résultats des élections municipales');
    await visible(page.getByTestId('search-interpretation').getByText(/Aucun actif ne contient tous les mots/));
    await type(page, 'candylib');
    await visible(page.getByTestId('search-interpretation').getByText('« candylib » est aussi cherché comme « candilib ».'));
    await type(page, 'carte grise');
    await visible(page.getByRole('link', { name: 'API certificat d’immatriculation (carte de stationnement résident)' }));

    // Nothing found: corrections to try and assets with a similar title.
    await type(page, 'imatrikulasion');
    const empty = page.getByTestId('search-empty');
    await visible(empty.getByText('Aucun actif ne correspond à « imatrikulasion ».'));
    await visible(empty.getByRole('link', { name: 'SIV — Système d’immatriculation des véhicules' }));
    await empty.getByRole('button', { name: 'immatriculation' }).click();
    await page.waitForURL(/q=immatriculation/);
    await visible(page.getByRole('link', { name: 'Réplique quotidienne du SIV', exact: true }));
    expect(unexpected(errors)).toEqual([]);
  });

  it('the data team adds a synonym group and the search uses it at once; then removes it', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue/synonymes');
    await visible(page.getByRole('heading', { level: 1, name: 'Synonymes de la recherche' }));
    await visible(page.getByRole('cell', { name: /carte grise · certificat d'immatriculation/ }));
    const form = page.getByRole('form', { name: 'Ajouter un groupe de synonymes' });
    // One expression only: the message is next to the field.
    await form.getByLabel('Expressions équivalentes').fill('bolidex');
    await form.getByRole('button', { name: 'Ajouter le groupe' }).click();
    await visible(form.getByText('au moins deux expressions équivalentes').first());
    await form.getByLabel('Expressions équivalentes').fill('bolidex\nHistovec');
    await form.getByRole('button', { name: 'Ajouter le groupe' }).click();
    await visible(page.getByText(/Groupe « bolidex » ajouté/));

    await page.goto('/catalogue?q=bolidex');
    await visible(page.getByRole('link', { name: 'Histovec', exact: true }));
    await visible(page.getByText('« bolidex » est aussi cherché comme « Histovec » (synonymes).'));

    await page.goto('/catalogue/synonymes');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Supprimer le groupe « bolidex »' }).click();
    await visible(page.getByText('Groupe « bolidex » supprimé.'));
    await page.goto('/catalogue?q=bolidex');
    await visible(page.getByTestId('search-empty'));
    expect(unexpected(errors)).toEqual([]);
  });
});
