import { DataFactory, Writer, type Quad, type Quad_Object, type Quad_Predicate, type Quad_Subject } from 'n3';
import jsonld from 'jsonld';
import type { Asset } from './catalog.service.ts';

const { namedNode, literal, blankNode, quad } = DataFactory;

const NS = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
};
const dcat = (s: string) => namedNode(NS.dcat + s);
const dct = (s: string) => namedNode(NS.dct + s);
const foaf = (s: string) => namedNode(NS.foaf + s);
const vcard = (s: string) => namedNode(NS.vcard + s);
const a = namedNode(`${NS.rdf}type`);
const xsd = (s: string) => namedNode(NS.xsd + s);

/** udata / schema frequencies → the EU frequency vocabulary DCAT-AP expects. */
const FREQUENCY: Record<string, string> = {
  continuous: 'CONT',
  hourly: 'HOURLY',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  irregular: 'IRREG',
  punctual: 'NEVER',
  unknown: 'UNKNOWN',
};

/** Licence names → URIs data.gouv.fr's harvester recognises. */
function licenceUri(l: string | undefined): string {
  const s = (l ?? 'Licence Ouverte 2.0').toLowerCase();
  if (s.startsWith('http')) return l!;
  if (s.includes('odbl')) return 'https://opendatacommons.org/licenses/odbl/1-0/';
  if (s.includes('cc-by') || s.includes('cc by')) return 'https://creativecommons.org/licenses/by/4.0/';
  if (s.includes('cc0')) return 'https://creativecommons.org/publicdomain/zero/1.0/';
  return 'https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf';
}

export interface DcatOptions {
  baseUrl: string;
  title: string;
  publisherName: string;
}

/** The DCAT-AP graph of the public datasets (only `ouvert`, non-personal datasets are given). */
export function dcatQuads(datasets: Asset[], opts: DcatOptions): Quad[] {
  const q: Quad[] = [];
  const add = (s: Quad_Subject, p: Quad_Predicate, o: Quad_Object) => q.push(quad(s, p, o));
  const base = opts.baseUrl.replace(/\/$/, '');
  const catalog = namedNode(`${base}/catalog`);
  const ministry = namedNode(`${base}/#ministere`);
  add(catalog, a, dcat('Catalog'));
  add(catalog, dct('title'), literal(opts.title, 'fr'));
  add(catalog, dct('description'), literal('Jeux de données ouverts décrits dans le catalogue Patrimoine.', 'fr'));
  add(catalog, dct('publisher'), ministry);
  add(catalog, foaf('homepage'), namedNode(`${base}/catalogue`));
  add(catalog, dct('language'), namedNode('http://publications.europa.eu/resource/authority/language/FRA'));
  add(ministry, a, foaf('Organization'));
  add(ministry, foaf('name'), literal(opts.publisherName, 'fr'));
  const orgs = new Set<string>();
  for (const d of datasets) {
    const spec = d.spec as {
      licence?: string;
      frequency?: string;
      temporalCoverageStart?: string;
      temporalCoverageEnd?: string;
      spatialCoverage?: string;
      datagouvId?: string;
      datagouvUrl?: string;
      resources?: { title: string; url: string; format?: string; size?: number }[];
    };
    const ds = namedNode(`${base}/catalogue/dataset/${d.slug}`);
    add(catalog, dcat('dataset'), ds);
    add(ds, a, dcat('Dataset'));
    add(ds, dct('identifier'), literal(spec.datagouvId ?? d.ref));
    add(ds, dct('title'), literal(d.title, 'fr'));
    if (d.description) add(ds, dct('description'), literal(d.description, 'fr'));
    for (const t of d.tags) add(ds, dcat('keyword'), literal(t, 'fr'));
    add(ds, dct('modified'), literal(d.updatedAt.toISOString(), xsd('dateTime')));
    add(ds, dct('issued'), literal(d.createdAt.toISOString(), xsd('dateTime')));
    add(ds, dcat('landingPage'), namedNode(spec.datagouvUrl ?? `${base}/catalogue/dataset/${d.slug}`));
    const licence = namedNode(licenceUri(spec.licence));
    add(ds, dct('license'), licence);
    if (d.owner) {
      const org = namedNode(`${base}/organisations/${d.owner}`);
      add(ds, dct('publisher'), org);
      if (!orgs.has(d.owner)) {
        orgs.add(d.owner);
        add(org, a, foaf('Organization'));
        add(org, foaf('name'), literal(d.ownerName ?? d.owner, 'fr'));
      }
    } else add(ds, dct('publisher'), ministry);
    const contact = d.contacts.find((c) => c.role === 'contact_public') ?? d.contacts[0];
    if (contact) {
      const cp = blankNode();
      add(ds, dcat('contactPoint'), cp);
      add(cp, a, vcard('Kind'));
      add(cp, vcard('fn'), literal(contact.name));
      if (contact.email) add(cp, vcard('hasEmail'), namedNode(`mailto:${contact.email}`));
    }
    if (spec.frequency)
      add(ds, dct('accrualPeriodicity'), namedNode(`http://publications.europa.eu/resource/authority/frequency/${FREQUENCY[spec.frequency] ?? 'UNKNOWN'}`));
    if (spec.temporalCoverageStart || spec.temporalCoverageEnd) {
      const pt = blankNode();
      add(ds, dct('temporal'), pt);
      add(pt, a, dct('PeriodOfTime'));
      if (spec.temporalCoverageStart) add(pt, dcat('startDate'), literal(spec.temporalCoverageStart, xsd('date')));
      if (spec.temporalCoverageEnd) add(pt, dcat('endDate'), literal(spec.temporalCoverageEnd, xsd('date')));
    }
    if (spec.spatialCoverage) {
      const loc = blankNode();
      add(ds, dct('spatial'), loc);
      add(loc, a, dct('Location'));
      add(loc, namedNode(`${NS.skos}prefLabel`), literal(spec.spatialCoverage, 'fr'));
    }
    (spec.resources ?? []).forEach((r, i) => {
      const dist = namedNode(`${base}/catalogue/dataset/${d.slug}#distribution-${i + 1}`);
      add(ds, dcat('distribution'), dist);
      add(dist, a, dcat('Distribution'));
      add(dist, dct('title'), literal(r.title, 'fr'));
      add(dist, dcat('accessURL'), namedNode(r.url));
      add(dist, dcat('downloadURL'), namedNode(r.url));
      add(dist, dct('license'), licence);
      if (r.format) add(dist, dct('format'), literal(r.format));
      if (r.size !== undefined) add(dist, dcat('byteSize'), literal(String(r.size), xsd('nonNegativeInteger')));
    });
  }
  return q;
}

function write(quads: Quad[], format: 'Turtle' | 'N-Quads'): Promise<string> {
  const w = new Writer(
    format === 'Turtle'
      ? { prefixes: { dcat: NS.dcat, dct: NS.dct, foaf: NS.foaf, vcard: NS.vcard, xsd: NS.xsd, skos: NS.skos }, format: 'Turtle' }
      : { format: 'N-Quads' },
  );
  w.addQuads(quads);
  return new Promise((resolve, reject) => w.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

export function toTurtle(quads: Quad[]): Promise<string> {
  return write(quads, 'Turtle');
}

const CONTEXT = { dcat: NS.dcat, dct: NS.dct, foaf: NS.foaf, vcard: NS.vcard, xsd: NS.xsd, skos: NS.skos };

/** JSON-LD from the same graph (jsonld.js: N-Quads → expanded → compacted with an inline context). */
export async function toJsonLd(quads: Quad[]): Promise<object> {
  const nquads = await write(quads, 'N-Quads');
  const expanded = await jsonld.fromRDF(nquads, { format: 'application/n-quads' });
  return jsonld.compact(expanded, CONTEXT);
}
