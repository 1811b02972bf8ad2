/**
 * Text helpers for names and places: normalisation (accents, hyphens, apostrophes, particles),
 * a French phonetic key, and Jaro-Winkler similarity. Pure functions, shared by import, search,
 * bulk matching and the generator so that keys computed at import and at query time agree.
 */

/** Particles dropped from the comparison key of a last name (`DE LA FONTAINE` ≈ `LAFONTAINE`). */
const PARTICLES = new Set([
  'DE',
  'DU',
  'DES',
  'D',
  'LE',
  'LA',
  'LES',
  'L',
  'VAN',
  'VON',
  'DER',
  'DEN',
  'DI',
  'DA',
  'DEL',
  'DELLA',
  'DOS',
  'DAS',
  'Y',
  'EL',
  'AL',
  'BEN',
  'MC',
  'MAC',
  'ST',
  'SAINT',
  'STE',
  'SAINTE',
]);

/** Uppercase ASCII letters and single spaces: accents removed, hyphens/apostrophes/punctuation as spaces. */
export function normalize(s: string | null | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Œ/gi, 'OE')
    .replace(/Æ/gi, 'AE')
    .replace(/ß/g, 'SS')
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Tokens of a normalised name. */
export function tokens(s: string | null | undefined): string[] {
  const n = normalize(s);
  return n ? n.split(' ') : [];
}

/** Last-name key: normalised, particles removed (unless that leaves nothing), no spaces. */
export function lastNameKey(s: string | null | undefined): string {
  if (!s) return '';
  const hit = keyCache.get(s);
  if (hit !== undefined) return hit;
  const t = tokens(s).filter((x) => !/^\d+$/.test(x));
  const core = t.filter((x) => !PARTICLES.has(x));
  const out = (core.length ? core : t).join('');
  if (keyCache.size > 200_000) keyCache.clear();
  keyCache.set(s, out);
  return out;
}
const keyCache = new Map<string, string>();

/** First-name tokens, where a compound name (`JEAN-PIERRE`) stays one token `JEANPIERRE`. */
export function firstNameList(s: string | string[] | null | undefined): string[] {
  if (!s) return [];
  if (typeof s === 'string') {
    const hit = firstCache.get(s);
    if (hit) return hit;
  }
  const parts = Array.isArray(s) ? s : s.split(/[\s,]+/);
  const out = parts.map((p) => normalize(p).replace(/ /g, '')).filter(Boolean);
  if (typeof s === 'string') {
    if (firstCache.size > 200_000) firstCache.clear();
    firstCache.set(s, out);
  }
  return out;
}
const firstCache = new Map<string, string[]>();

/**
 * French phonetic key (a compact variant of the « phonex / soundex français » family): spelling
 * variants that sound alike (`PH`/`F`, `C`/`K`/`QU`, `EAU`/`AU`/`O`, `AI`/`EI`/`E`, silent endings,
 * double letters, `Y`/`I`) share a key. Used as a blocking key and as a scoring signal.
 */
export function phonetic(input: string | null | undefined): string {
  if (!input) return '';
  const hit = phoneticCache.get(input);
  if (hit !== undefined) return hit;
  const out = computePhonetic(input);
  if (phoneticCache.size > 200_000) phoneticCache.clear();
  phoneticCache.set(input, out);
  return out;
}
// Names repeat a lot (a few hundred thousand distinct last names in 27 M records): memoise.
const phoneticCache = new Map<string, string>();

function computePhonetic(input: string): string {
  let s = normalize(input).replace(/[^A-Z]/g, '');
  if (!s) return '';
  const rules: [RegExp, string][] = [
    [/^MAC/, 'MC'],
    [/Y/g, 'I'],
    [/PH/g, 'F'],
    [/BV/g, 'V'],
    [/GU([EI])/g, 'G$1'],
    [/G([EIY])/g, 'J$1'],
    [/QU/g, 'K'],
    [/Q/g, 'K'],
    [/SCH/g, 'CH'],
    [/SC([EI])/g, 'S$1'],
    [/C([EI])/g, 'S$1'],
    [/CH/g, '#'],
    [/CK/g, 'K'],
    [/C/g, 'K'],
    [/#/g, 'CH'],
    [/W/g, 'V'],
    [/Z/g, 'S'],
    [/TH/g, 'T'],
    [/EAU/g, 'O'],
    [/AU/g, 'O'],
    [/OU/g, 'U'],
    [/(AI|EI|ET$|EZ$|ER$)/g, 'E'],
    [/(AIN|EIN|IN|UN)(?![AEIOU])/g, '1'],
    [/(AN|EN)(?![AEIOU])/g, '2'],
    [/(AM|EM)(?=[BP])/g, '2'],
    [/ON(?![AEIOU])/g, '3'],
    [/H/g, ''],
    [/([A-Z])\1+/g, '$1'],
    [/X$/g, ''],
    [/([A-Z])[TDSX]$/g, '$1'],
    [/([A-Z])E$/g, '$1'],
  ];
  for (const [re, by] of rules) s = s.replace(re, by);
  s = s.replace(/([A-Z0-9])\1+/g, '$1');
  return s.slice(0, 12);
}

/** Scratch buffers of the similarity functions (no allocation per comparison: bulk matching makes millions). */
let matchA = new Uint8Array(64);
let matchB = new Uint8Array(64);
let rowPrev = new Int32Array(64);
let rowCur = new Int32Array(64);

/** Jaro-Winkler similarity in [0, 1]. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  if (!a.length || !b.length) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  if (a.length > matchA.length) matchA = new Uint8Array(a.length * 2);
  if (b.length > matchB.length) matchB = new Uint8Array(b.length * 2);
  const am = matchA.fill(0, 0, a.length);
  const bm = matchB.fill(0, 0, b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - range);
    const hi = Math.min(i + range + 1, b.length);
    const ca = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (bm[j] || ca !== b.charCodeAt(j)) continue;
      am[i] = bm[j] = 1;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!am[i]) continue;
    while (!bm[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - t / 2) / m) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Levenshtein distance, bounded (returns `max + 1` as soon as it is exceeded). */
export function levenshtein(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (b.length + 1 > rowPrev.length) {
    rowPrev = new Int32Array((b.length + 1) * 2);
    rowCur = new Int32Array((b.length + 1) * 2);
  }
  let prev = rowPrev;
  let cur = rowCur;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return prev[b.length]!;
}

/**
 * Spellings one typo away from a word (two adjacent letters swapped, a letter missing or one too many):
 * their phonetic keys find `martin` from `maritn` or `martn`, which change the word's own key.
 * At most `max` keys; the word's own key first.
 */
export function typoKeys(word: string, key: (w: string) => string = phonetic, max = 120): string[] {
  const w = word;
  const out = new Set<string>([key(w)]);
  const add = (v: string) => {
    if (v.length >= 2 && out.size < max) out.add(key(v));
  };
  for (let i = 0; i + 1 < w.length; i++) add(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
  for (let i = 0; i < w.length; i++) add(w.slice(0, i) + w.slice(i + 1));
  for (let i = 0; i <= w.length; i++) for (const c of 'AEIOUY') add(w.slice(0, i) + c + w.slice(i));
  out.delete('');
  return [...out];
}
