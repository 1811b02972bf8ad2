import { eq } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { systemActor } from '../../platform/auth/principal.ts';
import { opendataSchemas } from './opendata.table.ts';
import type { OpendataService } from './opendata.service.ts';

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
