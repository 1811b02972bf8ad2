import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** On the local ProConnect-like provider's page: picks the agent and the authentication method. */
async function authenticateAtProvider(page: Page, agent: RegExp, method: RegExp) {
  await visible(page.getByRole('heading', { name: 'Connexion ProConnect (test)' }));
  await page.getByLabel(agent).check();
  await page.getByLabel(method).check();
  await page.getByRole('button', { name: 'Continuer' }).click();
}

const me = async (page: Page) =>
  (await (await page.request.get('/api/auth/me')).json()) as {
    user: { role: string; organisationCode: string | null } | null;
    assurance: { acr: string; elevationRequired: boolean } | null;
  };

describe('ProConnect sign-in of agents', () => {
  it('lands in the organisation with its role, is refused an admin page without MFA and admitted with it, then signs out through ProConnect', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/connexion');
    await page.getByRole('link', { name: /S’identifier avec\s*ProConnect/ }).click();
    await authenticateAtProvider(page, /Camille Fédérée/, /Mot de passe \(eidas1\)/);

    // Signed in without MFA: placed in DNUM by its identity provider and domain, but the admin role waits for MFA.
    await visible(page.getByRole('heading', { name: 'Double authentification requise' }));
    expect((await me(page)).user).toMatchObject({ role: 'reader', organisationCode: 'DNUM' });
    await page.goto('/admin/utilisateurs');
    await visible(page.getByText('Votre rôle exige une authentification à deux facteurs'));
    expect((await page.request.get('/api/admin/users')).status()).toBe(403);

    // Signs in again with MFA from the notice: back on the admin page, admitted.
    await page.getByRole('link', { name: /S’identifier avec\s*ProConnect/ }).click();
    await authenticateAtProvider(page, /Camille Fédérée/, /code à usage unique \(eidas1-mfa\)/);
    await page.waitForURL(/\/admin\/utilisateurs$/);
    await visible(page.getByRole('heading', { name: /Utilisateurs/ }));
    const strong = await me(page);
    expect(strong.user).toMatchObject({ role: 'admin', organisationCode: 'DNUM' });
    expect(strong.assurance).toMatchObject({ acr: 'eidas1-mfa', elevationRequired: false });
    expect((await page.request.get('/api/admin/users')).status()).toBe(200);

    // Sign-out goes through ProConnect's end-session and back to the login page.
    await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
    await page.waitForURL(/\/connexion\?deconnexion=proconnect$/);
    await visible(page.getByText('Vous êtes déconnecté de Patrimoine et de ProConnect.'));
    expect((await me(page)).user).toBeNull();
    expect(unexpected(errors)).toEqual([]);
  });

  it('explains a refusal at ProConnect in French on the login page', async () => {
    const { page } = await newPage(browser);
    await page.goto('/connexion');
    await page.getByRole('link', { name: /S’identifier avec\s*ProConnect/ }).click();
    await visible(page.getByRole('heading', { name: 'Connexion ProConnect (test)' }));
    await page.getByRole('button', { name: 'Refuser' }).click();
    await page.waitForURL(/\/connexion\?erreur=access_denied$/);
    await visible(page.getByText('Vous avez refusé la connexion ou le partage de vos informations avec Patrimoine sur ProConnect.'));
  });
});
