/**
 * Streaming Table Schema validator: reads a CSV/XLSX/ODS file from disk chunk by chunk and produces a
 * frictionless-shaped report (error types of frictionless-py, header = row 1). Memory is bounded:
 * one record at a time, at most `maxErrors` errors kept, uniqueness sets capped by `maxKeyChars`.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { compileCheck, type RowAccess, type RowCheck } from './checks.ts';
import { CsvError, CsvParser, sniffDialect, type CsvDialect } from './csv.ts';
import { detectEncoding } from './encoding.ts';
import { castBound, type Caster, compileCaster, compilePattern, FAIL, testPattern } from './fields.ts';
import { readOds, readXlsx } from './spreadsheet.ts';
import type { TableField, TableSchemaDescriptor, ValidationError, ValidationReport } from './types.ts';
import { ZipError, type ZipLimits } from './zip.ts';

export type SourceFormat = 'csv' | 'xlsx' | 'ods';

/** Sees every cell (used by the personal-data gate). */
export interface CellObserver {
  begin(header: string[]): void;
  observe(column: number, value: string): void;
  /** Every data row (header excluded), before its checks (profile and preview of an analysis). */
  row?(cells: readonly (string | null)[]): void;
}

export interface ValidateOptions {
  schema?: TableSchemaDescriptor | null;
  /** Original file name (format from its extension); magic bytes win for zip-based formats. */
  filename?: string;
  format?: SourceFormat;
  maxErrors?: number;
  /** Abort (French error) after this instant (ms since epoch). */
  deadline?: number;
  /** Total characters kept for uniqueness/primary-key checks. */
  maxKeyChars?: number;
  zipLimits?: ZipLimits;
  observer?: CellObserver;
  onProgress?: (rows: number) => void;
}

export class ValidationAborted extends Error {}

const CHUNK = 64 * 1024;

type Row = { cells: (string | null)[]; line: number };

async function sniffFormat(path: string, opts: ValidateOptions): Promise<SourceFormat> {
  if (opts.format) return opts.format;
  const fh = await open(path, 'r');
  const head = Buffer.alloc(4);
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const ext = (opts.filename ?? path).toLowerCase().split('.').pop();
  if (head.readUInt32LE(0) === 0x04034b50) return ext === 'ods' ? 'ods' : 'xlsx';
  if (ext === 'xlsx' || ext === 'ods') {
    throw new ZipError(`Le fichier porte l'extension .${ext} mais n'est pas une archive ZIP : il est peut-être tronqué ou d'un autre format.`);
  }
  return 'csv';
}

interface CsvMeta {
  encoding: string;
  dialect: CsvDialect;
}

async function* csvRows(path: string, meta: { value?: CsvMeta }): AsyncGenerator<Row[]> {
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let parser: CsvParser | null = null;
  const ready: Row[] = [];
  let bytes = 0;
  let lastLine = 1;
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      let chunk: Uint8Array = buf;
      if (!decoder) {
        const guess = detectEncoding(buf.subarray(0, 256 * 1024), buf.length < CHUNK);
        decoder = new TextDecoder(guess.encoding, { fatal: guess.encoding === 'utf-8' });
        chunk = buf.subarray(guess.bomLength);
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: true });
        } catch {
          throw new EncodingFailure(1);
        }
        const dialect = sniffDialect(text.slice(0, 64 * 1024));
        meta.value = { encoding: guess.encoding, dialect };
        parser = new CsvParser(dialect, (cells, line) => {
          lastLine = line;
          ready.push({ cells, line });
        });
        parser.push(text);
      } else {
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: true });
        } catch {
          throw new EncodingFailure(lastLine + 1);
        }
        parser!.push(text);
      }
      bytes += buf.length;
      if (ready.length) yield ready.splice(0, ready.length);
    }
    if (parser && decoder) {
      try {
        parser.push(decoder.decode());
      } catch {
        throw new EncodingFailure(lastLine + 1);
      }
      parser.end();
      if (ready.length) yield ready.splice(0, ready.length);
    }
  } finally {
    stream.destroy();
  }
  void bytes;
}

class EncodingFailure extends Error {
  constructor(readonly line: number) {
    super(`Caractères invalides en UTF-8 vers la ligne ${line} : le fichier mélange des encodages. Réenregistrez-le en UTF-8.`);
  }
}

async function* sheetRows(gen: AsyncGenerator<(string | null)[]>): AsyncGenerator<Row[]> {
  let line = 0;
  let batch: Row[] = [];
  for await (const cells of gen) {
    line++;
    batch.push({ cells, line });
    if (batch.length >= 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const MESSAGES = {
  blankLabel: (n: number) => `L'en-tête de la colonne ${n} est vide : donnez un nom à chaque colonne.`,
  duplicateLabel: (label: string, cols: number[]) =>
    `L'en-tête « ${label} » apparaît plusieurs fois (colonnes ${cols.join(' et ')}) : chaque colonne doit avoir un nom unique. L'analyse s'arrête là.`,
  missingLabel: (name: string) =>
    `La colonne « ${name} » exigée par le schéma est absente de l'en-tête (ligne 1). Les noms de colonnes sont sensibles à la casse.`,
  blankRow: (row: number) => `La ligne ${row} est vide.`,
  extraCell: (row: number, n: number) => `La ligne ${row} a une cellule de trop en colonne ${n} (plus de cellules que l'en-tête).`,
  missingCell: (row: number, name: string) => `La ligne ${row} s'arrête avant la colonne « ${name} » (moins de cellules que l'en-tête).`,
  required: (row: number, name: string) => `Ligne ${row}, colonne « ${name} » : valeur obligatoire manquante.`,
  type: (row: number, name: string, cell: string, field: TableField) => `Ligne ${row}, colonne « ${name} » : « ${short(cell)} » n'est pas ${typeLabel(field)}.`,
  pk: (row: number, names: string[], blank: boolean) =>
    blank
      ? `Ligne ${row} : la clé primaire (${names.join(', ')}) est vide.`
      : `Ligne ${row} : la clé primaire (${names.join(', ')}) est déjà utilisée par une ligne précédente.`,
  unique: (row: number, name: string, cell: string) =>
    `Ligne ${row}, colonne « ${name} » : la valeur « ${short(cell)} » doit être unique et apparaît déjà plus haut.`,
};

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

function typeLabel(f: TableField): string {
  const fmt = typeof f.format === 'string' && f.format !== 'default' ? f.format : null;
  switch (f.type) {
    case 'number':
      return `un nombre (séparateur décimal « ${f.decimalChar ?? '.'} »)`;
    case 'integer':
      return 'un entier';
    case 'boolean':
      return `un booléen (${[...(f.trueValues ?? ['true']), ...(f.falseValues ?? ['false'])].join(', ')})`;
    case 'date':
      return fmt && fmt !== 'any' ? `une date au format ${fmt}` : 'une date au format AAAA-MM-JJ';
    case 'datetime':
      return fmt && fmt !== 'any' ? `une date-heure au format ${fmt}` : 'une date-heure ISO 8601 (AAAA-MM-JJTHH:MM:SS)';
    case 'time':
      return 'une heure HH:MM:SS';
    case 'year':
      return 'une année sur 4 chiffres';
    case 'yearmonth':
      return 'une année-mois AAAA-MM';
    case 'duration':
      return 'une durée ISO 8601 (ex. P1DT2H)';
    case 'geopoint':
      return 'un point géographique « longitude, latitude »';
    case 'geojson':
      return 'un objet GeoJSON';
    case 'array':
      return 'un tableau JSON';
    case 'object':
      return 'un objet JSON';
    case 'string':
      return fmt === 'email' ? 'une adresse électronique' : fmt === 'uri' ? 'une URL' : fmt === 'uuid' ? 'un UUID' : `une valeur au format ${fmt ?? 'texte'}`;
    default:
      return `du type ${f.type}`;
  }
}

interface CompiledField {
  field: TableField;
  name: string;
  index: number; // column index in the file, -1 when absent
  caster: Caster;
  required: boolean;
  unique: Set<string> | null;
  enumSet: Set<string> | null;
  enumValues: unknown[] | null;
  pattern: RegExp | null;
  min: number | string | null;
  max: number | string | null;
  exMin: number | string | null;
  exMax: number | string | null;
  minLength: number | null;
  maxLength: number | null;
  missing: Set<string>;
}

export async function validateFile(path: string, opts: ValidateOptions = {}): Promise<ValidationReport> {
  const maxErrors = opts.maxErrors ?? 1000;
  const schema = opts.schema ?? null;
  const errors: ValidationError[] = [];
  const errorCounts: Record<string, number> = {};
  const warnings: string[] = [];
  let total = 0;
  const report = (e: Omit<ValidationError, 'fieldNumber' | 'cell'> & { fieldNumber?: number | null; cell?: string | null }) => {
    total++;
    errorCounts[e.type] = (errorCounts[e.type] ?? 0) + 1;
    if (errors.length < maxErrors) errors.push({ fieldNumber: null, cell: null, ...e });
  };
  const { size } = await (await import('node:fs/promises')).stat(path);
  let format: SourceFormat = 'csv';
  const meta: { value?: CsvMeta } = {};
  let header: string[] = [];
  let rows = 0;
  const done = (): ValidationReport => ({
    valid: total === 0,
    format,
    encoding: format === 'csv' ? (meta.value?.encoding ?? null) : null,
    dialect: format === 'csv' ? (meta.value?.dialect ?? null) : null,
    header,
    stats: { rows, errors: total, warnings: warnings.length, bytes: size },
    errors,
    errorCounts,
    truncated: total > errors.length,
    warnings,
  });

  try {
    format = await sniffFormat(path, opts);
    if (size === 0) {
      report({ type: 'source-error', rowNumber: null, fieldName: null, message: 'Le fichier est vide (0 octet) : aucun en-tête ni aucune ligne.' });
      return done();
    }
    const source = format === 'csv' ? csvRows(path, meta) : sheetRows(format === 'xlsx' ? readXlsx(path, opts.zipLimits) : readOds(path, opts.zipLimits));

    let rowNumber = 0;
    let fields: CompiledField[] = [];
    let pk: CompiledField[] | null = null;
    const pkSeen = new Set<string>();
    let keyChars = 0;
    const maxKeyChars = opts.maxKeyChars ?? 64 * 1024 * 1024;
    let keyCapWarned = false;
    const checks: { name: string; run: RowCheck }[] = [];
    let byName = new Map<string, CompiledField>();
    let current: (string | null)[] = [];
    const access: RowAccess = {
      get(name) {
        const f = byName.get(name);
        if (!f || f.index < 0) return null;
        const v = current[f.index];
        if (v === null || v === undefined || f.missing.has(v)) return null;
        return v;
      },
      has(name) {
        return (byName.get(name)?.index ?? -1) >= 0;
      },
    };
    const keep = (set: Set<string>, key: string): boolean => {
      if (keyChars + key.length > maxKeyChars) {
        if (!keyCapWarned) {
          keyCapWarned = true;
          warnings.push(`Contrôles d'unicité arrêtés à la ligne ${rowNumber} : trop de valeurs distinctes à retenir pour ce fichier.`);
        }
        return false;
      }
      keyChars += key.length + 8;
      set.add(key);
      return true;
    };

    for await (const batch of source)
      for (let bi = 0; bi < batch.length; bi++) {
        const cells = batch[bi]!.cells;
        rowNumber++;
        if (rowNumber === 1) {
          header = cells.map((c) => c ?? '');
          if (header.length === 0 || header.every((h) => h.trim() === '')) {
            report({
              type: 'blank-label',
              rowNumber: null,
              fieldName: null,
              message: "La première ligne du fichier est vide : elle doit contenir l'en-tête (les noms des colonnes).",
            });
            return done();
          }
          opts.observer?.begin(header);
          // Labels: blank, duplicate (fatal).
          const seen = new Map<string, number[]>();
          header.forEach((h, i) => {
            if (h.trim() === '') report({ type: 'blank-label', rowNumber: null, fieldName: null, fieldNumber: i + 1, message: MESSAGES.blankLabel(i + 1) });
            else seen.set(h.trim(), [...(seen.get(h.trim()) ?? []), i + 1]);
          });
          const dup = [...seen.entries()].find(([, cols]) => cols.length > 1);
          if (dup) {
            report({ type: 'duplicate-label', rowNumber: null, fieldName: null, message: MESSAGES.duplicateLabel(dup[0], dup[1]) });
            // Count the data rows without checking them, as Validata does.
            rows += batch.length - bi - 1;
            for await (const more of source) rows += more.length;
            return done();
          }
          if (schema) {
            const globalMissing = schema.missingValues ?? [''];
            const pkNames = schema.primaryKey === undefined ? [] : Array.isArray(schema.primaryKey) ? schema.primaryKey : [schema.primaryKey];
            const labelIndex = new Map<string, number>();
            header.forEach((h, i) => labelIndex.set(h.trim(), i));
            fields = schema.fields.map((field) => {
              const c = field.constraints ?? {};
              const caster = compileCaster(field);
              const enumValues = Array.isArray(c.enum) ? c.enum : null;
              const cf: CompiledField = {
                field,
                name: field.name,
                index: labelIndex.get(field.name) ?? -1,
                caster,
                required: c.required === true,
                unique: c.unique === true ? new Set() : null,
                enumSet: enumValues ? new Set(enumValues.map((v) => String(v))) : null,
                enumValues,
                pattern: typeof c.pattern === 'string' ? compilePattern(c.pattern) : null,
                min: castBound(field, caster, c.minimum),
                max: castBound(field, caster, c.maximum),
                exMin: castBound(field, caster, c.exclusiveMinimum),
                exMax: castBound(field, caster, c.exclusiveMaximum),
                minLength: typeof c.minLength === 'number' ? c.minLength : null,
                maxLength: typeof c.maxLength === 'number' ? c.maxLength : null,
                missing: new Set(Array.isArray(field.missingValues) ? field.missingValues : globalMissing),
              };
              if (typeof c.pattern === 'string' && !cf.pattern) warnings.push(`Motif de la colonne « ${field.name} » illisible, non contrôlé : ${c.pattern}`);
              return cf;
            });
            byName = new Map(fields.map((f) => [f.name, f]));
            for (const f of fields) {
              if (f.index < 0 && (f.required || pkNames.includes(f.name))) {
                report({ type: 'missing-label', rowNumber: null, fieldName: f.name, message: MESSAGES.missingLabel(f.name) });
              } else if (f.index < 0) warnings.push(`Colonne « ${f.name} » du schéma absente du fichier (facultative).`);
            }
            header.forEach((h) => {
              if (h.trim() !== '' && !byName.has(h.trim())) warnings.push(`Colonne surnuméraire : « ${h} » n'est pas définie dans le schéma.`);
            });
            const pkFields = pkNames.map((n) => byName.get(n)).filter((f): f is CompiledField => !!f);
            pk = pkFields.length === pkNames.length && pkFields.length > 0 && pkFields.every((f) => f.index >= 0) ? pkFields : null;
            for (const check of schema.custom_checks ?? []) {
              const compiled = compileCheck(check);
              if (typeof compiled === 'function') checks.push({ name: check.name, run: compiled });
              else warnings.push(`Contrôle « ${check.name} » non exécuté : ${compiled.unsupported}.`);
            }
          }
          continue;
        }

        rows++;
        current = cells;
        if (opts.deadline !== undefined && (rows & 1023) === 0) {
          if (Date.now() > opts.deadline)
            throw new ValidationAborted(`Analyse interrompue à la ligne ${rowNumber} : le temps imparti est dépassé. Utilisez un fichier plus petit.`);
          opts.onProgress?.(rows);
        }
        if (opts.observer) {
          opts.observer.row?.(cells);
          for (let i = 0; i < cells.length; i++) {
            const v = cells[i];
            if (v !== null && v !== undefined && v !== '') opts.observer.observe(i, v);
          }
        }
        let blank = true;
        for (let i = 0; i < cells.length; i++) {
          const c = cells[i];
          if (c !== null && c !== '' && c !== undefined) {
            blank = false;
            break;
          }
        }
        if (blank) {
          report({ type: 'blank-row', rowNumber, fieldName: null, message: MESSAGES.blankRow(rowNumber) });
          if (pk)
            report({
              type: 'primary-key',
              rowNumber,
              fieldName: null,
              message: MESSAGES.pk(
                rowNumber,
                pk.map((f) => f.name),
                true,
              ),
            });
          continue;
        }
        for (let i = header.length; i < cells.length; i++) {
          const v = cells[i];
          if (v === null || v === '') continue;
          report({ type: 'extra-cell', rowNumber, fieldName: null, fieldNumber: i + 1, cell: v, message: MESSAGES.extraCell(rowNumber, i + 1) });
        }
        for (const f of fields) {
          if (f.index < 0) continue;
          if (f.index >= cells.length) {
            report({
              type: 'missing-cell',
              rowNumber,
              fieldName: f.name,
              fieldNumber: f.index + 1,
              cell: '',
              message: MESSAGES.missingCell(rowNumber, f.name),
            });
            continue;
          }
          const raw = cells[f.index];
          if (raw === null || raw === undefined || f.missing.has(raw)) {
            if (f.required) {
              report({
                type: 'constraint-error',
                rowNumber,
                fieldName: f.name,
                fieldNumber: f.index + 1,
                cell: raw ?? '',
                message: MESSAGES.required(rowNumber, f.name),
              });
            }
            continue;
          }
          const value = f.caster(raw);
          if (value === FAIL) {
            report({
              type: 'type-error',
              rowNumber,
              fieldName: f.name,
              fieldNumber: f.index + 1,
              cell: raw,
              message: MESSAGES.type(rowNumber, f.name, raw, f.field),
            });
            continue;
          }
          const problem = constraintProblem(f, raw, value);
          if (problem) {
            report({
              type: 'constraint-error',
              rowNumber,
              fieldName: f.name,
              fieldNumber: f.index + 1,
              cell: raw,
              message: `Ligne ${rowNumber}, colonne « ${f.name} » : ${problem}`,
            });
            continue;
          }
          if (f.unique) {
            const key = typeof value === 'string' ? value : JSON.stringify(value);
            if (f.unique.has(key))
              report({
                type: 'unique-error',
                rowNumber,
                fieldName: f.name,
                fieldNumber: f.index + 1,
                cell: raw,
                message: MESSAGES.unique(rowNumber, f.name, raw),
              });
            else keep(f.unique, key);
          }
        }
        if (pk) {
          const parts = pk.map((f) => {
            const v = cells[f.index];
            return v === null || v === undefined || f.missing.has(v) ? null : v;
          });
          if (parts.every((p) => p === null))
            report({
              type: 'primary-key',
              rowNumber,
              fieldName: null,
              message: MESSAGES.pk(
                rowNumber,
                pk.map((f) => f.name),
                true,
              ),
            });
          else {
            const key = parts.length === 1 ? String(parts[0]) : JSON.stringify(parts);
            if (pkSeen.has(key))
              report({
                type: 'primary-key',
                rowNumber,
                fieldName: null,
                message: MESSAGES.pk(
                  rowNumber,
                  pk.map((f) => f.name),
                  false,
                ),
              });
            else keep(pkSeen, key);
          }
        }
        for (const c of checks) {
          const fail = c.run(access);
          if (fail) {
            const f = fail.fieldName ? byName.get(fail.fieldName) : undefined;
            report({
              type: c.name,
              rowNumber,
              fieldName: fail.fieldName,
              fieldNumber: f && f.index >= 0 ? f.index + 1 : null,
              cell: fail.cell,
              message: `Ligne ${rowNumber}${fail.fieldName ? `, colonne « ${fail.fieldName} »` : ''} : ${fail.message}`,
            });
          }
        }
      }
    if (rowNumber === 0) {
      report({ type: 'source-error', rowNumber: null, fieldName: null, message: 'Le fichier ne contient aucune ligne (ni en-tête, ni données).' });
    }
    opts.onProgress?.(rows);
    return done();
  } catch (err) {
    if (err instanceof ValidationAborted) throw err;
    if (err instanceof EncodingFailure) {
      report({ type: 'encoding-error', rowNumber: null, fieldName: null, message: err.message });
      return done();
    }
    if (err instanceof CsvError) {
      report({ type: 'source-error', rowNumber: null, fieldName: null, message: err.message });
      return done();
    }
    if (err instanceof ZipError) {
      report({ type: 'source-error', rowNumber: null, fieldName: null, message: err.message });
      return done();
    }
    throw err;
  }
}

function constraintProblem(f: CompiledField, raw: string, value: unknown): string | null {
  if (f.enumSet) {
    const ok = typeof value === 'string' ? f.enumSet.has(value) : f.enumValues!.some((e) => e === value || String(e) === raw);
    if (!ok) return `« ${short(raw)} » n'est pas une valeur autorisée (${[...f.enumSet].slice(0, 12).join(', ')}${f.enumSet.size > 12 ? ', …' : ''}).`;
  }
  if (f.pattern && !testPattern(f.pattern, raw)) return `« ${short(raw)} » ne respecte pas le motif attendu ${short(f.field.constraints?.pattern ?? '')}.`;
  const cmp = typeof value === 'number' || typeof value === 'string' ? value : null;
  if (cmp !== null && f.field.type !== 'string') {
    if (f.min !== null && typeof f.min === typeof cmp && cmp < f.min) return `${raw} est inférieur au minimum ${f.min}.`;
    if (f.max !== null && typeof f.max === typeof cmp && cmp > f.max) return `${raw} est supérieur au maximum ${f.max}.`;
    if (f.exMin !== null && typeof f.exMin === typeof cmp && cmp <= f.exMin) return `${raw} doit être strictement supérieur à ${f.exMin}.`;
    if (f.exMax !== null && typeof f.exMax === typeof cmp && cmp >= f.exMax) return `${raw} doit être strictement inférieur à ${f.exMax}.`;
  }
  if (f.minLength === null && f.maxLength === null) return null;
  const len = typeof value === 'string' ? codePoints(value) : Array.isArray(value) ? value.length : null;
  if (len !== null) {
    if (f.minLength !== null && len < f.minLength) return `« ${short(raw)} » est trop court (${len} caractères, au moins ${f.minLength}).`;
    if (f.maxLength !== null && len > f.maxLength) return `« ${short(raw)} » est trop long (${len} caractères, au plus ${f.maxLength}).`;
  }
  return null;
}

/** Length in code points (what Python's len() counts), without allocating. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}
