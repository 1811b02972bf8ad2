/**
 * Vocabularies of the DCAT-AP output: file formats (EU file-type authority table), licences (the URIs
 * data.gouv.fr's harvester recognises) and update frequencies (EU frequency authority table, as udata
 * reads it). Pure functions, unit-tested in catalog.dcat.vocab.test.ts; the field-by-field mapping is
 * documented in docs/modules/catalog.md (« DCAT-AP : correspondance des champs »).
 */

export const EU_FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/';
export const EU_FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
export const IANA_MEDIA_TYPE = 'http://www.iana.org/assignments/media-types/';

/**
 * EU file-type code → its IANA media type (when it has a registered one) and the names a format is given.
 * Every code is in the EU file-type authority table (checked against a copy of its list of IRIs).
 */
const FILE_TYPES: [code: string, mediaType: string | null, aliases: string[]][] = [
  ['CSV', 'text/csv', ['csv']],
  ['TSV', 'text/tab-separated-values', ['tsv']],
  ['JSON', 'application/json', ['json']],
  ['JSON_LD', 'application/ld+json', ['json-ld', 'jsonld']],
  ['GEOJSON', 'application/geo+json', ['geojson', 'geo+json', 'application/vnd.geo+json']],
  ['XML', 'application/xml', ['xml', 'text/xml']],
  ['XLS', 'application/vnd.ms-excel', ['xls']],
  ['XLSX', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ['xlsx']],
  ['XLSM', 'application/vnd.ms-excel.sheet.macroenabled.12', ['xlsm']],
  ['ODS', 'application/vnd.oasis.opendocument.spreadsheet', ['ods']],
  ['ODT', 'application/vnd.oasis.opendocument.text', ['odt']],
  ['DOC', 'application/msword', ['doc']],
  ['DOCX', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ['docx']],
  ['PPT', 'application/vnd.ms-powerpoint', ['ppt']],
  ['PPTX', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ['pptx']],
  ['ODP', 'application/vnd.oasis.opendocument.presentation', ['odp']],
  ['PDF', 'application/pdf', ['pdf']],
  ['TXT', 'text/plain', ['txt', 'text']],
  ['RTF', 'application/rtf', ['rtf']],
  ['ICS', 'text/calendar', ['ics', 'ical']],
  ['HTML', 'text/html', ['html', 'htm']],
  ['XHTML', 'application/xhtml+xml', ['xhtml']],
  ['ZIP', 'application/zip', ['zip']],
  ['GZIP', 'application/gzip', ['gzip', 'gz', 'application/x-gzip']],
  ['TAR', 'application/x-tar', ['tar']],
  ['TAR_GZ', null, ['tar.gz', 'tgz']],
  ['BZIP2', 'application/x-bzip2', ['bz2', 'bzip2']],
  ['XZ', 'application/x-xz', ['xz']],
  ['7Z', 'application/x-7z-compressed', ['7z']],
  ['RAR', 'application/vnd.rar', ['rar']],
  ['SHP', null, ['shp', 'shapefile', 'esri shapefile', 'shape']],
  ['GML', 'application/gml+xml', ['gml']],
  ['KML', 'application/vnd.google-earth.kml+xml', ['kml']],
  ['KMZ', 'application/vnd.google-earth.kmz', ['kmz']],
  ['GPKG', 'application/geopackage+sqlite3', ['gpkg', 'geopackage']],
  ['GEOTIFF', null, ['geotiff']],
  ['TIFF', 'image/tiff', ['tiff', 'tif']],
  ['JPEG2000', 'image/jp2', ['jpeg2000', 'jp2']],
  ['ECW', null, ['ecw']],
  ['GRID_ASCII', null, ['asc', 'ascii grid']],
  ['MIF_MID', null, ['mif', 'mid', 'mif/mid']],
  ['GTFS', null, ['gtfs']],
  ['PNG', 'image/png', ['png']],
  ['JPEG', 'image/jpeg', ['jpeg', 'jpg']],
  ['GIF', 'image/gif', ['gif']],
  ['SVG', 'image/svg+xml', ['svg']],
  ['RDF_XML', 'application/rdf+xml', ['rdf', 'rdf/xml', 'rdf+xml']],
  ['OWL', null, ['owl']],
  ['RDF_TRIG', 'application/trig', ['trig']],
  ['RDF_TURTLE', 'text/turtle', ['ttl', 'turtle']],
  ['RDF_N_TRIPLES', 'application/n-triples', ['nt', 'n-triples', 'ntriples']],
  ['RDF_N_QUADS', 'application/n-quads', ['nq', 'n-quads', 'nquads']],
  ['N3', 'text/n3', ['n3']],
  ['PARQUET', 'application/vnd.apache.parquet', ['parquet']],
  ['SQL', 'application/sql', ['sql']],
  ['MDB', null, ['mdb', 'access']],
  ['DBF', null, ['dbf']],
  ['NETCDF', 'application/netcdf', ['netcdf', 'nc']],
  ['HDF', null, ['hdf', 'hdf5', 'h5']],
  ['YAML', 'application/yaml', ['yaml', 'yml']],
  ['ATOM', 'application/atom+xml', ['atom']],
  ['RSS', 'application/rss+xml', ['rss']],
  ['EPUB', 'application/epub+zip', ['epub']],
  ['DWG', null, ['dwg']],
  ['DXF', null, ['dxf']],
  ['LAS', null, ['las']],
  ['LAZ', null, ['laz']],
  ['MPEG4', 'video/mp4', ['mp4', 'mpeg4']],
  ['MP3', 'audio/mpeg', ['mp3']],
  ['WAV', null, ['wav']],
  ['WEBP', 'image/webp', ['webp']],
  ['WMS_SRVC', null, ['wms', 'ogc:wms']],
  ['WFS_SRVC', null, ['wfs', 'ogc:wfs']],
  ['WMTS_SRVC', null, ['wmts', 'ogc:wmts']],
  ['WCS_SRVC', null, ['wcs', 'ogc:wcs']],
];

const byName = new Map<string, { code: string; mediaType: string | null }>();
for (const [code, mediaType, aliases] of FILE_TYPES) {
  for (const n of [code.toLowerCase(), ...aliases, ...(mediaType ? [mediaType] : [])]) byName.set(n, { code, mediaType });
}

export interface FileType {
  /** IRI in the EU file-type vocabulary (dct:format). */
  iri: string;
  /** IANA media type IRI (dcat:mediaType), when the format has one. */
  mediaType: string | null;
}

/**
 * A resource's format as written in the catalogue (« csv », « CSV », « text/csv », « .xlsx »,
 * « application/json; charset=utf-8 ») → the EU file-type IRI, or null for a format outside the table.
 */
export function fileType(format: string | undefined | null): FileType | null {
  if (!format) return null;
  const key = format.trim().toLowerCase().replace(/^\./, '').split(';')[0]!.trim();
  const euIri = key.match(/^https?:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/([A-Z0-9_]+)$/i);
  const hit = euIri ? byName.get(euIri[1]!.toLowerCase()) : byName.get(key);
  if (!hit) return null;
  return { iri: EU_FILE_TYPE + hit.code, mediaType: hit.mediaType ? IANA_MEDIA_TYPE + hit.mediaType : null };
}

/** Every format name the table knows (for the documentation and the tests). */
export const knownFormats = FILE_TYPES.map(([code, mediaType, aliases]) => ({ code, mediaType, aliases }));

// ---------------------------------------------------------------------------------------------
// Licences

/**
 * data.gouv.fr's licences (GET /api/1/datasets/licenses/): id, title, and the URL its harvester
 * (udata `License.guess`: exact match on id, slugified title, `url` or `alternate_urls`) recognises.
 * Licences without a URL on data.gouv.fr (other-*) can only be recognised by id or title: they are
 * given as a `dct:rights` statement whose label is the data.gouv.fr title (udata guesses the licence
 * from `dct:rights` labels too). `notspecified` is no licence at all.
 */
export const DATAGOUV_LICENCES = {
  lov2: { title: 'Licence Ouverte / Open Licence version 2.0', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence' },
  'fr-lo': { title: 'Licence Ouverte / Open Licence', url: 'https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf' },
  'odc-odbl': { title: 'Open Data Commons Open Database License (ODbL)', url: 'http://opendatacommons.org/licenses/odbl/summary/' },
  'odc-by': { title: 'Open Data Commons Attribution License', url: 'http://opendatacommons.org/licenses/by/summary/' },
  'odc-pddl': { title: 'Open Data Commons Public Domain Dedication and Licence (PDDL)', url: 'http://opendatacommons.org/licenses/pddl/summary/' },
  'cc-by': { title: 'Creative Commons Attribution', url: 'http://www.opendefinition.org/licenses/cc-by' },
  'cc-by-sa': { title: 'Creative Commons Attribution Share-Alike', url: 'http://www.opendefinition.org/licenses/cc-by-sa' },
  'cc-zero': { title: 'Creative Commons CCZero', url: 'http://www.opendefinition.org/licenses/cc-zero' },
  'other-at': { title: 'Other (Attribution)', url: null },
  'other-open': { title: 'Other (Open)', url: null },
  'other-pd': { title: 'Other (Public Domain)', url: null },
  'other-closed': { title: 'Other (Not Open)', url: null },
} as const;
export type DatagouvLicenceId = keyof typeof DATAGOUV_LICENCES;

/** Other names of each licence (normalised: lower case, no accents, single spaces), URLs included. */
const LICENCE_NAMES: Record<DatagouvLicenceId, string[]> = {
  lov2: [
    'licence ouverte 2.0',
    'licence ouverte v2.0',
    'licence ouverte v2',
    'licence ouverte version 2.0',
    'licence ouverte (etalab) 2.0',
    'licence ouverte / open licence version 2.0',
    'licence ouverte / open licence v2.0',
    'licence ouverte / open licence 2.0',
    'open licence 2.0',
    'open licence v2.0',
    'open licence version 2.0',
    'lo 2.0',
    'lov2',
    'etalab-2.0',
    'etalab 2.0',
    'licence etalab 2.0',
    'licence etalab v2.0',
    'https://www.etalab.gouv.fr/licence-ouverte-open-licence',
    'https://www.etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf',
    'https://github.com/etalab/licence-ouverte/blob/master/lo.md',
    'https://spdx.org/licenses/etalab-2.0.html',
  ],
  'fr-lo': [
    'licence ouverte 1.0',
    'licence ouverte v1.0',
    'licence ouverte v1',
    'licence ouverte version 1.0',
    'licence ouverte / open licence',
    'licence ouverte / open licence 1.0',
    'open licence 1.0',
    'lo 1.0',
    'lo/ol',
    'fr-lo',
    'https://www.etalab.gouv.fr/wp-content/uploads/2014/05/licence_ouverte.pdf',
    'https://www.etalab.gouv.fr/wp-content/uploads/2014/05/open_licence.pdf',
  ],
  'odc-odbl': [
    'odbl',
    'odbl 1.0',
    'odbl-1.0',
    'odc-odbl',
    'open database license',
    'open database license (odbl)',
    'open database license (odbl) 1.0',
    'open data commons open database license (odbl)',
    'open data commons open database license 1.0',
    'http://opendatacommons.org/licenses/odbl/summary/',
    'https://opendatacommons.org/licenses/odbl/',
    'https://opendatacommons.org/licenses/odbl/1-0/',
    'https://opendatacommons.org/licenses/odbl/1.0/',
    'https://opendefinition.org/licenses/odc-odbl',
  ],
  'odc-by': [
    'odc-by',
    'odc-by-1.0',
    'odc by',
    'open data commons attribution license',
    'http://opendatacommons.org/licenses/by/summary/',
    'https://opendatacommons.org/licenses/by/',
    'https://opendatacommons.org/licenses/by/1-0/',
  ],
  'odc-pddl': [
    'pddl',
    'pddl-1.0',
    'odc-pddl',
    'open data commons public domain dedication and licence (pddl)',
    'open data commons public domain dedication and license (pddl)',
    'http://opendatacommons.org/licenses/pddl/summary/',
    'https://opendatacommons.org/licenses/pddl/',
    'https://opendatacommons.org/licenses/pddl/1-0/',
  ],
  'cc-by': [
    'cc-by',
    'cc by',
    'cc-by 4.0',
    'cc by 4.0',
    'cc-by-4.0',
    'creative commons attribution',
    'creative commons attribution 4.0',
    'http://www.opendefinition.org/licenses/cc-by',
    'https://creativecommons.org/licenses/by/4.0/',
    'https://creativecommons.org/licenses/by/4.0/legalcode',
  ],
  'cc-by-sa': [
    'cc-by-sa',
    'cc by-sa',
    'cc by sa',
    'cc-by-sa 4.0',
    'cc by-sa 4.0',
    'cc-by-sa-4.0',
    'creative commons attribution share-alike',
    'http://www.opendefinition.org/licenses/cc-by-sa',
    'https://creativecommons.org/licenses/by-sa/4.0/',
  ],
  'cc-zero': [
    'cc0',
    'cc0 1.0',
    'cc0-1.0',
    'cc-zero',
    'cc zero',
    'creative commons cczero',
    'http://www.opendefinition.org/licenses/cc-zero',
    'https://creativecommons.org/publicdomain/zero/1.0/',
  ],
  'other-at': ['other-at', 'other (attribution)', 'autre (attribution)'],
  'other-open': ['other-open', 'other (open)', 'autre (ouverte)', 'autre (licence ouverte)'],
  'other-pd': ['other-pd', 'other (public domain)', 'autre (domaine public)', 'domaine public'],
  'other-closed': ['other-closed', 'other (not open)', 'autre (fermee)', 'autre (non ouverte)'],
};

const normalise = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^https?:\/\/(www\.)?/, '')
    .replace(/\/$/, '');

const licenceByName = new Map<string, DatagouvLicenceId>();
for (const [id, names] of Object.entries(LICENCE_NAMES) as [DatagouvLicenceId, string[]][]) {
  for (const n of [...names, DATAGOUV_LICENCES[id].title]) licenceByName.set(normalise(n), id);
}

/** What `dct:license` / `dct:rights` say for a licence, or nothing. */
export type LicenceTerm = { kind: 'licence'; iri: string; id: DatagouvLicenceId | null } | { kind: 'rights'; label: string; id: DatagouvLicenceId } | null;

/**
 * The asset's licence (free text: « Licence Ouverte 2.0 », « ODbL », a data.gouv.fr id, a URL…) →
 * the licence IRI data.gouv.fr recognises, a rights statement for data.gouv.fr's licences that have
 * no URL, or null: « notspecified », an empty licence and a name outside the table give NO licence,
 * never another one. A URL outside the table is given as it is (it names that licence).
 */
export function licenceTerm(licence: string | undefined | null): LicenceTerm {
  if (!licence?.trim()) return null;
  const n = normalise(licence);
  if (n === 'notspecified' || n === 'license not specified' || n === 'licence non specifiee') return null;
  const id = licenceByName.get(n);
  if (id) {
    const l = DATAGOUV_LICENCES[id];
    return l.url ? { kind: 'licence', iri: l.url, id } : { kind: 'rights', label: l.title, id };
  }
  if (/^https?:\/\/[^\s<>"{}|\\^`]+$/i.test(licence.trim())) return { kind: 'licence', iri: licence.trim(), id: null };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Frequencies

/**
 * udata's frequency ids (UpdateFrequency, which our `frequency` uses) → the EU frequency code that
 * udata's DCAT harvester reads back as the same id (`EUFREQ_TERM_TO_UDATA` in udata/core/dataset/rdf.py):
 * `continuous` is UPDATE_CONT (EU « CONT » is udata's severalTimesADay), `punctual` is AS_NEEDED
 * (EU « NEVER » is udata's never).
 */
export const FREQUENCIES: Record<string, string> = {
  continuous: 'UPDATE_CONT',
  oneMinute: '1MIN',
  fiveMinutes: '5MIN',
  tenMinutes: '10MIN',
  fifteenMinutes: '15MIN',
  thirtyMinutes: '30MIN',
  hourly: 'HOURLY',
  bihourly: 'BIHOURLY',
  trihourly: 'TRIHOURLY',
  twelveHours: '12HRS',
  severalTimesADay: 'CONT',
  threeTimesADay: 'DAILY_3',
  semidaily: 'DAILY_2',
  daily: 'DAILY',
  fiveTimesAWeek: 'WEEKLY_5',
  threeTimesAWeek: 'WEEKLY_3',
  semiweekly: 'WEEKLY_2',
  weekly: 'WEEKLY',
  biweekly: 'BIWEEKLY',
  threeTimesAMonth: 'MONTHLY_3',
  semimonthly: 'MONTHLY_2',
  monthly: 'MONTHLY',
  bimonthly: 'BIMONTHLY',
  quarterly: 'QUARTERLY',
  threeTimesAYear: 'ANNUAL_3',
  semiannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  biennial: 'BIENNIAL',
  triennial: 'TRIENNIAL',
  quadrennial: 'QUADRENNIAL',
  quinquennial: 'QUINQUENNIAL',
  decennial: 'DECENNIAL',
  bidecennial: 'BIDECENNIAL',
  tridecennial: 'TRIDECENNIAL',
  punctual: 'AS_NEEDED',
  irregular: 'IRREG',
  never: 'NEVER',
  notPlanned: 'NOT_PLANNED',
  other: 'OTHER',
  unknown: 'UNKNOWN',
};

/** A frequency id → its EU frequency IRI, or null for an id outside udata's vocabulary. */
export function frequencyIri(frequency: string | undefined | null): string | null {
  const code = frequency ? FREQUENCIES[frequency] : undefined;
  return code ? EU_FREQUENCY + code : null;
}

// ---------------------------------------------------------------------------------------------
// Spatial coverage

/** GeoSPARQL literal datatypes udata's DCAT harvester parses (`spatial_from_rdf`: GeoJSON or WKT). */
export const GSP = 'http://www.opengis.net/ont/geosparql#';
export const DATAGOUV_ZONE = 'https://www.data.gouv.fr/api/1/spatial/zone/';

export interface Geometry {
  type: 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';
  coordinates: unknown[];
}

const pos = (p: unknown) => (Array.isArray(p) ? p.map(Number).join(' ') : '');
const ring = (r: unknown) => `(${(Array.isArray(r) ? r : []).map(pos).join(', ')})`;
const rings = (rs: unknown) => `(${(Array.isArray(rs) ? rs : []).map(ring).join(', ')})`;

/** A GeoJSON geometry as WKT (upper-case keywords, as udata's geomet reads them; lon lat, CRS84). */
export function toWkt(g: Geometry): string {
  const c = g.coordinates;
  switch (g.type) {
    case 'Point':
      return `POINT (${pos(c)})`;
    case 'LineString':
      return `LINESTRING ${ring(c)}`;
    case 'MultiPoint':
      return `MULTIPOINT ${ring(c)}`;
    case 'Polygon':
      return `POLYGON ${rings(c)}`;
    case 'MultiLineString':
      return `MULTILINESTRING ${rings(c)}`;
    case 'MultiPolygon':
      return `MULTIPOLYGON (${c.map(rings).join(', ')})`;
  }
}

/**
 * A udata GeoZone id (« country:fr », « fr:departement:75 », « fr:commune:35238 »: level and code,
 * the code being the INSEE one for French zones) → the data.gouv.fr API address of that zone (it
 * answers its GeoJSON), or null for an id that is not level:code.
 */
export function zoneIri(id: string): string | null {
  const z = id.trim().toLowerCase().replace(/\//g, ':');
  if (!/^[a-z0-9_-]+(:[a-z0-9_.-]+)+(@[0-9-]+)?$/.test(z)) return null;
  return `${DATAGOUV_ZONE}${z.split('@')[0]!}/`;
}
