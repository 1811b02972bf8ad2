/**
 * Open data contract (issue 16, first half): the schema catalogue (schema.data.gouv.fr's TableSchemas
 * loaded as reference data, plus the ministry's own uploaded schemas, versioned), the stateless
 * validation endpoint and its frictionless-shaped report with the personal-data verdicts.
 */
import { z } from 'zod';
import { labels, timestamp } from './common.ts';

// --- enums and labels ------------------------------------------------------------------------

export const schemaSources = ['reference', 'ministry'] as const;
export const schemaSource = z.enum(schemaSources);
export type SchemaSource = z.infer<typeof schemaSource>;
export const schemaSourceLabels = labels(schemaSources, { reference: 'schema.data.gouv.fr', ministry: 'Ministère' });

export const personalKinds = ['nir', 'iban', 'email', 'phone', 'firstName', 'lastName', 'birthDate', 'address'] as const;
export const personalKind = z.enum(personalKinds);
export type PersonalKindWire = z.infer<typeof personalKind>;
export const personalKindLabels = labels(personalKinds, {
  nir: 'NIR (numéro de sécurité sociale)',
  iban: 'IBAN',
  email: 'Adresse électronique personnelle',
  phone: 'Numéro de téléphone',
  firstName: 'Prénom',
  lastName: 'Nom de famille',
  birthDate: 'Date de naissance',
  address: 'Adresse postale',
});

/** French labels of the frictionless error types the validator reports. */
export const errorTypeLabels: Readonly<Record<string, string>> = {
  'source-error': 'Fichier illisible',
  'encoding-error': 'Encodage',
  'blank-label': 'En-tête vide',
  'duplicate-label': 'En-tête en double',
  'missing-label': 'Colonne manquante',
  'blank-row': 'Ligne vide',
  'extra-cell': 'Cellule en trop',
  'missing-cell': 'Cellule manquante',
  'type-error': 'Type',
  'constraint-error': 'Contrainte',
  'unique-error': 'Unicité',
  'primary-key': 'Clé primaire',
  'french-siret-value': 'SIRET',
  'french-siren-value': 'SIREN',
  'compare-columns-value': 'Comparaison de colonnes',
  'cohesive-columns-value': 'Colonnes solidaires',
  'opening-hours-value': "Horaires d'ouverture",
  'phone-number-value': 'Téléphone',
  'year-interval-value': "Intervalle d'années",
  'sum-columns-value': 'Somme de colonnes',
  'nomenclature-actes-value': 'Nomenclature des actes',
  'one-of-required': 'Une des colonnes requise',
};

// --- schema catalogue --------------------------------------------------------------------------

export const schemaSummary = z.object({
  id: z.uuid(),
  /** `etalab/schema-irve-statique` for the reference catalogue, `<organisation>/<slug>` for the ministry's. */
  name: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  version: z.string(),
  /** Every version known for this name (reference: as published on schema.data.gouv.fr). */
  versions: z.array(z.string()),
  source: schemaSource,
  fields: z.number().int(),
  homepage: z.string().nullable(),
  createdAt: timestamp,
});
export type SchemaSummary = z.output<typeof schemaSummary>;

export const schemaDetail = schemaSummary.extend({
  descriptor: z.record(z.string(), z.unknown()),
  organisationId: z.uuid().nullable(),
  createdBy: z.string().nullable(),
});
export type SchemaDetail = z.output<typeof schemaDetail>;

export const schemaListQuery = z.object({
  q: z.string().trim().max(200).optional().describe('Search in name and title.'),
  source: schemaSource.optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: download the list as CSV.'),
});

export const schemaList = z.object({ items: z.array(schemaSummary), total: z.number().int() });

export const schemaParams = z.object({ id: z.uuid() });

/** A ministry schema upload: a TableSchema descriptor (validated against the Table Schema profile). */
export const schemaUploadBody = z.object({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,80}$/, 'identifiant en minuscules, chiffres et tirets (2 à 81 caractères)'),
  version: z
    .string()
    .trim()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'version au format 1.0 ou 1.0.0'),
  organisationId: z.uuid(),
  descriptor: z.record(z.string(), z.unknown()),
});

// --- validation ----------------------------------------------------------------------------------

export const validationErrorItem = z.object({
  type: z.string(),
  rowNumber: z.number().int().nullable(),
  fieldName: z.string().nullable(),
  message: z.string(),
});

export const personalDataVerdict = z.object({
  fieldName: z.string(),
  kinds: z.array(personalKind),
  share: z.number(),
});

export const validationResult = z.object({
  valid: z.boolean(),
  stats: z.object({ rows: z.number().int(), errors: z.number().int(), bytes: z.number().int(), seconds: z.number() }),
  format: z.enum(['csv', 'xlsx', 'ods']),
  encoding: z.string().nullable(),
  dialect: z.object({ delimiter: z.string(), quoteChar: z.string() }).nullable(),
  header: z.array(z.string()),
  schema: z.object({ name: z.string().nullable(), version: z.string().nullable() }).nullable(),
  errors: z.array(validationErrorItem),
  errorCounts: z.record(z.string(), z.number().int()),
  truncated: z.boolean(),
  warnings: z.array(z.string()),
  personalData: z.array(personalDataVerdict),
});
export type ValidationResult = z.output<typeof validationResult>;

export const validationLimits = z.object({
  anonymousBytes: z.number().int(),
  userBytes: z.number().int(),
  maxErrors: z.number().int(),
});
