import { createHash } from 'node:crypto';
import type { DecesFlag } from '@patrimoine/contracts/deces';
import { cog } from './cog.ts';
import { matchidFields, matchidIdOfFields } from './matchid-id.ts';
import { firstNameList, lastNameKey, phonetic } from './text.ts';

/**
 * Parser of INSEE's « fichier des personnes décédées » (fixed width, 176 characters, latin1; field
 * widths from INSEE's published metadata). Also reads INSEE's `;`-separated CSV rendering of the
 * same nine fields. Every known defect is kept visible through `flags` rather than dropped.
 */
export const FIELD_WIDTHS = [80, 1, 8, 5, 30, 30, 8, 5, 9] as const;
export const LINE_LENGTH = 176;

export type { DecesFlag };

export interface DecesRecord {
  /** 12 URL-safe characters derived from the record's nine fields: the same line always gets the same id. */
  id: string;
  /** matchID's id of the same line (deces-dataprep's UID), under which matchID's users know the record. */
  matchidId: string;
  lastName: string;
  firstNames: string[];
  sex: 'M' | 'F' | '';
  /** AAAAMMJJ as in the file (`00` = unknown part; impossible dates kept raw and flagged). */
  birthDate: string;
  birthCode: string;
  birthCity: string;
  birthDepartment: string;
  birthCountry: string;
  birthCountryCode: string;
  deathDate: string;
  deathCode: string;
  deathCity: string;
  deathDepartment: string;
  deathCountry: string;
  deathCountryCode: string;
  certificateId: string;
  /** Age at death in whole years when both dates allow it. */
  age: number | null;
  /** Source file (`deces-2020-m01`). */
  source: string;
  flags: DecesFlag[];
}

/** Search keys stored beside a record (computed identically at import and at query time). */
export interface RecordKeys {
  lastKey: string;
  lastPhon: string;
  firstKey: string;
  firstPhon: string;
  birthYear: number | null;
  deathYear: number | null;
}

export class InseeLineError extends Error {}

const isCsvLine = (l: string) => l.startsWith('"') && l.includes('";"');

/** Splits a raw line (fixed width or INSEE CSV) into its nine raw fields. */
export function splitLine(line: string): string[] {
  const l = line.replace(/[\r\n]+$/, '');
  if (isCsvLine(l)) {
    const parts = l.split(';').map((p) => p.replace(/^"|"$/g, '').replace(/""/g, '"'));
    if (parts.length !== 9) throw new InseeLineError(`ligne CSV à ${parts.length} champs au lieu de 9`);
    return parts;
  }
  if (l.trim().length < 81) throw new InseeLineError(`ligne trop courte (${l.length} caractères)`);
  const padded = l.padEnd(LINE_LENGTH, ' ');
  const out: string[] = [];
  let pos = 0;
  for (const w of FIELD_WIDTHS) {
    out.push(padded.slice(pos, pos + w));
    pos += w;
  }
  return out;
}

/** The canonical fixed-width rendering of nine fields (what the id is computed from). */
export function canonicalLine(fields: string[]): string {
  return fields.map((f, i) => f.trim().padEnd(FIELD_WIDTHS[i]!, ' ').slice(0, FIELD_WIDTHS[i]!)).join('');
}

export function recordId(fields: string[]): string {
  return createHash('sha256').update(canonicalLine(fields), 'latin1').digest('base64url').slice(0, 12);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Classifies an AAAAMMJJ date: complete, partial (`00` parts) or invalid. */
export function dateQuality(d: string): 'complete' | 'partial' | 'invalid' | 'empty' {
  if (!d || /^0*$/.test(d)) return 'empty';
  if (!/^\d{8}$/.test(d)) return 'invalid';
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  if (y === 0) return m || day ? 'invalid' : 'empty';
  if (y < 1800 || y > 2100 || m > 12 || day > 31) return 'invalid';
  if (m === 0) return day === 0 ? 'partial' : 'invalid';
  if (day === 0) return 'partial';
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (day > DAYS[m - 1]! || (m === 2 && day === 29 && !leap)) return 'invalid';
  return 'complete';
}

/** Age in whole years at death; null unless both years are known (months/days refine it when known). */
export function ageAtDeath(birth: string, death: string): number | null {
  const by = Number(birth.slice(0, 4));
  const dy = Number(death.slice(0, 4));
  if (!by || !dy || !/^\d{8}$/.test(birth) || !/^\d{8}$/.test(death) || dy < by) return null;
  let age = dy - by;
  const bmd = birth.slice(4);
  const dmd = death.slice(4);
  if (!bmd.startsWith('00') && !dmd.startsWith('00')) {
    const bd = bmd.endsWith('00') ? bmd.slice(0, 2) + '01' : bmd;
    const dd = dmd.endsWith('00') ? dmd.slice(0, 2) + '31' : dmd;
    if (dd < bd) age--;
  }
  return age >= 0 && age < 130 ? age : null;
}

interface Place {
  code: string;
  city: string;
  department: string;
  country: string;
  countryCode: string;
  unknown: boolean;
  former: boolean;
  fictive: boolean;
}

/** Resolves a COG code and the name in clear (births carry one, deaths do not). */
export function resolvePlace(code: string, cityInClear: string, countryInClear: string): Place {
  const c = cog();
  const clean = code.trim().toUpperCase();
  if (clean.startsWith('99')) {
    const country = c.country(clean);
    const byName = countryInClear ? c.country(c.countryCodeByName(countryInClear) ?? '') : undefined;
    return {
      code: clean,
      city: cityInClear,
      department: '',
      country: countryInClear ? titleCase(countryInClear) : (country?.name ?? ''),
      countryCode: country?.iso3 ?? byName?.iso3 ?? '',
      unknown: !country && !countryInClear,
      former: false,
      fictive: false,
    };
  }
  const fictive = /^COMMUNE FICTIVE/i.test(cityInClear) || /990$/.test(clean);
  const commune = c.commune(clean);
  const department = commune?.departmentCode || c.departmentOf(clean) || '';
  return {
    code: clean,
    city: cityInClear ? cityInClear.replace(/\s+/g, ' ') : (commune?.name ?? ''),
    department,
    country: 'France',
    countryCode: 'FRA',
    unknown: !commune && !fictive,
    former: commune?.kind === 'ancien-code' || commune?.kind === 'commune-deleguee' || commune?.kind === 'commune-associee',
    fictive,
  };
}

/** `SAINT-ETIENNE DU ROUVRAY` → `Saint-Etienne Du Rouvray` (matchID's rendering of names). */
export function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_m, p: string, l: string) => p + l.toUpperCase());
}

/** Parses the name field `NOM*PRENOM1 PRENOM2/`. */
export function parseName(raw: string): { lastName: string; firstNames: string[]; truncated: boolean; malformed: boolean } {
  const field = raw.replace(/\s+$/, '');
  const slash = field.indexOf('/');
  const body = slash >= 0 ? field.slice(0, slash) : field;
  const truncated = slash < 0 && raw.length >= 80 && field.length >= 79;
  const star = body.indexOf('*');
  const malformed = star < 0 || (slash < 0 && !truncated);
  const lastName = (star >= 0 ? body.slice(0, star) : body).trim().replace(/\s+/g, ' ');
  const firstNames =
    star >= 0
      ? body
          .slice(star + 1)
          .trim()
          .split(/\s+/)
          .filter(Boolean)
      : [];
  return { lastName, firstNames, truncated, malformed };
}

/** Parses one line of the file. `source` is the file's base name. Throws `InseeLineError` on unusable lines. */
export function parseLine(line: string, source: string): DecesRecord {
  const f = splitLine(line);
  const [nameF, sexF, birthF, birthCodeF, birthCityF, birthCountryF, deathF, deathCodeF, certF] = f.map((x) => x.trim()) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const name = parseName(f[0]!);
  if (!name.lastName && !name.firstNames.length) throw new InseeLineError(`nom vide : « ${nameF} »`);
  if (!deathF) throw new InseeLineError('date de décès absente');
  // Impossible dates made of digits are INSEE's own (kept and flagged); anything else is not a date.
  if (!/^\d{8}$/.test(deathF)) throw new InseeLineError(`date de décès illisible : « ${deathF.slice(0, 20)} » (AAAAMMJJ attendu)`);
  if (birthF && !/^\d{8}$/.test(birthF)) throw new InseeLineError(`date de naissance illisible : « ${birthF.slice(0, 20)} » (AAAAMMJJ attendu)`);
  const flags: DecesFlag[] = [];
  if (name.truncated) flags.push('name-truncated');
  if (name.malformed) flags.push('name-malformed');
  const sex = sexF === '1' ? 'M' : sexF === '2' ? 'F' : '';
  if (!sex) flags.push('sex-unknown');
  const bq = dateQuality(birthF);
  if (bq === 'partial' || bq === 'empty') flags.push('birth-date-partial');
  if (bq === 'invalid') flags.push('birth-date-invalid');
  const dq = dateQuality(deathF);
  if (dq === 'partial') flags.push('death-date-partial');
  if (dq === 'invalid' || dq === 'empty') flags.push('death-date-invalid');
  const birth = resolvePlace(birthCodeF, birthCityF, birthCountryF);
  if (birth.fictive) flags.push('birth-commune-fictive');
  else if (birth.unknown) flags.push('birth-code-unknown');
  if (birth.former) flags.push('birth-code-former');
  const death = resolvePlace(deathCodeF, '', '');
  if (death.unknown && !death.fictive) flags.push('death-code-unknown');
  if (death.former) flags.push('death-code-former');
  return {
    id: recordId(f),
    matchidId: matchidIdOfFields(isCsvLine(line) ? f.map((x) => x.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '')) : matchidFields(line.replace(/[\r\n]+$/, ''))),
    lastName: name.lastName,
    firstNames: name.firstNames,
    sex,
    birthDate: birthF,
    birthCode: birth.code,
    birthCity: birth.city,
    birthDepartment: birth.department,
    birthCountry: birth.country,
    birthCountryCode: birth.countryCode,
    deathDate: deathF,
    deathCode: death.code,
    deathCity: death.city,
    deathDepartment: death.department,
    deathCountry: death.country,
    deathCountryCode: death.countryCode,
    certificateId: certF,
    age: ageAtDeath(birthF, deathF),
    source,
    flags,
  };
}

/** The keys used by candidate retrieval. */
export function recordKeys(r: Pick<DecesRecord, 'lastName' | 'firstNames' | 'birthDate' | 'deathDate'>): RecordKeys {
  const first = firstNameList(r.firstNames)[0] ?? '';
  const by = Number(r.birthDate.slice(0, 4));
  const dy = Number(r.deathDate.slice(0, 4));
  return {
    lastKey: lastNameKey(r.lastName),
    lastPhon: phonetic(lastNameKey(r.lastName)),
    firstKey: first,
    firstPhon: phonetic(first),
    birthYear: by > 0 ? by : null,
    deathYear: dy > 0 ? dy : null,
  };
}

/** Key of the RGPD opposition list: death date, death place code and certificate number. */
export function oppositionKey(deathDate: string, deathCode: string, certificateId: string): string {
  return `${deathDate.trim()}|${deathCode.trim().toUpperCase()}|${certificateId.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
}

/** Source name of a file path: `…/deces-2020-m01.txt.gz` → `deces-2020-m01`. */
export function sourceName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(txt|csv)(\.gz)?$|\.zip$|\.gz$/i, '');
}
