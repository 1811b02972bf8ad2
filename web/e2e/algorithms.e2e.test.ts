import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('public explanation of an algorithm (article L311-3-1 CRPA)', () => {
  it('an anonymous visitor reads the explanation of a published demo algorithm, section by section', async () => {
    const { page, errors } = await newPage(browser);
    // From the algorithm's page in the catalogue, as a visitor finds it.
    await page.goto('/catalogue/algorithm/matchvec-classification');
    await page.getByRole('link', { name: /Explication publique de l’algorithme/ }).click();
    await page.waitForURL(/\/explication$/);
    await visible(page.getByRole('heading', { level: 1, name: 'Classification marque et modèle de véhicule (matchvec)' }));
    await visible(page.getByText(/article L311-3-1 du code des relations entre le public et l’administration/).first());
    for (const name of [
      'À quoi sert cet algorithme ?',
      'Comment l’algorithme contribue-t-il à la décision ?',
      'Quelles données sont traitées, et d’où viennent-elles ?',
      'Quels paramètres sont pris en compte, et avec quel poids ?',
      'Quelles opérations l’algorithme effectue-t-il ?',
      'Vos droits',
    ])
      await visible(page.getByRole('heading', { level: 2, name }));
    // The demo asset's fields, in plain French.
    const contribution = page.getByRole('region', { name: 'Comment l’algorithme contribue-t-il à la décision ?' });
    await visible(contribution.getByText('L’algorithme est une aide à la décision : il éclaire un agent, qui prend la décision.'));
    const operations = page.getByRole('region', { name: 'Quelles opérations l’algorithme effectue-t-il ?' });
    await visible(operations.getByText(/algorithme d’apprentissage automatique/));
    // No login asked.
    expect(await page.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(0);
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/algorithm-explanation.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('says clearly that an algorithm not yet published has no public explanation', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/catalogue/algorithm/candilib-attribution-places/explication');
    await visible(page.getByText('Cet algorithme n’est pas publié'));
    expect(await page.getByRole('heading', { level: 2, name: 'Vos droits' }).count()).toBe(0);
    await visible(page.getByRole('link', { name: 'Voir les algorithmes publiés' }));
    expect(unexpected(errors)).toEqual([]);
  });
});
