import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

let t: TestPlatform;
let admin: string;

beforeAll(async () => {
  t = await createTestPlatform();
  for (const m of t.modules) if (m.name === 'catalog') await m.seedDemo!();
  admin = (await t.tokenFor('admin')).token;
});
afterAll(async () => t?.teardown());

/** The fields of Etalab's fiche pratique « l'inventaire des principaux traitements algorithmiques », in its order. */
const etalabHeaders = [
  'Nom de l’administration concernée',
  'Direction/service porteur',
  'Contact au sein de l’administration concernée',
  'Date de mise à jour des informations',
  'Nom de l’algorithme',
  'Contexte global',
  'Finalité de l’algorithme',
  'Comment et quand l’algorithme intervient-il dans la prise de décision ?',
  'Niveau d’automatisation de la décision',
  'Fondements juridiques',
  'Ressources connexes (métier)',
  'Nombre de décisions administratives prises par an',
  'Portée de la décision',
  'Public concerné par la décision',
  'Ressources connexes (impact)',
  'Données traitées',
  'Source des données traitées',
  'Mode de collecte des données traitées',
  'Type d’algorithme',
  'Opérations effectuées par l’algorithme',
  'Ressources connexes (fonctionnement)',
];

const full = {
  administration: 'Ministère de l’Intérieur',
  contact: 'algorithmes@interieur.gouv.fr',
  infoUpdatedOn: '2026-11-30',
  context: 'Les candidats libres demandent une place d’examen ; la DSR répartit les places disponibles.',
  purpose: 'Répartir les places d’examen entre les candidats libres.',
  decisionRole: 'Après la réservation en ligne, l’algorithme propose les places ; un agent valide la liste.',
  automation: 'decision_aid',
  legalBasis: 'Code de la route, article R221-3',
  relatedResources: 'https://candilib.ecole-conduite.gouv.fr',
  individualDecisions: true,
  decisionsPerYear: 120000,
  decisionScope: 'external',
  publicConcerned: 'Candidats libres au permis B',
  impactResources: 'Bilan annuel des examens',
  dataUsed: 'Date de la demande, département, résultat de l’épreuve théorique',
  dataSources: 'Dossier rempli par le candidat ; résultat fourni par l’opérateur de l’examen',
  collectionMode: 'Formulaire en ligne',
  algorithmType: 'rules',
  operations: 'Tri par ancienneté de la demande puis attribution de la première place libre du département.',
  parameters: [{ name: 'Ancienneté de la demande', weight: 2, description: 'en jours' }, { name: 'Département' }],
  codeOrFlowchartUrl: 'https://github.com/LAB-MI/candilibV2',
  technicalResources: 'Logigramme joint',
};

describe('algorithm inventory (Etalab)', () => {
  it('keeps the existing demo algorithms valid, and exports every field of a demo algorithm in Etalab’s order', async () => {
    const current = (await t.app.inject({ url: '/api/catalog/assets/algorithm/candilib-attribution-places', headers: bearer(admin) })).json().asset;
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/algorithm/candilib-attribution-places',
      headers: bearer(admin),
      payload: {
        kind: 'algorithm',
        slug: current.slug,
        title: current.title,
        description: current.description,
        owner: current.owner,
        tags: current.tags,
        openness: 'ouvert',
        spec: full,
      },
    });
    expect(put.statusCode, put.body).toBe(200);

    // An anonymous visitor gets the public algorithms (matchvec and this one); an agent every algorithm.
    const anonymous = parseCsv((await t.app.inject('/api/catalog/algorithms.csv')).body.replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
    expect(
      anonymous
        .slice(1)
        .map((r) => r[4])
        .sort(),
    ).toEqual([current.title, 'Classification marque et modèle de véhicule (matchvec)']);
    const csv = await t.app.inject({ url: '/api/catalog/algorithms.csv', headers: bearer(admin) });
    expect(csv.statusCode).toBe(200);
    const rows: string[][] = parseCsv(csv.body.replace(/^\uFEFF/, ''), { delimiter: ';' });
    const [head, ...body] = rows;
    expect(head!.slice(0, etalabHeaders.length)).toEqual(etalabHeaders);
    expect(head!.slice(etalabHeaders.length)).toEqual(['Paramètres et pondération', 'Fonde des décisions administratives individuelles', 'Publication']);
    // The three demo algorithms, still valid without the new fields.
    expect(body.length).toBeGreaterThanOrEqual(3);
    const row = Object.fromEntries(head!.map((h, i) => [h, body.find((r) => r[4] === current.title)![i]]));
    expect(row).toEqual({
      'Nom de l’administration concernée': 'Ministère de l’Intérieur',
      'Direction/service porteur': 'Délégation à la sécurité routière',
      'Contact au sein de l’administration concernée': 'algorithmes@interieur.gouv.fr',
      'Date de mise à jour des informations': '2026-11-30',
      'Nom de l’algorithme': current.title,
      'Contexte global': full.context,
      'Finalité de l’algorithme': full.purpose,
      'Comment et quand l’algorithme intervient-il dans la prise de décision ?': full.decisionRole,
      'Niveau d’automatisation de la décision': 'aide à la décision',
      'Fondements juridiques': full.legalBasis,
      'Ressources connexes (métier)': full.relatedResources,
      'Nombre de décisions administratives prises par an': '120000',
      'Portée de la décision': 'externe',
      'Public concerné par la décision': full.publicConcerned,
      'Ressources connexes (impact)': full.impactResources,
      'Données traitées': full.dataUsed,
      'Source des données traitées': full.dataSources,
      'Mode de collecte des données traitées': full.collectionMode,
      'Type d’algorithme': 'système de règles',
      'Opérations effectuées par l’algorithme': full.operations,
      'Ressources connexes (fonctionnement)': 'https://github.com/LAB-MI/candilibV2 ; Logigramme joint',
      'Paramètres et pondération': 'Ancienneté de la demande (pondération : 2) : en jours ; Département',
      'Fonde des décisions administratives individuelles': 'oui',
      Publication: 'publié',
    });
    // Without a date of update, the asset's last modification.
    const points = body.find((r) => r[4] === 'Calcul des points du permis de conduire')!;
    expect(points[3]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a malformed new field, naming it in French', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: {
        kind: 'algorithm',
        slug: 'mauvais',
        title: 'Mauvais algorithme',
        owner: 'DSR',
        spec: { infoUpdatedOn: '30/11/2026', parameters: [{ name: '' }] },
      },
    });
    expect(r.statusCode).toBe(400);
    const errors = r.json().errors as { field: string; message: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.infoUpdatedOn', message: 'date au format AAAA-MM-JJ' }),
        // With the label the form shows (issue 11: errors named as the form names the field).
        expect.objectContaining({ field: 'spec.parameters.0.name', label: 'Nom (parameters, n° 1)', message: 'nom du paramètre obligatoire' }),
      ]),
    );
  });
});
