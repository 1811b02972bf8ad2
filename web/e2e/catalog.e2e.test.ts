import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('catalogue in the browser', () => {
  it('search → asset → fix what completeness says is missing → graph', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/catalogue');
    // Two keystrokes find the asset.
    await page.getByLabel('Rechercher dans le catalogue').fill('hi');
    await page.waitForURL(/q=hi/);
    // Only matches remain (the unfiltered list starts with other applications).
    await expect.poll(() => page.getByRole('link', { name: 'Candilib', exact: true }).count()).toBe(0);
    await visible(page.getByRole('link', { name: 'Histovec', exact: true }));
    await page.getByRole('link', { name: 'Histovec', exact: true }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Histovec' }));
    await visible(page.getByText('Contenu de démonstration'));
    const missing = page.getByTestId('missing-checks');
    await visible(missing.getByText('Au moins un contact'));
    const scoreBefore = await page.getByRole('heading', { name: /Complétude/ }).textContent();

    await page.getByRole('link', { name: 'Modifier' }).click();
    const form = page.getByRole('form', { name: 'Modifier l’actif' });
    await visible(form);
    // A rule broken: the message is next to the field, nothing is saved.
    await form.getByLabel('Ouverture', { exact: true }).selectOption('non_ouvrable');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await visible(form.getByText('motif juridique obligatoire'));
    await form.getByLabel('Ouverture', { exact: true }).selectOption('ouvert');
    await form.getByRole('button', { name: 'Ajouter un contact' }).click();
    await form.getByLabel('Nom du contact 1').fill('Camille Martin');
    await form.getByLabel('Courriel du contact 1').fill('camille.martin@interieur.gouv.fr');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await visible(page.getByText('Modifications enregistrées.'));
    await visible(page.getByRole('heading', { level: 1, name: 'Histovec' }));
    await expect.poll(() => missing.getByText('Au moins un contact').count()).toBe(0);
    expect(await page.getByRole('heading', { name: /Complétude/ }).textContent()).not.toBe(scoreBefore);

    // History shows who changed what.
    await page.getByRole('tab', { name: 'Historique' }).click();
    await page.getByRole('button', { name: 'Voir les changements (v2)' }).click();
    await visible(page.getByRole('cell', { name: /Camille Martin/ }));

    // Neighbourhood graph: depth and relation types, nodes lead to their asset.
    await page.getByRole('tab', { name: 'Graphe' }).click();
    await visible(page.getByRole('link', { name: /Application : SIV/ }));
    await page.getByLabel('Profondeur').selectOption('1');
    await visible(page.getByRole('link', { name: /Code source : Code source d’Histovec/ }));
    expect(await page.getByRole('link', { name: /Application : SELFIM/ }).count()).toBe(0);
    await page.getByLabel('Profondeur').selectOption('3');
    await visible(page.getByRole('link', { name: /Application : SELFIM/ }));
    await page.getByRole('link', { name: /Application : SIV/ }).click();
    await visible(page.getByRole('heading', { level: 1, name: /SIV/ }));
    await page.getByRole('tab', { name: 'Impact' }).click();
    await visible(page.getByRole('cell', { name: 'SELFIM — détection de la fraude aux cartes grises' }));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/catalog-asset.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('filters with facets kept in the URL, and shows the dashboard per directorate', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue');
    await page
      .getByRole('group', { name: 'Type' })
      .getByText(/^Algorithme \(/)
      .click();
    await page.waitForURL(/kind=algorithm/);
    await visible(page.getByRole('link', { name: 'Calcul des points du permis de conduire' }));
    await expect.poll(() => page.getByRole('link', { name: 'Histovec', exact: true }).count()).toBe(0);
    await page.reload();
    await visible(page.getByRole('link', { name: 'Calcul des points du permis de conduire' }));

    await page.goto('/catalogue/tableau-de-bord');
    await visible(page.getByText('Actifs par type'));
    await visible(page.getByRole('img', { name: /Actifs par type/ }));
    await page.getByLabel('Périmètre').selectOption('DSR');
    await page.waitForURL(/owner=DSR/);
    await visible(page.getByText('Périmètre : Délégation à la sécurité routière.'));
    await visible(page.getByRole('link', { name: 'SNPC — Fichier national des permis de conduire' }));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/catalog-dashboard.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('imports a catalogue file: errors with their line change nothing, a preview shows the diff', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue/import');
    const upload = page.getByLabel('Fichier du catalogue');
    const bad = 'version: 1\nassets:\n  - kind: dataset\n    slug: e2e-jeu\n    title: Jeu e2e\n    spec:\n      frequency: parfois\n';
    await upload.setInputFiles({ name: 'catalogue.yaml', mimeType: 'application/yaml', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: /^Importer catalogue.yaml/ }).click();
    await visible(page.getByText(/ligne 7 :/));
    const good = bad.replace('parfois', 'monthly');
    await upload.setInputFiles({ name: 'catalogue.yaml', mimeType: 'application/yaml', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Prévisualiser les changements' }).click();
    await visible(page.getByText('Simulation : rien n’a été modifié'));
    await visible(page.getByText('+ dataset:e2e-jeu'));
    await page.getByRole('button', { name: /^Importer catalogue.yaml/ }).click();
    await visible(page.getByText('Import terminé'));
    await page.goto('/catalogue/dataset/e2e-jeu');
    await visible(page.getByRole('heading', { level: 1, name: 'Jeu e2e' }));
    expect(unexpected(errors)).toEqual([]);
  });

  it('describes a new asset: its identifier follows the French title until the person edits it', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dnum.editeur', adminPassword());
    await page.goto('/catalogue/nouveau');
    const form = page.getByRole('form', { name: 'Créer un actif' });
    await visible(form);
    await form.getByLabel('Titre', { exact: true }).fill('Contrôle école');
    await expect.poll(() => form.getByLabel(/^Identifiant/).inputValue()).toBe('controle-ecole');
    await form.getByLabel('Titre', { exact: true }).fill('Contrôle des écoles de conduite');
    await expect.poll(() => form.getByLabel(/^Identifiant/).inputValue()).toBe('controle-des-ecoles-de-conduite');
    await form.getByLabel(/^Identifiant/).fill('controle-ecoles');
    await form.getByLabel('Titre', { exact: true }).fill('Contrôle des écoles de conduite (auto-écoles)');
    expect(await form.getByLabel(/^Identifiant/).inputValue()).toBe('controle-ecoles');
    await form.getByRole('button', { name: 'Créer l’actif' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Contrôle des écoles de conduite (auto-écoles)' }));
    expect(page.url()).toMatch(/controle-ecoles$/);
    expect(unexpected(errors)).toEqual([]);
  });

  it('shows anonymous visitors the public assets only', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/catalogue?q=selfim');
    await visible(page.getByText('Aucun actif ne correspond à « selfim ».'));
    // The empty state offers no closed asset either.
    expect(
      await page
        .getByTestId('search-empty')
        .getByRole('link', { name: /SELFIM/ })
        .count(),
    ).toBe(0);
    await page.goto('/catalogue?q=candilib');
    await visible(page.getByRole('link', { name: 'Candilib', exact: true }));
    expect(unexpected(errors)).toEqual([]);
  });
});
