import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AssetKind, Lifecycle, Openness, RelationType } from '@patrimoine/contracts/catalog';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../platform/organisations/organisations.table.ts';
import type { SearchInterpretation } from '@patrimoine/contracts/catalog';
import { catalogAssets, catalogAssetVersions, catalogRelations, catalogSearch, catalogSynonyms, catalogTitleWords } from './catalog.table.ts';
import {
  analyseQuery,
  atLeastTsQuery,
  buildSynonymIndex,
  foldAccents,
  termTsQuery,
  weighted,
  wordsOf,
  wordsToStem,
  isStopWord,
  type SynonymIndex,
  type QueryTerm,
  type Stems,
} from './catalog.query.ts';

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
/** Facet counts and total; `estimated` when they were extrapolated from a sample (very large match sets). */
export type FacetResult = Facets & { total: number; estimated: boolean };

const NIL = '00000000-0000-0000-0000-000000000000';
const ownerCols = { ownerCode: organisations.code, ownerName: organisations.name };

/** The narrow search table (ADR 0107): matching, ranking, tiers and facets read it, never the wide rows. */
const S = catalogSearch;
/** Lower-cased, accent-free title (stored column of catalog_search, trigram-indexed). */
const normTitle = sql`${S.titleNorm}`;
/** What anonymous callers may see: public assets without personal data. */
const publicOnlyWhere = () => and(eq(S.openness, 'ouvert'), eq(S.personalData, false));

/** Below this many matches, strict matching « finds too little »: misspelt words are corrected and the search is relaxed. */
const FUZZY_BELOW = 5;
/** Shorter queries have too few trigrams for typo tolerance to mean anything. */
const FUZZY_MIN_LENGTH = 4;
/** Search tuning (ADR 0102); tests lower them to exercise both paths on a small catalogue. */
export interface SearchTuning {
  /** Matches re-ranked by title similarity: the best `rerankTop` by the cheap pre-ranking (10 pages of 20). */
  rerankTop: number;
  /**
   * Facets of very large match sets are estimated from a repeatable block sample of about
   * `sampleRows` rows, when the table holds more than `sampleMinTable` rows and the sample holds at
   * least `sampleMinMatches` matches (≈ 7 % relative error on the total); otherwise they are exact.
   */
  sampleRows: number;
  sampleMinTable: number;
  sampleMinMatches: number;
  /** Strict plans look for the best matches among the titles first (ADR 0107); off only to compare with the full pre-ranking in tests. */
  titleCandidates?: boolean;
  /** Match sets up to this size are collected by the probe and then read by key (ADR 0107). */
  idsMax?: number;
  /** Told where a page's best matches were looked for (tests: each strategy is exercised). */
  onCandidates?: (c: Candidates) => void;
}
/** Where the best matches were found: among title holders, or every match pre-ranked (ADR 0107). */
export type Candidates = 'title' | 'all';
export const defaultSearchTuning: SearchTuning = {
  rerankTop: 200,
  sampleRows: 5000,
  sampleMinTable: 20_000,
  sampleMinMatches: 200,
  titleCandidates: true,
  idsMax: 1000,
};

/**
 * How a query is searched (ADR 0106): the full-text condition assets must match — every term
 * (strict) or at least `minMatched` of them (relaxed) — and each term's own query, for the ranking.
 */
export interface SearchPlan {
  /** Full-text condition; null without a query (or with a query of no letters: nothing matches). */
  tsquery: string | null;
  /** One full-text query per term (typed words, their correction and their synonyms as alternatives). */
  termQueries: string[];
  /** The folded query, for the title comparisons of the ranking. */
  folded: string;
  /** Words of the query found nowhere in the catalogue (before correction): what suggestions correct. */
  unknown: string[];
  interpretation: SearchInterpretation | null;
  /**
   * The matching assets when the probe found at most IDS_MAX of them (filters included, ADR 0107):
   * page, facets and export then read these rows by key instead of evaluating the full-text condition
   * again. Absent for larger match sets.
   */
  ids?: string[];
}
export const NO_QUERY: SearchPlan = { tsquery: null, termQueries: [], folded: '', unknown: [], interpretation: null };

/** The count of matches without the filters, offered when filters excluded everything, stops there. */
export const WITHOUT_FILTERS_MAX = 1000;
/** Query words long enough for typo correction (shorter ones have too few trigrams). */
const CORRECT_MIN_WORD = 4;

async function rows<T>(db: Db, q: SQL): Promise<T[]> {
  const r = (await db.execute(q)) as unknown as { rows: T[] };
  return r.rows;
}

export function createCatalogRepository(db: Db, tuning: SearchTuning = defaultSearchTuning) {
  const { rerankTop: RERANK_TOP, sampleRows: SAMPLE_ROWS, sampleMinTable: SAMPLE_MIN_TABLE, sampleMinMatches: SAMPLE_MIN_MATCHES } = tuning;
  const IDS_MAX = tuning.idsMax ?? 1000;
  // Organisations change rarely: codes ↔ ids are kept for a minute, so that searches need no join.
  let orgCache: { at: number; byCode: Map<string, string>; byId: Map<string, { code: string; name: string }> } | null = null;
  async function orgMaps(codes: string[] = []) {
    // A code not yet known (organisation created in the last minute) reloads the cache at once.
    if (!orgCache || Date.now() - orgCache.at > 60_000 || codes.some((c) => !orgCache!.byCode.has(c))) {
      const rs = await db.select({ id: organisations.id, code: organisations.code, name: organisations.name }).from(organisations);
      orgCache = { at: Date.now(), byCode: new Map(rs.map((o) => [o.code, o.id])), byId: new Map(rs.map((o) => [o.id, { code: o.code, name: o.name }])) };
    }
    return orgCache;
  }

  // Size of the table (planner statistics), kept for a minute: decides whether facets may be sampled.
  let sizeCache: { at: number; rows: number } | null = null;
  async function tableRows(): Promise<number> {
    if (!sizeCache || Date.now() - sizeCache.at > 60_000) {
      const [r] = await rows<{ n: number }>(db, sql`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'catalog_assets'::regclass`);
      sizeCache = { at: Date.now(), rows: Number(r?.n ?? 0) };
    }
    return sizeCache.rows;
  }

  type FacetRow = { kind: string | null; org: string | null; lifecycle: string; openness: string; personal: boolean; tag: string | null; n: number };
  /** Facet rows of `from` (the table, or a sample of it) filtered by `w`, in one scan (grouping sets). */
  function facetQuery(from: SQL, w: SQL): SQL {
    return sql`with g as (
              select kind, organisation_id, lifecycle, openness, personal_data, tags, grouping(tags) as gt, count(*)::int as n
              from ${from} ${w}
              group by grouping sets ((kind, organisation_id, lifecycle, openness, personal_data), (tags)))
            select kind, organisation_id::text as org, lifecycle, openness, personal_data as personal, null::text as tag, n from g where gt = 1
            union all
            (select null, null, null, null, null, t, sum(n)::int from g cross join lateral unnest(g.tags) as t where gt = 0 group by t order by 7 desc, t limit 30)`;
  }

  /** The conditions of a search on catalog_search: filters (owners as ids), visibility, full-text match. */
  function filterWhere(f: SearchFilters, plan: SearchPlan | null, ownerIds: string[] = []): SQL | undefined {
    const c: (SQL | undefined)[] = [];
    if (f.kind?.length) c.push(inArray(S.kind, f.kind as AssetKind[]));
    if (f.owner?.length) c.push(ownerIds.length ? inArray(S.organisationId, ownerIds) : sql`false`);
    if (f.lifecycle?.length) c.push(inArray(S.lifecycle, f.lifecycle as Lifecycle[]));
    if (f.openness?.length) c.push(inArray(S.openness, f.openness as Openness[]));
    if (f.tags?.length)
      c.push(
        sql`${S.tags} @> ${sql`array[${sql.join(
          f.tags.map((t) => sql`${t}`),
          sql`, `,
        )}]::text[]`}`,
      );
    if (f.personalData !== undefined) c.push(eq(S.personalData, f.personalData));
    if (f.publicOnly) c.push(publicOnlyWhere());
    if (f.q?.trim()) {
      // Queries are planned first (`plan()`); a query without a plan matches nothing rather than everything.
      const tsq = plan?.tsquery;
      if (plan?.ids) c.push(plan.ids.length ? sql`${S.assetId} = any(string_to_array(${plan.ids.join(',')}, ',')::uuid[])` : sql`false`);
      else c.push(tsq ? sql`${S.search} @@ ${tsq}::tsquery` : sql`false`);
    }
    const parts = c.filter((x): x is SQL => !!x);
    return parts.length ? and(...parts) : undefined;
  }

  /** The filter conditions with the owners' codes resolved to ids (organisations cache). */
  async function whereOf(f: SearchFilters, plan: SearchPlan | null): Promise<SQL | undefined> {
    const orgs = await orgMaps(f.owner);
    return filterWhere(
      f,
      plan,
      f.owner?.map((c) => orgs.byCode.get(c)).filter((x): x is string => !!x),
    );
  }

  /** The wide rows of these assets with their owner, in the order of `ids` (the page's assets only). */
  async function rowsInOrder(ids: string[]): Promise<AssetWithOwner[]> {
    if (ids.length === 0) return [];
    const orgs = await orgMaps();
    const rs = await db.select().from(catalogAssets).where(inArray(catalogAssets.id, ids));
    const byId = new Map(rs.map((a) => [a.id, a]));
    return ids
      .map((id) => byId.get(id))
      .filter((a): a is AssetRow => !!a)
      .map((a) => {
        const o = a.organisationId ? orgs.byId.get(a.organisationId) : undefined;
        return { ...a, ownerCode: o?.code ?? null, ownerName: o?.name ?? null };
      });
  }

  /** Exact title (3), title prefix (2), else 0: cheap comparisons on the stored folded title. */
  function titleClass(plan: SearchPlan): SQL {
    const qn = plan.folded;
    return sql`(case when ${normTitle} = ${qn} then 3 when ${normTitle} like ${`${qn.replace(/[%_\\]/g, '\\$&')}%`} then 2 else 0 end)`;
  }

  /**
   * How many terms an asset matches, and where (ADR 0106): each term found scores `base` plus 4 in
   * the title, 2 in the slug or tags, 1 in the description only; `base` (8 × terms) is larger than any
   * sum of places, so an asset matching more terms always comes first. Strict plans match every term:
   * the place alone is then scored (one to two index-free checks of the stored tsvector per term).
   */
  function scoreExpr(plan: SearchPlan): SQL {
    const qs = plan.termQueries.filter(Boolean);
    if (qs.length === 0) return sql`0`;
    const strict = !plan.interpretation?.relaxed;
    const base = strict ? 0 : 8 * qs.length;
    const v = S.search;
    const parts = qs.map(
      // In the title: the title-only document (the lexemes of weight A of `search`, fewer to look through).
      (t) =>
        sql`(case when ${S.titleDoc} @@ ${t}::tsquery then ${sql.raw(String(base + 4))} when ${v} @@ ${weighted(t, 'B')}::tsquery then ${sql.raw(String(base + 2))} ${strict ? sql`else 1` : sql`when ${v} @@ ${t}::tsquery then ${sql.raw(String(base + 1))} else 0`} end)`,
    );
    return sql`(${sql.join(parts, sql` + `)})`;
  }

  /** Similarity of the whole query to the title (trigrams): computed for the re-ranked best matches only. */
  function similarityExpr(plan: SearchPlan): SQL {
    return sql`(word_similarity(${plan.folded}, ${normTitle}) + similarity(${plan.folded}, ${normTitle}))`;
  }

  /**
   * Cheap pre-ranking: exact title, title prefix, then terms matched and where, then shorter titles
   * first. It bounds the set that the title similarity re-ranks to RERANK_TOP rows, so broad queries
   * compute no trigram similarity for tens of thousands of matches (ADR 0102, 0106).
   */
  function preRankOrder(plan: SearchPlan): SQL[] {
    return [sql`${titleClass(plan)} desc`, sql`${scoreExpr(plan)} desc`, sql`length(${normTitle})`, sql`${S.title}`, sql`${S.assetId}`];
  }
  /** The order of the re-ranked best matches: the same classes, then title similarity instead of title length. */
  function reRankOrder(plan: SearchPlan): SQL[] {
    return [sql`${titleClass(plan)} desc`, sql`${scoreExpr(plan)} desc`, sql`${similarityExpr(plan)} desc`, sql`${S.title}`, sql`${S.assetId}`];
  }

  // The data team's synonyms change rarely: kept for a minute (at once after a change on this node).
  let synonymCache: { at: number; index: SynonymIndex } | null = null;
  async function synonymIndex(): Promise<SynonymIndex> {
    if (!synonymCache || Date.now() - synonymCache.at > 60_000) {
      const rs = await db.select({ terms: catalogSynonyms.terms }).from(catalogSynonyms);
      synonymCache = { at: Date.now(), index: buildSynonymIndex(rs) };
    }
    return synonymCache.index;
  }

  // Stems of words (`fr_unaccent`), kept in process: a word's stem never changes.
  const stemCache = new Map<string, string | null>();
  async function stemsOf(words: string[]): Promise<Stems> {
    const missing = words.filter((w) => !stemCache.has(w));
    if (missing.length) {
      const rs = await rows<{ w: string; q: string }>(db, sql`select w, to_tsquery('fr_unaccent', w)::text as q from unnest(${arr(missing)}) as w`);
      if (stemCache.size > 50_000) stemCache.clear();
      for (const r of rs) stemCache.set(r.w, r.q?.trim() ? r.q : null);
    }
    return (w) => stemCache.get(w) ?? null;
  }

  const arr = (xs: string[]) =>
    sql`array[${sql.join(
      xs.map((x) => sql`${x}`),
      sql`, `,
    )}]::text[]`;

  /**
   * Strict matches; when fewer than FUZZY_BELOW, the relaxed tier to use — the largest m whose « at
   * least m of the n terms » finds FUZZY_BELOW matches, else any term (m = 1) if that finds more than
   * strict, else n — and, when asked, which terms occur anywhere in the catalogue. One round trip: each
   * tier is a materialized CTE collecting up to IDS_MAX + 1 matching ids, evaluated only when the CASE
   * that chooses the tier reaches it; the chosen tier's ids come back when it has at most IDS_MAX.
   */
  async function probe(
    termQueries: string[],
    where: SQL,
    withKnown: boolean,
  ): Promise<{ strict: number; m: number; known: number[]; ids: string[] | undefined }> {
    const n = termQueries.length;
    const ms = Array.from({ length: n }, (_x, i) => n - i); // n, n-1, …, 1
    const cte = (m: number) => {
      const tsq = atLeastTsQuery(termQueries, m);
      return tsq
        ? sql`${sql.raw(`t${m}`)} as materialized (select array(select ${S.assetId} from ${S} where ${where} and ${S.search} @@ ${tsq}::tsquery limit ${Math.max(IDS_MAX + 1, FUZZY_BELOW)}) as ids)`
        : sql`${sql.raw(`t${m}`)} as materialized (select null::uuid[] as ids)`;
    };
    const count = (m: number) => sql`coalesce(cardinality((select ids from ${sql.raw(`t${m}`)})), -1)`;
    const strict = count(n);
    const choices = ms.slice(1).map((m) => sql`when ${count(m)} >= ${FUZZY_BELOW} then ${m}`);
    const chosen =
      n > 1 ? sql`case when ${strict} >= ${FUZZY_BELOW} then ${n} ${sql.join(choices, sql` `)} when ${count(1)} > ${strict} then 1 else ${n} end` : sql`${n}`;
    const idsOf = sql`case x.m ${sql.join(
      ms.map((m) => sql`when ${m} then (select ids from ${sql.raw(`t${m}`)})`),
      sql` `,
    )} end`;
    // With a LIMIT the planner expects to meet matches early in a sequential scan (it estimates a
    // tsquery at 1 % of the rows): for a word found nowhere that reads the whole table (300 ms at
    // 100,000 assets). Sequential scans are off for this statement: the GIN index answers in a few ms.
    const [r] = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rows<{ n: number; m: number; ids: string[] | null; known: number[] | null }>(
        tx as unknown as Db,
        sql`with ${sql.join(ms.map(cte), sql`, `)}
          select x.n, x.m, (${idsOf})::text[] as ids,
            ${
              withKnown
                ? // One uncorrelated probe per term, its query a constant: the GIN index answers it. (A
                  // probe correlated to an unnest() of the queries was run as a sequential scan of the
                  // whole table for a word found nowhere: 150 ms at 100,000 assets.)
                  sql`case when x.n < ${FUZZY_BELOW} then array_remove(array[${sql.join(
                    termQueries.map((t, i) => sql`case when exists (select 1 from ${S} where ${S.search} @@ ${t}::tsquery) then ${i + 1} end`),
                    sql`, `,
                  )}]::int[], null) end`
                : sql`null::int[]`
            } as known
          from (select ${strict} as n, (${chosen})::int as m) as x`,
      );
    });
    const ids = r?.ids ?? null;
    return {
      strict: Number(r?.n ?? 0),
      m: Number(r?.m ?? n),
      known: r?.known ? r.known.map((i) => Number(i) - 1) : termQueries.map((_q, i) => i),
      ids: ids && ids.length <= IDS_MAX ? ids : undefined,
    };
  }

  /**
   * For each misspelt word, the most similar word of the titles' vocabulary (catalog_title_words,
   * trigram index, ADR 0107), or null: words at word similarity ≥ `wordThreshold` to it, the best by
   * similarity (at least `minSimilarity`), then the most frequent.
   */
  async function corrections(words: string[], minSimilarity = 0.3, wordThreshold?: number): Promise<(string | null)[]> {
    if (words.length === 0) return [];
    // pg_trgm's 0.6 for long words; 0.5 when a word has at most 8 letters, so that one changed letter
    // still passes (« candylib » → « candilib »: 0.5).
    wordThreshold ??= words.some((w) => w.length <= 8) ? 0.5 : 0.6;
    // Sequential scans off: with LIMIT 1 per word the planner may prefer reading the whole vocabulary.
    const fixes = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql.raw(`set local pg_trgm.word_similarity_threshold = ${Number(wordThreshold)}`));
      return rows<{ i: number; fix: string | null }>(
        tx as unknown as Db,
        sql`select q.i::int as i,
              (select v.word from ${catalogTitleWords} v
               where q.word <% v.word and similarity(v.word, q.word) >= ${minSimilarity}
               order by similarity(v.word, q.word) desc, v.titles desc, v.word limit 1) as fix
            from unnest(${arr(words)}) with ordinality as q(word, i)`,
      );
    });
    return words.map((_w, j) => fixes.find((x) => Number(x.i) === j + 1)?.fix ?? null);
  }

  const repo = {
    async findByRef(kind: string, slug: string, tx: Db = db): Promise<AssetWithOwner | null> {
      const [r] = await tx
        .select({ a: catalogAssets, ...ownerCols })
        .from(catalogAssets)
        .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
        .where(and(eq(catalogAssets.kind, kind as AssetKind), eq(catalogAssets.slug, slug)));
      return r ? { ...r.a, ownerCode: r.ownerCode, ownerName: r.ownerName } : null;
    },

    /** Whether the catalogue holds any asset (the demo content loads into an empty catalogue only). */
    async isEmpty(tx: Db = db): Promise<boolean> {
      const r = await tx.select({ id: catalogAssets.id }).from(catalogAssets).limit(1);
      return r.length === 0;
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
      const [r] = await tx
        .select()
        .from(catalogAssets)
        .where(and(eq(catalogAssets.kind, 'dataset'), sql`${catalogAssets.spec}->>'datagouvId' = ${datagouvId}`));
      return r ?? null;
    },

    /** Inserts an asset; null when another writer created the same kind:slug first (unique index). */
    async insert(values: AssetInsert, tx: Db = db): Promise<AssetRow | null> {
      const [r] = await tx
        .insert(catalogAssets)
        .values(values)
        .onConflictDoNothing({ target: [catalogAssets.kind, catalogAssets.slug] })
        .returning();
      return r ?? null;
    },

    /**
     * Compare-and-set: updates the asset only if it is still at `expectedVersion` (the database
     * decides, so two nodes cannot both win: the second waits on the row lock, then finds the new
     * version and matches nothing). Null when the asset changed or disappeared meanwhile.
     */
    async updateIfVersion(id: string, expectedVersion: number, values: Partial<AssetInsert>, tx: Db = db): Promise<AssetRow | null> {
      const [r] = await tx
        .update(catalogAssets)
        .set(values)
        .where(and(eq(catalogAssets.id, id), eq(catalogAssets.version, expectedVersion)))
        .returning();
      return r ?? null;
    },

    /** Review facts of the assets owned by these organisations (all owned assets when `organisationIds` is undefined). */
    async reviewFacts(organisationIds: string[] | undefined, tx: Db = db) {
      const owned = sql`${catalogAssets.organisationId} is not null`;
      return tx
        .select({
          id: catalogAssets.id,
          kind: catalogAssets.kind,
          slug: catalogAssets.slug,
          title: catalogAssets.title,
          organisationId: catalogAssets.organisationId,
          completeness: catalogAssets.completeness,
          lastConfirmedAt: catalogAssets.lastConfirmedAt,
          stale: catalogAssets.stale,
        })
        .from(catalogAssets)
        .where(organisationIds ? and(owned, inArray(catalogAssets.organisationId, organisationIds.length ? organisationIds : [NIL])) : owned)
        .orderBy(asc(catalogAssets.kind), asc(catalogAssets.title));
    },

    /** Records a confirmation (clears the stale flag); the row is locked by the update itself. */
    async setConfirmed(id: string, at: Date, tx: Db = db) {
      const [r] = await tx.update(catalogAssets).set({ lastConfirmedAt: at, stale: false }).where(eq(catalogAssets.id, id)).returning({ id: catalogAssets.id });
      return !!r;
    },

    /** Flags as stale the assets last confirmed (or created) before `before`, clears the others; returns how many changed. */
    async sweepStale(before: Date, tx: Db = db) {
      const last = sql`coalesce(${catalogAssets.lastConfirmedAt}, ${catalogAssets.createdAt})`;
      const flagged = await tx
        .update(catalogAssets)
        .set({ stale: true })
        .where(and(eq(catalogAssets.stale, false), sql`${last} < ${before.toISOString()}::timestamptz`))
        .returning({ id: catalogAssets.id });
      const cleared = await tx
        .update(catalogAssets)
        .set({ stale: false })
        .where(and(eq(catalogAssets.stale, true), sql`${last} >= ${before.toISOString()}::timestamptz`))
        .returning({ id: catalogAssets.id });
      return { flagged: flagged.length, cleared: cleared.length };
    },

    /** Deletes the asset only if it is still at `expectedVersion`; false when it changed meanwhile. */
    async deleteIfVersion(id: string, expectedVersion: number, tx: Db = db): Promise<boolean> {
      const r = await tx
        .delete(catalogAssets)
        .where(and(eq(catalogAssets.id, id), eq(catalogAssets.version, expectedVersion)))
        .returning({ id: catalogAssets.id });
      return r.length > 0;
    },

    async insertVersion(v: typeof catalogAssetVersions.$inferInsert, tx: Db = db): Promise<void> {
      await tx.insert(catalogAssetVersions).values(v);
    },

    async listVersions(assetId: string, tx: Db = db) {
      return tx.select().from(catalogAssetVersions).where(eq(catalogAssetVersions.assetId, assetId)).orderBy(desc(catalogAssetVersions.version)).limit(500);
    },

    /**
     * How to search a query (ADR 0106). Strict first: every term (a word, or a synonym expression
     * with its equivalents as alternatives). When that finds fewer than FUZZY_BELOW matches: each
     * term found nowhere in the catalogue is also tried as the most similar title word (trigram
     * index, at most 50 titles read, ADR 0102), then the search is relaxed to « at least m of the n
     * terms », m as large as finds FUZZY_BELOW matches (down to any term). One round trip when
     * nothing needs correcting, three when something does.
     */
    async plan(f: SearchFilters): Promise<SearchPlan> {
      const q = f.q?.trim() ?? '';
      if (!q) return NO_QUERY;
      const terms: QueryTerm[] = analyseQuery(q, await synonymIndex());
      const folded = foldAccents(q.toLowerCase());
      const interpretation = (ts: QueryTerm[], minMatched: number): SearchInterpretation => ({
        terms: ts.map((t) => t.text),
        corrections: ts.filter((t) => t.correction).map((t) => ({ word: t.text, correction: t.correction! })),
        synonyms: ts.filter((t) => t.synonyms.length).map((t) => ({ expression: t.text, alternatives: t.synonyms.map((x) => x.expression) })),
        minMatched,
        relaxed: minMatched < ts.length,
      });
      if (terms.length === 0) return { tsquery: null, termQueries: [], folded, unknown: [], interpretation: interpretation([], 0) };
      const orgs = await orgMaps(f.owner);
      const where =
        filterWhere(
          { ...f, q: undefined },
          null,
          f.owner?.map((c) => orgs.byCode.get(c)).filter((x): x is string => !!x),
        ) ?? sql`true`;
      let stems = await stemsOf(wordsToStem(terms));
      let termQueries = terms.map((t) => termTsQuery(t, stems));
      const first = await probe(termQueries, where, q.length >= FUZZY_MIN_LENGTH);
      const known = first.known;
      let m = first.m;
      let ids = first.ids;
      if (first.strict < FUZZY_BELOW) {
        // Typo correction on each word found nowhere (single words long enough, no synonym found).
        const toFix = terms
          .map((t, i) => ({ t, i }))
          .filter(({ t, i }) => !known.includes(i) && t.words.length === 1 && t.words[0]!.length >= CORRECT_MIN_WORD && !isStopWord(t.words[0]!));
        const fixes = await corrections(toFix.map(({ t }) => t.words[0]!));
        let fixed = false;
        toFix.forEach(({ t }, j) => {
          const fix = fixes[j];
          if (fix && /^[\p{L}\p{N}]+$/u.test(fix) && fix !== t.words[0]) {
            t.correction = fix;
            fixed = true;
          }
        });
        if (fixed) {
          stems = await stemsOf(wordsToStem(terms));
          termQueries = terms.map((t) => termTsQuery(t, stems));
          // One term: no tier to choose, the corrected query is the plan (one round trip saved).
          if (terms.length > 1) ({ m, ids } = await probe(termQueries, where, false));
          else ids = undefined;
        }
      }
      const unknown = first.strict < FUZZY_BELOW ? terms.filter((_t, i) => !known.includes(i)).flatMap((t) => t.words) : [];
      return { tsquery: atLeastTsQuery(termQueries, m), termQueries, folded, unknown, interpretation: interpretation(terms, m), ids };
    },

    // ---- synonyms of the search (the data team's list) ----
    async listSynonyms(tx: Db = db) {
      return tx
        .select()
        .from(catalogSynonyms)
        .orderBy(asc(sql`lower(${catalogSynonyms.terms}[1])`), asc(catalogSynonyms.id))
        .limit(2000);
    },
    async findSynonym(id: string, tx: Db = db) {
      const [r] = await tx.select().from(catalogSynonyms).where(eq(catalogSynonyms.id, id));
      return r ?? null;
    },
    async insertSynonym(v: typeof catalogSynonyms.$inferInsert, tx: Db = db) {
      const [r] = await tx.insert(catalogSynonyms).values(v).returning();
      return r!;
    },
    async updateSynonym(id: string, v: Partial<typeof catalogSynonyms.$inferInsert>, tx: Db = db) {
      const [r] = await tx.update(catalogSynonyms).set(v).where(eq(catalogSynonyms.id, id)).returning();
      return r ?? null;
    },
    async deleteSynonym(id: string, tx: Db = db) {
      const r = await tx.delete(catalogSynonyms).where(eq(catalogSynonyms.id, id)).returning({ id: catalogSynonyms.id });
      return r.length > 0;
    },
    /** Forgets the cached synonym list (after a change, so that this node searches with it at once). */
    invalidateSynonyms() {
      synonymCache = null;
    },

    /** One page of matching assets, best matches first when there is a query, plus the total (other modules' listAssets). */
    async search(f: SearchFilters, page: number, pageSize: number, plan: SearchPlan): Promise<{ items: AssetWithOwner[]; total: number }> {
      const where = await whereOf(f, plan);
      const [items, total] = await Promise.all([
        repo.page(f, page, pageSize, plan),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(S)
          .where(where),
      ]);
      return { items, total: total[0]?.n ?? 0 };
    },

    /**
     * What a query that found nothing may offer: queries with each word replaced by the closest title
     * word (a lower similarity than the automatic correction), assets whose title holds a word close to
     * the words found nowhere (visible to the caller, whatever the other filters), and the matches
     * without the filters. Words come from the titles' vocabulary (ADR 0107), not from trigram scans of titles.
     */
    async suggestions(
      f: SearchFilters,
      plan: SearchPlan,
    ): Promise<{ queries: string[]; related: { kind: AssetKind; slug: string; title: string }[]; withoutFilters: number | null }> {
      const q = f.q?.trim() ?? '';
      const visible = f.publicOnly ? publicOnlyWhere() : undefined;
      const words = wordsOf(q).filter((w) => !isStopWord(w));
      const folded = words.map(foldAccents);
      // Only the words found nowhere are corrected (a known word is not what made the search fail).
      const long = folded.map((w, i) => ({ w, i })).filter((x) => x.w.length >= 3 && plan.unknown.includes(x.w));
      const unknownWords = long.map((x) => x.w).filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
      const unknownText = unknownWords.join(' ');
      const filtered = !!(f.kind?.length || f.owner?.length || f.lifecycle?.length || f.openness?.length || f.tags?.length || f.personalData !== undefined);
      const [fixes, related, withoutFilters] = await Promise.all([
        long.length
          ? corrections(
              long.map((x) => x.w),
              0.2,
              0.3,
            )
          : Promise.resolve([] as (string | null)[]),
        // The 5 vocabulary words closest to the words found nowhere; up to 50 titles holding one of them
        // (full-text index, title weight), the 5 most similar to those words. When every word is known,
        // the filters are what excluded everything.
        unknownText
          ? db.transaction(async (tx) => {
              await tx.execute(sql`set local pg_trgm.word_similarity_threshold = 0.3`);
              await tx.execute(sql`set local enable_seqscan = off`);
              return rows<{ kind: AssetKind; slug: string; title: string }>(
                tx as unknown as Db,
                sql`with v as materialized (
                      select word from ${catalogTitleWords}
                      where ${or(...unknownWords.map((u) => sql`${u} <% word`))}
                      order by greatest(${sql.join(
                        unknownWords.map((u) => sql`word_similarity(${u}, word)`),
                        sql`, `,
                      )}) desc, titles desc, word limit 5),
                    near as materialized (
                      select ${S.assetId} as id, ${S.titleNorm} as title_norm from ${S}
                      where ${S.search} @@ (select to_tsquery('fr_unaccent', string_agg(word || ':A', ' | ')) from v) ${visible ? sql`and ${visible}` : sql``}
                      limit 50)
                    select a.kind, a.slug, a.title from near join ${catalogAssets} a on a.id = near.id
                    order by word_similarity(${unknownText}, near.title_norm) desc, a.title limit 5`,
              );
            })
          : Promise.resolve([]),
        // Counted up to WITHOUT_FILTERS_MAX: a broad query would otherwise count tens of thousands of rows.
        filtered && plan.tsquery
          ? db
              .select({ n: sql<number>`count(*)::int` })
              .from(
                db
                  .select({ one: sql`1` })
                  .from(S)
                  .where(and(sql`${S.search} @@ ${plan.tsquery}::tsquery`, visible))
                  .limit(WITHOUT_FILTERS_MAX)
                  .as('capped'),
              )
              .then(([r]) => Number(r?.n ?? 0))
          : Promise.resolve(null),
      ]);
      const queries: string[] = [];
      const replaced = words.map((w, i) => {
        const j = long.findIndex((x) => x.i === i);
        const fix = j < 0 ? null : fixes[j];
        return fix && fix !== folded[i] ? fix : w;
      });
      if (replaced.some((w, i) => w !== words[i])) queries.push(replaced.join(' '));
      // Each corrected word alone, when there are several words.
      if (words.length > 1) for (const [i, w] of replaced.entries()) if (w !== words[i] && !queries.includes(w)) queries.push(w);
      return { queries: queries.slice(0, 3), related, withoutFilters };
    },

    /**
     * Facet counts and total of the matching assets, tags included, in one scan of the matches (narrow
     * table). Very large match sets (a broad word found in 40 % of a big catalogue, or no query at all)
     * are counted on a repeatable block sample of the table and scaled: `estimated` is then true (ADR 0102).
     */
    async facets(f: SearchFilters, plan: SearchPlan = NO_QUERY): Promise<FacetResult> {
      const orgs = await orgMaps(f.owner);
      const where = await whereOf(f, plan);
      const w = where ? sql`where ${where}` : sql``;
      let res: FacetRow[] | null = null;
      let scale = 1;
      const size = await tableRows();
      // A match set the probe collected (at most IDS_MAX) is counted exactly, by key.
      if (size > SAMPLE_MIN_TABLE && !plan.ids) {
        const pct = Math.min(100, (100 * SAMPLE_ROWS) / size);
        const from = sql`${S} tablesample system (${sql.raw(pct.toFixed(4))}) repeatable (7)`;
        const [sampled, [n]] = await Promise.all([
          rows<FacetRow>(db, facetQuery(from, w)),
          rows<{ n: number }>(db, sql`select count(*)::int as n from ${from}`),
        ]);
        const matches = sampled.reduce((s, r) => s + (r.kind !== null ? r.n : 0), 0);
        if (matches >= SAMPLE_MIN_MATCHES && (n?.n ?? 0) > 0) {
          res = sampled;
          scale = size / n!.n;
        }
      }
      const estimated = res !== null;
      res ??= await rows<FacetRow>(db, facetQuery(sql`${S}`, w));
      if (estimated) for (const r of res) r.n = Math.round(r.n * scale);
      const groups = res.filter((r): r is FacetRow & { kind: string } => r.kind !== null);
      const tags = res.filter((r): r is FacetRow & { tag: string } => r.kind === null && r.tag !== null);
      const out: FacetResult = { kind: {}, owner: {}, lifecycle: {}, openness: {}, personalData: {}, tags: {}, total: 0, estimated };
      const inc = (m: Record<string, number>, k: string, n: number) => (m[k] = (m[k] ?? 0) + n);
      for (const r of groups) {
        out.total += r.n;
        inc(out.kind, r.kind, r.n);
        inc(out.owner, r.org ? (orgs.byId.get(r.org)?.code ?? '(inconnue)') : '(aucun)', r.n);
        inc(out.lifecycle, r.lifecycle, r.n);
        inc(out.openness, r.openness, r.n);
        inc(out.personalData, r.personal ? 'oui' : 'non', r.n);
      }
      for (const t of tags) out.tags[t.tag] = t.n;
      return out;
    },

    /**
     * One page of matching assets (no count: the facets give the total). The order is computed on the
     * narrow table; the wide rows are read for the page's assets only (ADR 0107).
     */
    async page(f: SearchFilters, page: number, pageSize: number, plan: SearchPlan): Promise<AssetWithOwner[]> {
      const where = await whereOf(f, plan);
      const offset = (page - 1) * pageSize;
      const idsOf = async (q: Promise<{ id: string }[]>) => (await q).map((r) => r.id);
      if (!f.q?.trim())
        return rowsInOrder(
          await idsOf(db.select({ id: S.assetId }).from(S).where(where).orderBy(asc(S.kind), asc(S.title), asc(S.assetId)).limit(pageSize).offset(offset)),
        );
      // Two stages: the RERANK_TOP best matches by the cheap pre-ranking are re-ranked by title
      // similarity (positions 1…RERANK_TOP); positions beyond keep the pre-ranking order. The
      // order is total and the same for every page, so pages neither overlap nor skip.
      const pre = preRankOrder(plan);
      const ids: string[] = [];
      if (offset < RERANK_TOP) {
        const preSql = sql.join(pre, sql`, `);
        const full = sql`select ${S.assetId} as id, 'all' as src from ${S} where ${where} order by ${preSql} limit ${RERANK_TOP}`;
        // Bounded candidates (ADR 0107). With m the plan's tier (m = n when strict), every match holds at
        // least m terms; fewer than FUZZY_BELOW hold more (the tier above was not chosen). The assets
        // holding m terms in their title score the most an asset with m terms can (title is the best
        // place; exact and prefix titles are among them), so they and those of the tier above come
        // before every other match. When at least RERANK_TOP such candidates exist, the best RERANK_TOP
        // are found among them (title-only index), without reading every match of a broad word (40 % of
        // the catalogue for « statistiques »); otherwise every match is pre-ranked. Same order either way.
        const m = plan.interpretation?.minMatched ?? plan.termQueries.length;
        const inTitles = atLeastTsQuery(plan.termQueries, m);
        const above = m < plan.termQueries.filter(Boolean).length ? atLeastTsQuery(plan.termQueries, m + 1) : null;
        const bounded = tuning.titleCandidates !== false && !plan.ids && inTitles && (above || m >= plan.termQueries.filter(Boolean).length);
        const nonQ = await whereOf({ ...f, q: undefined }, null);
        // The candidates holding m terms in their title, without ranking them all. Those not above (m + 1
        // terms) score the same (m terms, each in the title): their order is the title's class (exact,
        // prefix), length, title and id, no score to compute for each holder (what pre-ranking every
        // holder cost). Their first RERANK_TOP in that order, with the assets above, hold the RERANK_TOP
        // best title candidates.
        const titleOrder = sql`order by ${titleClass(plan)} desc, length(${normTitle}), ${S.title}, ${S.assetId} limit ${RERANK_TOP}`;
        const inOrder = (cond: SQL): SQL => sql`(select ${S.assetId} from ${S} where ${and(nonQ, cond)} ${titleOrder})`;
        const aboveTop = above
          ? sql`union (select ${S.assetId} from ${S} where ${and(nonQ, sql`${S.search} @@ ${above}::tsquery`)} order by ${preSql} limit ${RERANK_TOP})`
          : sql``;
        const titleTop = sql`${inOrder(sql`${S.titleDoc} @@ ${inTitles}::tsquery`)} ${aboveTop}`;
        const top = bounded
          ? sql`with c as materialized (select ${S.assetId} as id from ${S} where ${S.assetId} in (${titleTop}) order by ${preSql} limit ${RERANK_TOP}),
                  n as materialized (select count(*) as n from c)
                select id, 'title' as src from c where (select n from n) >= ${RERANK_TOP}
                union all
                select id, src from (${full}) as f where (select n from n) < ${RERANK_TOP}`
          : full;
        const best = await rows<{ id: string; src: Candidates }>(
          db,
          sql`select ${S.assetId} as id, t.src from ${S} join (${top}) as t on t.id = ${S.assetId} order by ${sql.join(reRankOrder(plan), sql`, `)}
              limit ${Math.min(pageSize, RERANK_TOP - offset)} offset ${offset}`,
        );
        if (best[0]) tuning.onCandidates?.(best[0].src);
        ids.push(...best.map((r) => r.id));
      }
      const rest = offset + pageSize - Math.max(offset, RERANK_TOP);
      if (rest > 0)
        ids.push(
          ...(await idsOf(
            db
              .select({ id: S.assetId })
              .from(S)
              .where(where)
              .orderBy(...pre)
              .limit(rest)
              .offset(Math.max(offset, RERANK_TOP)),
          )),
        );
      return rowsInOrder(ids);
    },

    /** All assets in a stable order (export), in batches. */
    async *iterate(f: SearchFilters, plan: SearchPlan | null = null, batch = 1000): AsyncGenerator<AssetWithOwner[]> {
      const where = await whereOf(f, plan);
      let offset = 0;
      for (;;) {
        const page = await db
          .select({ a: catalogAssets, ...ownerCols })
          .from(catalogAssets)
          .innerJoin(S, eq(S.assetId, catalogAssets.id))
          .leftJoin(organisations, eq(organisations.id, catalogAssets.organisationId))
          .where(where)
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
        .where(and(eq(catalogRelations.type, type as RelationType), eq(catalogRelations.fromId, fromId), eq(catalogRelations.toId, toId)));
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
        .where(types?.length ? and(touch, inArray(catalogRelations.type, types as RelationType[])) : touch)
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
      const fwd = sql`array[${sql.join(
        forwardTypes.map((t) => sql`${t}`),
        sql`, `,
      )}]::text[]`;
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
        rows<{ kind: AssetKind; n: number; completeness: number }>(
          db,
          sql`select kind, count(*)::int as n, coalesce(round(avg(completeness)), 0)::int as completeness from catalog_assets ${w} group by kind order by kind`,
        ),
        rows<{ kind: AssetKind; openness: Openness; n: number }>(
          db,
          sql`select kind, openness, count(*)::int as n from catalog_assets ${w} group by kind, openness order by kind, openness`,
        ),
        rows<{ code: string | null; name: string | null; n: number; completeness: number; ouvert: number; a_ouvrir: number }>(
          db,
          sql`select o.code, o.name, count(*)::int as n, coalesce(round(avg(a.completeness)), 0)::int as completeness,
                count(*) filter (where a.openness = 'ouvert')::int as ouvert, count(*) filter (where a.openness = 'a_ouvrir')::int as a_ouvrir
              from catalog_assets a left join organisations o on o.id = a.organisation_id ${organisationId ? sql`where a.organisation_id = ${organisationId}::uuid` : sql``}
              group by o.code, o.name order by n desc`,
        ),
        rows<{ kind: AssetKind; slug: string; title: string; lifecycle: Lifecycle; planned: string | null }>(
          db,
          sql`select kind, slug, title, lifecycle, decommission_planned_on::text as planned from catalog_assets ${organisationId ? sql`${w} and` : sql`where`} lifecycle = 'a_decommissionner' order by decommission_planned_on nulls last, title limit 200`,
        ),
        rows<{ kind: AssetKind; slug: string; title: string; openness: Openness }>(
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
