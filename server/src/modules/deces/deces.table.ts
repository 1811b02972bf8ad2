import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid, jsonb } from 'drizzle-orm/pg-core';
import { bulkDecisions, correctionStatuses, webhookStatuses } from '@patrimoine/contracts/deces';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import { users } from '../../platform/auth/auth.table.ts';

/** Deaths records from INSEE's « fichier des personnes décédées » (one row per distinct source line). */
export const decesRecords = pgTable(
  'deces_records',
  {
    /** 12 URL-safe characters derived from the line's nine fields (stable across imports). */
    id: text('id').primaryKey(),
    /** Last name (birth name) as in the file. */
    lastName: text('last_name').notNull(),
    /** Given names, space-separated, in the file's order. */
    firstNames: text('first_names').notNull(),
    /** `M`, `F` or empty when the file's code is unusable. */
    sex: text('sex').notNull(),
    /** Birth date AAAAMMJJ as published (`00` parts unknown; impossible dates kept and flagged). */
    birthDate: text('birth_date').notNull(),
    /** COG code of the birth commune, or `99xxx` for a foreign country. */
    birthCode: text('birth_code').notNull(),
    /** Birth commune in clear. */
    birthCity: text('birth_city').notNull(),
    /** Birth département code (`75`, `2A`, `971`); empty abroad. */
    birthDepartment: text('birth_department').notNull(),
    /** Birth country in clear (`France` for births in France). */
    birthCountry: text('birth_country').notNull(),
    /** Birth country, ISO 3166 alpha-3 when known. */
    birthCountryCode: text('birth_country_code').notNull(),
    /** Death date AAAAMMJJ. */
    deathDate: text('death_date').notNull(),
    /** COG code of the death commune, or `99xxx`. */
    deathCode: text('death_code').notNull(),
    /** Death commune name from the COG. */
    deathCity: text('death_city').notNull(),
    /** Death département code. */
    deathDepartment: text('death_department').notNull(),
    /** Death country in clear. */
    deathCountry: text('death_country').notNull(),
    /** Death country ISO 3166 alpha-3. */
    deathCountryCode: text('death_country_code').notNull(),
    /** Death certificate number (free text). */
    certificateId: text('certificate_id').notNull(),
    /** Age at death in years, when computable. */
    age: smallint('age'),
    /** Source file name (`deces-2020-m01`). */
    source: text('source').notNull(),
    /** Known defects of the line (`birth-date-partial`, `birth-commune-fictive`…), comma-separated. */
    flags: text('flags').notNull().default(''),
    /** Last-name comparison key: normalised, particles removed, no spaces (blocking, trigram index). */
    lastKey: text('last_key').notNull(),
    /** French phonetic key of the last name (blocking key). */
    lastPhon: text('last_phon').notNull(),
    /** First given name, normalised. */
    firstKey: text('first_key').notNull(),
    /** Phonetic key of the first given name (blocking key). */
    firstPhon: text('first_phon').notNull(),
    /** Birth year, null when unknown. */
    birthYear: smallint('birth_year'),
    /** Death year. */
    deathYear: smallint('death_year'),
    /**
     * matchID's id of the line (deces-dataprep's UID: base64url(blake3(…)) cut to 12): the id the wire
     * shows, under which matchID's users stored permalinks, corrections and bulk results. Null for rows
     * imported before it was computed, until their file is imported again. `id` stays an alias.
     */
    matchidId: text('matchid_id'),
  },
  (t) => [
    index('deces_records_phon_idx').on(t.lastPhon, t.firstPhon),
    index('deces_records_phon_year_idx').on(t.lastPhon, t.birthYear),
    index('deces_records_birth_first_idx').on(t.birthDate, t.firstPhon),
    // First name, birth year and the last name's initial: the bulk's and the search's fourth key reads
    // only the rows of that initial (ten times fewer heap pages than first name and year alone).
    index('deces_records_first_year_last_idx').on(t.firstPhon, t.birthYear, sql`left(${t.lastKey}, 1)`),
    index('deces_records_death_idx').on(t.deathDate, t.deathCode),
    index('deces_records_matchid_idx').on(t.matchidId),
    index('deces_records_last_trgm_idx').using('gin', sql`${t.lastKey} gin_trgm_ops`),
  ],
);

/** Files imported into `deces_records` (served by `/version`). */
export const decesSources = pgTable('deces_sources', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Source name (file name without extension). */
  name: text('name').notNull(),
  /** Lines read in the file. */
  lines: integer('lines').notNull(),
  /** Records newly inserted (0 on a re-import). */
  inserted: integer('inserted').notNull(),
  /** Lines refused (unparseable), with the first errors in `errors`. */
  rejected: integer('rejected').notNull(),
  /** Lines skipped because of the RGPD opposition list. */
  opposed: integer('opposed').notNull(),
  /** Most recent death date in the file (AAAAMMJJ). */
  lastRecordDate: text('last_record_date'),
  /** Up to 100 `{ line, message }` of refused lines. */
  errors: jsonb('errors').notNull().default([]),
  /** When the file was imported. */
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
});

/** RGPD opposition list: records matching a key are removed and kept out of later imports. */
export const decesOppositions = pgTable('deces_oppositions', {
  /** `deathDate|deathCode|certificateId` (see `oppositionKey`). */
  key: text('key').primaryKey(),
  /** When the opposition was applied. */
  addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
});

export { correctionStatuses, type CorrectionStatus } from '@patrimoine/contracts/deces';

/** Corrections proposed by users for a record, reviewed by a `reviewer` (A13 of the roadmap). */
export const decesCorrections = pgTable(
  'deces_corrections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The corrected record. */
    recordId: text('record_id').notNull(),
    /** Proposer (user id). */
    authorId: uuid('author_id').notNull(),
    /** Proposed values, by API field name (`firstName`, `birthDate`, `birthCity`…). */
    fields: jsonb('fields').notNull(),
    /** Proposer's explanation. */
    message: text('message').notNull().default(''),
    /** Proof as a link (https URL), when not a file. */
    proofUrl: text('proof_url'),
    /** Proof file name under the data directory (`deces/proofs/<id>.pdf`), never served publicly. */
    proofFile: text('proof_file'),
    /** pending (awaiting review), validated or rejected. */
    status: text('status', { enum: correctionStatuses }).notNull().default('pending'),
    /** Reviewer who decided. */
    reviewerId: uuid('reviewer_id'),
    /** Reviewer's comment (required on rejection). */
    reviewComment: text('review_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the reviewer decided. */
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [index('deces_corrections_record_idx').on(t.recordId, t.status), index('deces_corrections_status_idx').on(t.status, t.createdAt)],
);

/** Decisions of a person reviewing a bulk matching result on screen: one per line of the input file. */
export const decesBulkDecisions = pgTable(
  'deces_bulk_decisions',
  {
    /** The bulk matching job; its decisions go with it when its results expire. */
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** The input line's data rank (`sourceLineNumber`, 1 for the first row after the header). */
    sourceLineNumber: integer('source_line_number').notNull(),
    /** accepted (the candidate is the person) or rejected (none of the candidates is). */
    decision: text('decision', { enum: bulkDecisions }).notNull(),
    /** The record accepted (or the best candidate rejected). */
    candidateId: text('candidate_id'),
    /** Who decided (user id). */
    decidedBy: uuid('decided_by').notNull(),
    /** Their name as shown (kept if the account goes). */
    decidedByLabel: text('decided_by_label').notNull(),
    /** When. */
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.sourceLineNumber] })],
);

/**
 * Webhooks registered by API users for their bulk jobs (matchID's `POST /webhook`): a URL is used only
 * once it has answered its challenge, and only by the account that registered it.
 */
export const decesWebhooks = pgTable(
  'deces_webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Account that registered the webhook: only it sees, validates, uses or deletes it. */
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The URL, as registered (notifications are POSTed to it). */
    url: text('url').notNull(),
    /** initiated (challenge given, not yet answered), validated (usable) or banned (too many attempts). */
    status: text('status', { enum: webhookStatuses }).notNull().default('initiated'),
    /** The challenge the URL must answer, which also keys the notifications' HMAC signature; encrypted at rest (AES-256-GCM). */
    challengeSealed: text('challenge_sealed').notNull(),
    /** Registrations asked for this URL since it was created or last unbanned (5 at most). */
    attempts: integer('attempts').notNull().default(1),
    /** Failed challenge checks in a row (5 bans the URL). */
    fails: integer('fails').notNull().default(0),
    /** End of the ban (4 hours), when banned. */
    bannedUntil: timestamp('banned_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the URL answered its challenge. */
    validatedAt: timestamp('validated_at', { withTimezone: true }),
    /** Last notification attempt and its outcome (HTTP status, or 0 when the URL could not be reached). */
    lastDeliveryAt: timestamp('last_delivery_at', { withTimezone: true }),
    /** HTTP status of the last notification (0: not reached). */
    lastDeliveryStatus: integer('last_delivery_status'),
  },
  (t) => [uniqueIndex('deces_webhooks_owner_url_idx').on(t.ownerId, t.url)],
);
