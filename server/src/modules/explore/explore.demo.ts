/**
 * Demo of the explore module (issue 18), loaded when it has no question yet: two synthetic
 * resources published through the opendata module (so converted by the same job as any other) and
 * their dashboards.
 * - « Crimes et délits enregistrés (synthétique) » (SSMSI, A09): monthly counts by département and
 *   indicator, 2023-01 to 2024-12; a public dashboard (map by département, by région, monthly line,
 *   indicators, total) with shared filters on the indicator and the région.
 * - « Effectifs par direction (synthétique) » (DRH, A32 ValoRH-like): staff by directorate, category,
 *   corps, sex and age bracket; a restricted dashboard.
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
export function crimesCsv(months = 24): string {
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
      const year = 2023 + Math.floor(m / 12);
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
  const [crimes, staff] = resourceIds as [string, string];
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
        'Évolution mensuelle (synthétique)',
        'line',
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
