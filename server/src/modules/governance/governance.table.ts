import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AppointmentPosition, GovernanceRole, ProjectStatus, ReviewOutcome } from '@patrimoine/contracts/governance';
import { organisations } from '../../platform/organisations/organisations.table.ts';

/** An appointment to a governance role (A41, A53, A57, A59): who, where, since and until when, with its mission letter (A58, A60). */
export const governanceAppointments = pgTable(
  'governance_appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** administrateur_ministeriel, administrateur_metier, referent_algorithmes, referent_prefecture. */
    role: text('role').$type<GovernanceRole>().notNull(),
    /** titulaire or suppleant (deputy). */
    position: text('position').$type<AppointmentPosition>().notNull().default('titulaire'),
    /** Directorate of a business data administrator (null for the ministerial roles and prefecture referents). */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'restrict' }),
    /** INSEE code of the région of a prefecture referent. */
    region: text('region'),
    /** Name of the person, as published. */
    personName: text('person_name').notNull(),
    /** Professional e-mail (internal directory; receives the review reminders). */
    email: text('email'),
    /** Professional phone (internal directory). */
    phone: text('phone'),
    /** Platform login of the person, when they have an account. */
    userLogin: text('user_login'),
    /** Day of the appointment. */
    appointedOn: date('appointed_on').notNull(),
    /** Last day in office, when known or ended. */
    until: date('until'),
    /** Name shown on the public page. */
    public: boolean('public').notNull().default(true),
    /** Free note (internal). */
    note: text('note'),
    /** Storage key of the mission letter (PDF under the data directory, `governance/letters/<uuid>.pdf`). */
    letterFile: text('letter_file'),
    /** Day the mission letter was signed. */
    letterSignedOn: date('letter_signed_on'),
    /** Who signed the mission letter (name and title). */
    letterSignatory: text('letter_signatory'),
    /** Size of the letter in bytes. */
    letterSize: integer('letter_size'),
    /** SHA-256 of the letter (hex), to recognise a document. */
    letterSha256: text('letter_sha256'),
    /** When and by whom the letter was uploaded. */
    letterUploadedAt: timestamp('letter_uploaded_at', { withTimezone: true }),
    /** Who uploaded the mission letter (login or « système »). */
    letterUploadedBy: text('letter_uploaded_by'),
    /** Demo content (not real people). */
    isDemo: boolean('is_demo').notNull().default(false),
    /** Optimistic lock, incremented by each change. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('governance_appointments_role_idx').on(t.role, t.organisationId),
    index('governance_appointments_region_idx').on(t.region),
    index('governance_appointments_login_idx').on(t.userLogin),
  ],
);

/** A review campaign of the cartography (A28): the directorates confirm or update the assets they own by a due date. */
export const governanceCampaigns = pgTable('governance_campaigns', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Title (« Revue de printemps 2026 »). */
  title: text('title').notNull(),
  /** ouverte, close. */
  status: text('status').$type<'ouverte' | 'close'>().notNull().default('ouverte'),
  /** Day the campaign was opened. */
  startedOn: date('started_on').notNull(),
  /** Day the answers are due. */
  dueOn: date('due_on').notNull(),
  /** Reminders start this many days before the due date. */
  remindDaysBefore: integer('remind_days_before').notNull().default(7),
  /** Last day reminders were sent (at most one round a day, across nodes). */
  lastReminderOn: date('last_reminder_on'),
  /** Who opened it (actor label). */
  createdBy: text('created_by').notNull(),
  /** Demo content. */
  isDemo: boolean('is_demo').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** When the campaign was closed; null while it runs. */
  closedAt: timestamp('closed_at', { withTimezone: true }),
});

/** An asset under review in a campaign (the list is fixed when the campaign opens), with its outcome. */
export const governanceReviewItems = pgTable(
  'governance_review_items',
  {
    /** The campaign. */
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => governanceCampaigns.id, { onDelete: 'cascade' }),
    /** Catalogue asset id (no foreign key: modules stay decoupled). */
    assetId: uuid('asset_id').notNull(),
    /** Owning organisation when the campaign opened. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** en_attente, confirme (unchanged), modifie (updated through the edit form). */
    outcome: text('outcome').$type<ReviewOutcome>().notNull().default('en_attente'),
    /** When and by whom it was reviewed. */
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    /** Who confirmed or updated the asset for this campaign. */
    reviewedBy: text('reviewed_by'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.assetId] }), index('governance_review_items_org_idx').on(t.campaignId, t.organisationId, t.outcome)],
);

/** A criterion of the value grid of data projects (A29), weighted and justified by the data team. */
export const governanceCriteria = pgTable('governance_criteria', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Label (« Bénéfices attendus pour les usagers »). */
  label: text('label').notNull(),
  /** valeur (raises the value) or effort (cost, risk). */
  axis: text('axis').$type<'valeur' | 'effort'>().notNull(),
  /** Weight, 1–100, within its axis. */
  weight: integer('weight').notNull(),
  /** Why the criterion and its weight. */
  justification: text('justification').notNull(),
  /** Order of display. */
  position: integer('position').notNull().default(0),
  /** Retired criteria keep their scores but no longer count. */
  active: boolean('active').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A proposed data project, scored on the grid by the data lab and decided. */
export const governanceProjects = pgTable(
  'governance_projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Title of the proposed data project. */
    title: text('title').notNull(),
    /** Markdown description. */
    description: text('description').notNull().default(''),
    /** Sponsoring directorate. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    /** Catalogue assets the project would use (ids; no foreign key). */
    assetIds: uuid('asset_ids').array().notNull().default([]),
    /** proposee, evaluee, retenue, ajournee, rejetee. */
    status: text('status').$type<ProjectStatus>().notNull().default('proposee'),
    /** Scores per criterion id: `{ score 0–5, comment }`. */
    scores: jsonb('scores').$type<Record<string, { score: number; comment: string | null }>>().notNull().default({}),
    /** Weighted value and effort (0–100), computed when scored. */
    value: integer('value'),
    /** Weighted effort score (0–100): cost, risk; computed when scored. */
    effort: integer('effort'),
    /** Who scored the project (the data lab). */
    scoredBy: text('scored_by'),
    /** When the project was scored. */
    scoredAt: timestamp('scored_at', { withTimezone: true }),
    /** The decision and its reason. */
    decision: text('decision'),
    /** Who recorded the decision. */
    decidedBy: text('decided_by'),
    /** When the decision was recorded. */
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** Who proposed the project. */
    createdBy: text('created_by').notNull(),
    /** Synthetic demo content. */
    isDemo: boolean('is_demo').notNull().default(false),
    /** Optimistic lock: incremented at each change. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('governance_projects_status_idx').on(t.status), uniqueIndex('governance_projects_title_uq').on(t.title)],
);
