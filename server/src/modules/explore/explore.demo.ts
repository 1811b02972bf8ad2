/**
 * Demo of the explore module (issue 18), loaded when it has no question yet: two synthetic
 * resources published through the opendata module (so converted by the same job as any other) and
 * their dashboards.
 * - « Crimes et délits enregistrés (synthétique) » (SSMSI, A09): monthly counts by département and
 *   indicator, 2021-01 to 2024-12 (four years: enough for the seasonally adjusted series, ADR 0803);
 *   a public dashboard (map by département, by région, monthly line with its CVS series, indicators, total) with shared filters on the indicator and the région.
 * - « Effectifs par direction (synthétique) » (DRH, A32 ValoRH-like): staff by directorate, category,
 *   corps, sex and age bracket; a restricted dashboard.
 * - « Cambriolages de logement par commune, Calvados (synthétique) » (SSMSI, A09): yearly counts per
 *   commune of the Calvados (real INSEE codes and names, figures drawn by the generator), four rows
 *   under the codes of communes merged since into Souleuvre en Bocage (14150), as in files published
 *   before the merger; a public dashboard with the commune map.
 * Every figure is drawn from a seeded generator: synthetic, and said so in every title.
 */
import { createRequire } from 'node:module';
import { assetInput } from '@patrimoine/contracts/catalog';
import type { DashboardCard, QuestionDefinition, Visualization } from '@patrimoine/contracts/explore';
import type { AppContext } from '../../platform/context.ts';
import { actorOf, SYSTEM } from '../../platform/auth/principal.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { PublicationService } from '../opendata/index.ts';
import { exploreDashboards, exploreQuestions } from './explore.table.ts';

/** Mulberry32: the same figures at every installation. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CRIME_INDICATORS = ['Cambriolages de logement', 'Vols de véhicules', 'Coups et blessures volontaires', 'Escroqueries'] as const;

/** Monthly counts by département (metropolitan and DROM) and indicator. */
export function crimesCsv(months = 48): string {
  const require = createRequire(import.meta.url);
  const deps = (require('@etalab/decoupage-administratif/data/departements.json') as { code: string; region: string; nom: string; zone: string }[]).filter(
    (d) => d.zone !== 'com',
  );
  const r = rng(18);
  const base = [180, 140, 160, 260];
  const lines = ['departement;nom_departement;region;mois;indicateur;nombre'];
  for (const d of deps) {
    const size = 0.3 + r() * 2.5 + (d.code === '75' || d.code === '13' || d.code === '59' || d.code === '69' ? 4 : 0);
    for (let m = 0; m < months; m++) {
      const year = 2021 + Math.floor(m / 12);
      const month = (m % 12) + 1;
      const season = 1 + 0.15 * Math.sin(((month - 3) / 12) * 2 * Math.PI);
      CRIME_INDICATORS.forEach((ind, i) => {
        const trend = 1 + (i === 3 ? 0.01 : -0.002) * m;
        const n = Math.round(base[i]! * size * season * trend * (0.85 + r() * 0.3));
        lines.push(`${d.code};${d.nom};${d.region};${year}-${String(month).padStart(2, '0')};${ind};${n}`);
      });
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Staff by directorate, category, corps, sex and age bracket. */
export function staffCsv(): string {
  const r = rng(32);
  const directions = ['DNUM', 'DRH', 'DMAT', 'DEPAFI', 'DLPAJ', 'DSR', 'SSMSI'];
  const corps: [string, string][] = [
    ['A', 'Attachés d’administration'],
    ['A', 'Ingénieurs des systèmes d’information'],
    ['B', 'Secrétaires administratifs'],
    ['B', 'Techniciens SIC'],
    ['C', 'Adjoints administratifs'],
  ];
  const ages = ['moins de 30 ans', '30 à 39 ans', '40 à 49 ans', '50 à 59 ans', '60 ans et plus'];
  const lines = ['direction;categorie;corps;sexe;tranche_age;effectif'];
  for (const d of directions) {
    const size = d === 'DNUM' || d === 'DEPAFI' ? 2 : 1;
    for (const [cat, c] of corps)
      for (const s of ['Femmes', 'Hommes'])
        for (const a of ages) {
          const tech = c.includes('SI') || c.includes('SIC');
          const n = Math.round(size * (2 + r() * 18) * (tech && s === 'Femmes' ? 0.5 : 1) * (a === '60 ans et plus' ? 0.4 : 1));
          lines.push(`${d};${cat};${c};${s};${a};${n}`);
        }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Codes of 2018 merged since into 14150 (COG 2026): a file published before the merger has them. */
export const CALVADOS_MERGED = ['14002', '14013', '14505', '14703'];

/** Yearly burglaries per commune of the Calvados (14), 2023 and 2024; codes and names of the COG. */
export function communesCsv(): string {
  const require = createRequire(import.meta.url);
  const communes = (
    require('@etalab/decoupage-administratif/data/communes.json') as { code: string; nom: string; departement: string; type: string; population?: number }[]
  ).filter((c) => c.departement === '14' && c.type === 'commune-actuelle');
  const r = rng(14);
  const lines = ['commune;nom_commune;departement;region;annee;indicateur;nombre;taux_pour_mille'];
  const row = (code: string, nom: string, population: number) => {
    for (const year of [2023, 2024]) {
      const rate = 1 + r() * 6 * (population > 10_000 ? 1.6 : 1);
      const n = Math.round((population * rate) / 1000);
      lines.push(`${code};${nom};14;28;${year};Cambriolages de logement;${n};${((n * 1000) / Math.max(population, 1)).toFixed(2).replace('.', ',')}`);
    }
  };
  for (const c of communes) if (c.code !== '14150') row(c.code, c.nom, c.population ?? 500);
  // Souleuvre en Bocage under its former communes' codes (and its own, the former Le Bény-Bocage).
  for (const code of ['14150', ...CALVADOS_MERGED]) row(code, `Souleuvre en Bocage (ancienne commune ${code})`, 800);
  return `${lines.join('\r\n')}\r\n`;
}

export async function seedExploreDemo(ctx: AppContext, publication: PublicationService, catalog: CatalogService): Promise<void> {
  if ((await ctx.db.select({ id: exploreQuestions.id }).from(exploreQuestions).limit(1)).length) return;
  const orgs = await ctx.organisations.list();
  const org = (code: string) => orgs.find((o) => o.code === code)?.id ?? null;
  if (!org('SSMSI') || !org('DRH')) return;
  const datasets = [
    {
      slug: 'crimes-delits-enregistres-synthetique',
      title: 'Crimes et délits enregistrés par département (synthétique)',
      owner: 'SSMSI',
      description: 'Données de démonstration, synthétiques : nombre mensuel de faits enregistrés par département et indicateur (A09).',
      resource: {
        slug: 'mensuel-departement',
        title: 'Séries mensuelles par département (synthétique)',
        file: 'crimes-delits-synthetique.csv',
        content: crimesCsv(),
      },
    },
    {
      slug: 'effectifs-directions-synthetique',
      title: 'Effectifs par direction (synthétique)',
      owner: 'DRH',
      description: 'Données de démonstration, synthétiques : effectifs par direction, catégorie, corps, sexe et tranche d’âge (A32, ValoRH).',
      resource: { slug: 'effectifs', title: 'Effectifs (synthétique)', file: 'effectifs-synthetique.csv', content: staffCsv() },
    },
    {
      slug: 'cambriolages-communes-calvados-synthetique',
      title: 'Cambriolages de logement par commune, Calvados (synthétique)',
      owner: 'SSMSI',
      description:
        'Données de démonstration, synthétiques : nombre annuel de cambriolages de logement par commune du Calvados, 2023 et 2024 (A09) ; quatre lignes sous les codes de communes fusionnées depuis.',
      resource: {
        slug: 'communes-calvados',
        title: 'Cambriolages par commune du Calvados (synthétique)',
        file: 'cambriolages-communes-calvados-synthetique.csv',
        content: communesCsv(),
      },
    },
  ];
  const resourceIds: string[] = [];
  for (const d of datasets) {
    if (!(await catalog.getAsset('dataset', d.slug))) {
      await catalog.create(
        assetInput.parse({
          kind: 'dataset',
          slug: d.slug,
          title: d.title,
          owner: d.owner,
          description: d.description,
          openness: 'ouvert',
          tags: ['démonstration', 'synthétique'],
          spec: { licence: 'Licence Ouverte 2.0', frequency: 'monthly', spatialCoverage: 'France' },
        }),
        SYSTEM,
      );
    }
    const r = await publication.createResource(SYSTEM, d.slug, { title: d.resource.title, slug: d.resource.slug }, {});
    const v = await publication.uploadVersion(SYSTEM, r.id, { filename: d.resource.file, body: Buffer.from(d.resource.content) }, {});
    const res = await publication.analyse(v.id, new AbortController().signal, async () => undefined);
    if ('skipped' in res) {
      for (let i = 0; i < 600 && (await publication.getVersion(SYSTEM, v.id)).state === 'analysing'; i++) await new Promise((ok) => setTimeout(ok, 100));
    }
    await publication.publish(SYSTEM, v.id, {});
    resourceIds.push(r.id);
  }
  const [crimes, staff, communes] = resourceIds as [string, string, string];
  const now = ctx.clock.now();
  const by = actorOf(SYSTEM).label;
  const q = async (
    title: string,
    visualization: Visualization,
    builder: Omit<QuestionDefinition, 'filters' | 'limit' | 'sort'> & Partial<QuestionDefinition>,
    organisation: string,
  ) => {
    const def: QuestionDefinition = { filters: [], limit: 1000, sort: null, ...builder };
    const [row] = await ctx.db
      .insert(exploreQuestions)
      .values({
        title,
        description: 'Données synthétiques de démonstration.',
        mode: 'builder',
        builder: def,
        visualization,
        resourceIds: [def.resourceId],
        organisationId: org(organisation),
        createdBy: by,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return row!.id;
  };
  const sum = [{ fn: 'sum' as const, column: 'nombre' }];
  const crimeCards: DashboardCard[] = [
    { kind: 'text', text: 'Données synthétiques de démonstration : les séries ne décrivent pas la délinquance réelle.', width: 12 },
    {
      kind: 'question',
      // A big number with its evolution: the last month's count against the month before.
      questionId: await q(
        'Faits enregistrés le dernier mois (synthétique)',
        'number',
        { resourceId: crimes, groupBy: [{ column: 'mois', grain: 'month' }], measures: sum },
        'SSMSI',
      ),
      width: 4,
    },
    {
      kind: 'question',
      questionId: await q(
        'Faits par indicateur (synthétique)',
        'bar',
        { resourceId: crimes, groupBy: [{ column: 'indicateur' }], measures: sum, sort: { by: 'm0', direction: 'desc' } },
        'SSMSI',
      ),
      width: 8,
    },
    {
      kind: 'question',
      questionId: await q(
        'Faits par département (synthétique)',
        'map_departement',
        { resourceId: crimes, groupBy: [{ column: 'departement' }], measures: sum },
        'SSMSI',
      ),
      width: 6,
    },
    {
      kind: 'question',
      questionId: await q('Faits par région (synthétique)', 'map_region', { resourceId: crimes, groupBy: [{ column: 'region' }], measures: sum }, 'SSMSI'),
      width: 6,
    },
    {
      kind: 'question',
      questionId: await q(
        'Évolution mensuelle, brute et corrigée des variations saisonnières (synthétique)',
        'line_cvs',
        { resourceId: crimes, groupBy: [{ column: 'mois', grain: 'month' }], measures: sum },
        'SSMSI',
      ),
      width: 12,
    },
  ];
  const eff = [{ fn: 'sum' as const, column: 'effectif' }];
  const staffCards: DashboardCard[] = [
    { kind: 'text', text: 'Données synthétiques de démonstration, à la manière de ValoRH.', width: 12 },
    { kind: 'question', questionId: await q('Effectif total (synthétique)', 'number', { resourceId: staff, groupBy: [], measures: eff }, 'DRH'), width: 4 },
    {
      kind: 'question',
      questionId: await q(
        'Effectifs par tranche d’âge (synthétique)',
        'pie',
        { resourceId: staff, groupBy: [{ column: 'tranche_age' }], measures: eff },
        'DRH',
      ),
      width: 8,
    },
    {
      kind: 'question',
      questionId: await q(
        'Effectifs par direction et sexe (synthétique)',
        'stacked_bar',
        { resourceId: staff, groupBy: [{ column: 'direction' }, { column: 'sexe' }], measures: eff },
        'DRH',
      ),
      width: 12,
    },
  ];
  const communeCards: DashboardCard[] = [
    {
      kind: 'text',
      text: 'Données synthétiques de démonstration : les chiffres ne décrivent pas la délinquance réelle. Les lignes des anciennes communes fusionnées sont additionnées dans la commune d’aujourd’hui ; le filtre « Année » choisit 2023 ou 2024.',
      width: 12,
    },
    {
      kind: 'question',
      questionId: await q(
        'Cambriolages de logement par commune du Calvados, 2023 et 2024 (synthétique)',
        'map_commune',
        { resourceId: communes, groupBy: [{ column: 'commune' }], measures: sum },
        'SSMSI',
      ),
      width: 12,
    },
  ];
  await ctx.db.insert(exploreDashboards).values([
    {
      title: 'Délinquance enregistrée (démonstration, synthétique)',
      description: 'Tableau de bord public de démonstration (A09) : séries mensuelles, cartes par département et par région.',
      visibility: 'public',
      cards: crimeCards,
      filters: [
        { column: 'indicateur', label: 'Indicateur' },
        { column: 'region', label: 'Région (code)' },
      ],
      organisationId: org('SSMSI'),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    },
    {
      title: 'Cambriolages par commune, Calvados (démonstration, synthétique)',
      description: 'Tableau de bord public de démonstration (A09) : carte par commune.',
      visibility: 'public',
      cards: communeCards,
      filters: [{ column: 'annee', label: 'Année' }],
      organisationId: org('SSMSI'),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    },
    {
      title: 'Effectifs des directions (démonstration, synthétique)',
      description: 'Tableau de bord restreint de démonstration (A32, ValoRH).',
      visibility: 'restricted',
      cards: staffCards,
      filters: [{ column: 'direction', label: 'Direction' }],
      organisationId: org('DRH'),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    },
  ]);
  ctx.logger.info('explore: demo dashboards loaded (their data is converted by the explore.convert jobs)');
}
