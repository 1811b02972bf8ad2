import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/**
 * Issue 15: a service provider calls the FranceConnect-protected demo API « droit à conduire » with a
 * citizen's token from the local FranceConnect of the demo, and gets that citizen's data; an
 * under-scoped, forged or expired token gets 401.
 */
describe('an API behind FranceConnect, in the browser', () => {
  it('the API’s manager sees and edits its consent scopes', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/api-portail/producteur');
    const form = page.getByRole('form', { name: 'Scopes FranceConnect de API droit à conduire (FranceConnectée)' });
    await visible(form);
    const input = form.getByLabel('Scopes FranceConnect exigés');
    expect(await input.inputValue()).toBe('openid identite_pivot droit_a_conduire');
    await input.fill('openid identite_pivot droit_a_conduire pas-valide!');
    await form.getByRole('button', { name: 'Enregistrer les scopes FranceConnect' }).click();
    await visible(form.getByText('scope FranceConnect invalide').first());
    await input.fill('openid identite_pivot droit_a_conduire');
    await form.getByRole('button', { name: 'Enregistrer les scopes FranceConnect' }).click();
    await visible(form.getByText('API FranceConnectée : openid identite_pivot droit_a_conduire.'));
    expect(unexpected(errors)).toEqual([]);
  });

  it('a service provider gets a citizen’s licence with that citizen’s token, and 401 without the consent, with a forged or an expired token', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'agent', adminPassword());
    await page.goto('/api-portail/applications');
    const create = page.getByRole('form', { name: 'Créer une application' });
    await create.getByLabel('Nom de l’application').fill('Service en ligne FranceConnect (e2e)');
    await create.getByRole('button', { name: 'Créer l’application' }).click();
    await visible(page.getByRole('heading', { level: 2, name: 'Service en ligne FranceConnect (e2e)' }));
    await page.getByRole('region', { name: 'Application Service en ligne FranceConnect (e2e)' }).getByRole('button', { name: 'Créer une clé' }).click();
    await visible(page.getByTestId('new-secret'));
    const key = (await page.getByTestId('new-secret').textContent())!.trim();

    // The API's page says it is behind FranceConnect and links to the guide.
    await page.goto('/api-portail/droit-a-conduire');
    await visible(page.getByRole('heading', { name: 'API FranceConnectée' }));
    const sub = page.getByRole('form', { name: 'S’abonner' });
    await sub.locator('option', { hasText: 'Service en ligne FranceConnect (e2e)' }).waitFor({ state: 'attached' });
    await sub.getByLabel('Application').selectOption({ label: 'Service en ligne FranceConnect (e2e)' });
    await sub.getByRole('button', { name: 'S’abonner' }).click();
    await visible(page.getByText('Abonnement actif'));
    await page
      .getByRole('link', { name: /Guide des fournisseurs de service/ })
      .first()
      .click();
    await visible(page.getByRole('heading', { level: 1, name: 'Appeler l’API pour un citoyen connecté avec FranceConnect' }));
    expect(await page.getByTestId('fc-scopes').textContent()).toContain('droit_a_conduire');

    // Marie's token: Marie's licence.
    const issue = page.getByRole('form', { name: 'Obtenir un jeton FranceConnect de démonstration' });
    await issue.getByLabel('Citoyen fictif').selectOption('marie');
    await issue.getByRole('button', { name: 'Obtenir un jeton de démonstration' }).click();
    await visible(page.getByTestId('fc-demo-token'));
    const callForm = page.getByRole('form', { name: 'Appeler l’API pour ce citoyen' });
    await callForm.getByLabel('Votre clé d’API').fill(key);
    await callForm.getByRole('button', { name: /Appeler l’API/ }).click();
    await visible(page.getByTestId('fc-console-status'));
    expect(await page.getByTestId('fc-console-status').textContent()).toBe('200');
    expect(await page.getByTestId('fc-console-body').textContent()).toContain('DUPONT');
    const marieToken = (await page.getByTestId('fc-demo-token').textContent())!.trim();

    // Paul's token without the consent to « droit_a_conduire »: 401, the missing scope named.
    await issue.getByLabel('Citoyen fictif').selectOption('paul');
    await issue.getByRole('checkbox', { name: /droit_a_conduire/ }).uncheck({ force: true });
    await issue.getByRole('button', { name: 'Obtenir un jeton de démonstration' }).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="fc-demo-token"]')?.textContent?.trim() !== t, marieToken);
    await callForm.getByRole('button', { name: /Appeler l’API/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="fc-console-status"]')?.textContent === '401');
    expect(await page.getByTestId('fc-console-body').textContent()).toContain('droit_a_conduire');

    // A token of 5 seconds: accepted while it lasts, then refused as expired (polled, never timed).
    await issue.getByRole('checkbox', { name: /droit_a_conduire/ }).check({ force: true });
    await issue.getByLabel('Validité du jeton').selectOption('5');
    const paulToken = (await page.getByTestId('fc-demo-token').textContent())!.trim();
    await issue.getByRole('button', { name: 'Obtenir un jeton de démonstration' }).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="fc-demo-token"]')?.textContent?.trim() !== t, paulToken);
    const expiredShown = () => page.evaluate(() => /expiré/.test(document.querySelector('[data-testid="fc-console-body"]')?.textContent ?? ''));
    for (let i = 0; i < 60 && !(await expiredShown()); i++) {
      await callForm.getByRole('button', { name: /Appeler l’API/ }).click();
      await page.waitForTimeout(1000);
    }
    expect(await page.getByTestId('fc-console-status').textContent()).toBe('401');
    expect(await page.getByTestId('fc-console-body').textContent()).toMatch(/expiré/);

    // A forged token (Marie's, altered) in « Tester l’API » of the API page: 401.
    await page.goto('/api-portail/droit-a-conduire');
    const consoleForm = page.getByRole('form', { name: "Tester l'API" });
    await consoleForm.getByLabel('Chemin').fill('/permis');
    await consoleForm.getByLabel('Votre clé d’API').fill(key);
    await consoleForm.getByLabel('Jeton d’accès FranceConnect du citoyen').fill(marieToken.slice(0, -3) + 'xyz');
    await consoleForm.getByRole('button', { name: 'Envoyer la requête' }).click();
    await visible(page.getByTestId('console-status'));
    expect(await page.getByTestId('console-status').textContent()).toBe('401');
    expect(await page.getByTestId('console-body').textContent()).toContain('Jeton FranceConnect');
    await consoleForm.getByLabel('Jeton d’accès FranceConnect du citoyen').fill(marieToken);
    await consoleForm.getByRole('button', { name: 'Envoyer la requête' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="console-status"]')?.textContent === '200');
    expect(unexpected(errors)).toEqual([]);
  });
});
