/**
 * publiccode.yml validation: a port to TypeScript of the rules of the official parser
 * (italia/publiccode-parser-go, v0 standard: `v0.go` struct tags, `fields.go`, `validators/`),
 * without its network and file checks (reachability of URLs, logos, screenshots, oEmbed videos,
 * Italian iPA codes). Keys are named as the parser names them: `description.en.features`,
 * `description[en-US].shortDescription`, `categories[0]`, `maintenance.contacts[0].email`.
 * Tested against the parser's own testdata (fixtures/publiccode/).
 */
import { isScalar, parseDocument, visit } from 'yaml';
import { ValidationError } from '../../platform/errors.ts';
import { yamlToJsSafely } from '../../platform/yaml.ts';
import { spdxDeprecatedLicenseIds, spdxExceptionIds, spdxLicenseIds } from './publiccode.spdx.ts';

export interface PubliccodeIssue {
  key: string;
  message: string;
}

export const publiccodeVersions = ['0', '0.2', '0.2.0', '0.2.1', '0.2.2', '0.3', '0.3.0', '0.4', '0.4.0', '0.5', '0.5.0', '0.7', '0.7.0'];
export const publiccodeDevelopmentStatuses = ['concept', 'development', 'beta', 'stable', 'obsolete'];
export const publiccodeSoftwareTypes = [
  'standalone/mobile',
  'standalone/iot',
  'standalone/desktop',
  'standalone/web',
  'standalone/backend',
  'standalone/other',
  'addon',
  'library',
  'configurationFiles',
];
export const publiccodeMaintenanceTypes = ['internal', 'contract', 'community', 'none'];

/** The categories of the standard (publiccode-parser-go, validators/v0.go). */
export const publiccodeCategories = new Set(
  `accounting agile-project-management applicant-tracking application-development appointment-scheduling backup billing-and-invoicing
blog budgeting business-intelligence business-process-management cad call-center-management cloud-management collaboration
communications compliance-management contact-management content-management crm customer-service-and-support data-analytics
data-collection data-visualization design design-system digital-asset-management digital-citizenship document-management
donor-management e-commerce e-signature educational-content email-management email-marketing employee-management
enterprise-project-management enterprise-social-networking erp event-management facility-management feedback-and-reviews-management
financial-reporting fleet-management fundraising gamification geographic-information-systems grant-management graphic-design
help-desk hr ide identity-management instant-messaging integrated-library-system inventory-management it-asset-management
it-development it-management it-security it-service-management knowledge-management learning-management-system marketing
mind-mapping mobile-marketing mobile-payment network-management office online-booking online-community payment-gateway payroll
predictive-analysis procurement productivity-suite project-collaboration project-management property-management
real-estate-management regulations-and-directives remote-support resource-management sales-management seo service-desk
social-media-management survey talent-management task-management taxes-management test-management time-management time-tracking
translation video-conferencing video-editing visitor-management voip warehouse-management web-collaboration web-conferencing
whistleblowing website-builder workflow-management other`.split(/\s+/),
);
const scopes = new Set(
  `agriculture culture defence education emergency-services employment energy environment finance-and-economic-development
foreign-affairs government healthcare infrastructures justice local-authorities manufacturing research science-and-technology
security society sport tourism transportation welfare`.split(/\s+/),
);
const supportsAliases = new Set(['gdpr', 'eidas', 'nis2', 'cra', 'spid', 'cie', 'anpr', 'pagopa', 'io']);

// --- SPDX expressions (the parser uses github/go-spdx: case-insensitive ids, AND/OR/WITH, parentheses, `+`, LicenseRef-)
const licenceIds = new Set([...spdxLicenseIds, ...spdxDeprecatedLicenseIds].map((x) => x.toLowerCase()));
const exceptionIds = new Set(spdxExceptionIds.map((x) => x.toLowerCase()));

/** Whether `expr` is a valid SPDX licence expression (NOASSERTION and NONE are not). */
export function isSpdxExpression(expr: string): boolean {
  const tokens = expr.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const licence = (): boolean => {
    const t = tokens[i++];
    if (!t) return false;
    if (/^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(t)) return true;
    const id = t.endsWith('+') ? t.slice(0, -1) : t;
    return licenceIds.has(id.toLowerCase());
  };
  const simple = (): boolean => {
    if (peek() === '(') {
      i++;
      if (!or()) return false;
      return tokens[i++] === ')';
    }
    if (!licence()) return false;
    if (peek()?.toUpperCase() === 'WITH') {
      i++;
      const e = tokens[i++];
      return !!e && exceptionIds.has(e.toLowerCase());
    }
    return true;
  };
  const and = (): boolean => {
    if (!simple()) return false;
    while (peek()?.toUpperCase() === 'AND') {
      i++;
      if (!simple()) return false;
    }
    return true;
  };
  const or = (): boolean => {
    if (!and()) return false;
    while (peek()?.toUpperCase() === 'OR') {
      i++;
      if (!and()) return false;
    }
    return true;
  };
  return tokens.length > 0 && or() && i === tokens.length;
}

// --- Scalars
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (s: string) => [...segmenter.segment(s)].length;
const languages = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** A well-formed BCP 47 tag whose language is a registered one (`en`, `sl-IT-nedis`; not `en_GB`, `xxx`). */
export function isBcp47(tag: string): boolean {
  try {
    if (Intl.getCanonicalLocales(tag).length !== 1) return false;
    return languages.of(new Intl.Locale(tag).language) !== undefined;
  } catch {
    return false;
  }
}
const isCountry = (c: string) =>
  (c === c.toUpperCase() || c === c.toLowerCase()) &&
  /^[A-Z]{2}$/.test(c.toUpperCase()) &&
  !['EU', 'UK', 'ZZ', 'EZ', 'UN', 'QO', 'XA', 'XB', 'XK'].includes(c.toUpperCase()) &&
  (() => {
    try {
      return regions.of(c.toUpperCase()) !== undefined;
    } catch {
      return false;
    }
  })();
/** Any absolute URL with a scheme (go-playground's `url`). */
const isUrl = (s: string) => {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(s) && !!new URL(s).protocol;
  } catch {
    return false;
  }
};
/** An http(s) URL with a host (go-playground's `http_url`). */
export const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
};
const isUrn = (s: string) => /^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9()+,\-.:=@;$_!*'%/?#]+$/i.test(s);
/** `organisation.uri` and `fundedBy[].uri`: a URN, or a URL with a scheme and a host. */
const isOrganisationUri = (s: string) => {
  if (/^urn:/i.test(s)) return isUrn(s);
  try {
    const u = new URL(s);
    return u.host !== '';
  } catch {
    return false;
  }
};
export const isDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
const isMime = (s: string) => /^ *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})\/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *$/.test(s);
/** A URL of a code repository, not of an organisation or a user (`https://github.com/owner/repo`, not `https://github.com/owner`). */
export function isCodeRepositoryUrl(s: string): boolean {
  if (!isUrl(s)) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  const host = u.host.toLowerCase().replace(/^www\./, '');
  const parts = u.pathname.split('/').filter(Boolean);
  if (['github.com', 'bitbucket.org'].includes(host)) return parts.length >= 2;
  if (host === 'gitlab.com' || host.startsWith('gitlab.') || host.includes('.gitlab.')) return parts.length >= 2;
  return true;
}

// --- The walk
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const langKey = (base: string, lang: string) => (/^[A-Za-z0-9_]+$/.test(lang) ? `${base}.${lang}` : `${base}[${lang}]`);

/** Validates a publiccode.yml (text, or bytes that must be UTF-8); returns the errors, empty when the file is valid. */
export function validatePubliccode(input: string | Uint8Array): PubliccodeIssue[] {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return [{ key: '', message: 'Invalid UTF-8' }];
    }
  }
  const r = readPubliccodeYaml(text);
  return 'error' in r ? [{ key: '', message: r.error }] : validatePubliccodeObject(r.value);
}

/**
 * Reads a publiccode.yml as the parser does: YAML 1.2 (so `yes`/`no` are strings, not booleans),
 * and every number read as the text written (`phone: +391624231322`, `versionMin: 1.10`): the
 * standard has no numeric key, and the parser's decoder turns such scalars into strings.
 */
export function readPubliccodeYaml(text: string): { value: unknown } | { error: string } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) return { error: doc.errors[0]!.message.split('\n')[0]! };
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'bigint') && node.source !== undefined) node.value = String(node.source);
    },
  });
  try {
    // Bounded aliases (platform/yaml.ts): an alias bomb is refused, never expanded.
    return { value: yamlToJsSafely(doc, 'content', { maxAliasCount: 50 }) };
  } catch (e) {
    return { error: e instanceof ValidationError ? (e.errors[0]?.message ?? e.message) : String(e) };
  }
}

/** Validates a publiccode.yml already read into an object. */
export function validatePubliccodeObject(raw: unknown): PubliccodeIssue[] {
  const out: PubliccodeIssue[] = [];
  const err = (key: string, message: string) => out.push({ key, message });
  if (!isObj(raw)) return [{ key: '', message: 'the document must be a map' }];
  const p = raw;

  /** Reports a value of the wrong type where the parser does: at the first key of a map, or the first element of a list. */
  const wrongType = (key: string, v: unknown) => {
    if (isObj(v)) {
      const k = Object.keys(v)[0];
      err(k !== undefined ? `${key}.${k}` : key, 'wrong type for this field');
    } else if (Array.isArray(v) && v.length) err(`${key}[0]`, 'wrong type for this field');
    else err(key, 'wrong type for this field');
  };
  const unknownKeys = (base: string, o: Obj, allowed: string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) err(base ? `${base}.${k}` : k, `unknown field "${k}"`);
  };
  /** An optional string: absent or null passes; returns the string when there is one. */
  const str = (key: string, v: unknown, required = false): string | undefined => {
    if (v === undefined || v === null) {
      if (required) err(key, `${key.split(/[.[]/).pop()} is a required field`);
      return undefined;
    }
    if (typeof v !== 'string') {
      wrongType(key, v);
      if (required) err(key, `${key.split(/[.[]/).pop()} is a required field`);
      return undefined;
    }
    if (required && v === '') err(key, `${key.split(/[.[]/).pop()} is a required field`);
    return v;
  };
  const bool = (key: string, v: unknown, required = false) => {
    if (v === undefined || v === null) {
      if (required) err(key, `${key.split('.').pop()} is a required field`);
    } else if (typeof v !== 'boolean') {
      wrongType(key, v);
      if (required) err(key, `${key.split('.').pop()} is a required field`);
    }
  };
  /** An optional list of strings; returns it when it is one. */
  const strList = (key: string, v: unknown): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      wrongType(key, v);
      return undefined;
    }
    const bad = v.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) {
      wrongType(`${key}[${bad}]`, v[bad]);
      return undefined;
    }
    return v as string[];
  };
  const obj = (key: string, v: unknown): Obj | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      wrongType(key, v);
      return undefined;
    }
    return v;
  };
  const httpUrl = (key: string, v: unknown) => {
    const s = str(key, v);
    if (s !== undefined && !isHttpUrl(s)) err(key, `${key.split('.').pop()} must be an HTTP URL`);
  };

  unknownKeys('', p, [
    'publiccodeYmlVersion',
    'name',
    'applicationSuite',
    'url',
    'landingURL',
    'isBasedOn',
    'softwareVersion',
    'releaseDate',
    'logo',
    'monochromeLogo',
    'organisation',
    'inputTypes',
    'outputTypes',
    'platforms',
    'categories',
    'usedBy',
    'fundedBy',
    'roadmap',
    'developmentStatus',
    'softwareType',
    'supports',
    'intendedAudience',
    'description',
    'legal',
    'maintenance',
    'localisation',
    'dependsOn',
    'IT',
    'it',
  ]);

  const version = str('publiccodeYmlVersion', p.publiccodeYmlVersion, true);
  if (version && !publiccodeVersions.includes(version))
    err('publiccodeYmlVersion', `unsupported version: '${version}'. Supported versions: ${publiccodeVersions.join(', ')}`);
  str('name', p.name, true);
  str('applicationSuite', p.applicationSuite);
  const url = str('url', p.url, true);
  if (url) {
    if (!isUrl(url)) err('url', 'url must be a valid URL');
    else if (!isCodeRepositoryUrl(url)) err('url', 'is not a valid code repository');
  }
  httpUrl('landingURL', p.landingURL);
  if (p.isBasedOn !== undefined && p.isBasedOn !== null) {
    const list = typeof p.isBasedOn === 'string' ? [p.isBasedOn] : strList('isBasedOn', p.isBasedOn);
    list?.forEach((u, i) => {
      if (!isUrl(u)) err(`isBasedOn[${i}]`, `isBasedOn[${i}] must be a valid URL`);
    });
  }
  str('softwareVersion', p.softwareVersion);
  if (p.releaseDate !== undefined && p.releaseDate !== null) {
    const d = str('releaseDate', p.releaseDate);
    if (d !== undefined && !isDate(d)) err('releaseDate', "releaseDate must be a date with format 'YYYY-MM-DD'");
  }
  for (const k of ['logo', 'monochromeLogo'] as const) {
    const s = str(k, p[k]);
    if (s) {
      if (/^file:/i.test(s)) err(k, 'is a file:// URL. Only relative paths or HTTP(s) URLs allowed');
      else if (s.startsWith('/')) err(k, 'is an absolute path. Only relative paths or HTTP(s) URLs allowed');
    }
  }
  const organisation = (key: string, v: unknown) => {
    const o = obj(key, v);
    if (!o) return;
    unknownKeys(key, o, ['name', 'uri']);
    str(`${key}.name`, o.name);
    const uri = str(`${key}.uri`, o.uri, true);
    if (uri && !isOrganisationUri(uri)) err(`${key}.uri`, 'uri is not a valid URI');
  };
  organisation('organisation', p.organisation);
  for (const k of ['inputTypes', 'outputTypes'] as const)
    strList(k, p[k])?.forEach((m, i) => {
      if (!isMime(m)) err(`${k}[${i}]`, `${k}[${i}] is not a valid MIME type`);
    });
  const platforms = strList('platforms', p.platforms);
  if (!platforms?.length) err('platforms', 'platforms must contain more than 0 items');
  strList('categories', p.categories)?.forEach((c, i) => {
    if (!publiccodeCategories.has(c)) err(`categories[${i}]`, `categories[${i}] must be a valid category`);
  });
  strList('usedBy', p.usedBy);
  if (p.fundedBy !== undefined && p.fundedBy !== null) {
    if (!Array.isArray(p.fundedBy)) wrongType('fundedBy', p.fundedBy);
    else p.fundedBy.forEach((f, i) => organisation(`fundedBy[${i}]`, f));
  }
  httpUrl('roadmap', p.roadmap);
  const ds = str('developmentStatus', p.developmentStatus, true);
  if (ds && !publiccodeDevelopmentStatuses.includes(ds))
    err('developmentStatus', `developmentStatus must be one of the following: ${publiccodeDevelopmentStatuses.join(' ')}`);
  const st = str('softwareType', p.softwareType, true);
  if (st && !publiccodeSoftwareTypes.includes(st)) err('softwareType', `softwareType must be one of the following: ${publiccodeSoftwareTypes.join(' ')}`);
  if (p.supports !== undefined && p.supports !== null) {
    if (!Array.isArray(p.supports)) wrongType('supports', p.supports);
    else
      p.supports.forEach((s, i) => {
        const o = obj(`supports[${i}]`, s);
        if (!o) return;
        unknownKeys(`supports[${i}]`, o, ['id']);
        const id = str(`supports[${i}].id`, o.id, true);
        if (id && (id.startsWith('alias:') ? !supportsAliases.has(id.slice(6)) : !isOrganisationUri(id)))
          err(`supports[${i}].id`, 'id contains an unknown alias or is not a URI');
      });
  }
  const ia = obj('intendedAudience', p.intendedAudience);
  if (ia) {
    unknownKeys('intendedAudience', ia, ['scope', 'countries', 'unsupportedCountries']);
    strList('intendedAudience.scope', ia.scope)?.forEach((s, i) => {
      if (!scopes.has(s)) err(`intendedAudience.scope[${i}]`, `scope[${i}] must be a valid scope`);
    });
    for (const k of ['countries', 'unsupportedCountries'] as const)
      strList(`intendedAudience.${k}`, ia[k])?.forEach((c, i) => {
        if (!isCountry(c)) err(`intendedAudience.${k}[${i}]`, `${k}[${i}] must be a valid ISO 3166-1 alpha-2 country code`);
      });
  }

  // description.<lang>
  const description = obj('description', p.description);
  if (!description || Object.keys(description).length === 0) err('description', 'description must contain more than 0 items');
  else
    for (const [lang, d] of Object.entries(description)) {
      const base = langKey('description', lang);
      if (!isBcp47(lang)) err('description', `description must use a valid BCP 47 language tag as keys (${lang})`);
      if (!isObj(d)) {
        wrongType(base, d);
        err('description', 'wrong type for this field');
        continue;
      }
      const before = out.length;
      unknownKeys(base, d, [
        'localisedName',
        'genericName',
        'shortDescription',
        'longDescription',
        'documentation',
        'apiDocumentation',
        'features',
        'screenshots',
        'videos',
        'awards',
      ]);
      str(`${base}.localisedName`, d.localisedName);
      const gn = str(`${base}.genericName`, d.genericName);
      if (gn && graphemes(gn) > 35) err(`${base}.genericName`, 'genericName must be a maximum of 35 characters in length');
      const sd = str(`${base}.shortDescription`, d.shortDescription, true);
      if (sd && graphemes(sd) > 150) err(`${base}.shortDescription`, 'shortDescription must be a maximum of 150 characters in length');
      const ld = str(`${base}.longDescription`, d.longDescription, true);
      if (ld !== undefined && ld !== '') {
        const n = graphemes(ld);
        if (n < 150) err(`${base}.longDescription`, 'longDescription must be at least 150 characters in length');
        if (n > 10_000) err(`${base}.longDescription`, 'longDescription must be a maximum of 10000 characters in length');
      }
      httpUrl(`${base}.documentation`, d.documentation);
      httpUrl(`${base}.apiDocumentation`, d.apiDocumentation);
      const features = strList(`${base}.features`, d.features);
      if (!features?.length) err(`${base}.features`, 'features must contain more than 0 items');
      strList(`${base}.screenshots`, d.screenshots);
      strList(`${base}.videos`, d.videos)?.forEach((v, i) => {
        if (!isHttpUrl(v)) err(`${base}.videos[${i}]`, `videos[${i}] must be an HTTP URL`);
      });
      strList(`${base}.awards`, d.awards);
      // The parser also reports a wrong type inside a description on `description` itself.
      if (out.slice(before).some((x) => x.message === 'wrong type for this field')) err('description', 'wrong type for this field');
    }

  // legal
  const legal = p.legal === undefined || p.legal === null ? {} : obj('legal', p.legal);
  if (legal) {
    unknownKeys('legal', legal, ['license', 'mainCopyrightOwner', 'repoOwner', 'authorsFile']);
    const lic = str('legal.license', legal.license, true);
    if (lic && !isSpdxExpression(lic)) err('legal.license', 'license must be a valid license (see https://spdx.org/licenses)');
    str('legal.mainCopyrightOwner', legal.mainCopyrightOwner);
    str('legal.repoOwner', legal.repoOwner);
    str('legal.authorsFile', legal.authorsFile);
  } else err('legal.license', 'license is a required field');

  // maintenance
  const m = p.maintenance === undefined || p.maintenance === null ? {} : obj('maintenance', p.maintenance);
  if (m) {
    unknownKeys('maintenance', m, ['type', 'contractors', 'contacts']);
    const type = str('maintenance.type', m.type, true);
    if (type && !publiccodeMaintenanceTypes.includes(type))
      err('maintenance.type', `type must be one of the following: ${publiccodeMaintenanceTypes.join(' ')}`);
    const list = (key: string, v: unknown): Obj[] | undefined => {
      if (v === undefined || v === null) return undefined;
      if (!Array.isArray(v)) {
        wrongType(key, v);
        return undefined;
      }
      return v.filter((x, i) => !!obj(`${key}[${i}]`, x)) as Obj[];
    };
    const contractors = list('maintenance.contractors', m.contractors);
    if (type === 'contract' && !contractors?.length) err('maintenance.contractors', 'contractors is a required field when type is contract');
    if (type !== 'contract' && m.contractors !== undefined && m.contractors !== null)
      err('maintenance.contractors', 'contractors must be present only when type is contract');
    contractors?.forEach((c, i) => {
      const k = `maintenance.contractors[${i}]`;
      unknownKeys(k, c, ['name', 'email', 'website', 'until']);
      str(`${k}.name`, c.name, true);
      const e = str(`${k}.email`, c.email);
      if (e && !isEmail(e)) err(`${k}.email`, 'email must be a valid email address');
      httpUrl(`${k}.website`, c.website);
      const u = str(`${k}.until`, c.until, true);
      if (u && !isDate(u)) err(`${k}.until`, "until must be a date with format 'YYYY-MM-DD'");
    });
    const contacts = list('maintenance.contacts', m.contacts);
    if ((type === 'internal' || type === 'community') && !contacts?.length) err('maintenance.contacts', `contacts is a required field when type is ${type}`);
    contacts?.forEach((c, i) => {
      const k = `maintenance.contacts[${i}]`;
      unknownKeys(k, c, ['name', 'email', 'affiliation', 'phone']);
      str(`${k}.name`, c.name, true);
      const e = str(`${k}.email`, c.email);
      if (e && !isEmail(e)) err(`${k}.email`, 'email must be a valid email address');
      str(`${k}.affiliation`, c.affiliation);
      str(`${k}.phone`, c.phone);
    });
  }

  // localisation
  const loc = p.localisation === undefined || p.localisation === null ? {} : obj('localisation', p.localisation);
  if (loc) {
    unknownKeys('localisation', loc, ['localisationReady', 'availableLanguages']);
    bool('localisation.localisationReady', loc.localisationReady, true);
    const langs = strList('localisation.availableLanguages', loc.availableLanguages);
    if (!langs?.length) err('localisation.availableLanguages', 'availableLanguages is a required field');
    langs?.forEach((l, i) => {
      if (!isBcp47(l)) err(`localisation.availableLanguages[${i}]`, `availableLanguages[${i}] must be a valid BCP 47 language tag`);
    });
  }

  // dependsOn
  const dep = obj('dependsOn', p.dependsOn);
  if (dep) {
    unknownKeys('dependsOn', dep, ['open', 'proprietary', 'hardware']);
    for (const kind of ['open', 'proprietary', 'hardware'] as const) {
      const v = dep[kind];
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) {
        wrongType(`dependsOn.${kind}`, v);
        continue;
      }
      v.forEach((d, i) => {
        const k = `dependsOn.${kind}[${i}]`;
        const o = obj(k, d);
        if (!o) return;
        unknownKeys(k, o, ['name', 'versionMin', 'versionMax', 'optional', 'version']);
        str(`${k}.name`, o.name, true);
        for (const f of ['versionMin', 'versionMax', 'version'] as const) str(`${k}.${f}`, o[f]);
        bool(`${k}.optional`, o.optional);
      });
    }
  }

  // Country sections: IT (and the deprecated lowercase it)
  if (p.IT !== undefined && p.it !== undefined) err('it', "'IT' key already present. Remove this key");
  for (const key of ['IT', 'it'] as const) {
    const s = obj(key, p[key]);
    if (!s) continue;
    unknownKeys(key, s, ['countryExtensionVersion', 'conforme', 'riuso', 'piattaforme']);
    const v = str(`${key}.countryExtensionVersion`, s.countryExtensionVersion);
    if (v !== undefined && !['0.2', '1.0'].includes(v)) err(`IT.countryExtensionVersion`, 'countryExtensionVersion must be one of the following: 0.2 1.0');
    const conf = obj(`${key}.conforme`, s.conforme);
    if (conf) {
      unknownKeys(`${key}.conforme`, conf, ['lineeGuidaDesign', 'modelloInteroperabilita', 'misureMinimeSicurezza', 'gdpr']);
      for (const [k, b] of Object.entries(conf)) bool(`${key}.conforme.${k}`, b);
    }
    const riuso = obj(`${key}.riuso`, s.riuso);
    if (riuso) {
      unknownKeys(`${key}.riuso`, riuso, ['codiceIPA']);
      const ipa = str(`${key}.riuso.codiceIPA`, riuso.codiceIPA);
      if (ipa && !/^[a-z0-9_]+$/i.test(ipa)) err('IT.riuso.codiceIPA', 'codiceIPA must be a valid Italian Public Administration Code (iPA)');
    }
    const pf = obj(`${key}.piattaforme`, s.piattaforme);
    if (pf) {
      unknownKeys(`${key}.piattaforme`, pf, ['spid', 'pagopa', 'cie', 'anpr', 'io']);
      for (const [k, b] of Object.entries(pf)) bool(`${key}.piattaforme.${k}`, b);
    }
  }
  return out;
}
