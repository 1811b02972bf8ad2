import { parse } from 'csv-parse/sync';
import type { FieldError } from '../../platform/errors.ts';
import { actionStatuses, type ActionStatus } from '@patrimoine/contracts/roadmap';

/** Size limits of a bulk update: a roadmap has tens of actions, a few thousand at most (bytes: in the contract). */
export { BULK_MAX_BYTES } from '@patrimoine/contracts/roadmap';
export const BULK_MAX_LINES = 5000;

export interface BulkLine {
  /** Line number in the file (the header is line 1). */
  line: number;
  code: string;
  status?: ActionStatus;
  progress?: number;
  pilot?: string | null;
  note?: string;
}

/** Column names accepted (French headers of the CSV export, and their English API names). */
const COLUMNS: Record<string, 'code' | 'status' | 'progress' | 'pilot' | 'note'> = {
  code: 'code',
  action: 'code',
  statut: 'status',
  status: 'status',
  avancement: 'progress',
  progress: 'progress',
  'avancement (%)': 'progress',
  pilote: 'pilot',
  pilot: 'pilot',
  note: 'note',
  commentaire: 'note',
};

const STATUS_ALIASES: Record<string, ActionStatus> = {
  'à lancer': 'a_lancer',
  'a lancer': 'a_lancer',
  'en cours': 'en_cours',
  réalisée: 'realisee',
  realisee: 'realisee',
  réalisé: 'realisee',
  abandonnée: 'abandonnee',
  abandonné: 'abandonnee',
};

/**
 * Parses and checks a bulk-update CSV (`;` or `,` separated, UTF-8 with or without BOM). Returns the
 * lines and every problem found, each with its line and column, so that the file can be fixed in one go.
 * Columns other than code, statut, avancement, pilote and note are ignored (the CSV export can be re-imported).
 */
export function parseBulkCsv(text: string): { lines: BulkLine[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parse(src, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (e) {
    return { lines: [], errors: [{ field: 'csv', message: `Fichier CSV illisible : ${(e as Error).message}` }] };
  }
  if (records.length === 0) return { lines: [], errors: [{ field: 'csv', message: 'Fichier vide.' }] };
  if (records.length - 1 > BULK_MAX_LINES) return { lines: [], errors: [{ field: 'csv', message: `Trop de lignes (maximum ${BULK_MAX_LINES}).` }] };
  const header = records[0]!.map((h) => COLUMNS[h.trim().toLowerCase()] ?? null);
  if (!header.includes('code')) return { lines: [], errors: [{ field: 'lignes.1.code', message: 'Colonne « code » absente de la ligne d’en-tête.' }] };
  if (!header.some((h) => h && h !== 'code')) {
    return { lines: [], errors: [{ field: 'lignes.1', message: 'Aucune colonne à mettre à jour : statut, avancement, pilote ou note.' }] };
  }
  const lines: BulkLine[] = [];
  const seen = new Map<string, number>();
  records.slice(1).forEach((rec, idx) => {
    const lineNo = idx + 2;
    const get = (k: string) => {
      const i = header.indexOf(k as never);
      return i >= 0 ? (rec[i] ?? '').trim() : undefined;
    };
    const err = (col: string, message: string) => errors.push({ field: `lignes.${lineNo}.${col}`, message });
    const code = (get('code') ?? '').toUpperCase();
    if (!code) return err('code', 'Code d’action manquant.');
    if (seen.has(code)) err('code', `Action ${code} déjà mise à jour ligne ${seen.get(code)}.`);
    seen.set(code, lineNo);
    const out: BulkLine = { line: lineNo, code };
    const status = get('status');
    if (status) {
      const s = (actionStatuses as readonly string[]).includes(status) ? (status as ActionStatus) : STATUS_ALIASES[status.toLowerCase()];
      if (!s) err('statut', `Statut « ${status} » inconnu (à lancer, en cours, réalisée, abandonnée).`);
      else out.status = s;
    }
    const progress = get('progress');
    if (progress) {
      const n = Number(progress.replace(/\s*%$/, '').replace(',', '.'));
      if (!Number.isInteger(n) || n < 0 || n > 100) err('avancement', `Avancement « ${progress} » invalide : entier de 0 à 100 attendu.`);
      else out.progress = n;
    }
    const pilot = get('pilot');
    if (pilot !== undefined && pilot !== '') {
      if (pilot.length > 200) err('pilote', 'Pilote trop long (200 caractères au plus).');
      else out.pilot = pilot;
    }
    const note = get('note');
    if (note) {
      if (note.length > 5000) err('note', 'Note trop longue (5 000 caractères au plus).');
      else out.note = note;
    }
    lines.push(out);
  });
  return { lines, errors };
}
