/**
 * Deaths-records contract (`/deces/api/v1/...`): matchID's public API as this platform serves it —
 * search, compare, aggregations, id lookup, bulk CSV matching jobs, corrections, INSEE file imports.
 * The envelopes are matchID's (`{ request, response: { total, persons… } }`): clients of matchID depend
 * on them, so these schemas describe what is sent and never reshape it.
 */
import { z } from 'zod';
import { labels } from './common.ts';

// ---------------------------------------------------------------------------------------------
// Enums and labels

/** Identity fields of a search (matchID's names), also the columns a bulk file maps. */
export const personFields = [
  'firstName',
  'lastName',
  'legalName',
  'sex',
  'birthDate',
  'birthCity',
  'birthLocationCode',
  'birthPostalCode',
  'birthDepartment',
  'birthCountry',
  'deathDate',
  'deathCity',
  'deathLocationCode',
  'deathPostalCode',
  'deathDepartment',
  'deathCountry',
  'deathAge',
] as const;
export type PersonField = (typeof personFields)[number];
/** matchID's geographic filters: `{latitude, longitude, distance}` (an object, or JSON in a query string). */
export const geoPointFields = ['birthGeoPoint', 'deathGeoPoint'] as const;
/** Search options besides the identity fields. */
export const searchOptionFields = ['q', 'fuzzy', 'size', 'page', 'sort', 'scroll', 'scrollId', 'headerLang', 'lastSeenAliveDate', 'source'] as const;

export const personFieldLabels = labels(personFields, {
  lastName: 'Nom de naissance',
  legalName: 'Nom d’usage',
  firstName: 'Prénom(s)',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthCity: 'Commune de naissance',
  birthLocationCode: 'Code Insee du lieu de naissance',
  birthPostalCode: 'Code postal du lieu de naissance',
  deathPostalCode: 'Code postal du lieu de décès',
  birthDepartment: 'Département de naissance',
  birthCountry: 'Pays de naissance',
  deathDate: 'Date de décès',
  deathCity: 'Commune de décès',
  deathLocationCode: 'Code Insee du lieu de décès',
  deathDepartment: 'Département de décès',
  deathCountry: 'Pays de décès',
  deathAge: 'Âge au décès',
});

export const sexes = ['M', 'F', ''] as const;
export const sexLabels = labels(sexes, { M: 'Homme', F: 'Femme', '': 'Inconnu' });

/** Known defects of an INSEE line, kept visible on the record. */
export const decesFlags = [
  'name-truncated',
  'name-malformed',
  'birth-date-partial',
  'birth-date-invalid',
  'death-date-partial',
  'death-date-invalid',
  'birth-commune-fictive',
  'birth-code-unknown',
  'birth-code-former',
  'death-code-unknown',
  'death-code-former',
  'sex-unknown',
] as const;
export type DecesFlag = (typeof decesFlags)[number];
export const decesFlagLabels = labels(decesFlags, {
  'name-truncated': 'Nom tronqué dans le fichier',
  'name-malformed': 'Nom mal formé dans le fichier',
  'birth-date-partial': 'Date de naissance partielle',
  'birth-date-invalid': 'Date de naissance impossible (conservée telle quelle)',
  'death-date-partial': 'Date de décès partielle',
  'death-date-invalid': 'Date de décès impossible',
  'birth-commune-fictive': 'Commune de naissance fictive',
  'birth-code-unknown': 'Code de commune de naissance inconnu',
  'birth-code-former': 'Ancien code de commune de naissance (fusion)',
  'death-code-unknown': 'Code de commune de décès inconnu',
  'death-code-former': 'Ancien code de commune de décès (fusion)',
  'sex-unknown': 'Sexe non renseigné',
});

/**
 * Source name of the synthetic demo records (`source` of a person, name of a file in `/version`).
 * Demo records are fictitious: they are loaded only into an empty base, removed by the first real
 * INSEE import, and shown with a « donnée de démonstration (fictive) » badge.
 */
export const DEMO_SOURCE = 'deces-demo-synthetique';
export const DEMO_BADGE_LABEL = 'donnée de démonstration (fictive)';
export const isDemoSource = (source: string | null | undefined): boolean => source === DEMO_SOURCE;

export const correctionStatuses = ['pending', 'validated', 'rejected'] as const;
export const correctionStatus = z.enum(correctionStatuses);
export type CorrectionStatus = z.infer<typeof correctionStatus>;
export const correctionStatusLabels = labels(correctionStatuses, { pending: 'En attente', validated: 'Validée', rejected: 'Rejetée' });

/** Fields a correction may change. */
export const correctableFields = [
  'lastName',
  'firstName',
  'sex',
  'birthDate',
  'birthCity',
  'birthLocationCode',
  'birthCountry',
  'deathDate',
  'deathLocationCode',
  'deathCity',
  'deathCountry',
  'deathAge',
] as const;
export type CorrectableField = (typeof correctableFields)[number];
export const correctableFieldLabels = labels(correctableFields, {
  lastName: 'Nom',
  firstName: 'Prénoms',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthCity: 'Commune de naissance',
  birthLocationCode: 'Code Insee du lieu de naissance',
  deathDate: 'Date de décès',
  deathLocationCode: 'Code Insee du lieu de décès',
  birthCountry: 'Pays de naissance',
  deathCity: 'Commune de décès',
  deathCountry: 'Pays de décès',
  deathAge: 'Âge au décès',
});

/** Date formats a bulk file may use. */
export const bulkDateFormats = ['auto', 'DD/MM/YYYY', 'YYYY-MM-DD', 'YYYYMMDD', 'MM/DD/YYYY', 'DD-MM-YYYY'] as const;
export type BulkDateFormat = (typeof bulkDateFormats)[number];
export const bulkDateFormatLabels = labels(bulkDateFormats, {
  auto: 'Automatique (JJ/MM/AAAA, AAAA-MM-JJ, AAAAMMJJ)',
  'DD/MM/YYYY': 'JJ/MM/AAAA',
  'YYYY-MM-DD': 'AAAA-MM-JJ',
  YYYYMMDD: 'AAAAMMJJ',
  'MM/DD/YYYY': 'MM/JJ/AAAA',
  'DD-MM-YYYY': 'JJ-MM-AAAA',
});

/** Aggregations of `/agg`. */
export const aggNames = [
  'deathMonth',
  'deathYear',
  'birthYear',
  'sex',
  'deathAge',
  'birthDepartment',
  'deathDepartment',
  'birthCountry',
  'deathCountry',
  'birthDate',
  'deathDate',
  'birthCity',
  'deathCity',
  'firstName',
  'lastName',
] as const;
export type AggName = (typeof aggNames)[number];

/** States of a background job (the platform's), as the bulk and import routes report them. */
export const decesJobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const jobState = z.enum(decesJobStates);

// ---------------------------------------------------------------------------------------------
// Requests

const queryValue = z.union([z.string().max(500), z.array(z.string().max(500)).max(20)]).optional();
/**
 * Query strings documented parameter by parameter; any other parameter still reaches the service,
 * which refuses it with a 400 naming it (matchID's behaviour).
 */
const queryOf = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((k) => [k, queryValue]))).catchall(z.unknown());
export const searchQuery = queryOf([...personFields, ...geoPointFields, ...searchOptionFields, 'format']);
export const searchBody = z.record(z.string(), z.unknown()).describe('Les paramètres de la recherche (mêmes noms que la requête GET)');
export const aggQuery = queryOf([...personFields, ...geoPointFields, 'q', 'aggs', 'aggsSize', 'fuzzy']);
export const aggBody = z.record(z.string(), z.unknown()).describe('aggs et filtres (mêmes noms que la requête GET)');
export const recordIdParams = z.object({ id: z.string().min(1).max(40) });

export const comparePerson = z
  .record(z.string(), z.union([z.string().max(200), z.number()]))
  .describe('Une identité : les champs de recherche (firstName, lastName, birthDate…)');
/** matchID's ScoreParams: `explain` adds the reasons; `dateFormatA`/`dateFormatB` read each side's dates. */
export const compareParams = z
  .object({
    explain: z.boolean().optional(),
    dateFormatA: z.string().max(20).optional(),
    dateFormatB: z.string().max(20).optional(),
    pruneScore: z.number().min(0).max(1).optional(),
  })
  .strict();
export const compareBody = z.object({ personA: comparePerson, personB: comparePerson, params: compareParams.optional() }).strict();

export const correctionsQuery = z.object({
  status: correctionStatus.optional(),
  recordId: z.string().max(40).optional(),
  mine: z.enum(['true', 'false']).optional().describe('true : seulement mes propositions, même pour un relecteur'),
  format: z.enum(['csv', 'json']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const reviewBody = z.object({ decision: z.enum(['validated', 'rejected']), comment: z.string().max(2000).default('') });
export type ReviewBody = z.input<typeof reviewBody>;
// ---------------------------------------------------------------------------------------------
// Responses

export const location = z.object({
  city: z.string(),
  code: z.string().describe('Code COG de la commune, ou 99xxx pour un pays étranger'),
  cityCode: z.string(),
  departmentCode: z.string(),
  country: z.string(),
  countryCode: z.string().describe('ISO 3166 alpha-3 quand il est connu'),
  latitude: z.number().optional().describe('Point de la commune (WGS84), en France ; absent à l’étranger'),
  longitude: z.number().optional(),
});
export type Location = z.infer<typeof location>;

export const modification = z.object({
  id: z.uuid(),
  date: z.string().nullable().describe('Date de validation (ISO 8601)'),
  fields: z.record(z.string(), z.string()),
});

/** A deceased person in matchID's shape (names in title case). */
export const person = z.object({
  score: z.number(),
  scores: z.record(z.string(), z.number()).describe('Composantes du score (last, first, birthDate…), chacune entre 0 et 1'),
  reasons: z.array(z.string()).describe('Raisons du score, en français'),
  id: z.string(),
  name: z.object({ first: z.array(z.string()), last: z.string() }),
  sex: z.string().describe('M, F ou vide'),
  birth: z.object({ date: z.string().describe('AAAAMMJJ (00 = partie inconnue)'), location }),
  death: z.object({ date: z.string(), certificateId: z.string(), age: z.number().int().nullable(), location }),
  source: z.string().describe(`Fichier Insee d’origine ; « ${DEMO_SOURCE} » pour les données de démonstration (fictives)`),
  flags: z.array(z.string()).describe('Défauts connus de la ligne du fichier'),
  modifications: z.array(modification).optional().describe('Corrections validées'),
});
export type Person = z.infer<typeof person>;

const requestEcho = z.record(z.string(), z.unknown()).describe('La requête telle que comprise (options par défaut comprises)');

export const searchResponse = z.object({
  request: requestEcho,
  response: z.object({
    total: z.number().int(),
    maxScore: z.number(),
    size: z.number().int(),
    page: z.number().int(),
    delay: z.number().describe('Durée de la recherche en millisecondes'),
    persons: z.array(person),
    scrollId: z.string().optional().describe('Curseur de la page suivante (avec scroll)'),
  }),
});
export type SearchResponse = z.infer<typeof searchResponse>;

export const idResponse = z.object({
  request: z.object({ id: z.string() }),
  response: z.object({ total: z.number().int(), size: z.number().int(), page: z.number().int(), delay: z.number(), persons: z.array(person) }),
});
export type IdResponse = z.infer<typeof idResponse>;

/** Our score with its components and reasons, and matchID's ScoreResult members beside them. */
export const compareResponse = z.object({
  score: z.number(),
  scores: z.record(z.string(), z.number()),
  reasons: z.array(z.string()),
  name: z.number().optional(),
  sex: z.number().optional(),
  birthDate: z.number().optional(),
  birthLocation: z.number().optional(),
  deathDate: z.number().optional(),
  deathLocation: z.number().optional(),
  explain: z.record(z.string(), z.unknown()).optional().describe('Avec params.explain : les raisons, composante par composante'),
});

export const aggBucket = z.object({ key: z.string(), doc_count: z.number().int() });
/** matchID's `/agg`: one agg → `[{ key, doc_count }]`; several → `[{ key: { <agg>: value… }, doc_count }]`. */
export const aggResponse = z.object({
  request: requestEcho,
  response: z.object({
    total: z.number().int(),
    cardinality: z.record(z.string(), z.number().int()).describe('Nombre de valeurs distinctes par agrégation'),
    aggregations: z.array(z.object({ key: z.union([z.string(), z.record(z.string(), z.string())]), doc_count: z.number().int() })),
    delay: z.number(),
  }),
});
export type AggResponse = z.infer<typeof aggResponse>;

export const decesSource = z.object({
  name: z.string(),
  lines: z.number().int(),
  inserted: z.number().int(),
  rejected: z.number().int(),
  opposed: z.number().int(),
  lastRecordDate: z.string().nullable(),
  importedAt: z.string().describe('ISO 8601'),
});
export const versionResponse = z.object({
  backend: z.string().describe('Version du service (comme matchID)'),
  uniqRecordsCount: z.number().int(),
  rawRecordsCount: z.number().int().describe('Lignes lues dans les fichiers Insee importés (doublons et rejets compris)'),
  lastRecordDate: z.string().nullable().describe('Date du dernier décès, JJ/MM/AAAA (comme matchID)'),
  lastDataset: z.string().nullable(),
  updateDate: z.string().nullable().describe('Date du dernier import, JJ/MM/AAAA (comme matchID)'),
  updatedAt: z.string().nullable().describe('Dernier import, ISO 8601'),
  sources: z.array(decesSource),
});
export type VersionResponse = z.infer<typeof versionResponse>;

export const healthResponse = z.object({ msg: z.literal('OK') });

const lineError = z.object({ line: z.number().int(), message: z.string() });

/** What an INSEE import reports (CLI output, result of the admin import job). */
export const importReport = z.object({
  source: z.string(),
  lines: z.number().int(),
  inserted: z.number().int(),
  rejected: z.number().int(),
  opposed: z.number().int(),
  lastRecordDate: z.string().nullable(),
  errors: z.array(lineError),
  demoRemoved: z.number().int().optional().describe('Données de démonstration (fictives) retirées par cet import réel'),
});
export type ImportReport = z.infer<typeof importReport>;

export const importStarted = z.object({ id: z.uuid(), name: z.string() });
export const importStatus = z.object({
  id: z.uuid(),
  state: jobState,
  progress: z.looseObject({ done: z.number().optional(), total: z.number().optional(), message: z.string().optional() }),
  result: importReport.nullable(),
  error: z.string().nullable(),
});
export type ImportStatus = z.infer<typeof importStatus>;

/** matchID's webhook actions (`POST /webhook`): register, prove the URL answers (challenge), status, delete. */
export const webhookActions = ['register', 'challenge', 'status', 'delete'] as const;
export const webhookStatuses = ['initiated', 'validated', 'banned'] as const;
export type WebhookStatus = (typeof webhookStatuses)[number];
/** Events sent to a validated webhook for a bulk job (matchID's), signed with the challenge (HMAC-SHA256). */
export const webhookEvents = ['started', 'completed', 'failed', 'deleted'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];
export const webhookRequest = z.object({
  url: z.string().min(1).max(2048).describe('URL du webhook (https, port par défaut, nom de domaine)'),
  action: z.enum(webhookActions).describe('register, challenge, status ou delete'),
});
export type WebhookRequest = z.infer<typeof webhookRequest>;
/** matchID's answer: `status` (initiated, validated, banned, failed, waiting for challenge, deleted, no record found), its English `msg`. */
export const webhookAnswer = z.object({
  status: z.string(),
  challenge: z.string().optional().describe('À renvoyer dans la réponse du webhook à l’appel `challenge` ; clé de la signature des notifications'),
  msg: z.string().optional(),
  detail: z.string().optional().describe('Explication en français'),
});
export type WebhookAnswer = z.infer<typeof webhookAnswer>;

/** matchID's answers to a bulk upload: 200 `{ msg: "started", id }`, or 200 `{ msg: "no files attached" }`. */
export const bulkStarted = z.object({ msg: z.literal('started'), id: z.uuid() });
export const bulkNoFile = z.object({ msg: z.literal('no files attached') });
export const bulkProgress = z.object({
  status: z.enum(['wait', 'active']),
  id: z.uuid(),
  progress: z.object({ rows: z.number().int(), percentage: z.number() }),
  remainingRowsActive: z.number().int().optional().describe('Lignes restant à traiter dans les appariements en cours (file d’attente)'),
  remainingRowsWaiting: z.number().int().optional().describe('Lignes des appariements en attente avant celui-ci'),
  activeJobs: z.number().int().optional(),
  waitingJobs: z.number().int().optional(),
});
/** matchID: a result whose retention has passed answers 200 with this message. */
export const bulkExpired = z.object({ msg: z.literal('Job succeeded but results expired'), id: z.uuid() });
export const bulkGone = z.object({ status: z.enum(['cancelled']), id: z.uuid(), msg: z.string() });
export const bulkFailed = z.object({ status: z.literal('failed'), id: z.uuid(), msg: z.string().nullable() });
/** A bulk job as `GET /queue/jobs` lists it (matchID's fields, read by deces-ui's job list). */
export const bulkJob = z.object({
  id: z.uuid(),
  status: z.enum(['wait', 'active', 'completed', 'failed', 'cancelled']),
  timestamp: z.number().int().describe('Création (ms depuis 1970)'),
  processedOn: z.number().int().nullable(),
  finishedOn: z.number().int().nullable(),
  progress: z.object({ rows: z.number().int(), percentage: z.number() }),
  data: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .describe('Options et colonnes de l’envoi (sep, encoding, totalRows, tmpfilePersistence, lastName…)'),
});
export const bulkJobs = z.object({ jobs: z.array(bulkJob) });
export const bulkResult = z.object({
  rows: z.number().int(),
  matched: z.number().int(),
  unmatched: z.number().int(),
  errors: z.array(lineError).describe('Les lignes en erreur (les 1000 premières)'),
  failed: z.number().int().optional().describe('Nombre de lignes en erreur (toutes ; absent des appariements plus anciens)'),
  scoreBuckets: z.record(z.string(), z.number().int()).describe('Lignes par score du meilleur candidat (« >= 0,9 », « 0,7–0,9 », « < 0,7 »)'),
});
export type BulkResult = z.infer<typeof bulkResult>;
export const bulkSummary = z.object({
  id: z.uuid(),
  state: jobState,
  status: z.enum(['wait', 'active', 'succeeded', 'failed', 'cancelled']),
  fileName: z.string(),
  mapping: z.record(z.string(), z.string()).describe('Champ de recherche → colonne du fichier'),
  progress: z.object({ rows: z.number().int(), total: z.number().int(), percentage: z.number() }),
  result: bulkResult.nullable(),
  error: z.string().nullable(),
  expiresAt: z.string().nullable().describe('ISO 8601'),
});
export type BulkSummary = z.infer<typeof bulkSummary>;
/** A reviewer's decision on one line of a bulk result. */
export const bulkDecisions = ['accepted', 'rejected'] as const;
export type BulkDecision = (typeof bulkDecisions)[number];
export const bulkDecisionLabels = labels(bulkDecisions, { accepted: 'Acceptée', rejected: 'Rejetée' });
/** Which lines of a bulk result to review. */
export const bulkReviewFilters = ['all', 'matched', 'unmatched', 'errors', 'undecided', 'accepted', 'rejected'] as const;
export const bulkReviewFilterLabels = labels(bulkReviewFilters, {
  all: 'Toutes les lignes',
  matched: 'Appariées',
  unmatched: 'Sans correspondance',
  errors: 'En erreur',
  undecided: 'Appariées, à décider',
  accepted: 'Acceptées',
  rejected: 'Rejetées',
});
export const bulkReviewQuery = z.object({
  filter: z.enum(bulkReviewFilters).default('all'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
export type BulkReviewQuery = z.input<typeof bulkReviewQuery>;
export const bulkDecisionInfo = z.object({
  decision: z.enum(bulkDecisions),
  candidateId: z.string().nullable().describe('La fiche acceptée (ou rejetée)'),
  decidedBy: z.string().describe('Qui a décidé'),
  decidedAt: z.string().describe('ISO 8601'),
});
/** One line of the input file with its candidates, as the review screen shows it. */
export const bulkReviewRow = z.object({
  sourceLineNumber: z.number().int().describe('Rang de la ligne de données (1 pour la première)'),
  line: z.number().int().describe('Ligne du fichier (en-tête compris)'),
  input: z.record(z.string(), z.string()).describe('Les cellules de la ligne, par colonne'),
  error: z.string().nullable().describe('Pourquoi la ligne n’a pas pu être appariée'),
  candidates: z.array(person.omit({ flags: true, modifications: true })),
  decision: bulkDecisionInfo.nullable(),
});
export type BulkReviewRow = z.infer<typeof bulkReviewRow>;
export const bulkReviewPage = z.object({
  total: z.number().int().describe('Lignes qui répondent au filtre'),
  page: z.number().int(),
  size: z.number().int(),
  header: z.array(z.string()).describe('Les colonnes du fichier'),
  mapping: z.record(z.string(), z.string()).describe('Champ de recherche → colonne du fichier'),
  decided: z.object({ accepted: z.number().int(), rejected: z.number().int() }),
  items: z.array(bulkReviewRow),
});
export const bulkDecisionBody = z.object({
  sourceLineNumber: z.number().int().min(1).max(100_000_000),
  decision: z.enum(bulkDecisions).nullable().describe('null : retirer la décision'),
  candidateId: z.string().max(40).optional().describe('La fiche acceptée ; par défaut le meilleur candidat'),
});
export type BulkDecisionBody = z.input<typeof bulkDecisionBody>;
export const bulkLineParams = z.object({ id: z.uuid() });

/** matchID: `{ msg: "Job <id> cancelled" }` (only that member: its tests check the keys). */
export const bulkCancelled = z.object({ msg: z.string() });

export const correction = z.object({
  id: z.uuid(),
  recordId: z.string(),
  fields: z.record(z.string(), z.string()),
  message: z.string(),
  proofUrl: z.string().nullable(),
  hasProofFile: z.boolean(),
  status: correctionStatus,
  reviewComment: z.string().nullable(),
  createdAt: z.string().describe('ISO 8601'),
  reviewedAt: z.string().nullable().describe('ISO 8601'),
  authorId: z.uuid(),
});
export type Correction = z.infer<typeof correction>;
export const correctionList = z.object({ total: z.number().int(), items: z.array(correction) });
export type CorrectionList = z.infer<typeof correctionList>;

/** A CSV download documented beside the JSON answer of the same route. */
export const csvText = z.string().describe('CSV (UTF-8)');
/** A PDF file. */
export const pdfFile = z.string().describe('Fichier PDF');

/** matchID's authentication routes (`POST /auth`, `GET /auth`, `POST /register`). */
export const matchIdAuthBody = z
  .object({
    user: z.string().trim().min(1, 'identifiant ou adresse électronique requis').max(254),
    password: z.string().min(1, 'mot de passe ou code requis').max(1024),
  })
  .describe('Identifiant (ou adresse électronique) et mot de passe, ou code reçu par courriel');
export const matchIdAuthQuery = z.object({ refresh: z.enum(['true', 'false']).optional().describe('true : un nouveau jeton (même date de création)') });
export const matchIdRegisterBody = z.object({ user: z.email('adresse électronique attendue').max(254) });
export const matchIdRegistered = z.object({ valid: z.boolean(), msg: z.string() });
export const matchIdToken = z.object({
  msg: z.string(),
  access_token: z.string().optional().describe('Jeton à envoyer en Authorization: Bearer'),
  created_at: z.string().optional().describe('Création de la lignée du jeton (secondes depuis 1970)'),
  expiration_date: z.string().optional().describe('Fin de validité (secondes depuis 1970)'),
  renewal_limit_date: z.string().optional().describe('Au-delà, plus de renouvellement (secondes depuis 1970)'),
});
