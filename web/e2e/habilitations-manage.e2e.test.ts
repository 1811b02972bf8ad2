import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;
// A webhook receiver: accepts the test payload; events fail until it is « fixed ».
let failing = true;
const events: string[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { test?: boolean; event?: string };
    if (!body.test) events.push(body.event ?? '?');
    res.statusCode = body.test || !failing ? 200 : 500;
    res.end(res.statusCode === 200 ? '{}' : 'récepteur en panne');
  });
});

beforeAll(async () => {
  ({ browser, close } = await launch());
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await close?.();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const DEF_NAME = "API certificat d'immatriculation (carte de stationnement résident)";

/** Issue 14: the definition's managers edit it, give roles, write templates and run webhooks, in the browser. */
describe('habilitations: managers', () => {
  it('edits the definition, gives and withdraws a role, writes templates, creates a webhook, sees its attempts and replays one', async () => {
    const { page: m, errors } = await newPage(browser);
    await login(m, 'admin', adminPassword());
    await m.goto('/habilitations');
    await m.getByRole('link', { name: DEF_NAME }).click();
    await m.getByRole('link', { name: 'Gérer ce type d’habilitation' }).click();
    await visible(m.getByRole('heading', { level: 1, name: `Gestion — ${DEF_NAME}` }));
    const manageUrl = new URL(m.url()).pathname;

    // Definition: a wrong validity is refused with the field named, then a new scope is saved.
    const def = m.getByRole('region', { name: 'Définition' });
    await def.locator('[name="def-validity"]').fill('500');
    await def.getByRole('button', { name: 'Enregistrer la définition' }).click();
    // The field carries the server's message (DSFR error state), and nothing is saved.
    await visible(
      def
        .locator('.fr-input-group--error')
        .filter({ has: m.locator('[name="def-validity"]') })
        .getByText('doit être inférieur ou égal à 120'),
    );
    await def.locator('[name="def-validity"]').fill('24');
    await def.getByRole('button', { name: 'Ajouter une donnée' }).click();
    const last = def.getByRole('group', { name: 'Donnée 4' });
    await last.locator('[name="scope-3-value"]').fill('siv:vehicule:energie');
    await last.locator('[name="scope-3-label"]').fill('Énergie du véhicule');
    await last.locator('[name="scope-3-group"]').fill('Véhicule');
    await def.getByRole('button', { name: 'Enregistrer la définition' }).click();
    await visible(def.getByText('Définition enregistrée.'));
    // The public page shows it.
    await m.goto('/habilitations/api_certificat_immatriculation');
    await visible(m.getByRole('cell', { name: 'Énergie du véhicule' }));
    await visible(m.getByText(/valable 24 mois/));
    await m.goto(manageUrl);

    // Roles: the agent becomes a reporter, then is withdrawn.
    const roles = m.getByRole('region', { name: 'Rôles' });
    await roles.locator('[name="role-login"]').fill('agent');
    await roles.locator('[name="role-role"]').selectOption('reporter');
    await roles.getByRole('button', { name: 'Attribuer le rôle' }).click();
    const withdraw = roles.getByRole('button', { name: 'Retirer le rôle rapporteur de agent' });
    await visible(withdraw);
    await roles.locator('[name="role-login"]').fill('personne.inconnue');
    await roles.getByRole('button', { name: 'Attribuer le rôle' }).click();
    await visible(
      roles
        .locator('.fr-input-group--error')
        .filter({ has: m.locator('[name="role-login"]') })
        .locator('.fr-message--error'),
    );
    await withdraw.click();
    await withdraw.waitFor({ state: 'detached' });

    // Templates: written, listed, deleted.
    const templates = m.getByRole('region', { name: 'Modèles de message' });
    await templates.locator('[name="template-title"]').fill('Délibération manquante');
    await templates.locator('[name="template-body"]').fill('Merci de joindre la délibération du conseil municipal qui crée la carte.');
    await templates.getByRole('button', { name: 'Ajouter le modèle' }).click();
    const delTemplate = templates.getByRole('button', { name: 'Supprimer le modèle « Délibération manquante »' });
    await visible(delTemplate);
    await visible(templates.getByText('Merci de joindre la délibération du conseil municipal qui crée la carte.'));
    await delTemplate.click();
    await delTemplate.waitFor({ state: 'detached' });

    // Webhooks: a bad address is refused; a good one is created with its test payload, and receives « create ».
    const hooks = m.getByRole('region', { name: 'Webhooks' });
    const port = (receiver.address() as net.AddressInfo).port;
    await hooks.locator('[name="webhook-url"]').fill('ftp://exemple.fr/hook');
    await hooks.locator('[name="webhook-secret"]').fill('un-secret-de-test-assez-long');
    await hooks.getByRole('button', { name: /Créer le webhook/ }).click();
    await visible(
      hooks
        .locator('.fr-input-group--error')
        .filter({ has: m.locator('[name="webhook-url"]') })
        .locator('.fr-message--error'),
    );
    const hookUrl = `http://127.0.0.1:${port}/habilitations`;
    await hooks.locator('[name="webhook-url"]').fill(hookUrl);
    await hooks.locator('[name="webhook-secret"]').fill('un-secret-de-test-assez-long');
    await hooks.getByText('Demande créée', { exact: true }).click();
    await hooks.getByRole('button', { name: /Créer le webhook/ }).click();
    await visible(hooks.getByText(/Message de test accepté \(HTTP 200\)/));
    const row = hooks.getByRole('row').filter({ hasText: hookUrl });
    await visible(row.getByText('Actif'));

    // An applicant starts a request: the « create » event reaches the receiver, which fails.
    const { page: a, errors: aErrors } = await newPage(browser);
    await login(a, 'agent', adminPassword());
    await a.goto('/habilitations/api_certificat_immatriculation');
    await a.getByText('Une commune ou un groupement de communes').click();
    await a.getByRole('button', { name: 'Commencer avec « Demande libre »' }).click();
    await a.waitForURL(/\/habilitations\/demandes\//);
    await row.getByRole('button', { name: 'Voir les appels' }).click();
    const attempts = hooks.locator('[aria-label="Appels du webhook"]');
    const failed = attempts.getByRole('row').filter({ hasText: 'Demande créée' }).filter({ hasText: 'HTTP 500' });
    await visible(failed, 20_000);
    await visible(attempts.getByRole('row').filter({ hasText: 'Message de test' }).filter({ hasText: 'HTTP 200' }));

    // The receiver is fixed; the failed call is replayed and succeeds.
    failing = false;
    await failed.first().getByRole('button', { name: 'Renvoyer' }).click();
    await visible(attempts.getByRole('row').filter({ hasText: 'Demande créée' }).filter({ hasText: 'HTTP 200' }), 20_000);
    expect(events.filter((e) => e === 'create').length).toBeGreaterThanOrEqual(2);

    // Disabling and enabling again (the receiver accepts the test payload).
    await row.getByRole('button', { name: 'Désactiver' }).click();
    await visible(row.getByText('Désactivé'));
    await row.getByRole('button', { name: 'Réactiver' }).click();
    await visible(row.getByText('Actif'));

    // Someone who is not a manager does not get the page.
    await a.goto(manageUrl);
    await visible(a.getByText('Seuls les gestionnaires de ce type d’habilitation accèdent à sa gestion.'));
    expect(unexpected(errors)).toEqual([]);
    expect(unexpected(aErrors)).toEqual([]);
  });
});
