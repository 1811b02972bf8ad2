import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { DEMO_SOURCE, type AggName } from '@patrimoine/contracts/deces';
import type { Db } from '../../db/client.ts';
import { decesCorrections, decesOppositions, decesRecords, decesSources } from './deces.table.ts';
import { recordKeys, type DecesRecord } from './insee.ts';
import type { DateQuery } from './score.ts';

export type RecordRow = typeof decesRecords.$inferSelect;
export type CorrectionRow = typeof decesCorrections.$inferSelect;

/** Column order of `deces_records` for COPY and for raw inserts. */
export const RECORD_COLUMNS = [
  'id',
  'last_name',
  'first_names',
  'sex',
  'birth_date',
  'birth_code',
  'birth_city',
  'birth_department',
  'birth_country',
  'birth_country_code',
  'death_date',
  'death_code',
  'death_city',
  'death_department',
  'death_country',
  'death_country_code',
  'certificate_id',
  'age',
  'source',
  'flags',
  'last_key',
  'last_phon',
  'first_key',
  'first_phon',
  'birth_year',
  'death_year',
  'matchid_id',
] as const;

/** A parsed record as the row values of `RECORD_COLUMNS`. */
export function rowValues(r: DecesRecord): (string | number | null)[] {
  const k = recordKeys(r);
  return [
    r.id,
    r.lastName,
    r.firstNames.join(' '),
    r.sex,
    r.birthDate,
    r.birthCode,
    r.birthCity,
    r.birthDepartment,
    r.birthCountry,
    r.birthCountryCode,
    r.deathDate,
    r.deathCode,
    r.deathCity,
    r.deathDepartment,
    r.deathCountry,
    r.deathCountryCode,
    r.certificateId,
    r.age,
    r.source,
    r.flags.join(','),
    k.lastKey,
    k.lastPhon,
    k.firstKey,
    k.firstPhon,
    k.birthYear,
    k.deathYear,
    r.matchidId,
  ];
}

/** Blocking keys of one query (search or bulk row). */
export interface BlockingKeys {
  lastPhon: string;
  lastKey: string;
  firstPhon: string;
  birthDate: string;
  birthYear: number | null;
  /** `M`, `F` or empty. */
  sex?: string;
  /** First given name, normalised (its initial narrows the last-name + year block). */
  firstKey?: string;
  /**
   * Years either side of `birthYear` in the last and first names block: 10 for a full date (a wrong
   * digit in the year), 1 for a date known by its year or month only (nothing else to be wrong).
   */
  birthYearWindow?: number;
}

export function createDecesRepository(db: Db) {
  return {
    /** Inserts rows (already as `RECORD_COLUMNS` values); returns how many were new. */
    async insertRows(tx: Db, rows: (string | number | null)[][]): Promise<number> {
      if (!rows.length) return 0;
      const values = sql.join(
        rows.map(
          (r) =>
            sql`(${sql.join(
              r.map((v) => sql`${v}`),
              sql`, `,
            )})`,
        ),
        sql`, `,
      );
      const res = await tx.execute(
        sql`INSERT INTO deces_records (${sql.raw(RECORD_COLUMNS.join(', '))}) VALUES ${values} ON CONFLICT (id) DO NOTHING RETURNING 1`,
      );
      return (res as unknown as { rows?: unknown[] }).rows?.length ?? (res as unknown as unknown[]).length ?? 0;
    },
    async insertSource(tx: Db, v: typeof decesSources.$inferInsert) {
      const [row] = await tx.insert(decesSources).values(v).returning();
      return row!;
    },
    /** A record by matchID's id (what the wire shows) or by our own id (its alias, in older links). */
    async findById(id: string, tx: Db = db): Promise<RecordRow | undefined> {
      const rows = await tx
        .select()
        .from(decesRecords)
        .where(or(eq(decesRecords.matchidId, id), eq(decesRecords.id, id)))
        .limit(2);
      return rows.find((r) => r.matchidId === id) ?? rows[0];
    },
    async findByIds(ids: string[]): Promise<RecordRow[]> {
      if (!ids.length) return [];
      return db
        .select()
        .from(decesRecords)
        .where(or(inArray(decesRecords.matchidId, ids), inArray(decesRecords.id, ids)));
    },
    /** Whether some records still lack matchID's id (imported before it was computed). */
    async needsMatchidBackfill(tx: Db = db): Promise<boolean> {
      const r = await tx.select({ id: decesRecords.id }).from(decesRecords).where(isNull(decesRecords.matchidId)).limit(1);
      return r.length > 0;
    },
    /** Gives matchID's id to records imported before it was computed (`pairs`: our id, matchID's id). */
    async backfillMatchid(tx: Db, pairs: [string, string][]): Promise<number> {
      if (!pairs.length) return 0;
      const values = sql.join(
        pairs.map(([id, m]) => sql`(${id}, ${m})`),
        sql`, `,
      );
      const res = await tx.execute(
        sql`UPDATE deces_records r SET matchid_id = v.m FROM (VALUES ${values}) AS v(id, m) WHERE r.id = v.id AND r.matchid_id IS NULL RETURNING 1`,
      );
      return (res as unknown as { rows?: unknown[] }).rows?.length ?? 0;
    },
    /**
     * Candidates of one search through the blocking indexes: same phonetic last name (and first name or
     * birth year), same birth date and first name (usage names, heavy typos), trigram-close last name.
     */
    async candidates(k: Partial<BlockingKeys>, filters: RecordFilter[], limit: number, mode: 'keys' | 'trigram' = 'keys'): Promise<RecordRow[]> {
      const ors = [];
      if (mode === 'trigram') {
        // Fallback for typos that change the phonetic key: costlier (posting lists of common trigrams).
        if (!k.lastKey || k.lastKey.length < 3) return [];
        const first = k.firstPhon ? sql` AND first_phon = ${k.firstPhon}` : sql``;
        const year = k.birthYear ? sql` AND birth_year BETWEEN ${k.birthYear - 1} AND ${k.birthYear + 1}` : sql``;
        const extra = sql`${first}${year}`;
        const where = [sql`(last_key % ${k.lastKey}${extra})`, ...filters.map(filterSql)];
        return rowsOf(await db.execute(sql`SELECT * FROM deces_records WHERE ${sql.join(where, sql` AND `)} LIMIT ${limit}`)).map(fromDb);
      }
      // Each block is narrow enough to stay at tens of rows for the most common names on 1 M records.
      if (k.lastPhon && k.firstPhon)
        ors.push(
          k.birthYear
            ? sql`(last_phon = ${k.lastPhon} AND first_phon = ${k.firstPhon} AND birth_year BETWEEN ${k.birthYear - 10} AND ${k.birthYear + 10})`
            : sql`(last_phon = ${k.lastPhon} AND first_phon = ${k.firstPhon})`,
        );
      if (k.lastPhon && k.birthYear) {
        const narrow = k.firstKey
          ? sql` AND (left(first_key, 1) = ${k.firstKey.slice(0, 1)} OR strpos(' ' || first_names || ' ', ${` ${k.firstKey} `}) > 0${k.birthDate ? sql` OR substr(birth_date, 5, 4) = ${k.birthDate.slice(4, 8)}` : sql``})`
          : sql``;
        ors.push(sql`(last_phon = ${k.lastPhon} AND birth_year BETWEEN ${k.birthYear - 1} AND ${k.birthYear + 1}${narrow})`);
      }
      if (k.lastPhon && !k.firstPhon && !k.birthYear) ors.push(sql`(last_phon = ${k.lastPhon})`);
      if (k.birthDate && k.firstPhon) ors.push(sql`(birth_date = ${k.birthDate} AND first_phon = ${k.firstPhon})`);
      if (k.birthDate && !k.birthDate.endsWith('00'))
        ors.push(k.sex ? sql`(birth_date = ${k.birthDate} AND sex = ${k.sex})` : sql`(birth_date = ${k.birthDate})`);
      if (k.firstPhon && k.birthYear && k.lastKey)
        ors.push(sql`(first_phon = ${k.firstPhon} AND birth_year = ${k.birthYear} AND left(last_key, 1) = ${k.lastKey.slice(0, 1)})`);
      const where = [ors.length ? sql`(${sql.join(ors, sql` OR `)})` : sql`TRUE`, ...filters.map(filterSql)];
      const rows = await db.execute(sql`SELECT * FROM deces_records WHERE ${sql.join(where, sql` AND `)} LIMIT ${limit}`);
      return rowsOf(rows).map(fromDb);
    },
    /** Typo fallback: records whose phonetic keys are among one-typo-away spellings' keys. */
    async typoCandidates(lastPhons: string[], firstPhons: string[] | null, filters: RecordFilter[], limit: number): Promise<RecordRow[]> {
      if (!lastPhons.length) return [];
      const list = (xs: string[]) =>
        sql.join(
          xs.map((x) => sql`${x}`),
          sql`, `,
        );
      const where = [
        sql`last_phon IN (${list(lastPhons)})`,
        ...(firstPhons?.length ? [sql`first_phon IN (${list(firstPhons)})`] : []),
        ...filters.map(filterSql),
      ];
      return rowsOf(await db.execute(sql`SELECT * FROM deces_records WHERE ${sql.join(where, sql` AND `)} LIMIT ${limit}`)).map(fromDb);
    },
    /** Records of one first name's phonetic key (a single word of `q` tried as a first name). */
    async byFirstPhons(firstPhons: string[], filters: RecordFilter[], limit: number): Promise<RecordRow[]> {
      if (!firstPhons.length) return [];
      const where = [
        sql`first_phon IN (${sql.join(
          firstPhons.map((x) => sql`${x}`),
          sql`, `,
        )})`,
        ...filters.map(filterSql),
      ];
      return rowsOf(await db.execute(sql`SELECT * FROM deces_records WHERE ${sql.join(where, sql` AND `)} LIMIT ${limit}`)).map(fromDb);
    },
    /** Records matching only filters (exact search, q made of dates only, agg). */
    async filtered(filters: RecordFilter[], limit: number, offset = 0): Promise<{ rows: RecordRow[]; total: number }> {
      const where = whereOf(filters);
      const rows = rowsOf(await db.execute(sql`SELECT * FROM deces_records WHERE ${where} ORDER BY death_date DESC, id LIMIT ${limit} OFFSET ${offset}`)).map(
        fromDb,
      );
      const [c] = rowsOf(await db.execute(sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM deces_records WHERE ${where} LIMIT 100000) s`));
      return { rows, total: Number((c as { n: number }).n) };
    },
    /**
     * Candidates for many bulk rows at once: one join on the blocking keys per chunk. Only the columns
     * that scoring and the result read (not the blocking keys), and a record found by an earlier branch
     * of the same key is not sent again by a later one (`… IS NOT TRUE`: the earlier branch's condition,
     * NULL-safe); the caller still de-duplicates across a row's keys (last name and usage name).
     */
    async bulkCandidates(keys: (BlockingKeys & { row: number })[]): Promise<{ row: number; rec: CandidateRow }[]> {
      if (!keys.length) return [];
      const rowsArr = keys.map((k) => k.row);
      const lp = keys.map((k) => k.lastPhon);
      const fp = keys.map((k) => k.firstPhon);
      const bd = keys.map((k) => k.birthDate);
      const by = keys.map((k) => k.birthYear ?? 0);
      const lk = keys.map((k) => k.lastKey);
      const sx = keys.map((k) => k.sex ?? '');
      const fk = keys.map((k) => k.firstKey ?? '');
      const bw = keys.map((k) => k.birthYearWindow ?? 10);
      const cols = sql.raw(CANDIDATE_COLUMNS.map((c) => `r.${c}`).join(', '));
      // Each branch's join condition, also used to leave out in the later branches what it already returned.
      const b1 = sql`(q.lp <> '' AND r.last_phon = q.lp AND r.first_phon = q.fp AND (q.by = 0 OR r.birth_year BETWEEN q.by - q.bw AND q.by + q.bw))`;
      const b2 = sql`(q.lp <> '' AND q.by > 0 AND r.last_phon = q.lp AND r.birth_year BETWEEN q.by - 1 AND q.by + 1
            AND (left(r.first_key, 1) = left(q.fk, 1) OR strpos(' ' || r.first_names || ' ', ' ' || q.fk || ' ') > 0 OR substr(r.birth_date, 5, 4) = substr(q.bd, 5, 4)))`;
      // The third key, the exact birth date, is a block of a few dozen records on 1 M: what names
      // share with the row is checked loosely (a typo in each name, a married woman's first name
      // mistyped are still found), the score decides.
      const b3 = sql`(q.bd <> '' AND r.birth_date = q.bd AND (q.sx = '' OR r.sex = q.sx)
            AND (r.first_phon = q.fp OR strpos(' ' || r.first_names || ' ', ' ' || q.fk || ' ') > 0 OR left(r.last_key, 2) = left(q.lk, 2)
              OR left(r.first_key, 1) = left(q.fk, 1)))`;
      const b4 = sql`(q.fp <> '' AND q.by > 0 AND q.lk <> '' AND r.first_phon = q.fp AND r.birth_year = q.by AND left(r.last_key, 1) = left(q.lk, 1)
            AND (substr(r.birth_date, 5, 2) = substr(q.bd, 5, 2) OR similarity(r.last_key, q.lk) >= 0.4))`;
      // The fifth: the same first name born a year before or after on the same day, or with day and
      // month inverted (the last name mistyped as well: the other keys all need it or the exact date).
      // Three seeks of the (birth_date, first_phon) index per row.
      const b5 = sql`(q.bd <> '' AND q.fp <> '' AND q.by > 0 AND r.first_phon = q.fp
            AND r.birth_date = ANY(ARRAY[(q.by - 1)::text || substr(q.bd, 5, 4), (q.by + 1)::text || substr(q.bd, 5, 4), substr(q.bd, 1, 4) || substr(q.bd, 7, 2) || substr(q.bd, 5, 2)]))`;
      // JIT compilation is off for this statement: the planner's estimate (its cost) asks for it, but it
      // took 200 ms of each chunk's 1–2 s on PostgreSQL for a query made of small index scans.
      const res = await db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL jit = off`);
        return tx.execute(sql`
        WITH q AS (SELECT * FROM unnest(${toPgArray(rowsArr)}::int[], ${toPgArray(lp)}::text[], ${toPgArray(fp)}::text[], ${toPgArray(bd)}::text[], ${toPgArray(by)}::int[], ${toPgArray(lk)}::text[], ${toPgArray(sx)}::text[], ${toPgArray(fk)}::text[], ${toPgArray(bw)}::int[]) AS q(row, lp, fp, bd, by, lk, sx, fk, bw))
        -- UNION ALL: no sort or hash of the candidate pairs.
        SELECT q.row AS "__row", ${cols} FROM q JOIN deces_records r ON ${b1}
        UNION ALL SELECT q.row, ${cols} FROM q JOIN deces_records r ON ${b2} AND ${b1} IS NOT TRUE
        UNION ALL SELECT q.row, ${cols} FROM q JOIN deces_records r ON ${b3} AND ${b1} IS NOT TRUE AND ${b2} IS NOT TRUE
        UNION ALL SELECT q.row, ${cols} FROM q JOIN deces_records r ON ${b4} AND ${b1} IS NOT TRUE AND ${b2} IS NOT TRUE AND ${b3} IS NOT TRUE
        UNION ALL SELECT q.row, ${cols} FROM q JOIN deces_records r ON ${b5}
            AND ${b1} IS NOT TRUE AND ${b2} IS NOT TRUE AND ${b3} IS NOT TRUE AND ${b4} IS NOT TRUE`);
      });
      return rowsOf(res).map((x) => ({ row: Number((x as { __row: number }).__row), rec: fromCandidate(x) }));
    },
    async version() {
      const [c] = rowsOf(await db.execute(sql`SELECT count(*)::int AS n, max(death_date) AS last FROM deces_records`)) as { n: number; last: string | null }[];
      const [src] = await db.select().from(decesSources).orderBy(desc(decesSources.importedAt)).limit(1);
      return { count: Number(c?.n ?? 0), lastRecordDate: c?.last ?? null, lastSource: src ?? null };
    },
    async sources(limit = 100) {
      return db.select().from(decesSources).orderBy(desc(decesSources.importedAt)).limit(limit);
    },
    /** Counts grouped by one of `/agg`'s aggregations. */
    async countBy(agg: AggName, filters: RecordFilter[], limit: number): Promise<{ key: string; count: number }[]> {
      const rows = rowsOf(
        await db.execute(
          sql`SELECT ${sql.raw(AGG_EXPRESSIONS[agg])} AS key, count(*)::int AS count FROM deces_records WHERE ${whereOf(filters)} GROUP BY 1 ORDER BY 1 LIMIT ${limit}`,
        ),
      );
      return rows.map((r) => ({ key: String((r as { key: unknown }).key ?? ''), count: Number((r as { count: number }).count) }));
    },
    /** Counts grouped by several aggregations at once (matchID's composite buckets), most frequent first. */
    async countByMany(aggs: AggName[], filters: RecordFilter[], limit: number): Promise<{ keys: string[]; count: number }[]> {
      const cols = sql.raw(aggs.map((a, i) => `${AGG_EXPRESSIONS[a]} AS k${i}`).join(', '));
      const groups = sql.raw(aggs.map((_, i) => String(i + 1)).join(', '));
      const rows = rowsOf(
        await db.execute(
          sql`SELECT ${cols}, count(*)::int AS count FROM deces_records WHERE ${whereOf(filters)} GROUP BY ${groups} ORDER BY count DESC, ${groups} LIMIT ${limit}`,
        ),
      );
      return rows.map((r) => ({ keys: aggs.map((_, i) => String(r[`k${i}`] ?? '')), count: Number(r.count) }));
    },
    /** True when no record and no imported file is in the base (the demo may be loaded). */
    async isEmpty(tx: Db = db): Promise<boolean> {
      const [r] = rowsOf(await tx.execute(sql`SELECT (EXISTS (SELECT 1 FROM deces_records) OR EXISTS (SELECT 1 FROM deces_sources)) AS used`)) as {
        used: boolean;
      }[];
      return !r?.used;
    },
    /** Whether the synthetic demo file was loaded (cheap: the sources table is small). */
    async demoLoaded(tx: Db = db): Promise<boolean> {
      const [r] = await tx.select({ id: decesSources.id }).from(decesSources).where(eq(decesSources.name, DEMO_SOURCE)).limit(1);
      return !!r;
    },
    /**
     * Removes the synthetic demo records, their file entry and the corrections proposed on them
     * (inside the caller's transaction); returns how many records went.
     */
    async removeDemo(tx: Db): Promise<number> {
      await tx.execute(sql`DELETE FROM deces_corrections WHERE record_id IN (SELECT id FROM deces_records WHERE source = ${DEMO_SOURCE})`);
      const res = await tx.execute(sql`DELETE FROM deces_records WHERE source = ${DEMO_SOURCE} RETURNING 1`);
      await tx.delete(decesSources).where(eq(decesSources.name, DEMO_SOURCE));
      return rowsOf(res).length;
    },
    /** Serialises concurrent work of one key until the transaction ends. */
    async lock(tx: Db, key: string): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
    },
    /** Refreshes the planner's statistics after a large import (best effort). */
    async analyze(): Promise<void> {
      await db.execute(sql`ANALYZE deces_records`).catch(() => undefined);
    },
    async oppositionKeys(): Promise<Set<string>> {
      const rows = await db.select({ key: decesOppositions.key }).from(decesOppositions);
      return new Set(rows.map((r) => r.key));
    },
    /** Adds opposition keys and deletes the matching records; returns the deleted ids. */
    async oppose(tx: Db, keys: string[]): Promise<string[]> {
      const deleted: string[] = [];
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        await tx
          .insert(decesOppositions)
          .values(chunk.map((key) => ({ key })))
          .onConflictDoNothing();
        const res =
          await tx.execute(sql`DELETE FROM deces_records WHERE (death_date || '|' || death_code || '|' || upper(regexp_replace(certificate_id, '[^A-Za-z0-9]', '', 'g'))) = ANY(${toPgArray(chunk)}::text[])
          AND death_date = ANY(${toPgArray(chunk.map((k) => k.split('|')[0]!))}::text[]) RETURNING id`);
        for (const r of rowsOf(res)) deleted.push(String((r as { id: string }).id));
      }
      return deleted;
    },
    // Corrections
    async insertCorrection(tx: Db, v: typeof decesCorrections.$inferInsert) {
      const [row] = await tx.insert(decesCorrections).values(v).returning();
      return row!;
    },
    async findCorrection(id: string, tx: Db = db) {
      const [row] = await tx.select().from(decesCorrections).where(eq(decesCorrections.id, id));
      return row;
    },
    /**
     * Reviews a pending correction: one conditional UPDATE (… WHERE status = 'pending' RETURNING), so
     * that of two concurrent reviews exactly one changes the row; the other gets `undefined`.
     */
    async reviewPendingCorrection(tx: Db, id: string, v: Partial<typeof decesCorrections.$inferInsert>) {
      const [row] = await tx
        .update(decesCorrections)
        .set(v)
        .where(and(eq(decesCorrections.id, id), eq(decesCorrections.status, 'pending')))
        .returning();
      return row;
    },
    async corrections(q: { status?: CorrectionRow['status']; authorId?: string; recordId?: string; limit: number; offset: number }) {
      const conds = [
        q.status ? eq(decesCorrections.status, q.status) : undefined,
        q.authorId ? eq(decesCorrections.authorId, q.authorId) : undefined,
        q.recordId ? eq(decesCorrections.recordId, q.recordId) : undefined,
      ].filter((c) => c !== undefined);
      const where = conds.length ? and(...conds) : undefined;
      const rows = await db.select().from(decesCorrections).where(where).orderBy(desc(decesCorrections.createdAt)).limit(q.limit).offset(q.offset);
      const [c] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(decesCorrections)
        .where(where);
      return { rows, total: Number(c?.n ?? 0) };
    },
    /** Upload directories of the bulk jobs still known to the job runner. */
    async bulkJobDirs(): Promise<string[]> {
      const rows = rowsOf(await db.execute(sql`SELECT payload->>'dir' AS dir FROM jobs WHERE type = 'deces.bulk'`));
      return rows.map((r) => String((r as { dir: string }).dir));
    },
    async anyValidatedCorrection(): Promise<boolean> {
      const [r] = await db.select({ id: decesCorrections.id }).from(decesCorrections).where(eq(decesCorrections.status, 'validated')).limit(1);
      return !!r;
    },
    async validatedCorrections(recordIds: string[]): Promise<CorrectionRow[]> {
      if (!recordIds.length) return [];
      return db
        .select()
        .from(decesCorrections)
        .where(and(inArray(decesCorrections.recordId, recordIds), eq(decesCorrections.status, 'validated')))
        .orderBy(decesCorrections.reviewedAt);
    },
    /** Record ids whose validated corrections match a last name / first name key (corrections are searchable). */
    async correctedIdsMatching(lastKey: string | undefined, firstKey: string | undefined): Promise<string[]> {
      if (!lastKey && !firstKey) return [];
      const conds = [];
      if (lastKey) conds.push(sql`upper(regexp_replace(coalesce(fields->>'lastName', ''), '[^A-Za-z]', '', 'g')) = ${lastKey}`);
      if (firstKey) conds.push(sql`upper(split_part(coalesce(fields->>'firstName', ''), ' ', 1)) = ${firstKey}`);
      const rows = rowsOf(
        await db.execute(sql`SELECT DISTINCT record_id FROM deces_corrections WHERE status = 'validated' AND (${sql.join(conds, sql` OR `)}) LIMIT 100`),
      );
      return rows.map((r) => String((r as { record_id: string }).record_id));
    },
  };
}
export type DecesRepository = ReturnType<typeof createDecesRepository>;

/** Columns a filter may compare for equality. */
const EQ_COLUMNS = {
  lastKey: 'last_key',
  firstPhon: 'first_phon',
  sex: 'sex',
  birthCode: 'birth_code',
  deathCode: 'death_code',
  birthDepartment: 'birth_department',
  deathDepartment: 'death_department',
} as const;

/**
 * A condition on `deces_records`, as data: the service decides which conditions a request means,
 * the repository alone turns them into SQL.
 */
export type RecordFilter =
  /** A date of the record: exact, year (`AAAA0000`), month (`AAAAMM00`) or range. */
  | { kind: 'date'; on: 'birth' | 'death'; date: DateQuery }
  /** Any of the dates, as birth or death date (free-text search). */
  | { kind: 'anyDate'; dates: DateQuery[] }
  | { kind: 'age'; from: number; to: number }
  | { kind: 'year'; on: 'birth' | 'death'; from: number; to: number }
  | { kind: 'eq'; column: keyof typeof EQ_COLUMNS; value: string }
  /** First given name key, or that name anywhere among the given names. */
  | { kind: 'firstName'; key: string }
  /** Birth commune starting with (normalised, upper case). */
  | { kind: 'birthCityPrefix'; prefix: string }
  /** Country in clear, accents and case aside. */
  | { kind: 'country'; on: 'birth' | 'death'; value: string }
  /** One of these COG codes (the communes of a postal code). */
  | { kind: 'codeIn'; on: 'birth' | 'death'; codes: string[] }
  /** Died on or after this date (AAAAMMJJ). */
  | { kind: 'diedFrom'; date: string }
  /** From this source file. */
  | { kind: 'source'; value: string };

function dateSql(col: 'birth_date' | 'death_date', d: DateQuery): SQL {
  const c = sql.raw(col);
  if (d.kind === 'range') return sql`${c} BETWEEN ${d.from} AND ${d.to}`;
  if (d.value.endsWith('0000')) return sql`${c} LIKE ${d.value.slice(0, 4) + '%'}`;
  if (d.value.endsWith('00')) return sql`${c} LIKE ${d.value.slice(0, 6) + '%'}`;
  return sql`${c} = ${d.value}`;
}

function filterSql(f: RecordFilter): SQL {
  switch (f.kind) {
    case 'date':
      return dateSql(f.on === 'birth' ? 'birth_date' : 'death_date', f.date);
    case 'anyDate':
      return sql`(${sql.join(
        f.dates.map((d) => sql`(${dateSql('birth_date', d)} OR ${dateSql('death_date', d)})`),
        sql` OR `,
      )})`;
    case 'age':
      return sql`age BETWEEN ${f.from} AND ${f.to}`;
    case 'year':
      return sql`${sql.raw(f.on === 'birth' ? 'birth_year' : 'death_year')} BETWEEN ${f.from} AND ${f.to}`;
    case 'eq':
      return sql`${sql.raw(EQ_COLUMNS[f.column])} = ${f.value}`;
    case 'firstName':
      return sql`(first_key = ${f.key} OR ' ' || first_names || ' ' LIKE ${`% ${f.key} %`})`;
    case 'birthCityPrefix':
      return sql`upper(birth_city) LIKE ${f.prefix + '%'}`;
    case 'codeIn':
      // One array parameter, however many communes (a geo radius can give thousands; codes are [0-9AB-]).
      return sql`${sql.raw(f.on === 'birth' ? 'birth_code' : 'death_code')} = ANY(${`{${f.codes.filter((c) => /^[0-9AB-]{5}$/i.test(c)).join(',')}}`}::text[])`;
    case 'diedFrom':
      return sql`death_date >= ${f.date}`;
    case 'source':
      return sql`source IN (${f.value}, ${'deces-' + f.value})`;
    case 'country':
      return sql`immutable_unaccent(lower(${sql.raw(f.on === 'birth' ? 'birth_country' : 'death_country')})) = immutable_unaccent(lower(${f.value}))`;
  }
}

const whereOf = (filters: RecordFilter[]): SQL => (filters.length ? sql.join(filters.map(filterSql), sql` AND `) : sql`TRUE`);

/** Column expression of each `/agg` aggregation. */
const AGG_EXPRESSIONS: Record<AggName, string> = {
  deathMonth: `substr(death_date, 1, 6)`,
  deathYear: `death_year`,
  birthYear: `birth_year`,
  sex: `sex`,
  deathAge: `age`,
  birthDepartment: `birth_department`,
  deathDepartment: `death_department`,
  birthCountry: `birth_country`,
  deathCountry: `death_country`,
  birthDate: `birth_date`,
  deathDate: `death_date`,
  birthCity: `birth_city`,
  deathCity: `death_city`,
  firstName: `first_key`,
  lastName: `last_key`,
};

/** Rows of a `db.execute` result on either driver. */
export function rowsOf(res: unknown): Record<string, unknown>[] {
  const r = res as { rows?: Record<string, unknown>[] };
  return Array.isArray(r.rows) ? r.rows : (res as Record<string, unknown>[]);
}

/** Postgres array literal (the drivers disagree on JS arrays as parameters; a literal works on both). */
export function toPgArray(xs: (string | number)[]): string {
  return `{${xs.map((x) => (typeof x === 'number' ? String(x) : `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/** The blocking keys of `deces_records`: what candidate selection filters on, never scored nor shown. */
const BLOCKING_COLUMNS = new Set<string>(['last_key', 'last_phon', 'first_key', 'first_phon', 'birth_year', 'death_year']);
/** The columns of a bulk candidate: what scoring and the result read (`toPerson`), no blocking keys. */
const CANDIDATE_COLUMNS = RECORD_COLUMNS.filter((c) => !BLOCKING_COLUMNS.has(c));
/** A record as bulk matching reads it (`CANDIDATE_COLUMNS`). */
export type CandidateRow = Omit<RecordRow, 'lastKey' | 'lastPhon' | 'firstKey' | 'firstPhon' | 'birthYear' | 'deathYear'>;
function fromCandidate(x: Record<string, unknown>): CandidateRow {
  return {
    id: x.id as string,
    lastName: x.last_name as string,
    firstNames: x.first_names as string,
    sex: x.sex as string,
    birthDate: x.birth_date as string,
    birthCode: x.birth_code as string,
    birthCity: x.birth_city as string,
    birthDepartment: x.birth_department as string,
    birthCountry: x.birth_country as string,
    birthCountryCode: x.birth_country_code as string,
    deathDate: x.death_date as string,
    deathCode: x.death_code as string,
    deathCity: x.death_city as string,
    deathDepartment: x.death_department as string,
    deathCountry: x.death_country as string,
    deathCountryCode: x.death_country_code as string,
    certificateId: x.certificate_id as string,
    age: x.age === null || x.age === undefined ? null : Number(x.age),
    source: x.source as string,
    flags: x.flags as string,
    matchidId: (x.matchid_id as string | null | undefined) ?? null,
  };
}

/** Maps a raw SQL row (snake_case) to the Drizzle row shape. */
export function fromDb(x: Record<string, unknown>): RecordRow {
  const year = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...fromCandidate(x),
    lastKey: x.last_key as string,
    lastPhon: x.last_phon as string,
    firstKey: x.first_key as string,
    firstPhon: x.first_phon as string,
    birthYear: year(x.birth_year),
    deathYear: year(x.death_year),
  };
}

/** COPY text format escaping. */
function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * PostgreSQL bulk load of an import, in one transaction on a connection of its own: rows go through
 * COPY into a staging table, then one set-based insert (duplicates skipped); `finish` runs in the
 * same transaction (demo removal, source row, audit) with the count of new records, also returned.
 */
export async function loadWithCopy(
  url: string,
  rows: AsyncIterable<(string | number | null)[]>,
  finish: (tx: Db, inserted: number) => Promise<void>,
): Promise<number> {
  const pg = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const client = new pg.default.Client({ connectionString: url, application_name: 'patrimoine-deces-import' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE deces_stage (LIKE deces_records) ON COMMIT DROP`);
    const copy = client.query(copyFrom(`COPY deces_stage (${RECORD_COLUMNS.join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    let buf: string[] = [];
    try {
      for await (const r of rows) {
        buf.push(r.map(copyField).join('\t'));
        if (buf.length >= 2000) {
          if (!copy.write(buf.join('\n') + '\n')) await new Promise((res) => copy.once('drain', res));
          buf = [];
        }
      }
    } catch (e) {
      // A read or parse failure mid-COPY: abort the COPY so that the rollback below can run.
      copy.destroy(e as Error);
      await done.catch(() => undefined);
      throw e;
    }
    if (buf.length) copy.write(buf.join('\n') + '\n');
    copy.end();
    await done;
    // A load that is large relative to the table is faster with the secondary indexes rebuilt once
    // at the end than maintained row by row (the GIN trigram index above all). DDL is transactional.
    const [{ staged }] = (await client.query<{ staged: number }>('SELECT count(*)::int AS staged FROM deces_stage')).rows as [{ staged: number }];
    const [{ existing }] = (await client.query<{ existing: number }>(`SELECT reltuples::bigint AS existing FROM pg_class WHERE relname = 'deces_records'`))
      .rows as [{ existing: number }];
    const rebuild = staged > 50_000 && staged > Number(existing) * 0.2;
    let indexes: { indexname: string; indexdef: string }[] = [];
    if (rebuild) {
      indexes = (
        await client.query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deces_records' AND indexname <> 'deces_records_pkey'`,
        )
      ).rows;
      for (const i of indexes) await client.query(`DROP INDEX ${i.indexname}`);
    }
    // The sort below in memory rather than in temporary files (1 M records: about 250 MB of rows).
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const ins = await client.query(
      // Duplicates inside the file are skipped by ON CONFLICT DO NOTHING too. Rows are written in the
      // order of the last name's phonetic key and birth year: the records a bulk row or a search reads
      // by last name (most of them) are then on a few neighbouring pages instead of one page each.
      `INSERT INTO deces_records SELECT * FROM deces_stage ORDER BY last_phon, birth_year ON CONFLICT (id) DO NOTHING`,
    );
    if (rebuild) {
      await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const i of indexes) await client.query(i.indexdef);
    }
    const inserted = ins.rowCount ?? 0;
    // Rows imported before matchID's id was computed get it from their file's next import.
    await client.query(
      `UPDATE deces_records r SET matchid_id = s.matchid_id FROM deces_stage s
        WHERE r.id = s.id AND r.matchid_id IS NULL AND s.matchid_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM deces_records WHERE matchid_id IS NULL)`,
    );
    await finish(drizzle(client) as unknown as Db, inserted);
    await client.query('COMMIT');
    await client.query('ANALYZE deces_records').catch(() => undefined);
    return inserted;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}
