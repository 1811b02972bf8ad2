import { generateLines, pick, rng, syntheticPerson, LAST_NAMES, type Rng } from '../../server/src/modules/deces/generator.ts';
import { parseLine, type DecesRecord } from '../../server/src/modules/deces/insee.ts';

/**
 * Queries for the quality benchmark: people of the file as another administration would hold them
 * (typos, first names in another order or only one of them, married women under their usage name,
 * date errors, misspelled or missing birth places, accents and case), plus living people who are not
 * in the file. Each query knows its truth (the record id, or none).
 */
export interface BenchQuery {
  lastName: string;
  firstName: string;
  birthDate: string;
  birthCity: string;
  sex: string;
  truth: string | null;
  noise: string[];
}

function typo(r: Rng, s: string): string {
  if (s.length < 4) return s;
  const i = 1 + Math.floor(r() * (s.length - 2));
  const k = r();
  const letters = 'AEIOUBCDFGLMNRST';
  if (k < 0.3) return s.slice(0, i) + s.slice(i + 1);
  if (k < 0.6) return s.slice(0, i) + pick(r, [...letters]) + s.slice(i + 1);
  if (k < 0.8) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  return s.slice(0, i) + pick(r, [...letters]) + s.slice(i);
}

const fr = (d: string) => `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}`;

function dateNoise(r: Rng, d: string): { d: string; why: string } | null {
  const k = r();
  const [y, m, j] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8)];
  if (k < 0.25 && Number(j) <= 12 && j !== m) return { d: `${y}${j}${m}`, why: 'day/month inverted' };
  if (k < 0.5) return { d: `${Number(y) + (r() < 0.5 ? 1 : -1)}${m}${j}`, why: 'year ±1' };
  const swapped = `${j.charAt(1)}${j.charAt(0)}`;
  if (k < 0.75 && swapped !== j && Number(swapped) <= 28 && Number(swapped) >= 1) return { d: `${y}${m}${swapped}`, why: 'day digits swapped' };
  const i = 6 + Math.floor(r() * 2);
  const nd = d.slice(0, i) + String((Number(d[i]) + 1 + Math.floor(r() * 8)) % 10) + d.slice(i + 1);
  const dd = Number(nd.slice(6, 8));
  return dd >= 1 && dd <= 28 ? { d: nd, why: 'one digit' } : null;
}

/** A noisy query for a record. */
export function noisy(rec: DecesRecord, r: Rng): BenchQuery {
  const noise: string[] = [];
  let lastName = rec.lastName;
  let first = [...rec.firstNames];
  let birthDate = rec.birthDate;
  let birthCity = rec.birthCode.startsWith('99') ? '' : rec.birthCity.replace(/ \d+E\s+ARRONDISSEMENT$/, '');
  if (r() < 0.1) {
    lastName = typo(r, lastName);
    noise.push('last name typo');
  }
  if (rec.sex === 'F' && r() < 0.12) {
    lastName = pick(r, LAST_NAMES);
    noise.push('usage name');
  }
  const fk = r();
  if (fk < 0.3) {
    first = first.slice(0, 1);
  } else if (fk < 0.4 && first.length > 1) {
    first = [first[1]!, first[0]!];
    noise.push('first names swapped');
  } else if (fk < 0.45 && first.length > 1) {
    first = [first[1]!];
    noise.push('second first name only');
  } else if (fk < 0.52) {
    first = [typo(r, first[0]!), ...first.slice(1)];
    noise.push('first name typo');
  }
  if (r() < 0.08 && /^\d{8}$/.test(birthDate) && !birthDate.includes('00')) {
    const n = dateNoise(r, birthDate);
    if (n) {
      birthDate = n.d;
      noise.push(n.why);
    }
  }
  const ck = r();
  if (ck < 0.06 && birthCity.length > 4) {
    birthCity = typo(r, birthCity);
    noise.push('city typo');
  } else if (ck < 0.16) birthCity = '';
  if (r() < 0.3) {
    lastName = lastName.charAt(0) + lastName.slice(1).toLowerCase();
    first = first.map((f) => f.charAt(0) + f.slice(1).toLowerCase().replace(/e/, 'é'));
  }
  const bd =
    /^\d{8}$/.test(birthDate) && !birthDate.startsWith('0000')
      ? fr(birthDate)
          .replace(/^00\//, '01/')
          .replace(/\/00\//, '/01/')
      : '';
  return { lastName, firstName: first.join(' '), birthDate: bd, birthCity, sex: rec.sex, truth: rec.matchidId, noise };
}

/** Queries for `count` records sampled from the synthetic file of `fileCount` records and `seed`, plus `alive` people absent from it. */
export function benchQueries(fileCount: number, seed: number, count: number, aliveShare = 0.1): BenchQuery[] {
  const r = rng(seed * 7919 + 1);
  const every = Math.max(1, Math.floor(fileCount / count));
  const out: BenchQuery[] = [];
  let i = 0;
  for (const line of generateLines(fileCount, seed)) {
    if (i++ % every !== 0 || out.length >= count) continue;
    const rec = parseLine(line, 'bench');
    if (!rec.lastName || !rec.firstNames.length) continue;
    out.push(noisy(rec, r));
  }
  const alive = Math.round((out.length * aliveShare) / (1 - aliveShare));
  const ra = rng(seed + 99991);
  for (let k = 0; k < alive; k++) {
    const p = syntheticPerson(ra);
    const bd = p.birthDate.slice(0, 4) < '1900' ? p.birthDate : `${Number(p.birthDate.slice(0, 4)) + 30}${p.birthDate.slice(4)}`;
    out.push({ lastName: p.lastName, firstName: p.firstNames.join(' '), birthDate: fr(bd), birthCity: p.birthCity, sex: p.sex, truth: null, noise: ['alive'] });
  }
  return out;
}

/**
 * A second, independent noise model (issue 17: « not the project's own generator »): how records look
 * after a paper form was keyed in or scanned elsewhere — OCR confusions (O/0, I/1/L, RN/M, CL/D),
 * particles and hyphens dropped or split (`DE LA FONTAINE` → `DELAFONTAINE`, `JEAN-PIERRE` →
 * `JEAN PIERRE`), first name given as an initial or a short form, birth dates typed in another order
 * (month/day), given only as a year, or off by one day, birth place given as the département's
 * prefecture or left out, no sex. Drawn with its own random stream, none of the first model's rules.
 */
export function noisyB(rec: DecesRecord, r: Rng): BenchQuery {
  const noise: string[] = [];
  let lastName = rec.lastName;
  let first = [...rec.firstNames];
  let birthDate = rec.birthDate;
  let birthCity = rec.birthCode.startsWith('99') ? '' : rec.birthCity;
  const ocr: [RegExp, string][] = [
    [/O/, '0'],
    [/I/, 'L'],
    [/RN/, 'M'],
    [/CL/, 'D'],
    [/E/, 'F'],
    [/U/, 'V'],
  ];
  if (r() < 0.08) {
    const [re, to] = ocr[Math.floor(r() * ocr.length)]!;
    if (re.test(lastName.slice(1))) {
      lastName = lastName[0] + lastName.slice(1).replace(re, to);
      noise.push('B: OCR confusion');
    }
  }
  if (/[ -]/.test(lastName) && r() < 0.6) {
    lastName = r() < 0.5 ? lastName.replace(/[ -]/g, '') : lastName.replace(/-/g, ' ');
    noise.push('B: particle/hyphen');
  }
  if (first[0] && /-/.test(first[0]) && r() < 0.5) {
    first = [first[0].replace(/-/g, ' '), ...first.slice(1)];
    noise.push('B: hyphenated first name split');
  }
  const k = r();
  if (k < 0.04 && first[0]) {
    first = [first[0].slice(0, 1)];
    noise.push('B: initial');
  } else if (k < 0.5) first = first.slice(0, 1);
  else if (k < 0.55 && first.length > 2) {
    first = first.slice(1, 3);
    noise.push('B: middle names');
  }
  if (/^\d{8}$/.test(birthDate) && !birthDate.includes('00')) {
    const dk = r();
    const [y, m, d] = [birthDate.slice(0, 4), birthDate.slice(4, 6), birthDate.slice(6, 8)];
    if (dk < 0.03 && Number(d) <= 12 && d !== m) {
      birthDate = `${y}${d}${m}`;
      noise.push('B: month/day order');
    } else if (dk < 0.06 && Number(d) > 1 && Number(d) < 28) {
      birthDate = `${y}${m}${String(Number(d) + (r() < 0.5 ? 1 : -1)).padStart(2, '0')}`;
      noise.push('B: day ±1');
    } else if (dk < 0.08) {
      birthDate = `${y}0000`;
      noise.push('B: year only');
    }
  }
  const ck = r();
  if (ck < 0.2) {
    birthCity = '';
    noise.push('B: no birth place');
  } else birthCity = birthCity.replace(/ \d+E\s+ARRONDISSEMENT$/, '').replace(/^SAINT[ -]/, 'ST ');
  lastName = lastName.toLowerCase();
  first = first.map((f) => f.toLowerCase());
  const bd = /^\d{4}0000$/.test(birthDate) ? birthDate.slice(0, 4) : /^\d{8}$/.test(birthDate) && !birthDate.startsWith('0000') ? fr(birthDate) : '';
  return { lastName, firstName: first.join(' '), birthDate: bd, birthCity, sex: '', truth: rec.matchidId, noise };
}

/** Queries of the second noise model (own seed stream), with living people absent from the file. */
export function benchQueriesB(fileCount: number, seed: number, count: number, aliveShare = 0.1): BenchQuery[] {
  const r = rng(seed * 104729 + 17);
  const every = Math.max(1, Math.floor(fileCount / count));
  const out: BenchQuery[] = [];
  let i = 0;
  for (const line of generateLines(fileCount, seed)) {
    // Offset sampling: other records than the first model's.
    if (i++ % every !== Math.floor(every / 2) || out.length >= count) continue;
    const rec = parseLine(line, 'bench');
    if (!rec.lastName || !rec.firstNames.length) continue;
    out.push(noisyB(rec, r));
  }
  const alive = Math.round((out.length * aliveShare) / (1 - aliveShare));
  const ra = rng(seed + 424242);
  for (let k = 0; k < alive; k++) {
    const p = syntheticPerson(ra);
    const bd = `${Number(p.birthDate.slice(0, 4)) + 25}${p.birthDate.slice(4)}`;
    out.push({
      lastName: p.lastName.toLowerCase(),
      firstName: (p.firstNames[0] ?? '').toLowerCase(),
      birthDate: fr(bd),
      birthCity: '',
      sex: '',
      truth: null,
      noise: ['alive'],
    });
  }
  return out;
}
