import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { assetInput } from '@patrimoine/contracts/catalog';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { SYSTEM, systemActor } from '../../platform/auth/principal.ts';
import type { CatalogService } from '../catalog/index.ts';
import { opendataResources, opendataSchemas, opendataVersions } from './opendata.table.ts';
import type { OpendataService } from './opendata.service.ts';
import type { PublicationService } from './publication/publication.service.ts';

/** The synthetic files of the demo (see `demo/generate.py`). */
export const DEMO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo');

/** Demo ministry schema: speed-control sites (A11), synthetic. */
export const DEMO_SCHEMA = {
  $schema: 'https://specs.frictionlessdata.io/schemas/table-schema.json',
  name: 'controles-vitesse',
  title: 'Sites de contrôle automatisé de la vitesse (démonstration)',
  description: 'Schéma de démonstration (données synthétiques) : un site de contrôle par ligne.',
  version: '1.0.0',
  fields: [
    { name: 'id_site', type: 'string', constraints: { required: true, pattern: '^CV-[0-9]{5}$' } },
    { name: 'departement', type: 'string', constraints: { required: true, pattern: '^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$' } },
    { name: 'type', type: 'string', constraints: { required: true, enum: ['fixe', 'troncon', 'feu_rouge', 'discriminant'] } },
    { name: 'vitesse_max', type: 'integer', constraints: { minimum: 20, maximum: 130 } },
    { name: 'date_mise_en_service', type: 'date' },
    { name: 'siret_exploitant', type: 'string' },
  ],
  primaryKey: ['id_site'],
  custom_checks: [{ name: 'french-siret-value', params: { column: 'siret_exploitant' } }],
};

export async function seedDemoSchema(ctx: AppContext, _svc: OpendataService): Promise<void> {
  const existing = await ctx.db.select({ id: opendataSchemas.id }).from(opendataSchemas).where(eq(opendataSchemas.source, 'ministry')).limit(1);
  if (existing.length) return;
  const org = (await ctx.organisations.list()).find((o) => o.code === 'DSR') ?? (await ctx.organisations.list())[0];
  if (!org) return;
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(opendataSchemas)
      .values({
        name: `${org.code.toLowerCase()}/controles-vitesse`,
        version: DEMO_SCHEMA.version,
        source: 'ministry',
        title: DEMO_SCHEMA.title,
        description: DEMO_SCHEMA.description,
        versions: [],
        fieldCount: DEMO_SCHEMA.fields.length,
        homepage: null,
        descriptor: DEMO_SCHEMA,
        sha256: 'demo',
        organisationId: org.id,
        createdBy: systemActor.label,
        createdAt: ctx.clock.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (row)
      await recordAudit(tx as never, {
        actor: systemActor,
        action: 'opendata.schema.publish',
        entityType: 'opendata_schema',
        entityId: row.id,
        after: { name: row.name, version: row.version, demo: true },
      });
  });
}

const DEMO_DATASETS = [
  {
    slug: 'auto-ecoles-agreees',
    title: 'Établissements d’enseignement de la conduite agréés (démonstration)',
    owner: 'DSR',
    description: 'Auto-écoles agréées par les préfectures : numéro d’agrément, SIRET, commune, catégories de permis (action A10, données synthétiques).',
    tags: ['sécurité routière', 'permis de conduire'],
  },
  {
    slug: 'sites-controle-vitesse',
    title: 'Sites de contrôle automatisé de la vitesse (démonstration)',
    owner: 'DSR',
    description: 'Radars fixes, tronçons, feux rouges et discriminants en service (action A11, données synthétiques).',
    tags: ['sécurité routière', 'radars'],
  },
  {
    slug: 'resultats-elections',
    title: 'Résultats des élections',
    owner: 'DMAT',
    description: 'Résultats par commune (action A08, données synthétiques).',
    tags: ['élections'],
  },
] as const;

/**
 * Demo of the publication (issue 16): three datasets of the roadmap's openings with synthetic files —
 * driving schools (A10, valid, published; a second resource of instructors whose e-mail column the
 * personal-data gate stops), speed-control sites (A11: 2024 published, 2025 with deliberate schema
 * errors, invalid, the 2024 file stays online), election results (A08, published). Only into an
 * installation with no resource yet.
 */
export async function seedDemo(ctx: AppContext, svc: OpendataService, publication: PublicationService, catalog: CatalogService): Promise<void> {
  await seedDemoSchema(ctx, svc);
  if ((await ctx.db.select({ id: opendataResources.id }).from(opendataResources).limit(1)).length) return;
  const orgs = await ctx.organisations.list();
  for (const d of DEMO_DATASETS) {
    if (await catalog.getAsset('dataset', d.slug)) continue;
    if (!orgs.some((o) => o.code === d.owner)) return;
    await catalog.create(
      assetInput.parse({
        kind: 'dataset',
        slug: d.slug,
        title: d.title,
        owner: d.owner,
        description: d.description,
        openness: 'ouvert',
        tags: [...d.tags],
        spec: { licence: 'Licence Ouverte 2.0', frequency: 'annual', spatialCoverage: 'France' },
      }),
      SYSTEM,
    );
  }
  const [speed] = await ctx.db.select().from(opendataSchemas).where(eq(opendataSchemas.name, 'dsr/controles-vitesse'));
  const file = (name: string) => ({ filename: name, body: fs.readFileSync(path.join(DEMO_DIR, name)) });
  const never = new AbortController().signal;
  const noop = async () => undefined;
  const version = async (resourceId: string, name: string, publish: boolean) => {
    const v = await publication.uploadVersion(SYSTEM, resourceId, file(name), {});
    const r = await publication.analyse(v.id, never, noop);
    // The node's job runner may have taken the analysis first: wait for it.
    if ('skipped' in r) {
      const [row] = await ctx.db.select({ jobId: opendataVersions.jobId }).from(opendataVersions).where(eq(opendataVersions.id, v.id));
      if (row?.jobId) await ctx.jobs.waitFor(row.jobId, 120_000);
    }
    if (publish) await publication.publish(SYSTEM, v.id, {});
  };
  const schools = await publication.createResource(SYSTEM, 'auto-ecoles-agreees', { title: 'Liste des auto-écoles agréées', slug: 'liste' }, {});
  await version(schools.id, 'auto-ecoles.csv', true);
  const instructors = await publication.createResource(SYSTEM, 'auto-ecoles-agreees', { title: 'Moniteurs et contacts', slug: 'moniteurs' }, {});
  await version(instructors.id, 'moniteurs.csv', false);
  const sites = await publication.createResource(
    SYSTEM,
    'sites-controle-vitesse',
    { title: 'Sites de contrôle', slug: 'sites', ...(speed ? { schema: speed.id } : {}) },
    {},
  );
  await version(sites.id, 'controles-vitesse-2024.csv', true);
  await version(sites.id, 'controles-vitesse-2025.csv', false);
  const elections = await publication.createResource(SYSTEM, 'resultats-elections', { title: 'Résultats par commune', slug: 'communes' }, {});
  await version(elections.id, 'resultats-elections.csv', true);
  ctx.logger.info('opendata: demo resources published');
}
