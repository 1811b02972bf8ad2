/** Table Schema (frictionless v1, v2 read) as found on schema.data.gouv.fr, and the validation report. */

export type FieldType =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'time'
  | 'year'
  | 'yearmonth'
  | 'duration'
  | 'geopoint'
  | 'geojson'
  | 'array'
  | 'object'
  | 'list'
  | 'any';

export interface FieldConstraints {
  required?: boolean;
  unique?: boolean;
  enum?: unknown[];
  pattern?: string;
  minimum?: number | string;
  maximum?: number | string;
  exclusiveMinimum?: number | string;
  exclusiveMaximum?: number | string;
  minLength?: number;
  maxLength?: number;
}

export interface TableField {
  name: string;
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  constraints?: FieldConstraints;
  trueValues?: string[];
  falseValues?: string[];
  decimalChar?: string;
  groupChar?: string;
  bareNumber?: boolean;
  missingValues?: string[];
  delimiter?: string;
  itemType?: string;
  [key: string]: unknown;
}

export interface CustomCheck {
  name: string;
  params?: Record<string, unknown>;
}

export interface TableSchemaDescriptor {
  $schema?: string;
  name?: string;
  title?: string;
  version?: string;
  fields: TableField[];
  primaryKey?: string | string[];
  missingValues?: string[];
  custom_checks?: CustomCheck[];
  [key: string]: unknown;
}

/** frictionless-py error types (plus Validata's custom-check names). */
export type ErrorType =
  | 'source-error'
  | 'encoding-error'
  | 'format-error'
  | 'scheme-error'
  | 'schema-error'
  | 'blank-label'
  | 'duplicate-label'
  | 'missing-label'
  | 'extra-label'
  | 'incorrect-label'
  | 'blank-row'
  | 'extra-cell'
  | 'missing-cell'
  | 'type-error'
  | 'constraint-error'
  | 'unique-error'
  | 'primary-key'
  | 'row-constraint'
  | string;

export interface ValidationError {
  type: ErrorType;
  /** Header = row 1, first data row = row 2; null for file- or header-level errors. */
  rowNumber: number | null;
  fieldName: string | null;
  fieldNumber: number | null;
  cell: string | null;
  message: string;
}

export interface ValidationReport {
  valid: boolean;
  format: 'csv' | 'xlsx' | 'ods';
  encoding: string | null;
  dialect: { delimiter: string; quoteChar: string } | null;
  header: string[];
  stats: {
    rows: number;
    errors: number;
    warnings: number;
    bytes: number;
  };
  /** At most `maxErrors` errors, in file order. */
  errors: ValidationError[];
  /** Counts per type, over the whole file (continue past the cap). */
  errorCounts: Record<string, number>;
  /** True when more errors exist than are listed. */
  truncated: boolean;
  warnings: string[];
}
