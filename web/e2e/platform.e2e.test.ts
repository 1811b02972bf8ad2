import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('platform in the browser', () => {
  it('shows the DSFR layout with the ministry’s name, without console errors', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/');
    await visible(page.locator('header.fr-header'));
    expect(await page.locator('.fr-header__brand').textContent()).toContain('Ministère');
    expect(await page.locator('.fr-header__brand').textContent()).toContain("de l'Intérieur");
    await visible(page.locator('footer.fr-footer'));
    await visible(page.getByRole('heading', { level: 1, name: 'Patrimoine' }));
    // The DSFR stylesheet is applied: the state's Marianne typeface, not the browser's default.
    const font = await page.locator('body').evaluate((el) => getComputedStyle(el).fontFamily);
    expect(font).toContain('Marianne');
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/home.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });

  it('logs in as admin, creates a user, sees it in the audit log, logs out', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/connexion');
    await page.getByLabel('Identifiant').fill('admin');
    await page.getByLabel('Mot de passe', { exact: true }).fill('wrong password!!');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await visible(page.getByText('Identifiant ou mot de passe incorrect.'));

    await login(page, 'admin', adminPassword());
    await page.goto('/admin/utilisateurs');
    const form = page.getByRole('form', { name: 'Créer un compte' });
    await form.getByLabel('Identifiant').fill('e2e.agent');
    await form.getByLabel('Nom affiché').fill('Agent de test');
    await form.getByLabel('Rôle').selectOption('data_admin');
    await form.getByRole('button', { name: 'Créer le compte' }).click();
    // A data administrator needs an organisation: the message is next to the field.
    await visible(form.getByText('un administrateur de données est rattaché à une organisation'));
    await form.getByLabel('Organisation').selectOption('DSR');
    await form.getByRole('button', { name: 'Créer le compte' }).click();
    await visible(page.getByText('Compte « e2e.agent » créé'));
    const password = await page.getByTestId('generated-password').textContent();
    expect(password).toMatch(/^[\w]{4}(-[\w]{4}){5}$/);
    await visible(page.getByRole('cell', { name: 'Agent de test' }));

    await page.getByRole('button', { name: 'Administration' }).click();
    await page.getByRole('link', { name: "Journal d'audit" }).click();
    // Entries written by the platform itself (the seed) name their actor in French.
    const action = page.getByLabel('Action (préfixe)');
    await action.fill('organisation.create');
    await page.waitForURL(/action=organisation\.create/);
    await visible(page.getByRole('cell', { name: 'le système' }).first());
    // Typed key by key, as a person does: no letter is lost while the URL follows the field.
    await action.clear();
    await action.pressSequentially('user.create');
    await page.waitForURL(/action=user\.create(&|$)/);
    expect(await action.inputValue()).toBe('user.create');
    // Right after start the demo's background jobs (conversions, analyses, approvals) share the embedded
    // database's one connection with this page's queries: give the filtered list longer than usual.
    await visible(page.getByRole('cell', { name: 'user.create' }).first(), 45_000);
    await page.getByRole('button', { name: 'Voir les changements' }).first().click();
    await visible(page.getByRole('cell', { name: 'e2e.agent' }));
    expect(page.url()).toContain('action=user.create');

    await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
    await visible(page.getByRole('link', { name: 'Se connecter' }).first());
    await page.goto('/admin/audit');
    await page.waitForURL(/\/connexion\?retour=/);

    // The new account can sign in with the password shown once, and is asked to change it.
    await login(page, 'e2e.agent', password!);
    await page.waitForURL(/\/compte/);
    await visible(page.getByText('choisissez-en un nouveau'));
    expect(unexpected(errors)).toEqual([]);
  });

  it('serves the API documentation page without CSP violations', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/api/docs');
    // The platform's OpenAPI document is 1.6 MB: Swagger UI resolves it before it lists any operation,
    // ≈ 10 s in headless Chromium on a loaded 2-CPU host (measured 2026-12-06; the 10 s default failed).
    await visible(page.getByText('/api/auth/login'), 40_000);
    await visible(page.getByText('OAS 3.1'));
    expect(unexpected(errors)).toEqual([]);
  });
});
