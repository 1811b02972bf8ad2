import { DataFactory, Writer, type Quad, type Quad_Object, type Quad_Predicate, type Quad_Subject } from 'n3';
import jsonld from 'jsonld';
import type { Asset } from './catalog.service.ts';
import { GSP, fileType, frequencyIri, licenceTerm, toWkt, zoneIri, type Geometry } from './catalog.dcat.vocab.ts';

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
  locn: 'http://www.w3.org/ns/locn#',
  gsp: GSP,
  geodcat: 'http://data.europa.eu/930/',
  spdx: 'http://spdx.org/rdf/terms#',
};
const dcat = (s: string) => namedNode(NS.dcat + s);
const dct = (s: string) => namedNode(NS.dct + s);
const foaf = (s: string) => namedNode(NS.foaf + s);
const vcard = (s: string) => namedNode(NS.vcard + s);
const a = namedNode(`${NS.rdf}type`);
const xsd = (s: string) => namedNode(NS.xsd + s);
const rdfs = (s: string) => namedNode(NS.rdfs + s);
const skos = (s: string) => namedNode(NS.skos + s);
const locn = (s: string) => namedNode(NS.locn + s);
const gsp = (s: string) => namedNode(NS.gsp + s);
const geodcat = (s: string) => namedNode(NS.geodcat + s);
const spdx = (s: string) => namedNode(NS.spdx + s);

/** An ISO date-time as xsd:dateTime wants it, or undefined. */
const isoDateTime = (v: string | undefined) => {
  const t = v ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

export interface DcatOptions {
  baseUrl: string;
  title: string;
  publisherName: string;
  /**
   * DCAT-AP version the graph is checked against. The two disagree on one point only: `dcat:byteSize`
   * is an `xsd:nonNegativeInteger` in 3.0.1 (DCAT 3) and an `xsd:decimal` in 2.1.1. Default 3.0.1.
   */
  profile?: '3.0.1' | '2.1.1';
  /** Distributions given by other modules (the open data module's published resources), by dataset id. */
  distributions?: Map<string, ExtraDistribution[]>;
}

/** A distribution another module gives a dataset: a published file with its checksum and schema. */
export interface ExtraDistribution {
  title: string;
  downloadUrl: string;
  accessUrl: string;
  format: string | null;
  mediaType: string | null;
  size: number | null;
  sha256: string | null;
  /** Address of the schema the file conforms to, and its name (`name@version`). */
  schemaUrl: string | null;
  schemaName: string | null;
  issued: Date | null;
}

/** Gives the extra distributions of these datasets (by dataset id). */
export type DistributionSource = (datasetIds: string[]) => Promise<Map<string, ExtraDistribution[]>>;

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
  spatialZones?: string[];
  spatialGeometry?: Geometry;
  contactPoints?: { name: string; email?: string; contactForm?: string; role?: string }[];
  issued?: string;
  modified?: string;
  schema?: { name?: string; version?: string; url?: string };
  publisher?: { name: string; acronym?: string; datagouvId?: string; url?: string };
  datagouvStatus?: 'private' | 'archived' | 'deleted';
}

const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The source publisher of an imported dataset when it is not the organisation that owns it here. */
function foreignPublisher(d: Pick<Asset, 'owner' | 'ownerName'>, p: DatasetSpec['publisher']): DatasetSpec['publisher'] | null {
  if (!p?.name.trim()) return null;
  if (d.owner && p.acronym && p.acronym.trim().toLowerCase() === d.owner.toLowerCase()) return null;
  if (d.ownerName && norm(d.ownerName) === norm(p.name)) return null;
  return p;
}

/** Only what the public may read is published: open, without personal data, not decommissioned. */
export function isPublishable(d: Pick<Asset, 'kind' | 'openness' | 'personalData' | 'lifecycle' | 'spec'>): boolean {
  if (d.kind !== 'dataset' || d.openness !== 'ouvert' || d.personalData || d.lifecycle === 'decommissionne') return false;
  // A data.gouv.fr dataset that is private, archived or deleted at the source is never published, whatever its openness.
  return !(d.spec as DatasetSpec | null | undefined)?.datagouvStatus;
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
    // Dates of the data: the source's for an imported dataset (data.gouv.fr's created_at, last_modified), else the asset's.
    add(ds, dct('issued'), literal(isoDateTime(spec.issued) ?? d.createdAt.toISOString(), xsd('dateTime')));
    add(ds, dct('modified'), literal(isoDateTime(spec.modified) ?? d.updatedAt.toISOString(), xsd('dateTime')));
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
    const source = foreignPublisher(d, spec.publisher);
    if (source) {
      // The source organisation is the publisher (dct:publisher: one at most); ours, which holds the
      // asset, is the distributor, as udata writes it when a dataset has another publisher.
      const iri = source.url ?? (source.datagouvId ? `https://www.data.gouv.fr/organizations/${encodeURIComponent(source.datagouvId)}/` : null);
      const pub = iri ? namedNode(iri) : blankNode();
      add(ds, dct('publisher'), pub);
      if (!iri || !seen.has(iri)) {
        if (iri) seen.add(iri);
        add(pub, a, foaf('Agent'));
        add(pub, a, foaf('Organization'));
        add(pub, foaf('name'), literal(source.name, 'fr'));
        if (source.acronym) add(pub, skos('altLabel'), literal(source.acronym));
      }
    }
    if (d.owner) {
      const org = namedNode(`${base}/organisations/${encodeURIComponent(d.owner)}`);
      add(ds, source ? geodcat('distributor') : dct('publisher'), org);
      if (!orgs.has(d.owner)) {
        orgs.add(d.owner);
        add(org, a, foaf('Agent'));
        add(org, a, foaf('Organization'));
        add(org, foaf('name'), literal(d.ownerName ?? d.owner, 'fr'));
      }
    } else add(ds, source ? geodcat('distributor') : dct('publisher'), ministry);
    // Contact points are the asset's own contacts (the public ones, else the first), never the publisher;
    // an asset with none of its own gives the source's contact points (data.gouv.fr's, role « contact »).
    const points = spec.contactPoints ?? [];
    const fromSource = (c: { name: string; email?: string | null }) => points.some((p) => p.name === c.name && (p.email ?? null) === (c.email ?? null));
    const own = d.contacts.filter((c) => !fromSource(c));
    const publicContacts = own.filter((c) => c.role === 'contact_public');
    const vcards: { name: string; email?: string | null; contactForm?: string }[] = own.length
      ? publicContacts.length
        ? publicContacts
        : own.slice(0, 1)
      : points.filter((p) => !p.role || p.role === 'contact');
    for (const contact of vcards) {
      const cp = blankNode();
      add(ds, dcat('contactPoint'), cp);
      add(cp, a, vcard('Kind'));
      add(cp, vcard('fn'), literal(contact.name));
      if (contact.email) add(cp, vcard('hasEmail'), namedNode(`mailto:${contact.email}`));
      if (contact.contactForm) add(cp, vcard('hasURL'), namedNode(contact.contactForm));
    }
    // The source's creators, as udata writes a contact point of role « creator ».
    if (!own.length)
      for (const p of points.filter((x) => x.role === 'creator')) {
        const c = blankNode();
        add(ds, dct('creator'), c);
        add(c, a, foaf('Agent'));
        add(c, foaf('name'), literal(p.name));
        if (p.email) add(c, foaf('mbox'), namedNode(`mailto:${p.email}`));
        if (p.contactForm) add(c, foaf('page'), typed(p.contactForm, foaf('Document')));
      }
    const freq = frequencyIri(spec.frequency);
    if (freq) add(ds, dct('accrualPeriodicity'), typed(freq, dct('Frequency')));
    // The TableSchema: its own address (udata's schema_from_rdf recognises a schema.data.gouv.fr schema by
    // its file URL), else the schema.data.gouv.fr page of the name (and version), titled by the name.
    const ref = spec.schema?.url ?? (spec.schema?.name ? `${spec.schema.name}${spec.schema.version ? `@${spec.schema.version}` : ''}` : spec.schemaRef?.trim());
    if (ref) {
      const isUrl = /^https?:\/\/[^\s<>"{}|\\^`]+$/i.test(ref);
      const [name, version] = isUrl ? [spec.schema?.name, undefined] : (ref.split('@') as [string, string | undefined]);
      const path = (x: string) => x.split('/').map(encodeURIComponent).join('/');
      const iri = isUrl ? ref : `${SCHEMA_DATAGOUV}${path(name!)}/${version ? `${encodeURIComponent(version)}/` : ''}`;
      const std = typed(iri, dct('Standard'));
      add(ds, dct('conformsTo'), std);
      if (name && !seen.has(`${iri} title`)) {
        seen.add(`${iri} title`);
        add(std, dct('title'), literal(name));
      }
    }
    if (spec.temporalCoverageStart || spec.temporalCoverageEnd) {
      const pt = blankNode();
      add(ds, dct('temporal'), pt);
      add(pt, a, dct('PeriodOfTime'));
      if (spec.temporalCoverageStart) add(pt, dcat('startDate'), literal(spec.temporalCoverageStart, xsd('date')));
      if (spec.temporalCoverageEnd) add(pt, dcat('endDate'), literal(spec.temporalCoverageEnd, xsd('date')));
    }
    // Spatial coverage: a described location (label, geometry), the data.gouv.fr zones, the EU country for France.
    const places = new Set<string>();
    const place = (iri: string) => {
      if (!places.has(iri)) add(ds, dct('spatial'), typed(iri, dct('Location')));
      places.add(iri);
    };
    const label = spec.spatialCoverage?.trim();
    const geom = spec.spatialGeometry;
    if (label || geom) {
      const loc = blankNode();
      add(ds, dct('spatial'), loc);
      add(loc, a, dct('Location'));
      if (label) add(loc, skos('prefLabel'), literal(label, 'fr'));
      if (geom) {
        const geojson = literal(JSON.stringify({ type: geom.type, coordinates: geom.coordinates }), gsp('geoJSONLiteral'));
        if (opts.profile === '2.1.1') add(loc, locn('geometry'), geojson);
        else {
          // DCAT-AP 3: locn:geometry is a locn:Geometry node; udata's harvester reads the GeoJSON literal
          // on the location itself (spatial_from_rdf reads every GeoJSON or WKT literal of a dct:spatial node).
          const g = blankNode();
          add(loc, locn('geometry'), g);
          add(g, a, locn('Geometry'));
          add(g, gsp('asWKT'), literal(toWkt(geom), gsp('wktLiteral')));
          add(g, gsp('asGeoJSON'), geojson);
          add(loc, gsp('asGeoJSON'), geojson);
        }
      }
      if (label && /^france\b/i.test(label)) place(`${EU_COUNTRY}FRA`);
    }
    for (const zone of spec.spatialZones ?? []) {
      const iri = zoneIri(zone);
      if (!iri) continue;
      if (!places.has(iri) && !seen.has(iri)) add(namedNode(iri), dct('identifier'), literal(zone));
      place(iri);
      if (/^(country:fr|fr:pays:fr|fr:fr)$/i.test(zone)) place(`${EU_COUNTRY}FRA`);
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
    // Files published here (open data module): downloadURL is the stable URL of the resource.
    const extra = opts.distributions?.get(d.id) ?? [];
    extra.forEach((r, i) => {
      const dist = namedNode(`${page}#ressource-${i + 1}`);
      add(ds, dcat('distribution'), dist);
      add(dist, a, dcat('Distribution'));
      add(dist, dct('title'), literal(r.title, 'fr'));
      add(dist, dcat('accessURL'), namedNode(r.accessUrl));
      add(dist, dcat('downloadURL'), namedNode(r.downloadUrl));
      if (licence) add(dist, dct('license'), licence);
      if (r.issued) add(dist, dct('issued'), literal(r.issued.toISOString(), xsd('dateTime')));
      const ft = fileType(r.format);
      if (ft) {
        add(dist, dct('format'), typed(ft.iri, dct('MediaTypeOrExtent')));
        if (ft.mediaType) add(dist, dcat('mediaType'), typed(ft.mediaType, dct('MediaTypeOrExtent'), dct('MediaType')));
      }
      if (r.size !== null) add(dist, dcat('byteSize'), literal(String(r.size), byteSizeType));
      // DCAT-AP 2.1.1 admits SHA-1 checksums only: the sha256 is given in the 3.0.1 profile.
      if (r.sha256 && opts.profile !== '2.1.1') {
        const sum = blankNode();
        add(dist, spdx('checksum'), sum);
        add(sum, a, spdx('Checksum'));
        add(sum, spdx('algorithm'), typed(`${NS.spdx}checksumAlgorithm_sha256`, spdx('ChecksumAlgorithm')));
        add(sum, spdx('checksumValue'), literal(r.sha256, xsd('hexBinary')));
      }
      if (r.schemaUrl) {
        const std = typed(r.schemaUrl, dct('Standard'));
        add(dist, dct('conformsTo'), std);
        if (r.schemaName && !seen.has(`${r.schemaUrl} title`)) {
          seen.add(`${r.schemaUrl} title`);
          add(std, dct('title'), literal(r.schemaName));
        }
      }
    });
  }
  return q;
}

const CONTEXT = { ...NS };

function write(quads: Quad[], format: 'Turtle' | 'N-Quads'): Promise<string> {
  const w = new Writer(format === 'Turtle' ? { prefixes: CONTEXT, format: 'Turtle' } : { format: 'N-Quads' });
  w.addQuads(quads);
  return new Promise((resolve, reject) => w.end((err, out: string) => (err ? reject(err) : resolve(out))));
}

export function toTurtle(quads: Quad[]): Promise<string> {
  return write(quads, 'Turtle');
}

/** JSON-LD from the same graph (jsonld.js: N-Quads → expanded → compacted with an inline context). */
export async function toJsonLd(quads: Quad[]): Promise<object> {
  const nquads = await write(quads, 'N-Quads');
  const expanded = await jsonld.fromRDF(nquads, { format: 'application/n-quads' });
  return jsonld.compact(expanded, CONTEXT);
}
