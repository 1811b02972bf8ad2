import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SearchResponse } from '../src/pages/deces/api';
import { adminPassword, baseUrl, clickStill, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

type Person = SearchResponse['response']['persons'][number];
/** Two people of the demo file (synthetic), found through the public API. */
async function demoPeople(): Promise<Person[]> {
  const r = await fetch(`${baseUrl()}/deces/api/v1/search?birthDate=1930-1960&size=100`);
  const body = (await r.json()) as { response: { persons: Person[] } };
  const full = body.response.persons.filter(
    (p) => /^\d{8}$/.test(p.birth.date) && !p.birth.date.endsWith('00') && p.name.first.length > 0 && /^[A-Z][a-z]+$/.test(p.name.last),
  );
  return full.slice(0, 2);
}
const fr = (d: string) => `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}`;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('deaths search in the browser', () => {
  it('finds a person with the simple search, explains the score, opens the record', async () => {
    const [p] = await demoPeople();
    expect(p).toBeTruthy();
    const { page, errors } = await newPage(browser);
    await page.goto('/deces');
    await visible(page.getByRole('heading', { level: 1, name: 'Recherche de personnes décédées' }));
    await page.getByLabel('Nom, prénoms, dates (JJ/MM/AAAA)').fill(`${p!.name.first[0]} ${p!.name.last} ${fr(p!.birth.date)}`);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    const link = page.getByRole('link', { name: p!.name.last, exact: true }).first();
    await visible(link);
    expect(page.url()).toContain('q=');
    // The demo people are fictitious, and say so in the results and on their record.
    await visible(page.getByText('donnée de démonstration (fictive)').first());
    await page.getByRole('button', { name: 'Pourquoi ce score ?' }).first().click();
    await visible(page.getByText(/trouvé/).first());
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/deces-search.png`, fullPage: true });
    await link.click();
    await visible(page.getByRole('heading', { level: 1, name: new RegExp(p!.name.last) }));
    await visible(page.getByRole('rowheader', { name: 'Date de naissance' }));
    await visible(page.getByText(/Cette fiche est une donnée de démonstration \(fictive\)/));
    expect(unexpected(errors)).toEqual([]);
  });

  it("finds what people type: the page's own example, typos, a first name alone (issue 11)", async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/deces');
    const box = page.getByLabel('Nom, prénoms, dates (JJ/MM/AAAA)');
    await visible(box);
    // The example is read off the page, as a person would copy it.
    const hint = (await page
      .getByText(/par exemple :/)
      .first()
      .textContent())!;
    const example = hint.split('par exemple :')[1]!.trim();
    expect(example).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    const rows = page.getByRole('table', { name: 'Résultats de la recherche' }).locator('tbody tr');
    /** Types a query key by key and submits it. */
    const search = async (text: string) => {
      await box.fill('');
      await box.pressSequentially(text);
      // What was typed is in the field (not lost to a focus change while the page settles), then sent.
      await expect.poll(() => box.inputValue()).toBe(text);
      await clickStill(page.getByRole('button', { name: 'Rechercher', exact: true }));
      try {
        await page.waitForURL((u) => u.searchParams.get('q') === text, { timeout: 15_000 });
      } catch {
        throw new Error(`« ${text} » submitted, the address is ${page.url()}, the field reads « ${await box.inputValue()} »`);
      }
    };
    // The table shown for the previous query may still be on screen for a moment: poll what it reads.
    // (the name is the link of its cell: a demo badge follows it)
    const cells = (column: number) => rows.locator(column === 2 ? 'td:nth-child(2) a' : `td:nth-child(${column})`).allTextContents();
    const firstRow = async () => ({ last: (await cells(2))[0]?.trim(), first: (await cells(3))[0]?.trim(), death: (await cells(5))[0] ?? '' });
    const [firstName, lastName, date] = example.split(' ');
    await search(example);
    await expect.poll(firstRow).toMatchObject({ last: lastName, first: firstName, death: expect.stringContaining(date!) });
    // Transposed and dropped letters in both words.
    await search('martn jaen');
    await expect.poll(firstRow).toMatchObject({ last: 'Martin', first: 'Jean' });
    await search('maritn');
    await expect.poll(async () => (await cells(2)).map((t) => t.trim())).toContain('Martin');
    // A single word is tried as a first name too.
    await search('martine');
    await expect.poll(async () => (await cells(3)).some((t) => t.trim().split(' ')[0] === 'Martine')).toBe(true);
    expect(unexpected(errors)).toEqual([]);
  });

  it('advanced search: typo-tolerant, and a bad date gets a message next to the field', async () => {
    const [p] = await demoPeople();
    const { page } = await newPage(browser);
    await page.goto('/deces?mode=avancee');
    await page.getByLabel('Nom de naissance').fill(p!.name.last.slice(0, -1) + (p!.name.last.endsWith('e') ? 'a' : 'e'));
    await page.getByLabel('Prénom(s)').fill(p!.name.first[0]!);
    await page.getByLabel('Date de naissance').fill('31/31/19');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await visible(page.getByText(/date attendue JJ\/MM\/AAAA/));
    await page.getByLabel('Date de naissance').fill(fr(p!.birth.date));
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await visible(page.getByRole('link', { name: p!.name.last, exact: true }));
    // The URL is shareable: opening it again shows the same results.
    const url = page.url();
    const other = (await newPage(browser)).page;
    await other.goto(url);
    await visible(other.getByRole('link', { name: p!.name.last, exact: true }));
  });

  it('shows the statistics with charts', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto('/deces/statistiques');
    await visible(page.getByRole('img', { name: /Décès par année/ }));
    await page.getByLabel('Année de décès').selectOption({ index: 1 });
    await visible(page.getByRole('img', { name: /Décès par mois/ }));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/deces-stats.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
  });
});

describe('bulk matching in the browser', () => {
  it('uploads a CSV, maps columns from the preview, follows progress, downloads and reads the summary', async () => {
    const people = await demoPeople();
    const csv = [
      'nom;prenom;date_naissance',
      ...people.map((p) => `${p.name.last};${p.name.first[0]};${fr(p.birth.date)}`),
      'PERSONNEINEXISTANTE;Zoé;01/01/1999',
      'SANSDATE;Jean;pas une date',
    ].join('\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deces-e2e-')), 'personnes.csv');
    fs.writeFileSync(file, csv);
    const { page, errors } = await newPage(browser);
    await login(page, 'agent', adminPassword());
    await page.goto('/deces/appariement');
    await page.getByLabel('Fichier CSV').setInputFiles(file);
    await visible(page.getByRole('cell', { name: 'PERSONNEINEXISTANTE' }));
    // Columns were guessed from their names.
    expect(await page.getByLabel('Nom de naissance').inputValue()).toBe('nom');
    expect(await page.getByLabel('Prénom(s)').inputValue()).toBe('prenom');
    expect(await page.getByLabel('Date de naissance').inputValue()).toBe('date_naissance');
    await page.getByLabel('Format des dates').selectOption('DD/MM/YYYY');
    await page.getByRole('button', { name: 'Lancer l’appariement' }).click();
    await visible(page.getByText(/Terminé : 4 lignes traitées/), 60_000);
    await visible(page.getByText(/Lignes appariées :/));
    expect(await page.getByText(/Lignes appariées :/).textContent()).toContain('2 (50 %)');
    await visible(page.getByText(/Ligne 5 : birthDate/));
    await visible(page.getByRole('img', { name: /score du meilleur candidat/ }));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/deces-bulk.png`, fullPage: true });
    const href = await page.getByRole('link', { name: 'Télécharger le résultat (CSV)' }).getAttribute('href');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text.split('\n')[0]).toContain('sourceLineNumber');
    expect(text).toContain(people[0]!.id);
    expect(unexpected(errors)).toEqual([]);
  });
});

describe('corrections in the browser', () => {
  it('a reviewer downloads the PDF proof (others may not), and rejects with a comment after confirming', async () => {
    const [, p] = await demoPeople();
    const pdf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deces-proof-')), 'acte.pdf');
    fs.writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const agent = await newPage(browser);
    await login(agent.page, 'agent', adminPassword());
    await agent.page.goto(`/deces/personne/${p!.id}`);
    const form = agent.page.getByRole('form', { name: 'Proposer une correction' });
    await form.getByLabel('Nom', { exact: true }).fill('Nom-Corrigé');
    await form.getByLabel('Preuve : acte de décès ou de naissance (PDF, 5 Mo au plus)').setInputFiles(pdf);
    await form.getByRole('button', { name: 'Proposer la correction' }).click();
    await visible(agent.page.getByText('Proposition envoyée'));

    const reviewer = await newPage(browser);
    await login(reviewer.page, 'relecteur', adminPassword());
    await reviewer.page.goto('/deces/corrections');
    const card = reviewer.page.getByRole('region', { name: `Correction de la fiche ${p!.id}` });
    const row = card.getByRole('row', { name: /^Nom / });
    await visible(row.getByRole('cell', { name: p!.name.last, exact: true }));
    await visible(row.getByRole('cell', { name: 'NOM-CORRIGÉ' }));
    const href = await card.getByRole('link', { name: 'Télécharger l’acte (PDF)' }).getAttribute('href');
    const proof = await reviewer.page.request.get(href!);
    expect(proof.status()).toBe(200);
    expect(proof.headers()['content-type']).toContain('application/pdf');
    const editor = await newPage(browser);
    await login(editor.page, 'dnum.editeur', adminPassword());
    expect((await editor.page.request.get(href!)).status()).toBe(403);

    await card.getByLabel('Commentaire (obligatoire pour un rejet)').fill('L’acte ne correspond pas');
    await card.getByRole('button', { name: 'Rejeter' }).click();
    await card.getByRole('alertdialog', { name: 'Confirmer la décision' }).getByRole('button', { name: 'Confirmer le rejet' }).click();
    await visible(reviewer.page.getByText(/^Correction de .+ rejetée\.$/));
    expect(await reviewer.page.getByRole('region', { name: `Correction de la fiche ${p!.id}` }).count()).toBe(0);
    expect(unexpected([...agent.errors, ...reviewer.errors, ...editor.errors])).toEqual([]);
  });

  it('an agent proposes a correction with a link, a reviewer validates it, the record shows it', async () => {
    const [p] = await demoPeople();
    const agent = await newPage(browser);
    await login(agent.page, 'agent', adminPassword());
    await agent.page.goto(`/deces/personne/${p!.id}`);
    const form = agent.page.getByRole('form', { name: 'Proposer une correction' });
    await form.getByRole('button', { name: 'Proposer la correction' }).click();
    await visible(form.getByText('joignez un acte (PDF) ou un lien vers la preuve'));
    await form.getByLabel('Prénoms').fill('Prénom-Corrigé');
    await form.getByLabel('Lien vers la preuve (https)').fill('https://etat-civil.example.fr/acte/42');
    await form.getByLabel('Message pour le relecteur').fill('Acte de naissance joint');
    await form.getByRole('button', { name: 'Proposer la correction' }).click();
    await visible(agent.page.getByText('Proposition envoyée'));
    await visible(agent.page.getByText(/En attente — Prénoms : PRÉNOM-CORRIGÉ/));

    const reviewer = await newPage(browser);
    await login(reviewer.page, 'relecteur', adminPassword());
    await reviewer.page.goto('/deces/corrections');
    const card = reviewer.page.getByRole('region', { name: `Correction de la fiche ${p!.id}` });
    await visible(card);
    // The person, and the current value beside the proposed one.
    const name = `${p!.name.first.join(' ')} ${p!.name.last.toUpperCase()}`;
    await visible(card.getByRole('heading', { name }));
    await visible(card.getByText(new RegExp(`le ${fr(p!.birth.date)} à`)));
    const row = card.getByRole('row', { name: /Prénoms/ });
    await visible(row.getByRole('cell', { name: p!.name.first.join(' '), exact: true }));
    await visible(row.getByRole('cell', { name: 'PRÉNOM-CORRIGÉ' }));
    await visible(card.getByRole('link', { name: /etat-civil\.example\.fr\/acte\/42/ }));
    // Every decision is confirmed first.
    await card.getByRole('button', { name: 'Rejeter' }).click();
    const confirm = card.getByRole('alertdialog', { name: 'Confirmer la décision' });
    await visible(confirm.getByText('Rejeter cette correction ?'));
    await confirm.getByRole('button', { name: 'Revenir' }).click();
    await visible(card.getByRole('button', { name: 'Rejeter' }));
    await card.getByRole('button', { name: 'Rejeter' }).click();
    await confirm.getByRole('button', { name: 'Confirmer le rejet' }).click();
    await visible(card.getByText('un rejet doit être motivé'));
    await card.getByLabel('Commentaire (obligatoire pour un rejet)').fill('Conforme à l’acte');
    await card.getByRole('button', { name: 'Valider' }).click();
    await visible(confirm.getByText(/Valider cette correction \? La fiche de .+ affichera les valeurs proposées/));
    await confirm.getByRole('button', { name: 'Confirmer la validation' }).click();
    await visible(reviewer.page.getByText(`Correction de ${name} validée.`));
    await visible(reviewer.page.getByText('0 correction(s)'));

    await agent.page.reload();
    await visible(agent.page.getByRole('heading', { name: 'Corrections validées' }));
    await visible(agent.page.getByText(/Validée — Prénoms : PRÉNOM-CORRIGÉ — commentaire : Conforme à l’acte/));
    expect(unexpected([...agent.errors, ...reviewer.errors])).toEqual([]);
  });
});
