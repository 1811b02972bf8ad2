import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import { catalogAssets, catalogAssetVersions, catalogRelations } from './catalog.table.ts';

export type AssetRow = typeof catalogAssets.$inferSelect;
export type AssetInsert = typeof catalogAssets.$inferInsert;
export type RelationRow = typeof catalogRelations.$inferSelect;

/** An asset row with its owner's code and name. */
export type AssetWithOwner = AssetRow & { ownerCode: string | null; ownerName: string | null };

export interface SearchFilters {
  q?: string;
  kind?: string[];
  owner?: string[];
  lifecycle?: string[];
  openness?: string[];
  tags?: string[];
  personalData?: boolean;
  /** Anonymous callers: public (ouvert) and non-personal assets only. */
  publicOnly: boolean;
}

export type Facets = Record<'kind' | 'owner' | 'lifecycle' | 'openness' | 'personalData' | 'tags', Record<string, number>>;

const ownerCols = { ownerCode: organisations.code, ownerName: organisations.name };

/** Lower-cased, accent-free query text, as the trigram index stores titles. */
const normTitle = sql`immutable_unaccent(lower(${catalogAssets.title}))`;

/**
 * French full-text query with the last word as a prefix (results while typing): `a & b & c:*`.
 * Only letters and digits reach to_tsquery, so no user text can inject operators.
 */
export function prefixTsQuery(q: string): string | null {
  const words = q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 ? `${w.toLowerCase()}:*` : w.toLowerCase())).join(' & ');
}

async function rows<T>(db: Db, q: SQL): Promise<T[]> {
  const r = (await db.execute(q)) as unknown as { rows: T[] };
  return r.rows;
}

export function createCatalogRepository(db: Db) {
  function filterWhere(f: SearchFilters): SQL | undefined {
    const c: (SQL | undefined)[] = [];
    if (f.kind?.length) c.push(inArray(catalogAssets.kind, f.kind));
    if (f.owner?.length) c.push(inArray(organisations.code, f.owner));
    if (f.lifecycle?.length) c.push(inArray(catalogAssets.lifecycle, f.lifecycle));
    if (f.openness?.length) c.push(inArray(catalogAssets.openness, f.openness));
    if (f.tags?.length) c.push(sql`${catalogAssets.tags} @> ${sql`array[${sql.join(f.tags.map((t) => sql`${t}`), sql`, `)}]::text[]`}`);
    if (f.personalData !== undefined) c.push(eq(catalogAssets.personalData, f.personalData));
    if (f.publicOnly) c.push(and(eq(catalogAssets.openness, 'ouvert'), eq(catalogAssets.personalData, false)));
    if (f.q?.trim()) {
      const tsq = prefixTsQuery(f.q);
      const qn = f.q.trim().toLowerCase();
      const text = tsq ? sql`${catalogAssets.search} @@ to_tsquery('fr_unaccent', ${tsq})` : sql`false`;
      // Typo tolerance on titles: trigram word similarity (index-assisted `<%`).
      c.push(or(text, sql`immutable_unaccent(${qn}) <% ${normTitle}`));
    }
    const parts = c.filter((x): x is SQL => !!x);
    return parts.length ? and(...parts) : undefined;
  }

  function rankExpr(q: string): SQL {
    const tsq = prefixTsQuery(q);
    const qn = q.trim().toLowerCase();
    const ts = tsq ? sql`ts_rank_cd(${catalogAssets.search}, to_tsquery('fr_unaccent', ${tsq}))` : sql`0`;
    return sql`(${ts} + word_similarity(immutable_unaccent(${qn}), ${normTitle}) + similarity(immutable_unaccent(${qn}), ${normTitle}) + case when ${normTitle} = immutable_unaccent(${qn}) then 2 when ${normTitle} like immutable_unaccent(${qn}) || '%' then 1 else 0 end)`;
  }

  const repo = {
    async findByRef(kind: string, slug: string, tx: Db = db): Promise<AssetWithOwner | null> {
      const [r] = await tx
        .select({ a: catalogAssets, ...ownerCols })
        .from(catalogAssets)
        .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
        .where(and(eq(catalogAssets.kind, kind), eq(catalogAssets.slug, slug)));
      return r ? { ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName } : null;
    },

    async findById(id: string, tx: Db = db): Promise<AssetWithOwner | null> {
      const [r] = await tx
        .select({ a: catalogAssets, ...ownerCols })
        .from(catalogAssets)
        .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
        .where(eq(catalogAssets.id, id));
      return r ? { ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName } : null;
    },

    async findByIds(ids: string[], tx: Db = db): Promise<AssetWithOwner[]> {
      if (ids.length === 0) return [];
      const rs = await tx
        .select({ a: catalogAssets, ...ownerCols })
        .from(catalogAssets)
        .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
        .where(inArray(catalogAssets.id, ids));
      return rs.map((r) => ({ ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName }));
    },

    async findByDatagouvId(datagouvId: string, tx: Db = db): Promise<AssetRow | null> {
      const [r] = await tx.select().from(catalogAssets).where(and(eq(catalogAssets.kind, 'dataset'), sql`${catalogAssets.spec}->>'datagouvId' = ${datagouvId}`));
      return r ?? null;
    },

    async insert(values: AssetInsert, tx: Db = db): Promise<AssetRow> {
      const [r] = await tx.insert(catalogAssets).values(values).returning();
      return r!;
    },

    async update(id: string, values: Partial<AssetInsert>, tx: Db = db): Promise<AssetRow> {
      const [r] = await tx.update(catalogAssets).set(values).where(eq(catalogAssets.id, id)).returning();
      return r!;
    },

    async delete(id: string, tx: Db = db): Promise<void> {
      await tx.delete(catalogAssets).where(eq(catalogAssets.id, id));
    },

    async insertVersion(v: typeof catalogAssetVersions.$inferInsert, tx: Db = db): Promise<void> {
      await tx.insert(catalogAssetVersions).values(v);
    },

    async listVersions(assetId: string, tx: Db = db) {
      return tx.select().from(catalogAssetVersions).where(eq(catalogAssetVersions.assetId, assetId)).orderBy(desc(catalogAssetVersions.version)).limit(500);
    },

    /** One page of matching assets, best matches first when there is a query, plus the total. */
    async search(f: SearchFilters, page: number, pageSize: number): Promise<{ items: AssetWithOwner[]; total: number }> {
      const where = filterWhere(f);
      const order = f.q?.trim() ? [desc(rankExpr(f.q)), asc(catalogAssets.title)] : [asc(catalogAssets.kind), asc(catalogAssets.title)];
      const [items, total] = await Promise.all([
        db
          .select({ a: catalogAssets, ...ownerCols })
          .from(catalogAssets)
          .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
          .where(where)
          .orderBy(...order)
          .limit(pageSize)
          .offset((page - 1) * pageSize),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(catalogAssets)
          .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
          .where(where),
      ]);
      return { items: items.map((r) => ({ ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName })), total: total[0]?.n ?? 0 };
    },

    /** Facet counts of the matching assets, in one scan (grouping sets) plus one for tags. */
    async facets(f: SearchFilters): Promise<Facets> {
      const where = filterWhere(f);
      const w = where ? sql`where ${where}` : sql``;
      const join = sql`from ${catalogAssets} left join ${organisations} on ${organisations.id} = ${catalogAssets.organisationId}`;
      const from = sql`${join} ${w}`;
      const [groups, tags] = await Promise.all([
        rows<{ kind: string | null; owner: string | null; lifecycle: string | null; openness: string | null; personal: boolean | null; g: number; n: number }>(
          db,
          sql`select ${catalogAssets.kind} as kind, coalesce(${organisations.code}, '(aucun)') as owner, ${catalogAssets.lifecycle} as lifecycle, ${catalogAssets.openness} as openness, ${catalogAssets.personalData} as personal,
                grouping(${catalogAssets.kind}, ${organisations.code}, ${catalogAssets.lifecycle}, ${catalogAssets.openness}, ${catalogAssets.personalData})::int as g, count(*)::int as n
              ${from}
              group by grouping sets ((${catalogAssets.kind}), (${organisations.code}), (${catalogAssets.lifecycle}), (${catalogAssets.openness}), (${catalogAssets.personalData}))`,
        ),
        rows<{ tag: string; n: number }>(db, sql`select t as tag, count(*)::int as n ${join} cross join lateral unnest(${catalogAssets.tags}) as t ${w} group by t order by n desc, t limit 30`),
      ]);
      const out: Facets = { kind: {}, owner: {}, lifecycle: {}, openness: {}, personalData: {}, tags: {} };
      // grouping() bitmask: 0b01111 = only kind grouped, etc. (1 = column not in the group).
      for (const r of groups) {
        if (r.g === 0b01111) out.kind[r.kind!] = r.n;
        else if (r.g === 0b10111) out.owner[r.owner!] = r.n;
        else if (r.g === 0b11011) out.lifecycle[r.lifecycle!] = r.n;
        else if (r.g === 0b11101) out.openness[r.openness!] = r.n;
        else if (r.g === 0b11110) out.personalData[r.personal ? 'oui' : 'non'] = r.n;
      }
      for (const t of tags) out.tags[t.tag] = t.n;
      return out;
    },

    /** All assets in a stable order (export), in batches. */
    async *iterate(f: SearchFilters, batch = 1000): AsyncGenerator<AssetWithOwner[]> {
      let offset = 0;
      for (;;) {
        const page = await db
          .select({ a: catalogAssets, ...ownerCols })
          .from(catalogAssets)
          .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
          .where(filterWhere(f))
          .orderBy(asc(catalogAssets.kind), asc(catalogAssets.slug))
          .limit(batch)
          .offset(offset);
        if (page.length === 0) return;
        yield page.map((r) => ({ ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName }));
        if (page.length < batch) return;
        offset += batch;
      }
    },

    async findRelation(type: string, fromId: string, toId: string, tx: Db = db): Promise<RelationRow | null> {
      const [r] = await tx
        .select()
        .from(catalogRelations)
        .where(and(eq(catalogRelations.type, type), eq(catalogRelations.fromId, fromId), eq(catalogRelations.toId, toId)));
      return r ?? null;
    },

    async findRelationById(id: string, tx: Db = db): Promise<RelationRow | null> {
      const [r] = await tx.select().from(catalogRelations).where(eq(catalogRelations.id, id));
      return r ?? null;
    },

    async insertRelation(v: typeof catalogRelations.$inferInsert, tx: Db = db): Promise<RelationRow> {
      const [r] = await tx.insert(catalogRelations).values(v).returning();
      return r!;
    },

    async updateRelation(id: string, v: { note: string | null; since: string | null }, tx: Db = db): Promise<void> {
      await tx.update(catalogRelations).set(v).where(eq(catalogRelations.id, id));
    },

    async deleteRelation(id: string, tx: Db = db): Promise<void> {
      await tx.delete(catalogRelations).where(eq(catalogRelations.id, id));
    },

    /** Relations touching any of the assets, optionally restricted to some types. */
    async relationsOf(ids: string[], types?: string[], tx: Db = db): Promise<RelationRow[]> {
      if (ids.length === 0) return [];
      const touch = or(inArray(catalogRelations.fromId, ids), inArray(catalogRelations.toId, ids));
      return tx
        .select()
        .from(catalogRelations)
        .where(types?.length ? and(touch, inArray(catalogRelations.type, types)) : touch)
        .orderBy(asc(catalogRelations.type), asc(catalogRelations.createdAt))
        .limit(5000);
    },

    async allRelations(tx: Db = db): Promise<RelationRow[]> {
      return tx.select().from(catalogRelations).orderBy(asc(catalogRelations.type), asc(catalogRelations.fromId), asc(catalogRelations.toId));
    },

    /**
     * Everything downstream of an asset (recursive): follows each relation in the direction in which
     * a change propagates (`forwardTypes` from → to, the others to → from), shortest depth first.
     */
    async impact(id: string, forwardTypes: string[], maxDepth = 10): Promise<{ id: string; depth: number; via: string; fromId: string }[]> {
      const fwd = sql`array[${sql.join(forwardTypes.map((t) => sql`${t}`), sql`, `)}]::text[]`;
      return rows(
        db,
        sql`with recursive edges as (
              select case when r.type = any(${fwd}) then r.from_id else r.to_id end as src,
                     case when r.type = any(${fwd}) then r.to_id else r.from_id end as dst, r.type
              from catalog_relations r
            ), walk(id, depth, via, from_id, path) as (
              select e.dst, 1, e.type, e.src, array[${id}::uuid, e.dst] from edges e where e.src = ${id}::uuid
              union all
              select e.dst, w.depth + 1, e.type, e.src, w.path || e.dst from walk w join edges e on e.src = w.id
              where w.depth < ${maxDepth} and not e.dst = any(w.path)
            )
            select distinct on (id) id::text as id, depth, via, from_id::text as "fromId" from walk order by id, depth limit 5000`,
      );
    },

    /** Figures for the dashboards, for the whole ministry or one organisation. */
    async stats(organisationId: string | null) {
      const w = organisationId ? sql`where organisation_id = ${organisationId}::uuid` : sql``;
      const [byKind, byOpenness, byOrg, toDecommission, algorithms] = await Promise.all([
        rows<{ kind: string; n: number; completeness: number }>(db, sql`select kind, count(*)::int as n, coalesce(round(avg(completeness)), 0)::int as completeness from catalog_assets ${w} group by kind order by kind`),
        rows<{ kind: string; openness: string; n: number }>(db, sql`select kind, openness, count(*)::int as n from catalog_assets ${w} group by kind, openness order by kind, openness`),
        rows<{ code: string | null; name: string | null; n: number; completeness: number; ouvert: number; a_ouvrir: number }>(
          db,
          sql`select o.code, o.name, count(*)::int as n, coalesce(round(avg(a.completeness)), 0)::int as completeness,
                count(*) filter (where a.openness = 'ouvert')::int as ouvert, count(*) filter (where a.openness = 'a_ouvrir')::int as a_ouvrir
              from catalog_assets a left join organisations o on o.id = a.organisation_id ${organisationId ? sql`where a.organisation_id = ${organisationId}::uuid` : sql``}
              group by o.code, o.name order by n desc`,
        ),
        rows<{ kind: string; slug: string; title: string; lifecycle: string; planned: string | null }>(
          db,
          sql`select kind, slug, title, lifecycle, decommission_planned_on::text as planned from catalog_assets ${organisationId ? sql`${w} and` : sql`where`} lifecycle = 'a_decommissionner' order by decommission_planned_on nulls last, title limit 200`,
        ),
        rows<{ kind: string; slug: string; title: string; openness: string }>(
          db,
          sql`select kind, slug, title, openness from catalog_assets ${organisationId ? sql`${w} and` : sql`where`} kind = 'algorithm' and openness <> 'ouvert' order by title limit 200`,
        ),
      ]);
      // Openness progress: how many assets became `ouvert` after having been `a_ouvrir` (history).
      const [opened] = await rows<{ n: number }>(
        db,
        sql`select count(distinct v.asset_id)::int as n from catalog_asset_versions v join catalog_assets a on a.id = v.asset_id
            where v.snapshot->>'openness' = 'a_ouvrir' and a.openness = 'ouvert' ${organisationId ? sql`and a.organisation_id = ${organisationId}::uuid` : sql``}`,
      );
      return { byKind, byOpenness, byOrg, toDecommission, algorithmsToPublish: algorithms, openedFromPlan: opened?.n ?? 0 };
    },
  };
  return repo;
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
