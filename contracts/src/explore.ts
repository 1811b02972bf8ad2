/**
 * Explore contract (issue 18): the DuckDB extracts of published resources, the tabular API (like
 * data.gouv.fr's api-tabular), questions (no-code builder or SQL) and their results.
 */
import { z } from 'zod';
import { itemsOf, labels, timestamp } from './common.ts';

// ---- extracts ---------------------------------------------------------------------------------------

/** State of the Parquet extract of one resource version. */
export const extractStates = ['pending', 'converting', 'ready', 'failed'] as const;
export const extractState = z.enum(extractStates);
export type ExtractState = z.infer<typeof extractState>;
export const extractStateLabels = labels(extractStates, {
  pending: 'En attente de conversion',
  converting: 'Conversion en cours',
  ready: 'Prêt à explorer',
  failed: 'Conversion en échec',
});

/** A column of an extract, with DuckDB's type and the family the builder reasons on. */
export const columnKinds = ['number', 'text', 'date', 'boolean'] as const;
export const columnKind = z.enum(columnKinds);
export type ColumnKind = z.infer<typeof columnKind>;
export const columnKindLabels = labels(columnKinds, { number: 'Nombre', text: 'Texte', date: 'Date', boolean: 'Booléen' });

export const extractColumn = z.object({
  name: z.string(),
  type: z.string().describe('DuckDB type (BIGINT, DOUBLE, VARCHAR, DATE…)'),
  kind: columnKind,
});
export type ExtractColumn = z.infer<typeof extractColumn>;

export const explorableResource = z.object({
  resourceId: z.uuid(),
  resourceTitle: z.string(),
  datasetSlug: z.string(),
  datasetTitle: z.string(),
  versionId: z.uuid(),
  versionNumber: z.number().int(),
  /** False when the dataset is not open data (only its producers see it). */
  public: z.boolean(),
  state: extractState,
  error: z.string().nullable(),
  rows: z.number().int().nullable(),
  columns: z.array(extractColumn),
  convertedAt: timestamp.nullable(),
  jobId: z.uuid().nullable(),
});
export type ExplorableResource = z.infer<typeof explorableResource>;
export const explorableResourceList = itemsOf(explorableResource);

// ---- tabular API --------------------------------------------------------------------------------------

/** Filter operators of the tabular API (`col__exact=…`) and of the question builder. */
export const filterOps = [
  'exact',
  'differs',
  'contains',
  'notcontains',
  'in',
  'notin',
  'less',
  'greater',
  'strictly_less',
  'strictly_greater',
  'isnull',
  'isnotnull',
] as const;
export const filterOp = z.enum(filterOps);
export type FilterOp = z.infer<typeof filterOp>;
export const filterOpLabels = labels(filterOps, {
  exact: 'est égal à',
  differs: 'est différent de',
  contains: 'contient',
  notcontains: 'ne contient pas',
  in: 'est parmi',
  notin: 'n’est pas parmi',
  less: 'est inférieur ou égal à',
  greater: 'est supérieur ou égal à',
  strictly_less: 'est strictement inférieur à',
  strictly_greater: 'est strictement supérieur à',
  isnull: 'est vide',
  isnotnull: 'n’est pas vide',
});
/** Operators without a value. */
export const unaryOps: readonly FilterOp[] = ['isnull', 'isnotnull'];

/** Aggregations of the tabular API (`col__sum`). */
export const tabularAggregates = ['count', 'sum', 'avg', 'min', 'max'] as const;

export const tabularQuery = z
  .looseObject({
    page: z.coerce.number().int().min(1).max(100_000).default(1).describe('Page number, from 1.'),
    page_size: z.coerce.number().int().min(1).max(200).default(20).describe('Rows per page (200 at most).'),
    columns: z.string().max(4000).optional().describe('Columns to return, comma-separated.'),
    format: z.enum(['json', 'csv']).optional().describe('csv: the filtered rows as CSV (every page, up to the export limit).'),
  })
  .describe(
    'Per column: `<col>__exact`, `__differs`, `__contains`, `__notcontains`, `__in` (comma-separated), `__notin`, `__less`, `__greater`, ' +
      '`__strictly_less`, `__strictly_greater`, `__isnull`, `__isnotnull`; `<col>__sort=asc|desc`; aggregation: `<col>__groupby`, ' +
      '`<col>__count`, `__sum`, `__avg`, `__min`, `__max`.',
  );

export const tabularPage = z.object({
  data: z.array(z.record(z.string(), z.unknown())),
  links: z.object({ profile: z.string(), next: z.string().nullable(), prev: z.string().nullable() }),
  meta: z.object({ page: z.number().int(), page_size: z.number().int(), total: z.number().int() }),
});
export type TabularPage = z.infer<typeof tabularPage>;

export const resourceIdParams = z.object({ id: z.uuid() });

// ---- questions ----------------------------------------------------------------------------------------

/** Measures of the builder. */
export const measureFns = ['count', 'count_distinct', 'sum', 'avg', 'median', 'p25', 'p75', 'p90', 'min', 'max'] as const;
export const measureFn = z.enum(measureFns);
export type MeasureFn = z.infer<typeof measureFn>;
export const measureFnLabels = labels(measureFns, {
  count: 'Nombre de lignes',
  count_distinct: 'Nombre de valeurs distinctes',
  sum: 'Somme',
  avg: 'Moyenne',
  median: 'Médiane',
  p25: '1er quartile',
  p75: '3e quartile',
  p90: '9e décile',
  min: 'Minimum',
  max: 'Maximum',
});

const columnName = z.string().min(1).max(200);

export const questionFilter = z.object({
  column: columnName,
  op: filterOp,
  /** One value; for `in`/`notin`, several. Ignored by `isnull`/`isnotnull`. */
  value: z.union([z.string().max(1000), z.number(), z.boolean(), z.array(z.union([z.string().max(1000), z.number()])).max(200)]).optional(),
});
export type QuestionFilter = z.infer<typeof questionFilter>;

export const questionMeasure = z.object({
  fn: measureFn,
  /** Not needed for `count`. */
  column: columnName.optional(),
});
export type QuestionMeasure = z.infer<typeof questionMeasure>;

/** Date grain of a grouping column (lines over months). */
export const dateGrains = ['month', 'year'] as const;
export const dateGrainLabels = labels(dateGrains, { month: 'Par mois', year: 'Par année' });

export const questionGroup = z.object({ column: columnName, grain: z.enum(dateGrains).optional() });

export const questionDefinition = z.object({
  resourceId: z.uuid(),
  filters: z.array(questionFilter).max(20).default([]),
  groupBy: z.array(questionGroup).max(2, 'deux colonnes au plus').default([]),
  measures: z
    .array(questionMeasure)
    .min(1, 'au moins une mesure')
    .max(5)
    .default([{ fn: 'count' }]),
  /** Sort key: a grouping column's name or a measure's alias (`m0`, `m1`…). */
  sort: z
    .object({ by: z.string().min(1).max(200), direction: z.enum(['asc', 'desc']).default('asc') })
    .nullable()
    .default(null),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type QuestionDefinition = z.infer<typeof questionDefinition>;

/** SQL mode: one SELECT over the resources, each named by an alias (`FROM crimes`). */
export const sqlDefinition = z.object({
  sql: z.string().min(1).max(20_000),
  sources: z
    .array(z.object({ alias: z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/, 'nom en minuscules, chiffres et _ (40 caractères au plus)'), resourceId: z.uuid() }))
    .min(1)
    .max(5),
});
export type SqlDefinition = z.infer<typeof sqlDefinition>;

export const questionModes = ['builder', 'sql'] as const;
export const questionModeLabels = labels(questionModes, { builder: 'Assistant (sans SQL)', sql: 'SQL' });

export const visualizations = ['table', 'bar', 'stacked_bar', 'line', 'line_cvs', 'pie', 'number', 'map_region', 'map_departement', 'map_commune'] as const;
export const visualization = z.enum(visualizations);
export type Visualization = z.infer<typeof visualization>;
export const visualizationLabels = labels(visualizations, {
  table: 'Tableau',
  bar: 'Barres',
  stacked_bar: 'Barres empilées',
  line: 'Courbe',
  line_cvs: 'Courbe et série corrigée des variations saisonnières (CVS)',
  pie: 'Secteurs',
  number: 'Grand nombre',
  map_region: 'Carte par région',
  map_departement: 'Carte par département',
  map_commune: 'Carte par commune',
});

export const questionInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
    mode: z.enum(questionModes),
    builder: questionDefinition.optional(),
    sql: sqlDefinition.optional(),
    visualization: visualization.default('table'),
  })
  .superRefine((q, ctx) => {
    if (q.mode === 'builder' && !q.builder) ctx.addIssue({ code: 'custom', path: ['builder'], message: 'obligatoire en mode assistant' });
    if (q.mode === 'sql' && !q.sql) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'obligatoire en mode SQL' });
  });
export type QuestionInput = z.input<typeof questionInput>;

export const question = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  mode: z.enum(questionModes),
  builder: questionDefinition.nullable(),
  sql: sqlDefinition.nullable(),
  visualization,
  resourceIds: z.array(z.uuid()),
  organisationId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  canEdit: z.boolean(),
});
export type Question = z.infer<typeof question>;
export const questionList = itemsOf(question.omit({ builder: true, sql: true }));

export const resultColumn = z.object({
  name: z.string(),
  type: z.string(),
  label: z.string().describe('What people read: « Somme de nombre » for m0'),
  measure: measureFn
    .optional()
    .describe('The builder measure that computed this column (absent for grouping columns and SQL questions): how values of one area may be combined on a map'),
});
export const queryResult = z.object({
  columns: z.array(resultColumn),
  rows: z.array(z.array(z.unknown())),
  /** More rows than the limit: only the first ones are here. */
  truncated: z.boolean(),
  /** The SQL run (the builder's compiled query; values are bound, shown as $1, $2…). */
  sql: z.string(),
});
export type QueryResult = z.infer<typeof queryResult>;

/** Running a question without saving it (the builder's preview). */
export const runInput = z.object({ mode: z.enum(questionModes), builder: questionDefinition.optional(), sql: sqlDefinition.optional() });
export type RunInput = z.input<typeof runInput>;

// ---- dashboards ---------------------------------------------------------------------------------------

export const dashboardVisibilities = ['restricted', 'public'] as const;
export const dashboardVisibility = z.enum(dashboardVisibilities);
export type DashboardVisibility = z.infer<typeof dashboardVisibility>;
export const dashboardVisibilityLabels = labels(dashboardVisibilities, {
  restricted: 'Restreint (agents pouvant lire les données)',
  public: 'Public (données ouvertes seulement)',
});

export const dashboardCard = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('question'), questionId: z.uuid(), width: z.number().int().min(1).max(12).default(6) }),
  z.object({ kind: z.literal('text'), text: z.string().max(5000), width: z.number().int().min(1).max(12).default(12) }),
]);
export type DashboardCard = z.infer<typeof dashboardCard>;

export const dashboardFilter = z.object({
  column: columnName,
  label: z.string().trim().min(1).max(100),
});
export type DashboardFilter = z.infer<typeof dashboardFilter>;

export const dashboardInput = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  visibility: dashboardVisibility.default('restricted'),
  cards: z.array(dashboardCard).max(24).default([]),
  filters: z.array(dashboardFilter).max(6).default([]),
});
export type DashboardInput = z.input<typeof dashboardInput>;

export const dashboard = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  visibility: dashboardVisibility,
  cards: z.array(dashboardCard),
  filters: z.array(dashboardFilter),
  /** The questions of the cards the caller may see (a card whose question is hidden shows nothing). */
  questions: z.array(question.omit({ builder: true, sql: true })),
  organisationId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  canEdit: z.boolean(),
});
export type Dashboard = z.infer<typeof dashboard>;
export const dashboardList = itemsOf(dashboard.omit({ cards: true, questions: true }));
