/**
 * Understanding a catalogue query (ADR 0106), without the database: words, French stop words,
 * synonym expressions of the data team's list, and the full-text queries built from them — one per
 * term, all terms together (strict), or « at least m of the n terms » (relaxed). Only letters and
 * digits reach to_tsquery, so no user text can inject operators.
 */

/** PostgreSQL's French stop words (`tsearch_data/french.stop`): `fr_unaccent` drops them from queries. */
const STOP_WORDS = new Set(
  (
    'au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ' +
    'ses son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes suis es est sommes êtes sont ' +
    'serai seras sera serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons ' +
    'soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez ' +
    'auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût ' +
    'eussions eussiez eussent'
  ).split(' '),
);

/** At most this many terms take part in a query (the rest of a long query is ignored). */
export const MAX_TERMS = 8;
/** A relaxed tier « m of n » is tried only when it has at most this many combinations of m terms. */
const MAX_COMBINATIONS = 70;

/** Lower-case text without diacritics, as unaccent() folds titles. */
export function foldAccents(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae');
}

/** The words of a text, lower-case (letters and digits only). */
export function wordsOf(s: string): string[] {
  return (s.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase());
}

export const isStopWord = (w: string) => STOP_WORDS.has(w);

/** The content words of an expression, folded (stop words left out, unless nothing else remains). */
export function contentWords(s: string): string[] {
  const ws = wordsOf(s);
  const content = ws.filter((w) => !isStopWord(w));
  return (content.length ? content : ws).map(foldAccents);
}

/** The data team's synonym groups, indexed by the content words of each expression. */
export interface SynonymIndex {
  /** Key: content words of an expression joined by a space; value: the groups holding it. */
  byKey: Map<string, { expression: string; group: string[] }[]>;
  /** Longest expression, in content words. */
  longest: number;
}

export function buildSynonymIndex(groups: { terms: string[] }[]): SynonymIndex {
  const byKey: SynonymIndex['byKey'] = new Map();
  let longest = 0;
  for (const g of groups)
    for (const t of g.terms) {
      const cw = contentWords(t);
      if (cw.length === 0) continue;
      longest = Math.max(longest, cw.length);
      const key = cw.join(' ');
      byKey.set(key, [...(byKey.get(key) ?? []), { expression: t, group: g.terms }]);
    }
  return { byKey, longest };
}

/** One term of a query: a word, or a synonym expression, with what it may also be. */
export interface QueryTerm {
  /** As typed (the words of the query it covers). */
  text: string;
  /** Folded content words as typed. */
  words: string[];
  /** The last term of the query: its last typed word is a prefix (results while typing). */
  prefix: boolean;
  /** Other expressions of its synonym groups (folded content words). */
  synonyms: { expression: string; words: string[] }[];
  /** Correction of a misspelt single word (a title word), when any. */
  correction?: string;
}

/** The terms of a query: content words, synonym expressions matched greedily (longest first). */
export function analyseQuery(q: string, synonyms: SynonymIndex): QueryTerm[] {
  const raw = wordsOf(q);
  if (raw.length === 0) return [];
  // Stop words apart (they carry no meaning for the search), unless the query is only stop words.
  const kept = raw.filter((w) => !isStopWord(w));
  const ws = (kept.length ? kept : raw).map((w) => ({ typed: w, folded: foldAccents(w) }));
  const terms: QueryTerm[] = [];
  for (let i = 0; i < ws.length && terms.length < MAX_TERMS;) {
    let matched: { n: number; groups: { expression: string; group: string[] }[] } | null = null;
    for (let n = Math.min(synonyms.longest, ws.length - i); n >= 1 && !matched; n--) {
      const key = ws
        .slice(i, i + n)
        .map((w) => w.folded)
        .join(' ');
      const gs = synonyms.byKey.get(key);
      if (gs) matched = { n, groups: gs };
    }
    const n = matched?.n ?? 1;
    const part = ws.slice(i, i + n);
    const words = part.map((w) => w.folded);
    const seen = new Set([words.join(' ')]);
    const syn: QueryTerm['synonyms'] = [];
    for (const g of matched?.groups ?? [])
      for (const e of g.group) {
        const cw = contentWords(e);
        const key = cw.join(' ');
        if (cw.length && !seen.has(key)) {
          seen.add(key);
          syn.push({ expression: e, words: cw });
        }
      }
    terms.push({ text: part.map((w) => w.typed).join(' '), words, prefix: i + n === ws.length, synonyms: syn });
    i += n;
  }
  return terms;
}

const safe = (w: string) => /^[\p{L}\p{N}]+$/u.test(w);

/**
 * The stems of words as `fr_unaccent` makes them, in tsquery syntax (`'dec'`; null for a stop word):
 * asked once to the database (`to_tsquery('fr_unaccent', w)`), then built into queries as text, so that
 * the prefix of the last word is the typed word and not its stem.
 */
export type Stems = (word: string) => string | null;

/** Every word whose stem a term's query needs (typed words, correction, synonyms). */
export function wordsToStem(terms: QueryTerm[]): string[] {
  return [...new Set(terms.flatMap((t) => [...t.words, ...(t.correction ? [t.correction] : []), ...t.synonyms.flatMap((s) => s.words)]))].filter(safe);
}

/**
 * The full-text query of one term (tsquery syntax, lexemes quoted): what was typed, its correction and
 * its synonyms, as alternatives. The last typed word of the query matches its stem or any word that
 * starts with it as typed (`'dec' | 'deces':*`): prefixing the stem instead (`'dec':*`) made « décès »
 * match « déclaré », « décembre »… (44 % of a generated catalogue).
 */
export function termTsQuery(t: QueryTerm, stem: Stems): string {
  const word = (w: string, prefix: boolean) => {
    if (!safe(w)) return '';
    const s = stem(w);
    if (!prefix) return s ? `(${s})` : '';
    return s ? `((${s}) | '${w}':*)` : `'${w}':*`;
  };
  const and = (ws: string[], prefix: boolean) => {
    const parts = ws.map((w, i) => word(w, prefix && i === ws.length - 1)).filter(Boolean);
    return parts.length > 1 ? `(${parts.join(' & ')})` : (parts[0] ?? '');
  };
  const alts = [and(t.words, t.prefix)];
  if (t.correction && safe(t.correction) && t.correction !== t.words[0]) alts.push(and([t.correction], t.prefix));
  for (const s of t.synonyms) alts.push(and(s.words, false));
  const xs = [...new Set(alts.filter(Boolean))];
  return xs.length > 1 ? `(${xs.join(' | ')})` : (xs[0] ?? '');
}

/** The same query restricted to one weight of the stored tsvector: `'w'` → `'w':A`, `'w':*` → `'w':*A`. */
export function weighted(tsq: string, weight: 'A' | 'B' | 'C'): string {
  return tsq.replace(/'([^']*)'(:\*)?/gu, (_m, w: string, star?: string) => (star ? `'${w}':*${weight}` : `'${w}':${weight}`));
}

function combinations<T>(xs: T[], m: number): T[][] {
  if (m === 0) return [[]];
  if (xs.length < m) return [];
  const [first, ...rest] = xs;
  return [...combinations(rest, m - 1).map((c) => [first!, ...c]), ...combinations(rest, m)];
}

/** Number of combinations of m among n. */
export function choose(n: number, m: number): number {
  let r = 1;
  for (let i = 1; i <= m; i++) r = (r * (n - m + i)) / i;
  return Math.round(r);
}

/**
 * Assets matching at least `m` of the term queries: a disjunction of the conjunctions of m terms
 * (m = n: all of them, the strict query; m = 1: any). Null when there are too many combinations.
 */
export function atLeastTsQuery(termQueries: string[], m: number): string | null {
  const qs = termQueries.filter(Boolean);
  if (qs.length === 0 || m < 1 || m > qs.length) return null;
  if (m === qs.length) return qs.join(' & ');
  if (m === 1) return qs.join(' | ');
  if (choose(qs.length, m) > MAX_COMBINATIONS) return null;
  return combinations(qs, m)
    .map((c) => `(${c.join(' & ')})`)
    .join(' | ');
}
