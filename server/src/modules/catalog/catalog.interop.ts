import { parse as parseCsv } from 'csv-parse/sync';
import sqlParser from 'node-sql-parser/build/postgresql.js';
import { ValidationError, fieldError } from '../../platform/errors.ts';
import type { Asset, AssetDocument, Caller } from './catalog.service.ts';
import type { createCatalogTransfer, ImportOutcome } from './catalog.transfer.ts';
import { fromPubliccode } from './publiccode.ts';

type Transfer = ReturnType<typeof createCatalogTransfer>;

// ---------------------------------------------------------------------------------------------
// publiccode.yml (export and import in publiccode.ts, rules in publiccode.validate.ts)

export { toPubliccode } from './publiccode.ts';

/** A publiccode.yml read into a repository asset (created or updated), with the owner given; the whole file is kept in spec.publiccode. */
export function publiccodeToDocument(text: string, slug: string, owner: string | null, existing: AssetDocument | null): AssetDocument {
  const p = fromPubliccode(text);
  const { publiccode: _previous, ...kept } = (existing?.spec ?? {}) as Record<string, unknown>;
  return {
    ...(existing ?? {}),
    kind: 'repository',
    slug,
    title: p.title,
    description: p.description ?? existing?.description ?? '',
    owner: existing?.owner ?? owner,
    contacts: p.contacts.length ? p.contacts : (existing?.contacts ?? []),
    spec: { ...kept, ...p.spec },
  };
}

// ---------------------------------------------------------------------------------------------
// Algorithm inventory: the fields of Etalab's fiche pratique « l'inventaire des principaux traitements algorithmiques »
// (etalab/guides.etalab.gouv.fr, algorithmes/2-inventaire.md), in its order and with its wording, one row per algorithm;
// then what the fiche does not list (parameters and weighting, R311-3-1-2 CRPA; the scope criterion; publication).

export const algorithmInventoryColumns = [
  // Informations sur l'administration
  { key: 'administration', header: 'Nom de l’administration concernée' },
  { key: 'owner', header: 'Direction/service porteur' },
  { key: 'contact', header: 'Contact au sein de l’administration concernée' },
  { key: 'infoUpdatedOn', header: 'Date de mise à jour des informations' },
  // Informations métier sur l'algorithme et la décision prise
  { key: 'title', header: 'Nom de l’algorithme' },
  { key: 'context', header: 'Contexte global' },
  { key: 'purpose', header: 'Finalité de l’algorithme' },
  { key: 'decisionRole', header: 'Comment et quand l’algorithme intervient-il dans la prise de décision ?' },
  { key: 'automation', header: 'Niveau d’automatisation de la décision' },
  { key: 'legalBasis', header: 'Fondements juridiques' },
  { key: 'relatedResources', header: 'Ressources connexes (métier)' },
  // Informations sur l'impact de la décision
  { key: 'decisionsPerYear', header: 'Nombre de décisions administratives prises par an' },
  { key: 'decisionScope', header: 'Portée de la décision' },
  { key: 'publicConcerned', header: 'Public concerné par la décision' },
  { key: 'impactResources', header: 'Ressources connexes (impact)' },
  // Informations sur le fonctionnement interne de l'algorithme
  { key: 'dataUsed', header: 'Données traitées' },
  { key: 'dataSources', header: 'Source des données traitées' },
  { key: 'collectionMode', header: 'Mode de collecte des données traitées' },
  { key: 'algorithmType', header: 'Type d’algorithme' },
  { key: 'operations', header: 'Opérations effectuées par l’algorithme' },
  { key: 'technicalResources', header: 'Ressources connexes (fonctionnement)' },
  // Beyond the fiche
  { key: 'parameters', header: 'Paramètres et pondération' },
  { key: 'individualDecisions', header: 'Fonde des décisions administratives individuelles' },
  { key: 'openness', header: 'Publication' },
];

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const joined = (...parts: unknown[]): string =>
  parts
    .map(text)
    .filter((p) => p.trim())
    .join(' ; ');

export function algorithmRow(a: Asset): Record<string, unknown> {
  const s = a.spec as Record<string, unknown>;
  const yesNo = (v: unknown) => (v === true ? 'oui' : v === false ? 'non' : '');
  const parameters = Array.isArray(s.parameters) ? (s.parameters as { name: string; weight?: number | string; description?: string }[]) : [];
  return {
    administration: s.administration ?? '',
    owner: a.ownerName ?? a.owner ?? '',
    contact: s.contact ?? a.contacts[0]?.email ?? a.contacts[0]?.name ?? '',
    infoUpdatedOn: s.infoUpdatedOn ?? new Date(a.updatedAt).toISOString().slice(0, 10),
    title: a.title,
    context: s.context ?? '',
    purpose: s.purpose ?? '',
    decisionRole: s.decisionRole ?? '',
    automation: s.automation === 'fully_automated' ? 'décision entièrement automatisée' : s.automation === 'decision_aid' ? 'aide à la décision' : '',
    legalBasis: s.legalBasis ?? '',
    relatedResources: s.relatedResources ?? '',
    decisionsPerYear: s.decisionsPerYear ?? '',
    decisionScope: s.decisionScope === 'external' ? 'externe' : s.decisionScope === 'internal' ? 'procédure interne' : '',
    publicConcerned: s.publicConcerned ?? '',
    impactResources: s.impactResources ?? '',
    dataUsed: s.dataUsed ?? '',
    dataSources: s.dataSources ?? '',
    collectionMode: s.collectionMode ?? '',
    algorithmType: s.algorithmType === 'rules' ? 'système de règles' : s.algorithmType === 'machine_learning' ? 'apprentissage automatique' : '',
    operations: s.operations ?? '',
    technicalResources: joined(s.codeOrFlowchartUrl, s.technicalResources),
    parameters: parameters
      .map((p) => `${p.name}${p.weight !== undefined && p.weight !== '' ? ` (pondération : ${p.weight})` : ''}${p.description ? ` : ${p.description}` : ''}`)
      .join(' ; '),
    individualDecisions: yesNo(s.individualDecisions),
    openness: a.openness === 'ouvert' ? 'publié' : 'à publier',
  };
}

// ---------------------------------------------------------------------------------------------
// Data dictionary (data_model): CSV import and export

export const dictionaryColumns = [
  { key: 'table', header: 'table' },
  { key: 'column', header: 'colonne' },
  { key: 'type', header: 'type' },
  { key: 'description', header: 'description' },
  { key: 'personalData', header: 'donnee_personnelle' },
  { key: 'example', header: 'exemple' },
];

type Table = { name: string; description?: string; columns: { name: string; type?: string; description?: string; personalData?: boolean; example?: string }[] };

export function dictionaryRows(a: Asset): Record<string, unknown>[] {
  return ((a.spec.tables as Table[] | undefined) ?? []).flatMap((t) =>
    t.columns.map((c) => ({
      table: t.name,
      column: c.name,
      type: c.type ?? '',
      description: c.description ?? '',
      personalData: c.personalData ?? false,
      example: c.example ?? '',
    })),
  );
}

/** Reads a CSV data dictionary (`table;colonne;type;description;donnee_personnelle;exemple`). */
export function parseDictionaryCsv(text: string): Table[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
      delimiter: [';', ',', '\t'],
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
      to: 20_000,
    });
  } catch (e) {
    throw fieldError('content', `CSV illisible : ${(e as Error).message}`);
  }
  const errors: { field: string; message: string }[] = [];
  const tables = new Map<string, Table>();
  records.forEach((r, i) => {
    const line = i + 2;
    if (!r.table || !r.colonne) {
      errors.push({ field: `ligne ${line}`, message: 'les colonnes « table » et « colonne » sont obligatoires' });
      return;
    }
    const pd = (r.donnee_personnelle ?? '').toLowerCase();
    if (pd && !['oui', 'non', 'true', 'false', '1', '0'].includes(pd))
      errors.push({ field: `ligne ${line}`, message: `donnee_personnelle : « ${r.donnee_personnelle} » (attendu oui ou non)` });
    const t = tables.get(r.table) ?? { name: r.table, columns: [] };
    const col: Table['columns'][number] = { name: r.colonne, personalData: ['oui', 'true', '1'].includes(pd) };
    if (r.type) col.type = r.type;
    if (r.description) col.description = r.description;
    if (r.exemple) col.example = r.exemple;
    t.columns.push(col);
    tables.set(r.table, t);
  });
  if (records.length === 0)
    errors.push({ field: 'content', message: 'aucune ligne : en-tête attendu table;colonne;type;description;donnee_personnelle;exemple' });
  if (errors.length) throw new ValidationError('Dictionnaire des données invalide : rien n’a été modifié.', errors);
  return [...tables.values()];
}

type Ast = Record<string, unknown>;
const colName = (c: unknown): string => {
  const col = (c as { column?: unknown })?.column;
  if (typeof col === 'string') return col;
  return String((col as { expr?: { value?: unknown } })?.expr?.value ?? '');
};

/**
 * Reads the tables of a SQL DDL file (PostgreSQL dialect, through node-sql-parser): CREATE TABLE
 * columns with their types, COMMENT ON TABLE / COLUMN as descriptions. Other statements are ignored.
 */
export function parseDictionaryDdl(text: string): Table[] {
  let ast: Ast | Ast[];
  try {
    ast = new sqlParser.Parser().astify(text, { database: 'PostgresQL' }) as unknown as Ast | Ast[];
  } catch (e) {
    const loc = (e as { location?: { start?: { line?: number; column?: number } } }).location?.start;
    throw new ValidationError('Fichier SQL illisible : rien n’a été modifié.', [
      {
        field: loc ? `ligne ${loc.line}` : 'content',
        message: `${(e as Error).message.split('\n')[0]!.slice(0, 300)}${loc ? ` (colonne ${loc.column})` : ''}`,
      },
    ]);
  }
  const tables = new Map<string, Table>();
  for (const st of Array.isArray(ast) ? ast : [ast]) {
    if (st.type === 'create' && st.keyword === 'table') {
      const name = String((st.table as { table: string }[])[0]?.table ?? '');
      const columns = ((st.create_definitions as Ast[] | null) ?? [])
        .filter((d) => d.resource === 'column')
        .map((d) => {
          const def = d.definition as { dataType?: string; length?: number; scale?: number } | undefined;
          const type = def?.dataType
            ? `${def.dataType.toLowerCase()}${def.length ? `(${def.length}${def.scale !== undefined && def.scale !== null ? `,${def.scale}` : ''})` : ''}`
            : undefined;
          return { name: colName(d.column), ...(type ? { type } : {}), personalData: false };
        });
      tables.set(name, { name, columns });
    } else if (st.type === 'comment') {
      const target = st.target as { type: string; name: { table?: string; column?: unknown } };
      // The parser keeps SQL's doubled quotes ('' for ').
      const value = String((st.expr as { expr?: { value?: unknown } })?.expr?.value ?? '').replace(/''/g, "'");
      const t = tables.get(String(target.name.table ?? ''));
      if (!t) continue;
      if (target.type === 'table') t.description = value;
      else if (target.type === 'column') {
        const c = t.columns.find((x) => x.name === colName(target.name));
        if (c) c.description = value;
      }
    }
  }
  if (tables.size === 0) throw fieldError('content', 'aucune instruction CREATE TABLE trouvée');
  return [...tables.values()];
}

// ---------------------------------------------------------------------------------------------
// data.gouv.fr organisation datasets (GET /api/1/organizations/{org}/datasets/): datagouv.ts

export { datagouvDocuments } from './datagouv.ts';

/** Imports documents through the catalogue file path (one transaction, versions, audit, events). */
export function importDocuments(
  transfer: Transfer,
  docs: AssetDocument[],
  c: Caller,
  opts: { dryRun?: boolean; requestId?: string } = {},
): Promise<ImportOutcome> {
  return transfer.importText(JSON.stringify({ version: 1, assets: docs, relations: [] }), c, opts);
}
