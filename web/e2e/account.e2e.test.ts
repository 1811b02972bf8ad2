import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('account and reference data', () => {
  it('creates a personal API token shown once, uses it, then revokes it', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/compte');
    await page.getByLabel('Nom du jeton').fill('script de synchronisation');
    await page.getByRole('button', { name: 'Créer un jeton' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token).toMatch(/^pat_/);
    const me = await page.request.get('/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect((await me.json()).user.login).toBe('admin');
    await visible(page.getByRole('cell', { name: 'script de synchronisation' }));
    await page.getByRole('button', { name: 'Révoquer' }).first().click();
    await visible(page.getByRole('cell', { name: 'Révoqué' }));
    const after = await page.request.get('/api/account/tokens', { headers: { authorization: `Bearer ${token}` } });
    expect(after.status()).toBe(401);
    expect(unexpected(errors)).toEqual([]);
  });

  it('shows the organisations as a tree and adds one, with errors next to the fields', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/admin/organisations');
    await visible(page.getByRole('cell', { name: 'Direction du numérique' }));
    expect(await page.getByLabel('Rattachement de DNUM').inputValue()).toBe('SG');
    const form = page.getByRole('form', { name: 'Ajouter une organisation' });
    await form.getByLabel('Code').fill('X');
    await form.getByRole('button', { name: 'Ajouter' }).click();
    await visible(form.getByText('code en majuscules, 2 à 20 caractères'));
    await form.getByLabel('Code').fill('SDIT');
    await form.getByLabel('Nom').fill("Sous-direction de l'innovation");
    await form.getByLabel('Rattachement').selectOption('DNUM');
    await form.getByRole('button', { name: 'Ajouter' }).click();
    await visible(page.getByRole('cell', { name: "Sous-direction de l'innovation" }));
    expect(await page.getByLabel('Rattachement de SDIT').inputValue()).toBe('DNUM');
    expect(unexpected(errors)).toEqual([]);
  });
});
