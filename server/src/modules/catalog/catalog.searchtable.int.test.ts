import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { catalogAssets } from './catalog.table.ts';

// The narrow search table and the titles' vocabulary (ADR 0107) are kept by triggers on catalog_assets,
// in the transaction of every write: these tests write catalog_assets directly (as imports and bulk SQL
// do) and read what the triggers made.
let t: TestPlatform;
let orgA: string;
let orgB: string;

type SearchRow = {
  kind: string;
  organisation_id: string | null;
  lifecycle: string;
  openness: string;
  personal_data: boolean;
  tags: string[];
  title: string;
  title_norm: string;
  search: string;
  xmin: string;
};
async function searchRow(id: string): Promise<SearchRow | undefined> {
  const r = (await t.ctx.db.execute(
    sql`select kind, organisation_id::text, lifecycle, openness, personal_data, tags, title, title_norm, search::text as search, xmin::text as xmin
        from catalog_search where asset_id = ${id}::uuid`,
  )) as unknown as { rows: SearchRow[] };
  return r.rows[0];
}
async function vocabulary(...words: string[]): Promise<Record<string, number>> {
  const r = (await t.ctx.db.execute(
    sql`select word, titles from catalog_title_words where word = any(${sql`array[${sql.join(
      words.map((w) => sql`${w}`),
      sql`, `,
    )}]::text[]`})`,
  )) as unknown as { rows: { word: string; titles: number }[] };
  return Object.fromEntries(r.rows.map((x) => [x.word, Number(x.titles)]));
}
const asset = (slug: string, title: string, extra: Partial<typeof catalogAssets.$inferInsert> = {}) => ({
  kind: 'dataset' as const,
  slug,
  title,
  description: 'Les données du registre zorglubien.',
  organisationId: orgA,
  tags: ['quasar'],
  updatedBy: 'test',
  ...extra,
});

beforeAll(async () => {
  t = await createTestPlatform();
  const orgs = await t.ctx.organisations.list();
  orgA = orgs[0]!.id;
  orgB = orgs[1]!.id;
});
afterAll(async () => t?.teardown());

describe('catalog_search and catalog_title_words follow catalog_assets', () => {
  it('an insert adds the narrow row (facets, folded title, weighted document) and the title words', async () => {
    const [a] = await t.ctx.db
      .insert(catalogAssets)
      .values(asset('zebulon-1', 'Fichier des Zébulons du Périgord', { personalData: true, openness: 'ferme', lifecycle: 'projet' }))
      .returning();
    const row = await searchRow(a!.id);
    expect(row).toMatchObject({
      kind: 'dataset',
      organisation_id: orgA,
      lifecycle: 'projet',
      openness: 'ferme',
      personal_data: true,
      tags: ['quasar'],
      title: 'Fichier des Zébulons du Périgord',
      title_norm: 'fichier des zebulons du perigord',
    });
    // Title words weigh A, slug and tags B, description C.
    expect(row!.search).toMatch(/'zebulon':\d+A/);
    expect(row!.search).toMatch(/'quasar':\d+B/);
    expect(row!.search).toMatch(/'zorglubien':\d+C?/);
    expect(row!.search).not.toMatch(/'zorglubien':\d+[AB]/);
    // Stop words (« des », « du ») and short words are not in the vocabulary.
    expect(await vocabulary('fichier', 'zebulons', 'perigord', 'des', 'du')).toEqual({ fichier: 1, zebulons: 1, perigord: 1 });
  });

  it('one statement inserting several assets counts each word once per title', async () => {
    await t.ctx.db
      .insert(catalogAssets)
      .values([asset('zebulon-2', 'Zébulons zébulons de Corse'), asset('zebulon-3', 'Registre des zébulons'), asset('zebulon-4', 'Registre national')]);
    expect(await vocabulary('zebulons', 'corse', 'registre', 'national')).toEqual({ zebulons: 3, corse: 1, registre: 2, national: 1 });
  });

  it('an update of title, tags, description or facets rewrites the row; of anything else, writes nothing', async () => {
    const [a] = await t.ctx.db.insert(catalogAssets).values(asset('zebulon-5', 'Carte des quokkas')).returning();
    expect(await vocabulary('quokkas', 'carte')).toEqual({ quokkas: 1, carte: 1 });
    await t.ctx.db
      .update(catalogAssets)
      .set({
        title: 'Carte des wombats',
        tags: ['marsupial'],
        description: 'Recensement annuel.',
        organisationId: orgB,
        openness: 'ouvert',
        lifecycle: 'decommissionne',
      })
      .where(eq(catalogAssets.id, a!.id));
    const row = await searchRow(a!.id);
    expect(row).toMatchObject({ title_norm: 'carte des wombats', tags: ['marsupial'], organisation_id: orgB, openness: 'ouvert', lifecycle: 'decommissionne' });
    expect(row!.search).toMatch(/'wombat':\d+A/);
    expect(row!.search).toMatch(/'marsupial':\d+B/);
    expect(row!.search).toMatch(/'recens/);
    expect(row!.search).not.toMatch(/quokka|quasar|zorglub/);
    // « quokkas » left the only title that held it; « carte » is still in one.
    expect(await vocabulary('quokkas', 'carte', 'wombats')).toEqual({ carte: 1, wombats: 1 });
    await t.ctx.db.update(catalogAssets).set({ kind: 'api', personalData: true }).where(eq(catalogAssets.id, a!.id));
    const after = await searchRow(a!.id);
    expect(after).toMatchObject({ kind: 'api', personal_data: true });
    // Completeness, confirmation, stale flag, spec: the narrow row is not rewritten (same xmin).
    await t.ctx.db
      .update(catalogAssets)
      .set({ completeness: 42, stale: true, spec: { licence: 'x' }, version: 9 })
      .where(eq(catalogAssets.id, a!.id));
    expect((await searchRow(a!.id))!.xmin).toBe(after!.xmin);
  });

  it('a delete removes the row and the words no other title holds', async () => {
    const [a] = await t.ctx.db.insert(catalogAssets).values(asset('zebulon-6', 'Inventaire des ornithorynques de Corse')).returning();
    expect(await vocabulary('ornithorynques', 'corse', 'inventaire')).toEqual({ ornithorynques: 1, corse: 2, inventaire: 1 });
    await t.ctx.db.delete(catalogAssets).where(eq(catalogAssets.id, a!.id));
    expect(await searchRow(a!.id)).toBeUndefined();
    expect(await vocabulary('ornithorynques', 'corse', 'inventaire')).toEqual({ corse: 1 });
  });

  it('a transaction rolled back leaves nothing in catalog_search nor in the vocabulary', async () => {
    let id = '';
    await expect(
      t.ctx.db.transaction(async (tx) => {
        const [a] = await tx.insert(catalogAssets).values(asset('zebulon-7', 'Annuaire des axolotls')).returning();
        id = a!.id;
        await tx.update(catalogAssets).set({ title: 'Annuaire des axolotls du Mexique' }).where(eq(catalogAssets.id, id));
        expect(await tx.execute(sql`select 1 from catalog_search where asset_id = ${id}::uuid`)).toMatchObject({ rows: [{}] });
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(id).not.toBe('');
    expect(await searchRow(id)).toBeUndefined();
    expect(await vocabulary('annuaire', 'axolotls', 'mexique')).toEqual({});
  });

  it('every asset has exactly its row', async () => {
    const r = (await t.ctx.db.execute(
      sql`select (select count(*) from catalog_assets)::int as assets, (select count(*) from catalog_search)::int as rows,
            (select count(*) from catalog_assets a left join catalog_search s on s.asset_id = a.id
             where s.asset_id is null or s.title is distinct from a.title or s.tags is distinct from a.tags)::int as off`,
    )) as unknown as { rows: { assets: number; rows: number; off: number }[] };
    expect(r.rows[0]).toMatchObject({ off: 0 });
    expect(r.rows[0]!.rows).toBe(r.rows[0]!.assets);
  });
});
