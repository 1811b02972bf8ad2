import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminPassword, launch, login, newPage, unexpected, visible } from './browser';

/**
 * Issue 16 in the browser: the data.gouv.fr push panel against the local udata fake (started as
 * `patrimoine opendata fake-udata`), reuses and questions on the public page (declared, answered,
 * imported from data.gouv.fr), and the usage indicators page.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'cle-e2e-datagouv-dsr-0123456789abcdef';
const ORG = '7a1b2c3d4e5f60718293a4b7';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
const DATASET = '/donnees-ouvertes/jeux/auto-ecoles-agreees';

let browser: Browser;
let close: () => Promise<void>;
let fake: ChildProcess;
let fakeUrl: string;

beforeAll(async () => {
  ({ browser, close } = await launch());
  fake = spawn(
    process.execPath,
    [
      path.join(root, 'server/bin/patrimoine.mjs'),
      'opendata',
      'fake-udata',
      '--key',
      KEY,
      '--organization',
      ORG,
      '--organization-name',
      'DSR sur data.gouv.fr',
    ],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  fakeUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    fake.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    fake.once('exit', (code) => reject(new Error(`fake udata exited (${code}): ${out}`)));
  });
}, 120_000);
afterAll(async () => {
  fake?.kill('SIGTERM');
  await close?.();
});

/** What a data.gouv.fr user does on the fake, through udata's API. */
async function onDatagouv(p: string, body: unknown) {
  const r = await fetch(`${fakeUrl}/api/1${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });
  expect(r.status, await r.clone().text()).toBeLessThan(300);
  return (await r.json()) as { id: string };
}

describe('data.gouv.fr, reuses and usage in the browser', () => {
  it('a data_admin sets the account and pushes; reuses and discussions made on data.gouv.fr are imported and shown to visitors', async () => {
    const { page, errors } = await newPage(browser);
    await login(page, 'dsr.admin', adminPassword());
    await page.goto(DATASET);
    await visible(page.getByRole('heading', { level: 2, name: 'Publication sur data.gouv.fr' }));
    await visible(page.getByText('Ce jeu de données n’a jamais été envoyé sur data.gouv.fr.'));
    await page.getByLabel('Adresse du portail').fill(fakeUrl);
    await page.getByLabel('Identifiant de l’organisation sur data.gouv.fr').fill(ORG);
    await page.getByLabel('Clé d’API').fill(KEY);
    await page.getByRole('button', { name: 'Enregistrer le compte' }).click();
    await visible(page.getByText(`Compte enregistré (clé …${KEY.slice(-4)}).`));
    await page.getByRole('button', { name: 'Envoyer sur data.gouv.fr' }).click();
    await visible(page.getByText(/Dernier envoi : Réussi/), 30_000);
    const remote = page.getByRole('link', { name: 'voir sur data.gouv.fr' }).first();
    expect(await remote.getAttribute('href')).toMatch(new RegExp(`^${fakeUrl}/datasets/`));

    // On data.gouv.fr, someone publishes a reuse and asks a question; the producer answers there.
    const push = await (await page.request.get('/api/opendata/datasets/auto-ecoles-agreees/push')).json();
    await onDatagouv('/reuses/', {
      title: 'Carte des auto-écoles',
      description: 'Une carte interactive.',
      url: 'https://93.184.216.34/carte-auto-ecoles',
      type: 'visualization',
      datasets: [{ class: 'Dataset', id: push.remoteId }],
    });
    const disc = await onDatagouv('/discussions/', {
      title: 'Fréquence de mise à jour',
      comment: 'La liste est-elle mise à jour chaque mois ?',
      subject: { class: 'Dataset', id: push.remoteId },
    });
    await onDatagouv(`/discussions/${disc.id}/`, { comment: 'Oui, chaque premier lundi du mois.', organization: ORG });

    await page.getByRole('button', { name: 'Importer depuis data.gouv.fr' }).click();
    await visible(page.getByText(/Dernier import le .* : 1 réutilisation ajoutée/));
    const reuses = page.getByRole('region', { name: 'Réutilisations' });
    await visible(reuses.getByRole('link', { name: 'Carte des auto-écoles' }));
    const talks = page.getByRole('region', { name: 'Questions et discussions' });
    await visible(talks.getByText('Fréquence de mise à jour'));
    await visible(talks.getByText('Oui, chaque premier lundi du mois.'));
    expect(unexpected(errors)).toEqual([]);

    // A visitor sees them on the public page.
    const visitor = await newPage(browser);
    await visitor.page.goto(DATASET);
    await visible(visitor.page.getByRole('region', { name: 'Réutilisations' }).getByRole('link', { name: 'Carte des auto-écoles' }));
    await visible(visitor.page.getByRole('region', { name: 'Questions et discussions' }).getByText('Répondu').first());
    await visible(visitor.page.getByText('Connectez-vous pour déclarer une réutilisation ou poser une question au producteur.'));
    expect(unexpected(visitor.errors)).toEqual([]);
  }, 120_000);

  it('a signed-in agent declares a reuse and asks a question; the producer answers on the page', async () => {
    const agent = await newPage(browser);
    await login(agent.page, 'agent', adminPassword());
    await agent.page.goto(DATASET);
    const reuses = agent.page.getByRole('region', { name: 'Réutilisations' });
    // A private address is refused, naming the field.
    await reuses.getByLabel('Titre de la réutilisation').fill('Tableau de bord interne');
    await reuses.getByLabel('Adresse de la réutilisation').fill('http://10.1.2.3/tableau');
    await reuses.getByLabel('Auteur').fill('Préfecture du Nord');
    await reuses.getByRole('button', { name: 'Déclarer la réutilisation' }).click();
    await visible(reuses.getByText(/adresse refusée/).first());
    await reuses.getByLabel('Adresse de la réutilisation').fill('https://93.184.216.34/tableau-permis');
    await reuses.getByRole('button', { name: 'Déclarer la réutilisation' }).click();
    await visible(reuses.getByRole('link', { name: 'Tableau de bord interne' }));

    const talks = agent.page.getByRole('region', { name: 'Questions et discussions' });
    await talks.getByLabel('Titre de la question').fill('Coordonnées des auto-écoles');
    await talks.getByLabel('Votre question').fill('Pouvez-vous ajouter les coordonnées GPS ?');
    await talks.getByRole('button', { name: 'Publier la question' }).click();
    await visible(talks.getByText('Coordonnées des auto-écoles'));
    expect(unexpected(agent.errors)).toEqual([]);

    const producer = await newPage(browser);
    await login(producer.page, 'dsr.admin', adminPassword());
    await producer.page.goto(DATASET);
    const form = producer.page.getByRole('form', { name: 'Répondre à « Coordonnées des auto-écoles »' });
    await form.getByLabel('Réponse du producteur').fill('Elles seront dans la prochaine version.');
    await form.getByRole('button', { name: 'Répondre' }).click();
    const answered = producer.page.getByRole('region', { name: 'Questions et discussions' });
    await visible(answered.getByText('Elles seront dans la prochaine version.'));
    await visible(answered.getByText(/^Producteur \(/).first());
    expect(unexpected(producer.errors)).toEqual([]);
  }, 120_000);

  it('downloads appear on the usage indicators of the dataset, of its organisation and of the ministry, with the monthly CSV', async () => {
    // A visitor downloads the published file with a browser (headless browsers are not counted).
    const visitor = await newPage(browser);
    await visitor.page.goto(DATASET);
    const link = visitor.page.getByRole('link', { name: /^Télécharger Liste des auto-écoles agréées/ });
    await visible(link);
    const file = await visitor.page.request.get((await link.getAttribute('href'))!, { headers: { 'user-agent': FIREFOX } });
    expect(file.status()).toBe(200);

    const { page, errors } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    // With Redis the nodes move their counts to the database every few seconds (ADR 0512): the page
    // shows them from the next move on, so wait for it rather than race it.
    await expect
      .poll(async () => ((await (await page.request.get('/api/opendata/usage?dataset=auto-ecoles-agreees')).json()) as { total: number }).total, {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await page.goto('/donnees-ouvertes/telechargements');
    await visible(page.getByRole('heading', { level: 1, name: 'Indicateurs d’usage des données ouvertes' }));
    await visible(page.getByText(/^Pour le ministère, du/));
    await visible(page.getByRole('table', { name: 'Usage par organisation' }).getByRole('cell', { name: 'DSR', exact: true }));
    await page.getByLabel('Jeu de données').selectOption('auto-ecoles-agreees');
    await visible(page.getByText(/^Pour le jeu de données « .* », du .* : [1-9]\d* téléchargements? et/));
    const row = page.getByRole('table', { name: 'Usage par jeu de données' }).getByRole('row').nth(1);
    expect(Number((await row.getByRole('cell').nth(2).textContent())?.replace(/\s/g, ''))).toBeGreaterThan(0);
    await visible(page.getByRole('img', { name: /Téléchargements et appels d’API par jour/ }));
    expect(page.url()).toContain('dataset=auto-ecoles-agreees');
    const monthly = page.getByRole('link', { name: /^Fichier mensuel \d{4}-\d{2} \(CSV\)$/ });
    const csv = await page.request.get((await monthly.getAttribute('href'))!);
    expect(csv.status()).toBe(200);
    const text = (await csv.text()).replace(/^\uFEFF/, '');
    expect(text.split(/\r?\n/)[0]).toMatch(/mois.*organisation.*jeu de données.*téléchargements.*appels d’API.*réutilisations.*discussions/);
    expect(text).toContain('auto-ecoles-agreees');
    expect(unexpected(errors)).toEqual([]);

    // The producer's data_admin sees their organisation only.
    const dsr = await newPage(browser);
    await login(dsr.page, 'dsr.admin', adminPassword());
    await dsr.page.goto('/donnees-ouvertes/telechargements');
    await visible(dsr.page.getByText(/^Pour l’organisation DSR, du/));
    expect(await dsr.page.getByLabel('Organisation (vide : tout le ministère)').count()).toBe(0);
    expect(unexpected(dsr.errors)).toEqual([]);
  }, 120_000);
});
