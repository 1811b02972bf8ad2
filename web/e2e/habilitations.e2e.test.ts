import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).fill(value);
const next = (page: Page) => page.getByRole('button', { name: 'Étape suivante' }).click();

/**
 * The issue's « Done when »: an applicant checks eligibility, fills and submits the form, an instructor
 * asks for changes, the applicant answers, the instructor validates, the applicant receives the credential
 * and calls the API through the gateway; revocation stops the calls.
 */
describe('habilitations in the browser', () => {
  it('apply → changes requested → answer → validate → credential → call → revoke → refused', async () => {
    const applicant = await newPage(browser);
    const a = applicant.page;
    // Server errors are reported with their address (the console only says « status of 500 »).
    a.on('response', (r) => {
      if (r.status() >= 500) applicant.errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await login(a, 'agent', adminPassword());
    await a.goto('/habilitations');
    await a.getByRole('link', { name: 'API Vérifpermis (droits à conduire)' }).click();
    await visible(a.getByRole('heading', { level: 1, name: 'API Vérifpermis (droits à conduire)' }));
    // « Qui êtes-vous ? »: a private person is not eligible, a transport company is.
    await a.getByText('Un particulier').click();
    await visible(a.getByText('Non éligible'));
    expect(await a.getByRole('button', { name: /Commencer/ }).count()).toBe(0);
    await a.getByText('Une entreprise de transport').click();
    await visible(a.getByText('Éligible', { exact: true }));
    await a
      .getByRole('button', { name: /Commencer/ })
      .first()
      .click();

    // Step 1: the project; step 2: the organisation (a wrong SIRET is named next to the field).
    await visible(a.getByRole('heading', { name: /Votre projet/ }));
    await fill(a, 'intitule', 'Contrôle des permis des chauffeurs (e2e)');
    await fill(a, 'description', 'Vérifier chaque mois les droits à conduire de nos 40 chauffeurs.');
    await next(a);
    await fill(a, 'siret', '12345678901234');
    await a.locator('[name="raison_sociale"]').click();
    await visible(a.getByText('SIRET invalide'));
    await fill(a, 'siret', '77567227221138');
    await fill(a, 'raison_sociale', 'Transports Exemple SA');
    await next(a);
    await fill(a, 'cadre_juridique_nature', 'Article L. 225-5 du code de la route');
    await fill(a, 'cadre_juridique_url', 'https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006841327');
    await next(a);
    await fill(a, 'destinataire_donnees_caractere_personnel', 'Service des ressources humaines');
    await fill(a, 'duree_conservation_donnees_caractere_personnel', '12');
    await next(a);
    await a.getByText('Catégories détenues').click();
    await next(a);
    for (const k of ['contact_metier', 'contact_technique', 'delegue_protection_donnees', 'responsable_traitement']) {
      await fill(a, `${k}_family_name`, 'Exemple');
      await fill(a, `${k}_given_name`, 'Alex');
      await fill(a, `${k}_email`, `${k}@transports.example`);
      await fill(a, `${k}_phone_number`, '01 23 45 67 89');
      await fill(a, `${k}_job_title`, 'Responsable');
    }
    await next(a);
    await a.getByText(/ccepte les conditions|cceptation des conditions/).click();
    await visible(a.getByText(/Brouillon enregistré|enregistrées automatiquement/));
    await a.getByRole('button', { name: 'Soumettre la demande' }).click();
    await visible(a.getByTestId('etat').filter({ hasText: 'En cours d’instruction' }));
    const url = a.url();

    // The instructor asks for changes, with a reason.
    const instructor = await newPage(browser);
    const i = instructor.page;
    i.on('response', (r) => {
      if (r.status() >= 500) instructor.errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await login(i, 'dsr.admin', adminPassword());
    await i.goto('/habilitations/instruction?state=submitted');
    await i.getByRole('link', { name: 'Contrôle des permis des chauffeurs (e2e)' }).click();
    await i.getByRole('button', { name: 'Demander des modifications' }).click();
    await visible(i.getByText('indiquez le motif'));
    await i.getByLabel(/Motif/).fill('Précisez le nombre de vérifications par mois.');
    await i.getByRole('button', { name: 'Demander des modifications' }).click();
    await visible(i.getByTestId('etat').filter({ hasText: 'Modifications demandées' }));

    // The applicant answers: changes the description, writes a message, resubmits.
    await a.goto(url);
    await visible(a.getByText('Précisez le nombre de vérifications par mois.'));
    await fill(a, 'description', 'Vérifier chaque mois (40 vérifications) les droits à conduire de nos chauffeurs.');
    await a.getByLabel('Nouveau message').fill('Description précisée : 40 vérifications par mois.');
    await a.getByRole('button', { name: 'Envoyer le message' }).click();
    await visible(a.getByText('Description précisée : 40 vérifications par mois.'));
    for (let s = 0; s < 6; s++) await next(a);
    await a.getByRole('button', { name: 'Soumettre la demande' }).click();
    await visible(a.getByTestId('etat').filter({ hasText: 'En cours d’instruction' }));

    // The instructor sees the diff and validates: the one-time link is shown.
    await i.goto(url);
    await visible(i.getByRole('cell', { name: 'Vérifier chaque mois (40 vérifications) les droits à conduire de nos chauffeurs.' }));
    await i.getByRole('button', { name: 'Valider' }).click();
    await visible(i.getByTestId('reveal-link'));
    const link = (await i.getByTestId('reveal-link').getAttribute('href'))!;
    if (process.env.E2E_SCREENSHOTS) await i.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/habilitations-request.png`, fullPage: true });

    // The applicant (technical contact) reveals the credential once and calls the API through the gateway.
    await a.goto(new URL(link).pathname);
    await a.getByRole('button', { name: 'Afficher l’identifiant' }).click();
    await visible(a.getByTestId('api-key'));
    const key = (await a.getByTestId('api-key').textContent())!.trim();
    expect(key).toMatch(/^pgw_/);
    const ok = await a.request.get('/gw/verifpermis/permis/123456789012', { headers: { 'x-api-key': key } });
    expect(ok.status()).toBe(200);
    // The synthetic Vérifpermis upstream answers for that licence.
    expect(await ok.json()).toMatchObject({ synthetique: true, numero: '123456789012' });
    await a.reload();
    await a.getByRole('button', { name: 'Afficher l’identifiant' }).click();
    await visible(a.getByText(/déjà servi/));
    // The request page shows the habilitation's live usage: the call is counted (once the gateway's
    // analytics are written: the page is reloaded until it shows).
    await a.goto(url);
    await visible(a.getByTestId('hab-usage'));
    await expect
      .poll(
        async () => {
          await a.reload();
          await visible(a.getByTestId('hab-usage'));
          return a.getByTestId('hab-usage').textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toContain('Appels sur 30 jours : 1');

    // Revocation stops the calls.
    await i.goto(url);
    await i.getByLabel(/Motif/).fill('Fin du contrat de transport.');
    await i.getByRole('button', { name: 'Révoquer' }).click();
    await visible(i.getByTestId('etat').filter({ hasText: 'Révoquée' }));
    const refused = await a.request.get('/gw/verifpermis/permis/123456789012', { headers: { 'x-api-key': key } });
    expect([401, 403]).toContain(refused.status());
    await i.goto(url);
    await visible(i.getByText('Habilitation révoquée'));
    expect(unexpected(applicant.errors)).toEqual([]);
    expect(unexpected(instructor.errors)).toEqual([]);
  });
});
