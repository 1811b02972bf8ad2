import { DataFactory, Writer, type Quad, type Quad_Object, type Quad_Predicate, type Quad_Subject } from 'n3';
import jsonld from 'jsonld';
import type { Asset } from './catalog.service.ts';
import { fileType, frequencyIri, licenceTerm } from './catalog.dcat.vocab.ts';

const { namedNode, literal, blankNode, quad } = DataFactory;

const NS = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
};
const dcat = (s: string) => namedNode(NS.dcat + s);
const dct = (s: string) => namedNode(NS.dct + s);
const foaf = (s: string) => namedNode(NS.foaf + s);
const vcard = (s: string) => namedNode(NS.vcard + s);
const a = namedNode(`${NS.rdf}type`);
const xsd = (s: string) => namedNode(NS.xsd + s);
const rdfs = (s: string) => namedNode(NS.rdfs + s);
const skos = (s: string) => namedNode(NS.skos + s);

export interface DcatOptions {
  baseUrl: string;
  title: string;
  publisherName: string;
  /**
   * DCAT-AP version the graph is checked against. The two disagree on one point only: `dcat:byteSize`
   * is an `xsd:nonNegativeInteger` in 3.0.1 (DCAT 3) and an `xsd:decimal` in 2.1.1. Default 3.0.1.
   */
  profile?: '3.0.1' | '2.1.1';
}

interface DatasetSpec {
  licence?: string;
  frequency?: string;
  temporalCoverageStart?: string;
  temporalCoverageEnd?: string;
  spatialCoverage?: string;
  schemaRef?: string;
  datagouvId?: string;
  datagouvUrl?: string;
  resources?: { title: string; url: string; format?: string; size?: number }[];
}

/** Only what the public may read is published: open, without personal data, not decommissioned. */
export function isPublishable(d: Pick<Asset, 'kind' | 'openness' | 'personalData' | 'lifecycle'>): boolean {
  return d.kind === 'dataset' && d.openness === 'ouvert' && !d.personalData && d.lifecycle !== 'decommissionne';
}

const EU_COUNTRY = 'http://publications.europa.eu/resource/authority/country/';
const SCHEMA_DATAGOUV = 'https://schema.data.gouv.fr/';

/** The DCAT-AP graph of the public datasets (anything not publishable is left out, whoever passes it). */
export function dcatQuads(datasets: Asset[], opts: DcatOptions): Quad[] {
  const q: Quad[] = [];
  const seen = new Set<string>();
  const add = (s: Quad_Subject, p: Quad_Predicate, o: Quad_Object) => q.push(quad(s, p, o));
  /** Types an IRI from a vocabulary once (SHACL range shapes check the class of every object). */
  const typed = (iri: string, ...classes: ReturnType<typeof namedNode>[]) => {
    const n = namedNode(iri);
    if (!seen.has(iri)) {
      seen.add(iri);
      for (const c of classes) add(n, a, c);
    }
    return n;
  };
  const base = opts.baseUrl.replace(/\/$/, '');
  const byteSizeType = xsd(opts.profile === '2.1.1' ? 'decimal' : 'nonNegativeInteger');
  const catalog = namedNode(`${base}/catalog`);
  const ministry = namedNode(`${base}/#ministere`);
  add(catalog, a, dcat('Catalog'));
  add(catalog, dct('title'), literal(opts.title, 'fr'));
  add(catalog, dct('description'), literal('Jeux de données ouverts décrits dans le catalogue Patrimoine.', 'fr'));
  add(catalog, dct('publisher'), ministry);
  add(catalog, foaf('homepage'), typed(`${base}/catalogue`, foaf('Document')));
  add(catalog, dct('language'), typed('http://publications.europa.eu/resource/authority/language/FRA', dct('LinguisticSystem')));
  add(ministry, a, foaf('Agent'));
  add(ministry, a, foaf('Organization'));
  add(ministry, foaf('name'), literal(opts.publisherName, 'fr'));
  const orgs = new Set<string>();
  for (const d of datasets) {
    if (!isPublishable(d)) continue;
    const spec = d.spec as DatasetSpec;
    const page = `${base}/catalogue/dataset/${d.slug}`;
    const ds = namedNode(page);
    add(catalog, dcat('dataset'), ds);
    add(ds, a, dcat('Dataset'));
    add(ds, dct('identifier'), literal(spec.datagouvId ?? d.ref));
    add(ds, dct('title'), literal(d.title, 'fr'));
    // dct:description is mandatory in DCAT-AP: the title stands in for an empty description.
    add(ds, dct('description'), literal(d.description.trim() || d.title, 'fr'));
    for (const t of d.tags) add(ds, dcat('keyword'), literal(t, 'fr'));
    add(ds, dct('issued'), literal(d.createdAt.toISOString(), xsd('dateTime')));
    add(ds, dct('modified'), literal(d.updatedAt.toISOString(), xsd('dateTime')));
    add(ds, dcat('landingPage'), typed(spec.datagouvUrl ?? page, foaf('Document')));
    const lic = licenceTerm(spec.licence);
    const licence = lic?.kind === 'licence' ? typed(lic.iri, dct('LicenseDocument')) : null;
    if (licence) add(ds, dct('license'), licence);
    if (lic?.kind === 'rights') {
      const rs = blankNode();
      add(ds, dct('rights'), rs);
      add(rs, a, dct('RightsStatement'));
      add(rs, rdfs('label'), literal(lic.label));
    }
    if (d.owner) {
      const org = namedNode(`${base}/organisations/${encodeURIComponent(d.owner)}`);
      add(ds, dct('publisher'), org);
      if (!orgs.has(d.owner)) {
        orgs.add(d.owner);
        add(org, a, foaf('Agent'));
        add(org, a, foaf('Organization'));
        add(org, foaf('name'), literal(d.ownerName ?? d.owner, 'fr'));
      }
    } else add(ds, dct('publisher'), ministry);
    // Contact points are the asset's own contacts (the public ones, else the first), never the publisher.
    const publicContacts = d.contacts.filter((c) => c.role === 'contact_public');
    for (const contact of publicContacts.length ? publicContacts : d.contacts.slice(0, 1)) {
      const cp = blankNode();
      add(ds, dcat('contactPoint'), cp);
      add(cp, a, vcard('Kind'));
      add(cp, vcard('fn'), literal(contact.name));
      if (contact.email) add(cp, vcard('hasEmail'), namedNode(`mailto:${contact.email}`));
    }
    const freq = frequencyIri(spec.frequency);
    if (freq) add(ds, dct('accrualPeriodicity'), typed(freq, dct('Frequency')));
    if (spec.schemaRef?.trim()) {
      const ref = spec.schemaRef.trim();
      const isUrl = /^https?:\/\/[^\s<>"{}|\\^`]+$/i.test(ref);
      const std = typed(isUrl ? ref : `${SCHEMA_DATAGOUV}${ref.split('/').map(encodeURIComponent).join('/')}/`, dct('Standard'));
      add(ds, dct('conformsTo'), std);
      if (!isUrl) add(std, dct('title'), literal(ref));
    }
    if (spec.temporalCoverageStart || spec.temporalCoverageEnd) {
      const pt = blankNode();
      add(ds, dct('temporal'), pt);
      add(pt, a, dct('PeriodOfTime'));
      if (spec.temporalCoverageStart) add(pt, dcat('startDate'), literal(spec.temporalCoverageStart, xsd('date')));
      if (spec.temporalCoverageEnd) add(pt, dcat('endDate'), literal(spec.temporalCoverageEnd, xsd('date')));
    }
    if (spec.spatialCoverage?.trim()) {
      const loc = blankNode();
      add(ds, dct('spatial'), loc);
      add(loc, a, dct('Location'));
      add(loc, skos('prefLabel'), literal(spec.spatialCoverage.trim(), 'fr'));
      // The model holds a label only (no geometry, no zone code): « France… » is also given as the EU country.
      if (/^france\b/i.test(spec.spatialCoverage.trim())) add(ds, dct('spatial'), typed(`${EU_COUNTRY}FRA`, dct('Location')));
    }
    (spec.resources ?? []).forEach((r, i) => {
      const dist = namedNode(`${page}#distribution-${i + 1}`);
      add(ds, dcat('distribution'), dist);
      add(dist, a, dcat('Distribution'));
      add(dist, dct('title'), literal(r.title, 'fr'));
      add(dist, dcat('accessURL'), namedNode(r.url));
      add(dist, dcat('downloadURL'), namedNode(r.url));
      if (licence) add(dist, dct('license'), licence);
      if (r.format) {
        const ft = fileType(r.format);
        if (ft) {
          add(dist, dct('format'), typed(ft.iri, dct('MediaTypeOrExtent')));
          if (ft.mediaType) add(dist, dcat('mediaType'), typed(ft.mediaType, dct('MediaTypeOrExtent'), dct('MediaType')));
        } else {
          // A format outside the EU table: a described node, whose label udata's harvester reads as the format.
          const f = blankNode();
          add(dist, dct('format'), f);
          add(f, a, dct('MediaTypeOrExtent'));
          add(f, rdfs('label'), literal(r.format));
        }
      }
      if (r.size !== undefined) add(dist, dcat('byteSize'), literal(String(r.size), byteSizeType));
    });
  }
  return q;
}

function write(quads: Quad[], format: 'Turtle' | 'N-Quads'): Promise<string> {
  const w = new Writer(
    format === 'Turtle'
      ? { prefixes: { dcat: NS.dcat, dct: NS.dct, foaf: NS.foaf, vcard: NS.vcard, xsd: NS.xsd, skos: NS.skos, rdfs: NS.rdfs }, format: 'Turtle' }
      : { format: 'N-Quads' },
  );
  w.addQuads(quads);
  return new Promise((resolve, reject) => w.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

export function toTurtle(quads: Quad[]): Promise<string> {
  return write(quads, 'Turtle');
}

const CONTEXT = { dcat: NS.dcat, dct: NS.dct, foaf: NS.foaf, vcard: NS.vcard, xsd: NS.xsd, skos: NS.skos, rdfs: NS.rdfs };

/** JSON-LD from the same graph (jsonld.js: N-Quads → expanded → compacted with an inline context). */
export async function toJsonLd(quads: Quad[]): Promise<object> {
  const nquads = await write(quads, 'N-Quads');
  const expanded = await jsonld.fromRDF(nquads, { format: 'application/n-quads' });
  return jsonld.compact(expanded, CONTEXT);
}
