/** Streaming CSV: dialect sniffing and a chunked parser with bounded record size. */

export interface CsvDialect {
  delimiter: string;
  quoteChar: string;
}

const CANDIDATES = [';', ',', '\t', '|'];

/** Split the first lines of `sample` (outside quotes) and pick the delimiter giving the most consistent column count. */
export function sniffDialect(sample: string): CsvDialect {
  const quoteChar = sniffQuote(sample);
  const lines = firstLines(sample, quoteChar, 50);
  let best: { d: string; score: number } = { d: ',', score: -1 };
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, d, quoteChar));
    if (counts.length === 0 || counts[0] === 0) continue;
    const first = counts[0]!;
    const same = counts.filter((c) => c === first).length;
    // Consistency first, then number of columns.
    const score = (same / counts.length) * 1000 + first;
    if (score > best.score) best = { d, score };
  }
  return { delimiter: best.d, quoteChar };
}

function sniffQuote(sample: string): string {
  const dq = (sample.match(/(^|[;,\t|])"/gm) ?? []).length;
  const sq = (sample.match(/(^|[;,\t|])'[^']*'([;,\t|]|$)/gm) ?? []).length;
  return sq > dq && sq > 2 ? "'" : '"';
}

function firstLines(sample: string, quote: string, max: number): string[] {
  const out: string[] = [];
  let inQ = false;
  let start = 0;
  for (let i = 0; i < sample.length && out.length < max; i++) {
    const c = sample[i];
    if (c === quote) inQ = !inQ;
    else if (!inQ && (c === '\n' || c === '\r')) {
      if (i > start) out.push(sample.slice(start, i));
      start = i + 1;
    }
  }
  // The last, possibly cut, line is left out unless it is the only one.
  if (out.length === 0 && start < sample.length) out.push(sample.slice(start));
  return out;
}

function countOutsideQuotes(line: string, d: string, quote: string): number {
  let n = 0;
  let inQ = false;
  for (const c of line) {
    if (c === quote) inQ = !inQ;
    else if (!inQ && c === d) n++;
  }
  return n;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Chunked parser (RFC 4180, lenient like Python's csv module: text after a closing quote is kept).
 * `onRecord(cells, line)` gets each record and the physical line it starts on; a physically empty
 * line gives `[]`. Trailing empty lines at the end of the input give nothing.
 */
export class CsvParser {
  private readonly d: number;
  private readonly q: number;
  private state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quoted
  private cur = '';
  private cells: string[] = [];
  private line = 1;
  private recordLine = 1;
  private skipLf = false;
  private recordChars = 0;
  private pendingEmpty = 0;

  constructor(
    dialect: CsvDialect,
    private readonly onRecord: (cells: string[], line: number) => void,
    private readonly maxRecordChars = 1_000_000,
  ) {
    this.d = dialect.delimiter.charCodeAt(0);
    this.q = dialect.quoteChar.charCodeAt(0);
  }

  private emit(): void {
    const cells = this.cells;
    this.cells = [];
    this.recordChars = 0;
    if (cells.length === 1 && cells[0] === '') {
      // A physically empty line: held back until we know it is not at the end of the file.
      this.pendingEmpty++;
    } else {
      this.flushEmpty();
      this.onRecord(cells, this.recordLine);
    }
  }

  private flushEmpty(): void {
    while (this.pendingEmpty > 0) {
      this.pendingEmpty--;
      // Line of that empty record: lines are consecutive before the current record.
      this.onRecord([], this.recordLine - this.pendingEmpty - 1);
    }
  }

  push(chunk: string): void {
    const d = this.d;
    const q = this.q;
    const n = chunk.length;
    let i = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (n > 0 && chunk.charCodeAt(0) === 10) i = 1;
    }
    while (i < n) {
      const state = this.state;
      if (state === 0 || state === 1) {
        if (state === 0 && chunk.charCodeAt(i) === q) {
          this.state = 2;
          i++;
          continue;
        }
        // Unquoted: scan to the next delimiter or newline.
        let j = i;
        let c = 0;
        while (j < n) {
          c = chunk.charCodeAt(j);
          if (c === d || c === 10 || c === 13) break;
          j++;
        }
        if (j > i) {
          this.cur += chunk.slice(i, j);
          this.recordChars += j - i;
          if (this.recordChars > this.maxRecordChars) throw this.tooLong();
        }
        if (j >= n) {
          this.state = 1;
          return;
        }
        this.endCell(c, chunk, j);
        i = j + 1;
        if (c === 13) {
          if (i < n) {
            if (chunk.charCodeAt(i) === 10) i++;
          } else this.skipLf = true;
        }
      } else if (state === 2) {
        const j = chunk.indexOf(String.fromCharCode(q), i);
        const end = j < 0 ? n : j;
        const piece = chunk.slice(i, end);
        for (let k = 0; k < piece.length; k++) {
          const c = piece.charCodeAt(k);
          if (c === 10) this.line++;
          else if (c === 13 && piece.charCodeAt(k + 1) !== 10) this.line++;
        }
        this.cur += piece;
        this.recordChars += piece.length;
        if (this.recordChars > this.maxRecordChars) throw this.tooLong();
        if (j < 0) return;
        this.state = 3;
        i = j + 1;
      } else {
        // After a quote inside a quoted cell.
        const c = chunk.charCodeAt(i);
        if (c === q) {
          this.cur += String.fromCharCode(q);
          this.state = 2;
          i++;
        } else if (c === d || c === 10 || c === 13) {
          this.endCell(c, chunk, i);
          i++;
          if (c === 13) {
            if (i < n) {
              if (chunk.charCodeAt(i) === 10) i++;
            } else this.skipLf = true;
          }
        } else {
          // Lenient: characters after the closing quote are kept.
          this.state = 1;
        }
      }
    }
  }

  private endCell(c: number, _chunk: string, _at: number): void {
    this.cells.push(this.cur);
    this.cur = '';
    this.state = 0;
    if (c !== this.d) {
      this.emit();
      this.line++;
      this.recordLine = this.line;
    }
  }

  private tooLong(): CsvError {
    return new CsvError(
      `La ligne ${this.recordLine} du fichier dépasse ${this.maxRecordChars} caractères : guillemet non fermé ou fichier qui n'est pas un CSV.`,
      this.recordLine,
    );
  }

  end(): void {
    if (this.state === 2) {
      throw new CsvError(`Guillemet ouvert à la ligne ${this.recordLine} et jamais fermé : le fichier est tronqué ou mal formé.`, this.recordLine);
    }
    if (this.state !== 0 || this.cells.length > 0 || this.cur !== '') {
      this.cells.push(this.cur);
      this.cur = '';
      this.state = 0;
      this.emit();
    }
    // Trailing empty lines are dropped.
    this.pendingEmpty = 0;
  }
}
