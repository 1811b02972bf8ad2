import { blake3 } from '@noble/hashes/blake3.js';

/**
 * matchID's record id, as deces-dataprep computes it (`recipes/deces_dataprep.yml`, first steps):
 *
 * 1. the INSEE line is read by pandas `read_fwf` (latin1, widths 80 1 8 5 30 30 8 5 10, every field
 *    stripped of spaces, tabs, CR and LF, empty fields kept as '');
 * 2. `normalize` on NOM_PRENOMS, COMMUNE_NAISSANCE, PAYS_NAISSANCE and NUM_DECES: Unicode NFKD,
 *    then every non-ASCII character dropped;
 * 3. `UID = base64.urlsafe_b64encode(blake3(str(tuple(row)).encode('utf-8')).digest())[:12]`, where
 *    `str(tuple(row))` is Python's repr of the tuple of the nine strings.
 *
 * NUM_DECES is cut to 9 characters only after the id is computed, hence the width of 10 here.
 * Written from the recipe and Python's documented repr rules; no code of theirs.
 */
export const MATCHID_WIDTHS = [80, 1, 8, 5, 30, 30, 8, 5, 10] as const;
const NORMALISED = new Set([0, 4, 5, 8]);
const STRIP = /^[\r\n\t ]+|[\r\n\t ]+$/g;

/** The nine fields of a fixed-width line (a latin1 string: one byte, one character) as pandas reads them. */
export function matchidFields(line: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (const w of MATCHID_WIDTHS) {
    out.push(line.slice(pos, pos + w).replace(STRIP, ''));
    pos += w;
  }
  return out;
}

// Python's str.isprintable() is false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs but the space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python 3's `repr()` of a str. */
export function pythonRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp < 0x100) out += '\\x' + cp.toString(16).padStart(2, '0');
      else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
      else out += '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + q;
}

/** Python 3's `str(tuple(values))` for strings. */
export function pythonTupleRepr(values: string[]): string {
  if (values.length === 1) return `(${pythonRepr(values[0]!)},)`;
  return `(${values.map(pythonRepr).join(', ')})`;
}

/** Python's `s.normalize('NFKD').encode('ASCII', errors='ignore').decode('ASCII')`. */
const normalise = (s: string) => [...s.normalize('NFKD')].filter((c) => c.codePointAt(0)! < 0x80).join('');

/** matchID's id of a record from its nine raw fields (already stripped, as {@link matchidFields} gives them). */
export function matchidIdOfFields(fields: string[]): string {
  const row = fields.map((f, i) => (NORMALISED.has(i) ? normalise(f) : f));
  const digest = blake3(new TextEncoder().encode(pythonTupleRepr(row)));
  return Buffer.from(digest).toString('base64url').slice(0, 12);
}

/** matchID's id of a fixed-width INSEE line. */
export function matchidId(line: string): string {
  return matchidIdOfFields(matchidFields(line));
}
