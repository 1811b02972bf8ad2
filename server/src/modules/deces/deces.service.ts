import { pointOf } from './geo.ts';
import fs from 'node:fs';
import { aggNames, type AggName, type AggResponse, type Person, type VersionResponse } from '@patrimoine/contracts/deces';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, fieldError } from '../../platform/errors.ts';
import { createDecesRepository, type BlockingKeys, type CorrectionRow, type RecordFilter, type RecordRow, type CandidateRow } from './deces.repository.ts';
import { recordKeys, titleCase } from './insee.ts';
import { prepareQuery, scoreFreeText, scoreRecord, type DateQuery, type PersonQuery, type ScoreResult } from './score.ts';
import { parseDateQuery, parseSearchRequest, type SearchRequest } from './request.ts';
import { withMsg } from './matchid.ts';
import { firstNameList, lastNameKey, normalize, phonetic, tokens, typoKeys } from './text.ts';

/** `backend` of `/version`: this platform's version (matchID gives its APP_VERSION). */
const BACKEND_VERSION = (JSON.parse(fs.readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
import { cog, COUNTRIES } from './cog.ts';

/** Candidates read per search before scoring (bounded work per request whatever the table size). */
const CANDIDATE_LIMIT = 1000;
/** Below this score a fuzzy candidate is not a result. */
export const MIN_SCORE = 0.35;
/** Below this best score, the trigram fallback runs. */
const FALLBACK_BELOW = 0.8;

/** A person in matchID's response shape (the contract's `person`). */
export type PersonOut = Person;

/** A record with its validated corrections applied (corrections are what the record should say). */
function corrected(r: RecordRow, mods: CorrectionRow[]): RecordRow {
  if (!mods.length) return r;
  const out = { ...r };
  for (const m of mods) {
    const f = m.fields as Record<string, string>;
    if (f.lastName) out.lastName = f.lastName;
    if (f.firstName) out.firstNames = f.firstName;
    if (f.sex) out.sex = f.sex;
    if (f.birthDate) out.birthDate = f.birthDate;
    if (f.birthCity) out.birthCity = f.birthCity;
    if (f.birthLocationCode) out.birthCode = f.birthLocationCode;
    if (f.deathDate) out.deathDate = f.deathDate;
    if (f.deathLocationCode) out.deathCode = f.deathLocationCode;
    if (f.birthCountry) out.birthCountry = f.birthCountry;
    if (f.deathCity) out.deathCity = f.deathCity;
    if (f.deathCountry) out.deathCountry = f.deathCountry;
    if (f.deathAge) out.age = Number(f.deathAge);
  }
  return out;
}

/** Place name as matchID serves it: the COG's name when the code is known, else the file's text in title case. */
function cityName(code: string, inClear: string): string {
  const known = code && !code.startsWith('99') && !/990$/.test(code) ? cog().commune(code) : undefined;
  return known?.name ?? (inClear ? titleCase(inClear) : '');
}

/** A record in matchID's response shape (names in title case as matchID serves them). */
export function toPerson(r: CandidateRow, s: ScoreResult | null, mods: CorrectionRow[] = []): PersonOut {
  const p: PersonOut = {
    score: s?.score ?? 1,
    scores: s?.scores ?? {},
    reasons: s?.reasons ?? [],
    id: r.matchidId ?? r.id,
    name: { first: r.firstNames ? r.firstNames.split(' ').map(titleCase) : [], last: titleCase(r.lastName) },
    sex: r.sex,
    birth: {
      date: r.birthDate,
      location: {
        city: cityName(r.birthCode, r.birthCity),
        code: r.birthCode,
        cityCode: r.birthCode,
        departmentCode: r.birthDepartment,
        country: r.birthCountry || (r.birthCode.startsWith('99') ? (COUNTRIES[r.birthCode]?.name ?? '') : ''),
        countryCode: r.birthCountryCode,
        ...coordinates(r.birthCode),
      },
    },
    death: {
      date: r.deathDate,
      certificateId: r.certificateId,
      age: r.age,
      location: {
        city: cityName(r.deathCode, r.deathCity),
        code: r.deathCode,
        cityCode: r.deathCode,
        departmentCode: r.deathDepartment,
        country: r.deathCountry || (r.deathCode.startsWith('99') ? (COUNTRIES[r.deathCode]?.name ?? '') : ''),
        countryCode: r.deathCountryCode,
        ...coordinates(r.deathCode),
      },
    },
    source: r.source,
    flags: r.flags ? r.flags.split(',') : [],
  };
  if (mods.length) p.modifications = mods.map((m) => ({ id: m.id, date: m.reviewedAt?.toISOString() ?? null, fields: m.fields as Record<string, string> }));
  return p;
}

/** matchID's `latitude`/`longitude` of a location: the commune's point, in France only. */
function coordinates(code: string): { latitude?: number; longitude?: number } {
  const p = code && !code.startsWith('99') ? pointOf(code) : null;
  return p ? { latitude: p.lat, longitude: p.lon } : {};
}

const dateFilter = (on: 'birth' | 'death', date: DateQuery): RecordFilter => ({ kind: 'date', on, date });

/** Conditions that are filters in every mode, free text included: postal codes, `lastSeenAliveDate`, `source`. */
function hardFilters(p: PersonQuery): RecordFilter[] {
  const f: RecordFilter[] = [];
  if (p.birthCodes?.length) f.push({ kind: 'codeIn', on: 'birth', codes: p.birthCodes });
  if (p.deathCodes?.length) f.push({ kind: 'codeIn', on: 'death', codes: p.deathCodes });
  if (p.diedFrom) f.push({ kind: 'diedFrom', date: p.diedFrom });
  if (p.source) f.push({ kind: 'source', value: p.source });
  return f;
}

/** The commune codes of a filter as a set, built once per request (a geo radius gives thousands). */
const codeSets = new WeakMap<string[], Set<string>>();
function codeSet(codes: string[]): Set<string> {
  let s = codeSets.get(codes);
  if (!s) codeSets.set(codes, (s = new Set(codes)));
  return s;
}

/** Whether a record satisfies {@link hardFilters} (candidates found by other paths are checked too). */
function passesHard(p: PersonQuery, r: RecordRow): boolean {
  return (
    (!p.birthCodes?.length || codeSet(p.birthCodes).has(r.birthCode)) &&
    (!p.deathCodes?.length || codeSet(p.deathCodes).has(r.deathCode)) &&
    (!p.diedFrom || r.deathDate >= p.diedFrom) &&
    (!p.source || r.source === p.source || r.source === `deces-${p.source}`)
  );
}

/** Filters that hold whatever the fuzziness: ranges, and everything when `fuzzy=false`. */
function filtersOf(p: PersonQuery, fuzzy: boolean): RecordFilter[] {
  const f: RecordFilter[] = hardFilters(p);
  if (p.birthDate && (p.birthDate.kind === 'range' || !fuzzy)) f.push(dateFilter('birth', p.birthDate));
  if (p.deathDate && (p.deathDate.kind === 'range' || !fuzzy)) f.push(dateFilter('death', p.deathDate));
  if (p.deathAge && (!fuzzy || p.deathAge.from !== p.deathAge.to)) f.push({ kind: 'age', from: p.deathAge.from, to: p.deathAge.to });
  if (!fuzzy) {
    if (p.lastName) f.push({ kind: 'eq', column: 'lastKey', value: lastNameKey(p.lastName) });
    const first = firstNameList(p.firstName)[0];
    if (first) f.push({ kind: 'firstName', key: first });
    if (p.sex) f.push({ kind: 'eq', column: 'sex', value: p.sex });
    if (p.birthLocationCode) f.push({ kind: 'eq', column: 'birthCode', value: p.birthLocationCode });
    if (p.deathLocationCode) f.push({ kind: 'eq', column: 'deathCode', value: p.deathLocationCode });
    if (p.birthDepartment) f.push({ kind: 'eq', column: 'birthDepartment', value: p.birthDepartment });
    if (p.deathDepartment) f.push({ kind: 'eq', column: 'deathDepartment', value: p.deathDepartment });
    if (p.birthCity) f.push({ kind: 'birthCityPrefix', prefix: normalize(p.birthCity) });
  }
  if (fuzzy && p.birthDepartment && !p.birthCity && !p.birthLocationCode && !p.lastName && !p.firstName)
    f.push({ kind: 'eq', column: 'birthDepartment', value: p.birthDepartment });
  if (fuzzy && p.deathDepartment && !p.lastName && !p.firstName) f.push({ kind: 'eq', column: 'deathDepartment', value: p.deathDepartment });
  return f;
}

function compareBy(sort: SearchRequest['sort']) {
  return (a: { score: number; id: string; _r: RecordRow }, b: { score: number; id: string; _r: RecordRow }) => {
    for (const s of sort) {
      const av = s.field === 'score' ? a.score : (a._r as unknown as Record<string, unknown>)[s.field];
      const bv = s.field === 'score' ? b.score : (b._r as unknown as Record<string, unknown>)[s.field];
      if (av === bv) continue;
      const cmp = (av ?? '') < (bv ?? '') ? -1 : 1;
      return s.dir === 'asc' ? cmp : -cmp;
    }
    return b.score - a.score || a.id.localeCompare(b.id);
  };
}

/** The key of a person in an aggregation (names and places as served). */
function personAggKey(p: PersonOut, a: AggName): string {
  switch (a) {
    case 'deathMonth':
      return p.death.date.slice(0, 6);
    case 'deathYear':
      return p.death.date.slice(0, 4);
    case 'birthYear':
      return p.birth.date.slice(0, 4);
    case 'sex':
      return p.sex;
    case 'deathAge':
      return p.death.age === null || p.death.age === undefined ? '' : String(p.death.age);
    case 'birthDepartment':
      return p.birth.location.departmentCode ?? '';
    case 'deathDepartment':
      return p.death.location.departmentCode ?? '';
    case 'birthCountry':
      return p.birth.location.country ?? '';
    case 'deathCountry':
      return p.death.location.country ?? '';
    case 'birthDate':
      return p.birth.date;
    case 'deathDate':
      return p.death.date;
    case 'birthCity':
      return p.birth.location.city ?? '';
    case 'deathCity':
      return p.death.location.city ?? '';
    case 'firstName':
      return p.name.first[0] ?? '';
    case 'lastName':
      return p.name.last;
  }
}

export function createDecesService(ctx: AppContext) {
  const repo = createDecesRepository(ctx.db);

  // Whether any correction was validated, cached briefly: most searches then skip two queries.
  let anyValidated: { value: boolean; at: number } = { value: true, at: 0 };
  async function hasValidated(): Promise<boolean> {
    if (Date.now() - anyValidated.at > 5_000) anyValidated = { value: await repo.anyValidatedCorrection(), at: Date.now() };
    return anyValidated.value;
  }

  async function withCorrections(rows: RecordRow[]): Promise<Map<string, CorrectionRow[]>> {
    if (!rows.length || !(await hasValidated())) return new Map();
    const mods = await repo.validatedCorrections(rows.map((r) => r.id));
    const m = new Map<string, CorrectionRow[]>();
    for (const c of mods) m.set(c.recordId, [...(m.get(c.recordId) ?? []), c]);
    return m;
  }

  /** Runs a search: candidates through the indexes, scored, filtered, sorted, paginated. */
  async function search(req: SearchRequest, opts: { all?: boolean } = {}): Promise<{ total: number; persons: PersonOut[] }> {
    const p = req.person;
    let rows: RecordRow[] = [];
    /** Key sets of the name searches, kept for the trigram fallback. */
    const keySets: { k: Partial<BlockingKeys>; filters: RecordFilter[] }[] = [];
    const filters = filtersOf(p, req.fuzzy);
    const byKeys = async () => {
      const seen = new Map<string, RecordRow>();
      for (const ks of keySets) for (const r of await repo.candidates(ks.k, ks.filters, CANDIDATE_LIMIT)) seen.set(r.id, r);
      return seen;
    };
    if (req.q) {
      const { names, dates } = req.q;
      const hard = hardFilters(p);
      const dateF: RecordFilter[] = [...(dates.length ? [{ kind: 'anyDate' as const, dates }] : []), ...hard];
      if (!names.length) rows = (await repo.filtered(dateF, CANDIDATE_LIMIT)).rows;
      else {
        const exactDate = dates.find((d) => d.kind === 'exact' && !d.value.endsWith('00')) as { value: string } | undefined;
        for (const [i, t] of names.slice(0, 4).entries()) {
          const others = names.filter((_, j) => j !== i);
          const lk = lastNameKey(t);
          const base = { lastPhon: phonetic(lk), lastKey: lk, firstPhon: others.length ? phonetic(firstNameList(others[0]!)[0]) : '' };
          // The names alone (a date in q may be the death date: `dupont jean 16/01/2020`), and with
          // the date read as a birth date (narrower blocks for common names).
          keySets.push({ k: base, filters: req.fuzzy ? hard : dateF });
          if (exactDate)
            keySets.push({
              k: { ...base, birthDate: exactDate.value, birthYear: Number(exactDate.value.slice(0, 4)) },
              filters: req.fuzzy ? hard : dateF,
            });
        }
        const seen = await byKeys();
        // A single word is tried as a first name too (`q=alban`: people named Alban, not only the Albans).
        if (names.length === 1) {
          const fk = firstNameList(names[0]!)[0];
          if (fk) for (const r of await repo.byFirstPhons([phonetic(fk)], req.fuzzy ? hard : dateF, CANDIDATE_LIMIT)) seen.set(r.id, r);
        }
        rows = [...seen.values()];
      }
    } else if (p.lastName || p.firstName || p.legalName) {
      const exactBirth = p.birthDate?.kind === 'exact' && !p.birthDate.value.endsWith('00') ? p.birthDate.value : undefined;
      const birthYear = p.birthDate?.kind === 'exact' && !p.birthDate.value.startsWith('0000') ? Number(p.birthDate.value.slice(0, 4)) : null;
      for (const last of [p.lastName, p.legalName].filter((x): x is string => !!x)) {
        const k = recordKeys({ lastName: last, firstNames: firstNameList(p.firstName), birthDate: exactBirth ?? '', deathDate: '' });
        keySets.push({
          k: { lastPhon: k.lastPhon, lastKey: k.lastKey, firstPhon: k.firstPhon, firstKey: k.firstKey, birthDate: exactBirth, birthYear, sex: p.sex },
          filters,
        });
      }
      const seen = await byKeys();
      if (!p.lastName && !p.legalName && p.firstName) {
        const fp = phonetic(firstNameList(p.firstName)[0]);
        // Without a last name the first name alone is too common: years narrow the candidates.
        const years: RecordFilter[] = [];
        for (const [d, on] of [
          [p.birthDate, 'birth'],
          [p.deathDate, 'death'],
        ] as const) {
          if (d?.kind !== 'exact' || d.value.startsWith('0000')) continue;
          const y = Number(d.value.slice(0, 4));
          years.push({ kind: 'year', on, from: y - 1, to: y + 1 });
        }
        for (const r of (await repo.filtered([{ kind: 'eq', column: 'firstPhon', value: fp }, ...years, ...filters], CANDIDATE_LIMIT)).rows) seen.set(r.id, r);
      }
      // Records whose validated corrections carry the searched name.
      const corrIds = !(await hasValidated())
        ? []
        : await repo.correctedIdsMatching(p.lastName ? lastNameKey(p.lastName) : undefined, firstNameList(p.firstName)[0]);
      for (const r of await repo.findByIds(corrIds.filter((id) => !seen.has(id)))) seen.set(r.id, r);
      rows = [...seen.values()];
    } else {
      const extra: RecordFilter[] = [];
      if (p.birthDate?.kind === 'exact') extra.push(dateFilter('birth', p.birthDate));
      if (p.deathDate?.kind === 'exact') extra.push(dateFilter('death', p.deathDate));
      if (p.birthLocationCode) extra.push({ kind: 'eq', column: 'birthCode', value: p.birthLocationCode });
      if (p.deathLocationCode) extra.push({ kind: 'eq', column: 'deathCode', value: p.deathLocationCode });
      if (p.birthDepartment) extra.push({ kind: 'eq', column: 'birthDepartment', value: p.birthDepartment });
      if (p.deathDepartment) extra.push({ kind: 'eq', column: 'deathDepartment', value: p.deathDepartment });
      if (p.sex) extra.push({ kind: 'eq', column: 'sex', value: p.sex });
      // A fuzzy age (scored up to one year off) still narrows the read: otherwise the people of that age
      // past the first CANDIDATE_LIMIT rows of the other conditions are never scored.
      if (p.deathAge && !filters.some((f) => f.kind === 'age')) extra.push({ kind: 'age', from: p.deathAge.from - 1, to: p.deathAge.to + 1 });
      rows = (await repo.filtered([...filters, ...extra], CANDIDATE_LIMIT)).rows;
    }
    const prepared = prepareQuery(p);
    const scoreAll = async (list: RecordRow[]) => {
      const mods = await withCorrections(list);
      return list.map((r) => {
        const m = mods.get(r.id) ?? [];
        const variants = m.length ? [r, corrected(r, m)] : [r];
        let best: ScoreResult | null = null;
        for (const v of variants) {
          const s = req.q ? scoreFreeText(req.q.names, req.q.dates, v) : scoreRecord(prepared, v);
          if (!best || s.score > best.score) best = s;
        }
        return { score: best!.score, id: r.id, best: best!, mods: m, _r: r };
      });
    };
    let scored = await scoreAll(rows);
    // No convincing candidate through the keys: look for last names a typo away (trigram index).
    if (req.fuzzy && keySets.length && !scored.some((x) => x.score >= FALLBACK_BELOW)) {
      const known = new Set(rows.map((r) => r.id));
      const extra = new Map<string, RecordRow>();
      for (const ks of keySets) for (const r of await repo.candidates(ks.k, ks.filters, CANDIDATE_LIMIT, 'trigram')) if (!known.has(r.id)) extra.set(r.id, r);
      scored = scored.concat(await scoreAll([...extra.values()]));
    }
    // Still nothing: spellings one typo away (swapped, missing or extra letter), which change the
    // phonetic key and escape the trigrams on short names (`maritn`, `martn jaen`).
    if (req.fuzzy && !scored.some((x) => x.score >= FALLBACK_BELOW)) {
      const known = new Set(scored.map((x) => x.id));
      const extra = new Map<string, RecordRow>();
      const pairs: { last: string; first: string | null }[] = [];
      if (req.q) {
        const ns = req.q.names.slice(0, 3);
        if (ns.length === 1) pairs.push({ last: ns[0]!, first: null });
        for (const [i, t] of ns.entries()) for (const [j, o] of ns.entries()) if (i !== j) pairs.push({ last: t, first: o });
      } else if (p.lastName) pairs.push({ last: p.lastName, first: p.firstName ?? null });
      for (const { last, first } of pairs.slice(0, 6)) {
        const lk = lastNameKey(last);
        if (lk.length < 3) continue;
        const fk = first ? firstNameList(first)[0] : undefined;
        const firsts = fk ? typoKeys(fk, phonetic) : null;
        for (const r of await repo.typoCandidates(typoKeys(lk, phonetic), firsts, req.q ? hardFilters(p) : filters, CANDIDATE_LIMIT))
          if (!known.has(r.id)) extra.set(r.id, r);
        // A single word: also as a first name a typo away.
        if (!first && req.q)
          for (const r of await repo.byFirstPhons(typoKeys(lk, phonetic), hardFilters(p), CANDIDATE_LIMIT)) if (!known.has(r.id)) extra.set(r.id, r);
      }
      if (extra.size) scored = scored.concat(await scoreAll([...extra.values()]));
    }
    scored = scored.filter((x) => passesHard(p, x._r));
    // A request made only of filters (a postal code, a date of last sight) has nothing to score.
    const onlyFilters = !req.q && Object.keys(p).every((k) => ['birthCodes', 'deathCodes', 'diedFrom', 'source'].includes(k));
    if (req.fuzzy && !onlyFilters) scored = scored.filter((x) => x.score >= MIN_SCORE);
    else if (req.q) {
      // Exact free-text search: every word is one of the record's names (accents and case aside).
      const words = req.q.names.map((n) => normalize(n).replace(/ /g, ''));
      scored = scored.filter((x) => {
        const names = new Set([...tokens(x._r.lastName), lastNameKey(x._r.lastName), ...firstNameList(x._r.firstNames)]);
        return words.every((w) => names.has(w));
      });
    }
    scored.sort(compareBy(req.sort.length ? req.sort : [{ field: 'score', dir: 'desc' }]));
    const total = scored.length;
    const page = opts.all ? scored : scored.slice((req.page - 1) * req.size, req.page * req.size);
    return { total, persons: page.map((x) => toPerson(x._r, x.best, x.mods)) };
  }

  /**
   * Counts by field, matchID's `/agg`: the filters of `/search` (simple ones in SQL over the whole base;
   * names, `q` or places through the search, over its candidates), one or several aggregations
   * (composite keys), most frequent first, at most `aggsSize` buckets.
   */
  async function agg(input: Record<string, unknown>): Promise<AggResponse> {
    const t0 = performance.now();
    const raw = input.aggs;
    const aggs = (
      Array.isArray(raw)
        ? raw.map(String)
        : typeof raw === 'string'
          ? raw
              .replace(/^\[|\]$/g, '')
              .split(',')
              .map((x) => x.replace(/"/g, '').trim())
          : []
    ).filter(Boolean);
    if (!aggs.length) throw withMsg(fieldError('aggs', `au moins une agrégation : ${aggNames.join(', ')}`), 'error - missing aggs parameter');
    const bad = aggs.filter((a) => !(aggNames as readonly string[]).includes(a));
    if (bad.length)
      throw withMsg(fieldError('aggs', `agrégation inconnue « ${bad.join(', ')} » (possibles : ${aggNames.join(', ')})`), 'error - unknown field');
    const sizeRaw = input.aggsSize;
    const size = sizeRaw === undefined || sizeRaw === '' ? 1000 : Number(sizeRaw);
    if (!Number.isInteger(size) || size < 1 || size > 10_000) throw fieldError('aggsSize', 'entier entre 1 et 10 000');
    const rest = { ...input };
    delete rest.aggs;
    delete rest.aggsSize;
    const simple = new Set(['deathDate', 'birthDate', 'sex', 'birthDepartment', 'deathDepartment', 'deathCountry', 'birthCountry']);
    const given = Object.keys(rest).filter((k) => rest[k] !== undefined && rest[k] !== '');
    let buckets: { keys: string[]; count: number }[];
    let total: number;
    if (given.some((k) => !simple.has(k) && k !== 'fuzzy')) {
      // Names, q, places: the search's candidates (at most CANDIDATE_LIMIT per name block), counted here.
      const r = parseSearchRequest(rest);
      const { persons } = await search(r, { all: true });
      const counts = new Map<string, { keys: string[]; count: number }>();
      for (const p of persons) {
        const keys = aggs.map((a) => personAggKey(p, a as AggName));
        const k = keys.join('\u0000');
        const c = counts.get(k) ?? { keys, count: 0 };
        c.count++;
        counts.set(k, c);
      }
      buckets = [...counts.values()].sort((x, y) => y.count - x.count || x.keys.join().localeCompare(y.keys.join())).slice(0, size);
      total = persons.length;
    } else {
      const filters: RecordFilter[] = [];
      for (const k of ['deathDate', 'birthDate'] as const) {
        if (!rest[k]) continue;
        const d = parseDateQuery(String(rest[k]));
        if (!d) throw withMsg(fieldError(k, 'date ou intervalle attendu'), [`invalid ${k} value: ${String(rest[k]).slice(0, 100)}`]);
        filters.push(dateFilter(k === 'deathDate' ? 'death' : 'birth', d));
      }
      const upper = (k: string) => String(rest[k]).toUpperCase();
      if (rest.sex) filters.push({ kind: 'eq', column: 'sex', value: upper('sex') === 'H' ? 'M' : upper('sex') });
      if (rest.birthDepartment) filters.push({ kind: 'eq', column: 'birthDepartment', value: upper('birthDepartment').padStart(2, '0') });
      if (rest.deathDepartment) filters.push({ kind: 'eq', column: 'deathDepartment', value: upper('deathDepartment').padStart(2, '0') });
      if (rest.birthCountry) filters.push({ kind: 'country', on: 'birth', value: String(rest.birthCountry) });
      if (rest.deathCountry) filters.push({ kind: 'country', on: 'death', value: String(rest.deathCountry) });
      const all = await repo.countByMany(aggs as AggName[], filters, 100_000);
      total = all.reduce((n, b) => n + b.count, 0);
      buckets = all.slice(0, size);
    }
    const cardinality: Record<string, number> = {};
    aggs.forEach((a, i) => (cardinality[a] = new Set(buckets.map((b) => b.keys[i])).size));
    const aggregations = buckets.map((b) =>
      aggs.length === 1 ? { key: b.keys[0]!, doc_count: b.count } : { key: Object.fromEntries(aggs.map((a, i) => [a, b.keys[i]!])), doc_count: b.count },
    );
    return { request: input, response: { total, cardinality, aggregations, delay: Math.round(performance.now() - t0) } };
  }

  return {
    repo,
    search,
    agg,
    /** Called after a review: this node sees the change at once, others within 5 s. */
    correctionsChanged() {
      anyValidated = { value: true, at: 0 };
    },
    async byId(id: string): Promise<PersonOut> {
      const r = await repo.findById(id);
      if (!r) throw new NotFoundError(`Aucun décès n’a l’identifiant « ${id} ».`);
      const mods = await withCorrections([r]);
      return toPerson(r, null, mods.get(r.id) ?? []);
    },
    async version(): Promise<VersionResponse> {
      const v = await repo.version();
      const sources = await repo.sources(1000);
      const jjmmaaaa = (d: string | null) => (d && /^\d{8}$/.test(d) ? `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}` : d);
      const imported = v.lastSource?.importedAt.toISOString() ?? null;
      return {
        backend: BACKEND_VERSION,
        uniqRecordsCount: v.count,
        rawRecordsCount: sources.reduce((n, s) => n + s.lines, 0),
        lastRecordDate: jjmmaaaa(v.lastRecordDate),
        lastDataset: v.lastSource?.name ?? null,
        updateDate: imported ? jjmmaaaa(imported.slice(0, 10).replace(/-/g, '')) : null,
        updatedAt: imported,
        sources: sources.slice(0, 20).map((s) => ({
          name: s.name,
          lines: s.lines,
          inserted: s.inserted,
          rejected: s.rejected,
          opposed: s.opposed,
          lastRecordDate: s.lastRecordDate,
          importedAt: s.importedAt.toISOString(),
        })),
      };
    },
  };
}
export type DecesService = ReturnType<typeof createDecesService>;
