/** XLSX (OOXML) and ODS readers on top of our zip reader: first sheet, rows streamed. */
import { XmlTokenizer } from './xml.ts';
import { ZipError, type ZipLimits, ZipReader } from './zip.ts';

/** A row: cells as text, `null` for an empty cell between filled ones; trailing empty cells are cut. */
export type SheetRow = (string | null)[];

const SMALL_PART = 64 * 1024 * 1024;
const MAX_COLUMNS = 16_384;
const MAX_GAP_ROWS = 1_000_000;

function colIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n - 1;
}

function rowIndex(ref: string): number | null {
  const m = /(\d+)$/.exec(ref);
  return m ? Number(m[1]) : null;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

function isDateFormat(code: string): boolean {
  const stripped = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[dmyhs]/i.test(stripped) && !/^[#0.,%\s]*$/.test(stripped);
}

/** Excel serial date (1900 system) to ISO text. */
export function excelSerialToIso(serial: number, withTime: boolean): string {
  const ms = Math.round((serial - 25569) * 86400 * 1000);
  const d = new Date(ms);
  const iso = d.toISOString();
  if (!withTime || Number.isInteger(serial)) return iso.slice(0, 10);
  return iso.slice(0, 19);
}

async function readXml(zip: ZipReader, name: string, h: Parameters<typeof makeTok>[0]): Promise<void> {
  const tok = makeTok(h);
  const dec = new TextDecoder('utf-8');
  for await (const chunk of zip.stream(name)) tok.push(dec.decode(chunk, { stream: true }));
  tok.push(dec.decode());
}
function makeTok(h: ConstructorParameters<typeof XmlTokenizer>[0]): XmlTokenizer {
  return new XmlTokenizer(h);
}

function strip(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export async function* readXlsx(path: string, limits?: ZipLimits): AsyncGenerator<SheetRow> {
  const zip = await ZipReader.open(path, limits);
  if (!zip.has('xl/workbook.xml')) throw new ZipError("Ce fichier n'est pas un classeur XLSX (xl/workbook.xml absent).");
  // First sheet's part.
  let firstRid: string | null = null;
  await readXml(zip, 'xl/workbook.xml', {
    open(n, a) {
      if (firstRid === null && strip(n) === 'sheet') firstRid = a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? null;
    },
    close() {},
    text() {},
  });
  let sheetPath = 'xl/worksheets/sheet1.xml';
  if (firstRid && zip.has('xl/_rels/workbook.xml.rels')) {
    await readXml(zip, 'xl/_rels/workbook.xml.rels', {
      open(n, a) {
        if (strip(n) === 'Relationship' && a.Id === firstRid && a.Target) {
          const t = a.Target.replace(/^\//, '');
          sheetPath = t.startsWith('xl/') ? t : `xl/${t}`;
        }
      },
      close() {},
      text() {},
    });
  }
  if (!zip.has(sheetPath)) throw new ZipError(`Feuille « ${sheetPath} » absente du classeur.`);

  const shared: string[] = [];
  if (zip.has('xl/sharedStrings.xml')) {
    let inSi = false;
    let inT = false;
    let inRph = false;
    let cur = '';
    let chars = 0;
    await readXml(zip, 'xl/sharedStrings.xml', {
      open(n) {
        const s = strip(n);
        if (s === 'si') {
          inSi = true;
          cur = '';
        } else if (s === 'rPh') inRph = true;
        else if (s === 't' && inSi && !inRph) inT = true;
      },
      close(n) {
        const s = strip(n);
        if (s === 'si') {
          shared.push(cur);
          chars += cur.length;
          if (chars > SMALL_PART) throw new ZipError('Table des chaînes partagées du classeur trop grande.');
          inSi = false;
        } else if (s === 'rPh') inRph = false;
        else if (s === 't') inT = false;
      },
      text(t) {
        if (inT) cur += t;
      },
    });
  }

  const dateStyles = new Set<number>();
  if (zip.has('xl/styles.xml')) {
    const custom = new Map<number, string>();
    const xfFormats: number[] = [];
    let inCellXfs = false;
    await readXml(zip, 'xl/styles.xml', {
      open(n, a) {
        const s = strip(n);
        if (s === 'numFmt' && a.numFmtId) custom.set(Number(a.numFmtId), a.formatCode ?? '');
        else if (s === 'cellXfs') inCellXfs = true;
        else if (s === 'xf' && inCellXfs) xfFormats.push(Number(a.numFmtId ?? 0));
      },
      close(n) {
        if (strip(n) === 'cellXfs') inCellXfs = false;
      },
      text() {},
    });
    xfFormats.forEach((id, i) => {
      const code = custom.get(id);
      if (BUILTIN_DATE_FORMATS.has(id) || (code !== undefined && isDateFormat(code))) dateStyles.add(i);
    });
  }

  // Sheet: rows are collected by the handler and yielded between chunks.
  const ready: SheetRow[] = [];
  let expectedRow = 1;
  let row: SheetRow = [];
  let cellCol = -1;
  let cellType = 'n';
  let cellStyle = 0;
  let inV = false;
  let inIs = false;
  let inT = false;
  let val = '';
  let has = false;
  let nextCol = 0;
  const tok = new XmlTokenizer({
    open(n, a) {
      const s = strip(n);
      if (s === 'row') {
        const r = a.r ? Number(a.r) : expectedRow;
        if (r > expectedRow) {
          if (r - expectedRow > MAX_GAP_ROWS) throw new ZipError('Feuille démesurée : trop de lignes vides.');
          for (let k = expectedRow; k < r; k++) ready.push([]);
        }
        expectedRow = r + 1;
        row = [];
        nextCol = 0;
      } else if (s === 'c') {
        cellCol = a.r ? colIndex(a.r) : nextCol;
        if (a.r && rowIndex(a.r) === null) cellCol = nextCol;
        if (cellCol >= MAX_COLUMNS) throw new ZipError('Feuille démesurée : trop de colonnes.');
        cellType = a.t ?? 'n';
        cellStyle = Number(a.s ?? 0);
        val = '';
        has = false;
      } else if (s === 'v') inV = true;
      else if (s === 'is') inIs = true;
      else if (s === 't' && inIs) inT = true;
    },
    close(n) {
      const s = strip(n);
      if (s === 'v') inV = false;
      else if (s === 't') inT = false;
      else if (s === 'is') inIs = false;
      else if (s === 'c') {
        if (has) {
          let text = val;
          if (cellType === 's') text = shared[Number(val)] ?? '';
          else if (cellType === 'b') text = val === '1' ? 'true' : 'false';
          else if (cellType === 'n' && dateStyles.has(cellStyle) && val !== '') {
            const num = Number(val);
            if (Number.isFinite(num)) text = excelSerialToIso(num, true);
          }
          while (row.length < cellCol) row.push(null);
          row[cellCol] = text === '' ? null : text;
        }
        nextCol = cellCol + 1;
      } else if (s === 'row') {
        while (row.length > 0 && row[row.length - 1] === null) row.pop();
        ready.push(row);
      }
    },
    text(t) {
      if (inV || inT) {
        val += t;
        has = true;
      }
    },
  });
  const dec = new TextDecoder('utf-8');
  for await (const chunk of zip.stream(sheetPath)) {
    tok.push(dec.decode(chunk, { stream: true }));
    yield* ready.splice(0, ready.length);
  }
  tok.push(dec.decode());
  yield* ready.splice(0, ready.length);
}

export async function* readOds(path: string, limits?: ZipLimits): AsyncGenerator<SheetRow> {
  const zip = await ZipReader.open(path, limits);
  if (!zip.has('content.xml')) throw new ZipError("Ce fichier n'est pas un classeur ODS (content.xml absent).");
  const ready: SheetRow[] = [];
  let tableDepth = 0;
  let tablesSeen = 0;
  let row: SheetRow = [];
  let rowRepeat = 1;
  let pendingBlankRows = 0;
  let cellRepeat = 1;
  let cellValue: string | null = null;
  let cellText = '';
  let inP = 0;
  let pendingNulls = 0;
  const tok = new XmlTokenizer({
    open(n, a, self) {
      if (n === 'table:table') {
        tableDepth++;
        tablesSeen++;
      }
      if (tableDepth !== 1 || tablesSeen !== 1) return;
      if (n === 'table:table-row') {
        row = [];
        pendingNulls = 0;
        rowRepeat = Math.min(Number(a['table:number-rows-repeated'] ?? 1) || 1, MAX_GAP_ROWS);
      } else if (n === 'table:table-cell' || n === 'table:covered-table-cell') {
        cellRepeat = Math.min(Number(a['table:number-columns-repeated'] ?? 1) || 1, MAX_COLUMNS);
        const type = a['office:value-type'];
        cellValue =
          type === 'float' || type === 'percentage' || type === 'currency'
            ? (a['office:value'] ?? null)
            : type === 'date'
              ? (a['office:date-value'] ?? null)
              : type === 'boolean'
                ? (a['office:boolean-value'] ?? null)
                : type === 'time'
                  ? (a['office:time-value'] ?? null)
                  : null;
        cellText = '';
        if (self) cellValue = cellValue ?? null;
      } else if (n === 'text:p') {
        if (inP === 0 && cellText !== '') cellText += '\n';
        inP++;
      } else if (n === 'text:s') cellText += ' '.repeat(Number(a['text:c'] ?? 1) || 1);
      else if (n === 'text:tab') cellText += '\t';
      else if (n === 'text:line-break') cellText += '\n';
    },
    close(n) {
      if (n === 'table:table') {
        tableDepth--;
        return;
      }
      if (tableDepth !== 1 || tablesSeen !== 1) return;
      if (n === 'text:p') inP--;
      else if (n === 'table:table-cell' || n === 'table:covered-table-cell') {
        const v = cellValue ?? (cellText === '' ? null : cellText);
        if (v === null) pendingNulls += cellRepeat;
        else {
          if (row.length + pendingNulls + cellRepeat > MAX_COLUMNS) throw new ZipError('Feuille démesurée : trop de colonnes.');
          for (let k = 0; k < pendingNulls; k++) row.push(null);
          pendingNulls = 0;
          for (let k = 0; k < cellRepeat; k++) row.push(v);
        }
      } else if (n === 'table:table-row') {
        if (row.length === 0) pendingBlankRows += rowRepeat;
        else {
          for (let k = 0; k < pendingBlankRows; k++) ready.push([]);
          pendingBlankRows = 0;
          for (let k = 0; k < rowRepeat; k++) ready.push(row);
        }
      }
    },
    text(t) {
      if (inP > 0) cellText += t;
    },
  });
  const dec = new TextDecoder('utf-8');
  for await (const chunk of zip.stream('content.xml')) {
    tok.push(dec.decode(chunk, { stream: true }));
    yield* ready.splice(0, ready.length);
  }
  tok.push(dec.decode());
  yield* ready.splice(0, ready.length);
}
