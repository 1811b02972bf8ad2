import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { decesCorrections, decesOppositions, decesRecords, decesSources } from './deces.table.ts';
import { recordKeys, type DecesRecord } from './insee.ts';

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
    async findById(id: string, tx: Db = db): Promise<RecordRow | undefined> {
      const [r] = await tx.select().from(decesRecords).where(eq(decesRecords.id, id));
      return r;
    },
    async findByIds(ids: string[]): Promise<RecordRow[]> {
      if (!ids.length) return [];
      return db.select().from(decesRecords).where(inArray(decesRecords.id, ids));
    },
    /**
     * Candidates of one search through the blocking indexes: same phonetic last name (and first name or
     * birth year), same birth date and first name (usage names, heavy typos), trigram-close last name.
     */
    async candidates(k: Partial<BlockingKeys>, filters: SQLFilter[], limit: number, mode: 'keys' | 'trigram' = 'keys'): Promise<RecordRow[]> {
      const ors = [];
      if (mode === 'trigram') {
        // Fallback for typos that change the phonetic key: costlier (posting lists of common trigrams).
        if (!k.lastKey || k.lastKey.length < 3) return [];
        const first = k.firstPhon ? sql` AND first_phon = ${k.firstPhon}` : sql``;
        const year = k.birthYear ? sql` AND birth_year BETWEEN ${k.birthYear - 1} AND ${k.birthYear + 1}` : sql``;
        const extra = sql`${first}${year}`;
        const where = [sql`(last_key % ${k.lastKey}${extra})`, ...filters.map((f) => f.sql)];
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
      const where = [ors.length ? sql`(${sql.join(ors, sql` OR `)})` : sql`TRUE`, ...filters.map((f) => f.sql)];
      const rows = await db.execute(sql`SELECT * FROM deces_records WHERE ${sql.join(where, sql` AND `)} LIMIT ${limit}`);
      return rowsOf(rows).map(fromDb);
    },
    /** Records matching only filters (exact search, q made of dates only, agg). */
    async filtered(filters: SQLFilter[], limit: number, offset = 0): Promise<{ rows: RecordRow[]; total: number }> {
      const where = filters.length
        ? sql.join(
            filters.map((f) => f.sql),
            sql` AND `,
          )
        : sql`TRUE`;
      const rows = rowsOf(await db.execute(sql`SELECT * FROM deces_records WHERE ${where} ORDER BY death_date DESC, id LIMIT ${limit} OFFSET ${offset}`)).map(
        fromDb,
      );
      const [c] = rowsOf(await db.execute(sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM deces_records WHERE ${where} LIMIT 100000) s`));
      return { rows, total: Number((c as { n: number }).n) };
    },
    /** Candidates for many bulk rows at once: one join on the blocking keys per chunk. */
    async bulkCandidates(keys: (BlockingKeys & { row: number })[]): Promise<{ row: number; rec: RecordRow }[]> {
      if (!keys.length) return [];
      const rowsArr = keys.map((k) => k.row);
      const lp = keys.map((k) => k.lastPhon);
      const fp = keys.map((k) => k.firstPhon);
      const bd = keys.map((k) => k.birthDate);
      const by = keys.map((k) => k.birthYear ?? 0);
      const lk = keys.map((k) => k.lastKey);
      const sx = keys.map((k) => k.sex ?? '');
      const fk = keys.map((k) => k.firstKey ?? '');
      const res = await db.execute(sql`
        WITH q AS (SELECT * FROM unnest(${toPgArray(rowsArr)}::int[], ${toPgArray(lp)}::text[], ${toPgArray(fp)}::text[], ${toPgArray(bd)}::text[], ${toPgArray(by)}::int[], ${toPgArray(lk)}::text[], ${toPgArray(sx)}::text[], ${toPgArray(fk)}::text[]) AS q(row, lp, fp, bd, by, lk, sx, fk))
        -- UNION ALL, de-duplicated by the caller: no sort or hash of the candidate pairs.
        SELECT q.row AS "__row", r.* FROM q JOIN deces_records r ON r.last_phon = q.lp AND r.first_phon = q.fp AND (q.by = 0 OR r.birth_year BETWEEN q.by - 10 AND q.by + 10) WHERE q.lp <> ''
        UNION ALL SELECT q.row, r.* FROM q JOIN deces_records r ON r.last_phon = q.lp AND r.birth_year BETWEEN q.by - 1 AND q.by + 1
            AND (left(r.first_key, 1) = left(q.fk, 1) OR strpos(' ' || r.first_names || ' ', ' ' || q.fk || ' ') > 0 OR substr(r.birth_date, 5, 4) = substr(q.bd, 5, 4)) WHERE q.lp <> '' AND q.by > 0
        UNION ALL SELECT q.row, r.* FROM q JOIN deces_records r ON r.birth_date = q.bd AND (q.sx = '' OR r.sex = q.sx)
            AND (r.first_phon = q.fp OR strpos(' ' || r.first_names || ' ', ' ' || q.fk || ' ') > 0 OR left(r.last_key, 2) = left(q.lk, 2)) WHERE q.bd <> ''
        UNION ALL SELECT q.row, r.* FROM q JOIN deces_records r ON r.first_phon = q.fp AND r.birth_year = q.by AND left(r.last_key, 1) = left(q.lk, 1)
            AND (substr(r.birth_date, 5, 2) = substr(q.bd, 5, 2) OR similarity(r.last_key, q.lk) >= 0.4) WHERE q.fp <> '' AND q.by > 0 AND q.lk <> ''`);
      return rowsOf(res).map((x) => ({ row: Number((x as { __row: number }).__row), rec: fromDb(x) }));
    },
    async version() {
      const [c] = rowsOf(await db.execute(sql`SELECT count(*)::int AS n, max(death_date) AS last FROM deces_records`)) as { n: number; last: string | null }[];
      const [src] = await db.select().from(decesSources).orderBy(desc(decesSources.importedAt)).limit(1);
      return { count: Number(c?.n ?? 0), lastRecordDate: c?.last ?? null, lastSource: src ?? null };
    },
    async sources(limit = 100) {
      return db.select().from(decesSources).orderBy(desc(decesSources.importedAt)).limit(limit);
    },
    /** Counts grouped by a column expression (agg). */
    async countBy(expr: string, filters: SQLFilter[], limit: number): Promise<{ key: string; count: number }[]> {
      const where = filters.length
        ? sql.join(
            filters.map((f) => f.sql),
            sql` AND `,
          )
        : sql`TRUE`;
      const rows = rowsOf(
        await db.execute(sql`SELECT ${sql.raw(expr)} AS key, count(*)::int AS count FROM deces_records WHERE ${where} GROUP BY 1 ORDER BY 1 LIMIT ${limit}`),
      );
      return rows.map((r) => ({ key: String((r as { key: unknown }).key ?? ''), count: Number((r as { count: number }).count) }));
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
    async updateCorrection(tx: Db, id: string, v: Partial<typeof decesCorrections.$inferInsert>) {
      const [row] = await tx.update(decesCorrections).set(v).where(eq(decesCorrections.id, id)).returning();
      return row!;
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

/** A SQL condition on `deces_records` built by the query layer. */
export interface SQLFilter {
  sql: ReturnType<typeof sql>;
}

/** Rows of a `db.execute` result on either driver. */
export function rowsOf(res: unknown): Record<string, unknown>[] {
  const r = res as { rows?: Record<string, unknown>[] };
  return Array.isArray(r.rows) ? r.rows : (res as Record<string, unknown>[]);
}

/** Postgres array literal (the drivers disagree on JS arrays as parameters; a literal works on both). */
export function toPgArray(xs: (string | number)[]): string {
  return `{${xs.map((x) => (typeof x === 'number' ? String(x) : `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/** Maps a raw SQL row (snake_case) to the Drizzle row shape. */
export function fromDb(x: Record<string, unknown>): RecordRow {
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
    lastKey: x.last_key as string,
    lastPhon: x.last_phon as string,
    firstKey: x.first_key as string,
    firstPhon: x.first_phon as string,
    birthYear: x.birth_year === null || x.birth_year === undefined ? null : Number(x.birth_year),
    deathYear: x.death_year === null || x.death_year === undefined ? null : Number(x.death_year),
  };
}
