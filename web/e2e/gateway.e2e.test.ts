import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('API portal in the browser', () => {
  it('shows the deaths API with its availability and limit, and « Tester l’API » asks for a key', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/api-portail');
    await visible(page.getByRole('heading', { level: 1, name: 'Portail des API' }));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/gateway-portal.png`, fullPage: true });
    await visible(page.getByText('Limite : 20 appels / seconde').first());
    await visible(page.getByText(/Disponibilité : .* sur le dernier mois/).first());
    await page.getByRole('link', { name: 'API des personnes décédées' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'API des personnes décédées' }));
    await visible(page.getByRole('heading', { name: 'Tester l’API' }));
    // Linked to its catalogue asset (demo catalogue), and documented from the platform's OpenAPI.
    await visible(page.getByText('Fiche dans le catalogue'));
    await visible(page.getByRole('heading', { name: /GET \/search/ }).first());
    const form = page.getByRole('form', { name: "Tester l'API" });
    await form.getByLabel('Chemin').fill('/search?q=Martin');
    await form.getByRole('button', { name: 'Envoyer la requête' }).click();
    await visible(page.getByTestId('console-status'));
    expect(await page.getByTestId('console-status').textContent()).toBe('401');
    expect(await page.getByTestId('console-body').textContent()).toContain('Clé d’API requise');
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/gateway-api.png`, fullPage: true });
    await page.getByRole('tab', { name: 'Python' }).click();
    await visible(page.getByText('requests.get').first());
    expect(unexpected(errors)).toEqual([]);
  });

  it('a consumer creates an application and a key, subscribes, and calls the API from the console', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'agent', adminPassword());
    await page.goto('/api-portail/applications');
    const create = page.getByRole('form', { name: 'Créer une application' });
    await create.getByRole('button', { name: 'Créer l’application' }).click();
    await visible(page.getByText('nom trop court'));
    await create.getByLabel('Nom de l’application').fill('Vérification des décès (e2e)');
    await create.getByRole('button', { name: 'Créer l’application' }).click();
    await visible(page.getByRole('heading', { level: 2, name: 'Vérification des décès (e2e)' }));
    await page.getByRole('button', { name: 'Créer une clé' }).click();
    await visible(page.getByTestId('new-secret'));
    const key = (await page.getByTestId('new-secret').textContent())!.trim();
    expect(key).toMatch(/^pgw_/);

    await page.goto('/api-portail/deces');
    const sub = page.getByRole('form', { name: 'S’abonner' });
    await sub.locator('option', { hasText: 'Vérification des décès (e2e)' }).waitFor({ state: 'attached' });
    await sub.getByRole('button', { name: 'S’abonner' }).click();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/gateway-subscribe.png`, fullPage: true });
    await visible(page.getByText('Abonnement actif'));

    const form = page.getByRole('form', { name: "Tester l'API" });
    await form.getByLabel('Votre clé d’API').fill(key);
    await form.getByLabel('Chemin').fill('/search?q=Martin');
    await form.getByRole('button', { name: 'Envoyer la requête' }).click();
    await visible(page.getByTestId('console-status'));
    const status = await page.getByTestId('console-status').textContent();
    // The gateway let the call through to the deaths API (whatever that API answers).
    expect(['401', '403', '429', '502', '504']).not.toContain(status);
    await visible(page.getByText(/ratelimit-policy: "second";q=20;w=1/));

    // The call reaches the application's dashboard once the analytics buffer is flushed (in the
    // background): reload until it is counted, instead of waiting a fixed time.
    await page.goto('/api-portail/applications');
    for (let i = 0; i < 60; i++) {
      await visible(page.getByTestId('usage-calls'), 20_000);
      if (Number(await page.getByTestId('usage-calls').textContent()) > 0) break;
      await page.reload();
    }
    expect(Number(await page.getByTestId('usage-calls').textContent())).toBeGreaterThan(0);
    await visible(page.getByRole('cell', { name: 'Actif' }).first());
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/gateway-apps.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('a producer changes the limits of the deaths API; the portal shows the new limit', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/api-portail/producteur');
    // The deaths API is served by the platform itself: its upstream follows the running configuration.
    await visible(page.getByRole('region', { name: 'API des personnes décédées' }).getByText(/la plateforme elle-même/));
    const plan = page.getByRole('form', { name: 'Limites du plan Standard' }).first();
    await plan.getByLabel('Par seconde').fill('25');
    await plan.getByRole('button', { name: /Enregistrer les limites/ }).click();
    await visible(page.getByText('Limites enregistrées.'));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/gateway-producer.png`, fullPage: true });
    await page.goto('/api-portail/deces');
    await visible(page.getByText('Limite : 25 appels / seconde'));
    await page.goto('/api-portail/producteur');
    await page.getByRole('form', { name: 'Limites du plan Standard' }).first().getByLabel('Par seconde').fill('20');
    await page
      .getByRole('form', { name: 'Limites du plan Standard' })
      .first()
      .getByRole('button', { name: /Enregistrer les limites/ })
      .click();
    await visible(page.getByText('Limites enregistrées.'));

    // Declarative configuration: the export is editable, and a preview shows the diff.
    const config = page.getByRole('region', { name: 'Configuration déclarative' });
    const area = config.getByLabel('Configuration (YAML)');
    await visible(area);
    await page.waitForFunction(() => (document.querySelector('textarea[spellcheck="false"]') as HTMLTextAreaElement | null)?.value.includes('slug: deces'));
    const yaml = await area.inputValue();
    // The deaths API's plan (other demo APIs have plans with the same limit): the first `perSecond: 20` after its slug.
    const at = yaml.indexOf('slug: deces');
    await area.fill(yaml.slice(0, at) + yaml.slice(at).replace(/perSecond: 20\b/, 'perSecond: 21'));
    await config.getByRole('button', { name: 'Prévisualiser les changements' }).click();
    await visible(page.getByTestId('config-diff'));
    expect(await page.getByTestId('config-diff').textContent()).toContain('~ plan deces/standard (perSecond)');
    await area.fill('apis: [{ slug: "X" }]');
    await config.getByRole('button', { name: 'Prévisualiser les changements' }).click();
    await visible(config.getByText(/apis\.0\.slug/));
    expect(unexpected(errors)).toEqual([]);
  });
});
