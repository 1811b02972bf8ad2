import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SearchResponse } from '../src/pages/deces/api';
import { adminPassword, baseUrl, launch, login, newPage, unexpected, visible } from './browser';

let browser: Browser;
let close: () => Promise<void>;

type Person = SearchResponse['response']['persons'][number];
async function demoPeople(): Promise<Person[]> {
  const r = await fetch(`${baseUrl()}/deces/api/v1/search?birthDate=1930-1960&size=100`);
  const body = (await r.json()) as { response: { persons: Person[] } };
  return body.response.persons
    .filter((p) => /^\d{8}$/.test(p.birth.date) && !p.birth.date.endsWith('00') && p.name.first.length > 0 && /^[A-Z][a-z]+$/.test(p.name.last))
    .slice(0, 2);
}
const fr = (d: string) => `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}`;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

describe('reviewing a bulk matching in the browser', () => {
  it('counts an impossible date as an error, accepts and rejects lines on screen, downloads the French CSV, finds the job in /taches', async () => {
    const people = await demoPeople();
    const csv = [
      'nom;prenom;date_naissance',
      ...people.map((p) => `${p.name.last};${p.name.first[0]};${fr(p.birth.date)}`),
      'PERSONNEINEXISTANTE;Zoé;01/01/1999',
      'DATEIMPOSSIBLE;Jean;31/02/1950',
    ].join('\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deces-review-e2e-')), 'clients-2026.csv');
    fs.writeFileSync(file, csv);
    const { page, errors } = await newPage(browser);
    await login(page, 'relecteur', adminPassword());
    await page.goto('/deces/appariement');
    await page.getByLabel('Fichier CSV').setInputFiles(file);
    await visible(page.getByRole('cell', { name: 'DATEIMPOSSIBLE' }));
    await page.getByLabel('Format des dates').selectOption('DD/MM/YYYY');
    await page.getByRole('button', { name: 'Lancer l’appariement' }).click();
    await visible(page.getByText(/Terminé : 4 lignes traitées/), 60_000);
    // 31/02/1950 does not exist: « en erreur », not « sans correspondance ».
    await visible(page.getByText('Lignes en erreur : 1'));
    await visible(page.getByText('Sans correspondance : 1'));
    await visible(page.getByText(/Ligne 5 : birthDate .*31\/02\/1950/));

    // The review: the first line, its candidate with score and reasons.
    const review = page.getByRole('region', { name: 'Relire les résultats' });
    await visible(review.getByText(/4 lignes — page 1 sur 1/));
    const line1 = review.getByRole('region', { name: 'Ligne 1 du fichier' });
    await visible(line1.getByText(`${people[0]!.name.first.join(' ')} ${people[0]!.name.last.toUpperCase()}`));
    await visible(line1.getByText(/score \d+ %/));
    await visible(line1.getByText(/^Nom : /));
    await line1.getByRole('button', { name: 'Accepter' }).click();
    await visible(line1.getByText(/Accepté par Sophie Leroy/));
    await visible(review.getByText(/décisions : 1 acceptée, 0 rejetée/));
    const line2 = review.getByRole('region', { name: 'Ligne 2 du fichier' });
    await line2.getByRole('button', { name: 'Rejeter (ce n’est pas la personne)' }).click();
    await visible(line2.getByText(/Rejetée par Sophie Leroy/));
    await visible(review.getByText(/décisions : 1 acceptée, 1 rejetée/));
    // The error line says why; the unmatched one says so.
    await visible(review.getByRole('region', { name: 'Ligne 4 du fichier' }).getByText(/date illisible ou inexistante « 31\/02\/1950 »/));
    await visible(review.getByRole('region', { name: 'Ligne 3 du fichier' }).getByText('Aucune fiche au-dessus du seuil de score.'));

    // Filter: only the lines in error.
    await review.getByLabel('Lignes à afficher').selectOption('errors');
    await visible(review.getByText(/^1 ligne — page 1 sur 1/));
    await visible(review.getByRole('region', { name: 'Ligne 4 du fichier' }));
    expect(await review.getByRole('region', { name: /^Ligne \d+ du fichier$/ }).count()).toBe(1);

    // Decisions are kept: after a reload, still there.
    await review.getByLabel('Lignes à afficher').selectOption('all');
    await page.reload();
    await visible(page.getByRole('region', { name: 'Ligne 1 du fichier' }).getByText(/Accepté par Sophie Leroy/));

    // The French CSV: JJ/MM/AAAA dates, scores in %, the decisions.
    const href = await page.getByRole('link', { name: 'Télécharger le résultat en CSV français' }).getAttribute('href');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    const [header, ...rows] = text.trim().split(/\r?\n/);
    expect(header).toContain('Ligne;nom;prenom;date_naissance;Résultat;Décision;Candidat n°;Score (%)');
    const first = rows.find((r) => r.startsWith('1;'))!;
    expect(first).toContain('Acceptée');
    expect(first).toContain(fr(people[0]!.birth.date));
    expect(rows.find((r) => r.startsWith('2;'))).toContain('Rejetée');
    expect(rows.find((r) => r.startsWith('4;'))).toContain('En erreur');

    // /taches names the job by what it does and its file, with its downloads.
    await page.goto('/taches');
    const job = page.getByRole('region', { name: 'Appariement du fichier « clients-2026.csv » avec le fichier des décès' }).first();
    await visible(job);
    await visible(job.getByText('clients-2026.csv'));
    const fromJobs = await job.getByRole('link', { name: 'Résultat en CSV français (dates JJ/MM/AAAA, décisions)' }).getAttribute('href');
    expect((await page.request.get(fromJobs!)).status()).toBe(200);
    await job.getByRole('link', { name: 'Relire les résultats à l’écran' }).click();
    await visible(page.getByRole('region', { name: 'Ligne 1 du fichier' }).getByText(/Accepté par Sophie Leroy/));

    // Someone else may not download it.
    const other = await newPage(browser);
    await login(other.page, 'agent', adminPassword());
    expect((await other.page.request.get(fromJobs!)).status()).toBe(403);
    expect(unexpected([...errors, ...other.errors])).toEqual([]);
  });
});
