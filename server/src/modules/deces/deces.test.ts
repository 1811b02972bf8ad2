import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ageAtDeath, dateQuality, oppositionKey, parseLine, recordId, sourceName, splitLine, InseeLineError } from './insee.ts';
import { lastNameKey, phonetic, normalize, firstNameList } from './text.ts';
import { dateSim, firstNamesSim, geoSim, lastNameSim, placeSim, prepareQuery, scoreRecord, scoreValue, type PersonQuery, type ScoredRecord } from './score.ts';
import { parseDateQuery, parseSearchRequest } from './request.ts';
import { generateLines } from './generator.ts';
import { bulkDate } from './bulk.service.ts';
import type { ValidationError } from '../../platform/errors.ts';

/** Real INSEE lines (Licence Ouverte), kept in the repository: see fixtures/README.md. */
const sampleCsv = fs
  .readFileSync(new URL('./fixtures/deces-sample-lines.csv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('"'));
const fixed = (fields: string[]) => fields.map((f, i) => f.padEnd([80, 1, 8, 5, 30, 30, 8, 5, 9][i]!, ' ')).join('');

describe('INSEE line parser', () => {
  it('parses every field of a fixed-width line', () => {
    const r = parseLine(fixed(['LEERS*RAYMONDE LOUISE/', '2', '19290412', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20200109', '01004', '8']), 'deces-2020-m01');
    expect(r).toMatchObject({
      lastName: 'LEERS',
      firstNames: ['RAYMONDE', 'LOUISE'],
      sex: 'F',
      birthDate: '19290412',
      birthCode: '69382',
      birthCity: 'LYON 2E ARRONDISSEMENT',
      birthDepartment: '69',
      birthCountry: 'France',
      birthCountryCode: 'FRA',
      deathDate: '20200109',
      deathCode: '01004',
      deathDepartment: '01',
      certificateId: '8',
      age: 90,
      source: 'deces-2020-m01',
      flags: [],
    });
    expect(r.deathCity).toBe('Ambérieu-en-Bugey');
    expect(r.id).toMatch(/^[\w-]{12}$/);
  });

  it('reads the CSV rendering of the real sample lines with the same id as the fixed-width rendering', () => {
    expect(sampleCsv.length).toBeGreaterThanOrEqual(5);
    const csv = parseLine(sampleCsv[0]!, 's');
    const fx = parseLine(fixed(['LEERS*RAYMONDE LOUISE/', '2', '19290412', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20200109', '01004', '8']), 's');
    expect(csv.id).toBe(fx.id);
    for (const l of sampleCsv) expect(() => parseLine(l, 's')).not.toThrow();
  });

  it('flags fictive communes, partial and impossible dates, unknown sex', () => {
    const roume = parseLine(
      sampleCsv.find((l) => l.startsWith('"ROUME'))!,
      's',
    );
    expect(roume.flags).toContain('birth-commune-fictive');
    expect(roume.birthDepartment).toBe('07');
    expect(parseLine(fixed(['A*B/', '1', '19470000', '75056', 'PARIS', '', '20200101', '75056', '1']), 's').flags).toContain('birth-date-partial');
    const bad = parseLine(fixed(['A*B/', '3', '19470230', '75056', 'PARIS', '', '20200101', '75056', '1']), 's');
    expect(bad.flags).toEqual(expect.arrayContaining(['birth-date-invalid', 'sex-unknown']));
    expect(bad.birthDate).toBe('19470230');
  });

  it('handles arrondissements, Corsica, former codes and foreign countries', () => {
    const paris = parseLine(fixed(['A*B/', '1', '19340212', '75120', 'PARIS 20E  ARRONDISSEMENT', '', '20200126', '2A004', '25']), 's');
    expect(paris.birthDepartment).toBe('75');
    expect(paris.deathDepartment).toBe('2A');
    const old = parseLine(fixed(['A*B/', '1', '19340212', '20004', 'AJACCIO', '', '20200126', '01119', '25']), 's');
    expect(old.birthDepartment).toBe('2A');
    expect(old.flags).toEqual(expect.arrayContaining(['birth-code-former', 'death-code-former']));
    const alg = parseLine(fixed(['A*B/', '1', '19340212', '99352', 'ORAN', 'ALGERIE', '20200126', '99127', 'N']), 's');
    expect(alg).toMatchObject({ birthCountry: 'Algerie', birthCountryCode: 'DZA', deathCountry: 'Italie', deathCountryCode: 'ITA', birthDepartment: '' });
  });

  it('flags truncated and malformed names; refuses unusable lines', () => {
    const long = parseLine(fixed(['X'.repeat(40) + '*' + 'Y'.repeat(39), '1', '19340212', '75056', 'PARIS', '', '20200126', '75056', '1']), 's');
    expect(long.flags).toContain('name-truncated');
    expect(parseLine(fixed(['DUPONT JEAN', '1', '19340212', '75056', 'PARIS', '', '20200126', '75056', '1']), 's').flags).toContain('name-malformed');
    expect(() => parseLine('short', 's')).toThrow(InseeLineError);
    expect(() => splitLine('"A";"B"')).toThrow(/9/);
  });

  it('computes dates quality, age, stable ids, opposition keys and source names', () => {
    expect(dateQuality('19470300')).toBe('partial');
    expect(dateQuality('19470030')).toBe('invalid');
    expect(dateQuality('20000229')).toBe('complete');
    expect(dateQuality('19000229')).toBe('invalid');
    expect(ageAtDeath('19521228', '20191218')).toBe(66);
    expect(ageAtDeath('19520000', '20191218')).toBe(67);
    expect(recordId(['A*B/', '1'])).toBe(recordId(['A*B/  ', '1 ']));
    expect(oppositionKey('20200101', '75056', '426/15')).toBe('20200101|75056|42615');
    expect(sourceName('/x/deces-2020-m01.txt.gz')).toBe('deces-2020-m01');
  });
});

describe('names', () => {
  it('normalises accents, hyphens, particles and compound first names', () => {
    expect(normalize("Hélène-d'Arc")).toBe('HELENE D ARC');
    expect(lastNameKey('de La Fontaine')).toBe('FONTAINE');
    expect(lastNameKey('LE GALL')).toBe('GALL');
    expect(firstNameList('Jean-Pierre Marie')).toEqual(['JEANPIERRE', 'MARIE']);
    expect(phonetic('LEFEBVRE')).toBe(phonetic('LEFEVRE'));
    expect(phonetic('PHILIPPE')).toBe(phonetic('FILIPE'));
    expect(phonetic('RENAUT')).toBe(phonetic('RENAUD'));
  });
});

const rec = (o: Partial<ScoredRecord> = {}): ScoredRecord => ({
  lastName: 'DUPONT',
  firstNames: 'JEAN PIERRE',
  sex: 'M',
  birthDate: '19520312',
  birthCode: '75120',
  birthCity: 'PARIS 20E ARRONDISSEMENT',
  birthDepartment: '75',
  birthCountry: 'France',
  deathDate: '20200101',
  deathCode: '33063',
  deathCity: 'Bordeaux',
  deathDepartment: '33',
  deathCountry: 'France',
  age: 67,
  ...o,
});

describe('scoring rules', () => {
  it('names: accents, typos, phonetics, compound and reordered first names', () => {
    expect(lastNameSim('DUPONT', 'DUPONT').s).toBe(1);
    expect(lastNameSim('DUPOND', 'DUPONT').s).toBeGreaterThanOrEqual(0.9);
    expect(lastNameSim('DUPONTE', 'DUPONT').s).toBeGreaterThanOrEqual(0.9);
    expect(lastNameSim('MARTIN', 'BERNARD').s).toBeLessThan(0.5);
    expect(firstNamesSim(['JEANPIERRE'], ['JEAN', 'PIERRE']).s).toBe(1);
    expect(firstNamesSim(['PIERRE'], ['JEAN', 'PIERRE']).s).toBeGreaterThan(0.9);
    expect(firstNamesSim(['PIERRE'], ['JEAN', 'PIERRE']).s).toBeLessThan(1);
    // Names alone are weaker evidence than names and a date.
    expect(scoreRecord({ lastName: 'Dupont', firstName: 'Jean-Pierre' }, rec()).score).toBeGreaterThan(0.8);
    expect(scoreRecord({ lastName: 'Dupont', firstName: 'Jean-Pierre', birthDate: { kind: 'exact', value: '19520312' } }, rec()).score).toBe(1);
  });

  it('names: inverted last/first names and usage name of a married woman', () => {
    const inv = scoreRecord({ lastName: 'JEAN', firstName: 'DUPONT', birthDate: { kind: 'exact', value: '19520312' } }, rec());
    expect(inv.reasons.join()).toMatch(/inversés/);
    expect(inv.score).toBeGreaterThan(0.8);
    const woman = rec({ lastName: 'MARTIN', firstNames: 'MARIE', sex: 'F' });
    const usage = scoreRecord({ lastName: 'DURAND', firstName: 'Marie', birthDate: { kind: 'exact', value: '19520312' }, birthLocationCode: '75120' }, woman);
    expect(usage.reasons.join()).toMatch(/nom d’usage/);
    expect(usage.score).toBeGreaterThan(0.7);
    const legal = scoreRecord({ lastName: 'DURAND', legalName: 'MARTIN', firstName: 'Marie' }, woman);
    expect(legal.scores.last).toBe(1);
    // Her first name mistyped too: still the usage name, when the birth date and place agree.
    const typo = scoreRecord({ lastName: 'DURAND', firstName: 'Maire', birthDate: { kind: 'exact', value: '19520312' }, birthLocationCode: '75120' }, woman);
    expect(typo.reasons.join()).toMatch(/nom d’usage/);
    expect(typo.score).toBeGreaterThan(0.6);
    // Without the birth place, a different name is not taken for a usage name.
    const noPlace = scoreRecord({ lastName: 'DURAND', firstName: 'Maire', birthDate: { kind: 'exact', value: '19520312' } }, woman);
    expect(noPlace.reasons.join()).not.toMatch(/nom d’usage/);
    expect(noPlace.score).toBeLessThan(0.6);
  });

  it('dates: unknown parts, digit swaps, day/month inversion, ±1 year, ranges', () => {
    const ex = (v: string) => ({ kind: 'exact' as const, value: v });
    expect(dateSim(ex('19520312'), '19520312').s).toBe(1);
    expect(dateSim(ex('19520312'), '19520300').s).toBe(0.9);
    expect(dateSim(ex('19520000'), '19520312').s).toBeGreaterThanOrEqual(0.9);
    expect(dateSim(ex('19521203'), '19520312').why).toBe('jour et mois inversés');
    expect(dateSim(ex('19250312'), '19520312').why).toBe('deux chiffres inversés');
    expect(dateSim(ex('19530312'), '19520312').s).toBeGreaterThanOrEqual(0.78);
    expect(dateSim(ex('19700101'), '19520312').s).toBe(0);
    expect(dateSim({ kind: 'range', from: '19500101', to: '19551231' }, '19520312').s).toBe(1);
  });

  it('places: arrondissements, COG history, misspelled commune with département fallback, countries', () => {
    const r = { code: '75120', city: 'PARIS 20E ARRONDISSEMENT', department: '75', country: 'France' };
    expect(placeSim({ code: '75056' }, r)!.s).toBe(1);
    expect(placeSim({ city: 'Paris' }, r)!.s).toBe(1);
    expect(placeSim({ code: '20004' }, { code: '2A004', city: 'AJACCIO', department: '2A', country: 'France' })!.s).toBe(1);
    expect(placeSim({ city: 'Bordeaus' }, { code: '33063', city: 'BORDEAUX', department: '33', country: 'France' })!.s).toBeGreaterThanOrEqual(0.9);
    expect(placeSim({ country: 'Algérie' }, { code: '99352', city: 'ORAN', department: '', country: 'Algerie' })!.s).toBe(1);
    expect(placeSim({ city: 'Lyon' }, { code: '33063', city: 'BORDEAUX', department: '33', country: 'France' })!.s).toBeLessThan(0.5);
  });

  it('first names: a compound name split in two words, an initial', () => {
    expect(firstNamesSim(['JEAN', 'PIERRE'], ['JEANPIERRE', 'MARCEL']).s).toBe(1);
    expect(firstNamesSim(['J'], ['JEAN', 'MARCEL']).s).toBe(0.8);
    expect(firstNamesSim(['M'], ['JEAN', 'MARCEL']).s).toBeLessThan(0.8);
  });

  it('first names: other given names that the record contradicts or lacks part namesakes', () => {
    expect(firstNamesSim(['PIERRE', 'ALBERT'], ['PIERRE', 'ALBERT', 'JEAN']).s).toBe(1);
    const other = firstNamesSim(['PIERRE', 'ALBERT'], ['PIERRE', 'ALAIN']);
    expect(other).toEqual({ s: 0.9, why: 'autres prénoms différents' });
    expect(firstNamesSim(['PIERRE', 'ALBERT'], ['PIERRE'])).toEqual({ s: 0.95, why: 'autres prénoms absents du fichier' });
    // In another order, or the second mistyped: not a contradiction.
    expect(firstNamesSim(['ALBERT', 'PIERRE'], ['PIERRE', 'ALBERT']).s).toBeGreaterThanOrEqual(0.95);
    expect(firstNamesSim(['PIERRE', 'ALBRET'], ['PIERRE', 'ALBERT']).s).toBe(1);
    // An initial as second name says nothing; a compound name in two words is the same name.
    expect(firstNamesSim(['PIERRE', 'A'], ['PIERRE', 'MARCEL']).s).toBe(1);
    expect(firstNamesSim(['JEAN', 'PIERRE'], ['JEANPIERRE']).s).toBe(1);
    // The namesake with other given names ranks below the person.
    const born = { birthDate: { kind: 'exact' as const, value: '19370000' } };
    const q = { lastName: 'MARTIN', firstName: 'Pierre Albert', ...born };
    const person = scoreRecord(q, rec({ lastName: 'MARTIN', firstNames: 'PIERRE ALBERT', birthDate: '19370701' }));
    const namesake = scoreRecord(q, rec({ lastName: 'MARTIN', firstNames: 'PIERRE ALAIN', birthDate: '19371019' }));
    expect(person.score).toBeGreaterThan(namesake.score);
  });

  it('places with coordinates score by distance as matchID does (20 / (20 + km))', () => {
    // Bordeaux (33063) and Mérignac (33281): about 9 km between the communes' points; Bordeaux and Lille (59350) ≈ 580 km.
    const g = geoSim(['33281'], '33063')!;
    expect(g.s).toBeGreaterThan(0.6);
    expect(g.why).toMatch(/^communes à \d/);
    expect(geoSim(['59350'], '33063')!.s).toBeLessThan(0.05);
    expect(geoSim(['33063'], '99352')).toBeNull();
    const bx = { code: '33063', city: 'BORDEAUX', department: '33', country: 'France' };
    // Nearness counts when it beats the other rules: Boulogne-Billancourt (92) is another département than Paris, but next to it.
    expect(placeSim({ code: '92012' }, { code: '75116', city: 'PARIS 16E ARRONDISSEMENT', department: '75', country: 'France' })!.s).toBeGreaterThan(0.6);
    expect(placeSim({ code: '33281' }, bx)!.s).toBeCloseTo(Math.max(0.7, g.s), 5);
    expect(placeSim({ city: 'Mérignac', department: '33' }, bx)!.s).toBeCloseTo(Math.max(0.75, g.s), 5);
    expect(placeSim({ city: 'Lille' }, bx)!.s).toBeLessThan(0.5);
    expect(placeSim({ code: '59350' }, bx)!.s).toBe(0.2);
  });

  it('a contradiction sinks the score', () => {
    const good = scoreRecord({ lastName: 'DUPONT', firstName: 'JEAN', birthDate: { kind: 'exact', value: '19520312' } }, rec());
    const bad = scoreRecord({ lastName: 'DUPONT', firstName: 'JEAN', birthDate: { kind: 'exact', value: '19800101' } }, rec());
    expect(good.score).toBeGreaterThan(0.9);
    expect(bad.score).toBeLessThan(0.4);
  });
});

describe('score without explanations (bulk matching)', () => {
  it('gives the score of scoreRecord, and prunes only what cannot reach the floor', () => {
    const recs = [...generateLines(400, 11)].map((l) => {
      const x = parseLine(l, 's');
      return { ...x, firstNames: x.firstNames.join(' '), age: x.age ?? null } as ScoredRecord;
    });
    // Queries close to some records (same names, shifted dates, other places) and far from others.
    const queries: PersonQuery[] = recs.slice(0, 40).flatMap((r, i) => [
      { lastName: r.lastName, firstName: r.firstNames, birthDate: { kind: 'exact', value: r.birthDate } as const, birthCity: r.birthCity },
      {
        lastName: r.lastName,
        firstName: r.firstNames.split(' ')[0],
        sex: i % 2 ? 'M' : 'F',
        birthDate: { kind: 'exact', value: `${Number(r.birthDate.slice(0, 4)) + 1}${r.birthDate.slice(4)}` } as const,
        birthLocationCode: recs[i + 1]!.birthCode,
      },
      {
        lastName: recs[i + 2]!.lastName,
        legalName: r.lastName,
        firstName: r.firstNames,
        birthDepartment: r.birthDepartment,
        deathDate: { kind: 'exact', value: r.deathDate } as const,
        deathCity: r.deathCity,
        deathAge: { from: 80, to: 80 },
      },
      {
        firstName: r.lastName,
        lastName: r.firstNames.split(' ')[0],
        birthCountry: 'Algérie',
        birthDate: { kind: 'exact', value: `${r.birthDate.slice(0, 4)}0000` } as const,
      },
    ]);
    let pruned = 0;
    for (const q of queries) {
      const pq = prepareQuery(q);
      for (const r of recs.slice(0, 60)) {
        const full = scoreRecord(q, r);
        expect(scoreRecord(pq, r)).toEqual(full);
        for (const floor of [0, 0.5, 0.6, 0.8]) {
          const v = scoreValue(pq, r, floor);
          if (v === null) {
            pruned++;
            expect(full.score).toBeLessThan(floor);
          } else expect(v).toBe(full.score);
        }
      }
    }
    expect(pruned).toBeGreaterThan(500);
  });
});

describe('search request', () => {
  it('parses dates and ranges', () => {
    expect(parseDateQuery('12/03/1952')).toEqual({ kind: 'exact', value: '19520312' });
    expect(parseDateQuery('1952')).toEqual({ kind: 'exact', value: '19520000' });
    expect(parseDateQuery('1950-1955')).toEqual({ kind: 'range', from: '19500101', to: '19551231' });
    expect(parseDateQuery('01/01/1950 - 31/12/1955')).toEqual({ kind: 'range', from: '19500101', to: '19551231' });
    expect(parseDateQuery('32/13/1950')).toBeNull();
  });

  it('refuses unknown parameters, q mixed with fields, empty requests, naming the field', () => {
    const err = (i: Record<string, unknown>) => {
      try {
        parseSearchRequest(i);
      } catch (e) {
        return (e as ValidationError).errors.map((x) => x.field);
      }
      return [];
    };
    expect(err({ lastname: 'x' })).toContain('lastname');
    expect(err({ q: 'x', lastName: 'y' })).toContain('lastName');
    expect(err({})).toContain('q');
    expect(err({ lastName: 'x', size: 1000 })).toContain('size');
    expect(err({ lastName: 'x', birthDate: '31/02/19xx' })).toContain('birthDate');
    expect(err({ lastName: 'x', sort: 'nope:asc' })).toContain('sort');
    expect(parseSearchRequest({ q: 'Jean Dupont 12/03/1952' }).q).toMatchObject({ names: ['Jean', 'Dupont'], dates: [{ kind: 'exact', value: '19520312' }] });
    expect(parseSearchRequest({ lastName: 'x', sort: '[{"birth.date":"desc"}]', fuzzy: 'false' })).toMatchObject({
      sort: [{ field: 'birthDate', dir: 'desc' }],
      fuzzy: false,
    });
  });
});

describe('generator', () => {
  it('is deterministic, writes 176-character lines the parser reads, with the file’s defects', () => {
    const a = [...generateLines(3000, 7)];
    expect([...generateLines(3000, 7)]).toEqual(a);
    expect(a.every((l) => l.length === 176)).toBe(true);
    const parsed = a.map((l) => parseLine(l, 's'));
    const flags = new Set(parsed.flatMap((r) => r.flags));
    expect([...flags]).toEqual(expect.arrayContaining(['birth-date-partial', 'birth-commune-fictive']));
    expect(parsed.some((r) => r.birthCode.startsWith('99'))).toBe(true);
    expect(parsed.some((r) => /^751\d\d$/.test(r.birthCode))).toBe(true);
    const ages = parsed.map((r) => r.age).filter((x): x is number => x !== null);
    const mean = ages.reduce((s, x) => s + x, 0) / ages.length;
    expect(mean).toBeGreaterThan(65);
    expect(mean).toBeLessThan(90);
  });

  it('reads bulk dates in each format', () => {
    expect(bulkDate('12/03/1952', 'DD/MM/YYYY')).toBe('19520312');
    expect(bulkDate('03/12/1952', 'MM/DD/YYYY')).toBe('19520312');
    expect(bulkDate('1952-03-12', 'YYYY-MM-DD')).toBe('19520312');
    expect(bulkDate('1952-03-12', 'DD/MM/YYYY')).toBeNull();
    expect(bulkDate('', 'auto')).toBe('');
    expect(bulkDate('99/99/1935', 'DD/MM/YYYY')).toBeNull();
  });
});
