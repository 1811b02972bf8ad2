import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** Whether the option shown by a select fits in it (its text is not cut). */
async function showsWhole(select: Locator): Promise<boolean> {
  return select.evaluate((el) => {
    const s = el as HTMLSelectElement;
    const style = getComputedStyle(s);
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = ctx.measureText(s.options[s.selectedIndex]!.text).width;
    const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return text <= room + 1;
  });
}

describe('refused edits and user administration', () => {
  it('another directorate’s asset opens read-only with the reason, not as an editable form', async () => {
    const { page, errors } = await newPage(browser);
    // DSR's data administrator at the edit address of DMAT's SIV.
    await login(page, 'dsr.admin', adminPassword());
    await page.goto('/catalogue/application/siv/modifier');
    await visible(page.getByRole('heading', { level: 1, name: /lecture seule/ }));
    await visible(page.getByText('Vous ne pouvez pas modifier cet actif'));
    await visible(page.getByText(/Cet actif appartient à .*\(DMAT\) : seuls ses éditeurs et administrateurs de données/));
    await visible(page.getByRole('table', { name: 'Description actuelle de l’actif' }).getByText('Fichier national des immatriculations', { exact: false }));
    // No form to fill, no save button.
    expect(await page.locator('form input, form textarea').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Enregistrer/ }).count()).toBe(0);

    // Its own directorate's asset: the form.
    await page.goto('/catalogue/application/histovec/modifier');
    await visible(page.getByRole('heading', { level: 1, name: /^Modifier « / }));
    expect(await page.getByText('Vous ne pouvez pas modifier cet actif').count()).toBe(0);
    expect(unexpected(errors)).toEqual([]);
  });

  it('confirms role changes, deactivation and password resets, says what was done, shows role names whole', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/admin/utilisateurs');
    const form = page.getByRole('form', { name: 'Créer un compte' });
    await form.getByLabel('Identifiant').fill('e2e.confirm');
    await form.getByLabel('Nom affiché').fill('Compte à confirmer');
    await form.getByRole('button', { name: 'Créer le compte' }).click();
    await visible(page.getByText('Compte « e2e.confirm » créé'));
    await page.getByLabel('Rechercher').fill('e2e.confirm');
    const role = page.getByLabel('Rôle de e2e.confirm');
    await visible(role);
    await page.waitForFunction(() => document.querySelectorAll('select[aria-label^="Rôle de "]').length === 1);

    // A role change waits for confirmation; cancelling keeps the role.
    await role.selectOption('data_admin');
    const dialog = page.getByRole('alertdialog', { name: 'Confirmer la modification du compte' });
    await visible(dialog.getByText(/Changer le rôle de « e2e\.confirm » \(Compte à confirmer\) : .+ → .+ \?/));
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    expect(await role.inputValue()).toBe('reader');
    await role.selectOption('reviewer');
    await dialog.getByRole('button', { name: 'Confirmer le changement de rôle' }).click();
    await visible(page.getByText(/Rôle de « e2e\.confirm » changé : /));
    expect(await role.inputValue()).toBe('reviewer');
    // The role's name is shown whole in its cell, the longest one too.
    expect(await showsWhole(role)).toBe(true);
    await role.selectOption('data_admin');
    expect(await showsWhole(role)).toBe(true);
    await dialog.getByRole('button', { name: 'Annuler' }).click();

    // Deactivation.
    const row = page.getByRole('row', { name: /e2e\.confirm/ });
    await row.getByRole('button', { name: 'Désactiver' }).click();
    await visible(dialog.getByText('Désactiver le compte « e2e.confirm » (Compte à confirmer) ?'));
    await dialog.getByRole('button', { name: 'Confirmer la désactivation' }).click();
    await visible(page.getByText('Compte « e2e.confirm » désactivé.'));
    await visible(row.getByRole('button', { name: 'Réactiver' }));

    // Password reset: confirmed, then the new password shown once.
    await row.getByRole('button', { name: 'Réinitialiser le mot de passe' }).click();
    await visible(dialog.getByText(/Son mot de passe actuel ne fonctionnera plus/));
    await dialog.getByRole('button', { name: 'Confirmer la réinitialisation' }).click();
    await visible(page.getByText('Nouveau mot de passe de « e2e.confirm »'));
    expect(await page.getByTestId('generated-password').textContent()).toMatch(/^[\w]{4}(-[\w]{4}){5}$/);
    expect(unexpected(errors)).toEqual([]);
  });
});
