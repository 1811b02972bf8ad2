/**
 * Column profile and preview, computed while the analysis reads the file (one pass, bounded memory):
 * per column the inferred type, the share of empty cells, the distinct values (tracked up to
 * `MAX_DISTINCT`, a lower bound beyond), min/max (numeric for numbers, ISO order for dates, else
 * lexicographic) and the most frequent values; plus the first 50 data rows.
 */
import type { ColumnProfile } from '@patrimoine/contracts/opendata';

export const PREVIEW_ROWS = 50;
export const MAX_DISTINCT = 10_000;
const TOP = 5;
const MAX_CELL = 200;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const BOOLEAN = /^(true|false|vrai|faux|oui|non)$/i;

// Candidate types of a column, dropped at the first cell that does not fit (the regexes of the
// remaining candidates only are run: a text column costs no regex after its first text cell).
const INT = 1;
const NUM = 2;
const DAY = 4;
const TIME = 8;
const BOOL = 16;
const ALL = INT | NUM | DAY | TIME | BOOL;

interface Col {
  empty: number;
  mask: number;
  counts: Map<string, number>;
  capped: boolean;
  minNum: number;
  maxNum: number;
  minStr: string | null;
  maxStr: string | null;
}

const newCol = (): Col => ({ empty: 0, mask: ALL, counts: new Map(), capped: false, minNum: Infinity, maxNum: -Infinity, minStr: null, maxStr: null });

export class ColumnProfiler {
  private header: string[] = [];
  private cols: Col[] = [];
  private rows = 0;
  readonly preview: (string | null)[][] = [];
  /** Characters read so far (the analysis's progress in the file). */
  chars = 0;

  begin(header: string[]): void {
    this.header = header;
    this.cols = header.map(newCol);
  }

  row(cells: readonly (string | null | undefined)[]): void {
    this.rows++;
    if (this.preview.length < PREVIEW_ROWS) {
      this.preview.push(this.header.map((_, i) => (cells[i] == null ? null : String(cells[i]).slice(0, MAX_CELL))));
    }
    for (let i = 0; i < this.cols.length; i++) {
      const col = this.cols[i]!;
      const raw = cells[i];
      const v = raw == null ? '' : String(raw).trim();
      this.chars += v.length + 1;
      if (v === '') {
        col.empty++;
        continue;
      }
      let m = col.mask;
      if (m) {
        if (m & INT && !INTEGER.test(v)) m &= ~INT;
        if (m & NUM && !NUMBER.test(v)) m &= ~NUM;
        if (m & DAY && !DATE.test(v)) m &= ~DAY;
        if (m & TIME && !DATE.test(v) && !DATETIME.test(v)) m &= ~TIME;
        if (m & BOOL && !BOOLEAN.test(v)) m &= ~BOOL;
        col.mask = m;
      }
      const n = col.counts.get(v);
      if (n !== undefined) col.counts.set(v, n + 1);
      else if (col.counts.size < MAX_DISTINCT) col.counts.set(v, 1);
      else col.capped = true;
      if (m & NUM) {
        const x = Number(v.replace(',', '.'));
        if (x < col.minNum) col.minNum = x;
        if (x > col.maxNum) col.maxNum = x;
      }
      if (col.minStr === null || v < col.minStr) col.minStr = v;
      if (col.maxStr === null || v > col.maxStr) col.maxStr = v;
    }
  }

  profile(): ColumnProfile[] {
    return this.header.map((name, i) => {
      const c = this.cols[i]!;
      const filled = this.rows - c.empty;
      const m = c.mask;
      let type: ColumnProfile['type'];
      if (filled === 0) type = 'empty';
      else if (m & INT) type = 'integer';
      else if (m & NUM) type = 'number';
      else if (m & BOOL) type = 'boolean';
      else if (m & DAY) type = 'date';
      else if (m & TIME) type = 'datetime';
      else type = 'string';
      const numeric = type === 'integer' || type === 'number';
      const top = [...c.counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, TOP)
        .filter(([, n]) => n > 1 || c.counts.size <= TOP)
        .map(([value, count]) => ({ value: value.slice(0, MAX_CELL), count }));
      return {
        name,
        type,
        emptyShare: this.rows ? Math.round((c.empty / this.rows) * 1000) / 1000 : 0,
        distinct: c.counts.size,
        distinctCapped: c.capped,
        min: filled === 0 ? null : numeric ? String(c.minNum) : c.minStr!.slice(0, MAX_CELL),
        max: filled === 0 ? null : numeric ? String(c.maxNum) : c.maxStr!.slice(0, MAX_CELL),
        top,
      };
    });
  }
}
