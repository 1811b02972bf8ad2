import { describe, expect, it } from 'vitest';
import { frequencies } from '@patrimoine/contracts/catalog';
import { DATAGOUV_LICENCES, FREQUENCIES, fileType, frequencyIri, knownFormats, licenceTerm, toWkt, zoneIri } from './catalog.dcat.vocab.ts';

const LO2 = 'https://www.etalab.gouv.fr/licence-ouverte-open-licence';
const LO1 = 'https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf';

describe('licences → what data.gouv.fr’s harvester recognises', () => {
  it('maps every data.gouv.fr licence id to its data.gouv.fr URL, or a rights statement with its title when it has none', () => {
    const expected: Record<string, ReturnType<typeof licenceTerm>> = {
      lov2: { kind: 'licence', iri: LO2, id: 'lov2' },
      'fr-lo': { kind: 'licence', iri: LO1, id: 'fr-lo' },
      'odc-odbl': { kind: 'licence', iri: 'http://opendatacommons.org/licenses/odbl/summary/', id: 'odc-odbl' },
      'odc-by': { kind: 'licence', iri: 'http://opendatacommons.org/licenses/by/summary/', id: 'odc-by' },
      'odc-pddl': { kind: 'licence', iri: 'http://opendatacommons.org/licenses/pddl/summary/', id: 'odc-pddl' },
      'cc-by': { kind: 'licence', iri: 'http://www.opendefinition.org/licenses/cc-by', id: 'cc-by' },
      'cc-by-sa': { kind: 'licence', iri: 'http://www.opendefinition.org/licenses/cc-by-sa', id: 'cc-by-sa' },
      'cc-zero': { kind: 'licence', iri: 'http://www.opendefinition.org/licenses/cc-zero', id: 'cc-zero' },
      'other-at': { kind: 'rights', label: 'Other (Attribution)', id: 'other-at' },
      'other-open': { kind: 'rights', label: 'Other (Open)', id: 'other-open' },
      'other-pd': { kind: 'rights', label: 'Other (Public Domain)', id: 'other-pd' },
      'other-closed': { kind: 'rights', label: 'Other (Not Open)', id: 'other-closed' },
      notspecified: null,
    };
    for (const [id, term] of Object.entries(expected)) expect(licenceTerm(id), id).toEqual(term);
    expect(Object.keys(DATAGOUV_LICENCES).sort()).toEqual(
      Object.keys(expected)
        .filter((k) => k !== 'notspecified')
        .sort(),
    );
  });

  it('maps the catalogue’s labels and the data.gouv.fr titles and URLs, whatever the case, accents and scheme', () => {
    const cases: [string, string | null][] = [
      ['Licence Ouverte 2.0', LO2],
      ['licence ouverte v2.0', LO2],
      ['Licence Ouverte / Open Licence version 2.0', LO2],
      ['etalab-2.0', LO2],
      ['https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf', LO2],
      ['Licence Ouverte 1.0', LO1],
      ['Licence Ouverte / Open Licence', LO1],
      ['ODbL', 'http://opendatacommons.org/licenses/odbl/summary/'],
      ['https://opendatacommons.org/licenses/odbl/1-0/', 'http://opendatacommons.org/licenses/odbl/summary/'],
      ['CC-BY', 'http://www.opendefinition.org/licenses/cc-by'],
      ['CC BY 4.0', 'http://www.opendefinition.org/licenses/cc-by'],
      ['CC-BY-SA', 'http://www.opendefinition.org/licenses/cc-by-sa'],
      ['CC0', 'http://www.opendefinition.org/licenses/cc-zero'],
      ['https://creativecommons.org/publicdomain/zero/1.0/', 'http://www.opendefinition.org/licenses/cc-zero'],
      ['PDDL', 'http://opendatacommons.org/licenses/pddl/summary/'],
      ['Open Data Commons Attribution License', 'http://opendatacommons.org/licenses/by/summary/'],
    ];
    for (const [label, iri] of cases) expect(licenceTerm(label), label).toMatchObject({ kind: 'licence', iri });
  });

  it('gives no licence for an empty, unspecified or unknown licence — never another licence', () => {
    for (const l of [undefined, null, '', '  ', 'notspecified', 'License Not Specified', 'Licence maison', 'Licence Ouverte', 'GPL-3.0', 'lov3'])
      expect(licenceTerm(l), String(l)).toBeNull();
  });

  it('keeps a licence URL outside the table as it is (it names that licence)', () => {
    expect(licenceTerm('https://www.apache.org/licenses/LICENSE-2.0')).toEqual({
      kind: 'licence',
      iri: 'https://www.apache.org/licenses/LICENSE-2.0',
      id: null,
    });
    expect(licenceTerm('https://exemple.fr/licence avec espace')).toBeNull();
  });
});

describe('formats → EU file-type vocabulary', () => {
  it('maps names, extensions, media types and EU IRIs, whatever the case', () => {
    const eu = (c: string) => `http://publications.europa.eu/resource/authority/file-type/${c}`;
    expect(fileType('csv')).toEqual({ iri: eu('CSV'), mediaType: 'http://www.iana.org/assignments/media-types/text/csv' });
    expect(fileType('CSV')?.iri).toBe(eu('CSV'));
    expect(fileType('.xlsx')?.iri).toBe(eu('XLSX'));
    expect(fileType('application/json; charset=utf-8')?.iri).toBe(eu('JSON'));
    expect(fileType('text/csv')?.iri).toBe(eu('CSV'));
    expect(fileType('geojson')?.iri).toBe(eu('GEOJSON'));
    expect(fileType('shapefile')).toEqual({ iri: eu('SHP'), mediaType: null });
    expect(fileType('jpg')?.iri).toBe(eu('JPEG'));
    expect(fileType('wms')?.iri).toBe(eu('WMS_SRVC'));
    expect(fileType(eu('PARQUET'))?.iri).toBe(eu('PARQUET'));
    expect(fileType('tgz')?.iri).toBe(eu('TAR_GZ'));
    expect(fileType('mp4')?.iri).toBe(eu('MPEG4'));
    expect(fileType('owl')?.iri).toBe(eu('OWL'));
    expect(fileType('format maison')).toBeNull();
    expect(fileType(undefined)).toBeNull();
  });

  it('every alias names one code only', () => {
    const owner = new Map<string, string>();
    for (const f of knownFormats)
      for (const n of new Set([f.code.toLowerCase(), ...f.aliases, ...(f.mediaType ? [f.mediaType] : [])])) {
        expect(owner.get(n) ?? f.code, `${n}: ${owner.get(n)} and ${f.code}`).toBe(f.code);
        owner.set(n, f.code);
      }
  });
});

describe('frequencies → EU frequency vocabulary, as udata reads it back', () => {
  it('maps continuous to UPDATE_CONT and punctual to AS_NEEDED (EU CONT is severalTimesADay, NEVER is never for udata)', () => {
    expect(frequencyIri('continuous')).toBe('http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT');
    expect(frequencyIri('punctual')).toBe('http://publications.europa.eu/resource/authority/frequency/AS_NEEDED');
    expect(frequencyIri('severalTimesADay')).toBe('http://publications.europa.eu/resource/authority/frequency/CONT');
    expect(frequencyIri('semiannual')).toBe('http://publications.europa.eu/resource/authority/frequency/ANNUAL_2');
    expect(frequencyIri('irregular')).toBe('http://publications.europa.eu/resource/authority/frequency/IRREG');
    expect(frequencyIri('unknown')).toBe('http://publications.europa.eu/resource/authority/frequency/UNKNOWN');
    expect(frequencyIri('fourTimesADay')).toBeNull();
    expect(frequencyIri(undefined)).toBeNull();
  });

  it('covers every frequency of the model and all 40 of udata, each to its own EU code', () => {
    for (const f of frequencies) expect(frequencyIri(f), f).not.toBeNull();
    expect(Object.keys(FREQUENCIES)).toHaveLength(40);
    expect(new Set(Object.values(FREQUENCIES)).size).toBe(40);
  });
});

describe('spatial coverage → what udata’s harvester parses', () => {
  it('writes GeoJSON geometries as upper-case WKT (lon lat), as geomet reads them', () => {
    expect(toWkt({ type: 'Point', coordinates: [2.35, 48.85] })).toBe('POINT (2.35 48.85)');
    expect(
      toWkt({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toBe('LINESTRING (0 0, 1 1)');
    expect(
      toWkt({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toBe('POLYGON ((0 0, 1 0, 1 1, 0 0))');
    expect(
      toWkt({
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
          [
            [
              [5, 5],
              [6, 5],
              [6, 6],
              [5, 5],
            ],
            [
              [5.1, 5.1],
              [5.2, 5.1],
              [5.2, 5.2],
              [5.1, 5.1],
            ],
          ],
        ],
      }),
    ).toBe('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.1 5.1, 5.2 5.1, 5.2 5.2, 5.1 5.1)))');
    expect(
      toWkt({
        type: 'MultiPoint',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toBe('MULTIPOINT (0 0, 1 1)');
    expect(
      toWkt({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      }),
    ).toBe('MULTILINESTRING ((0 0, 1 1))');
  });
  it('gives a udata GeoZone id its data.gouv.fr API address, and refuses what is not level:code', () => {
    expect(zoneIri('country:fr')).toBe('https://www.data.gouv.fr/api/1/spatial/zone/country:fr/');
    expect(zoneIri('fr:commune:35327')).toBe('https://www.data.gouv.fr/api/1/spatial/zone/fr:commune:35327/');
    expect(zoneIri('fr:commune:35327@1942-01-01')).toBe('https://www.data.gouv.fr/api/1/spatial/zone/fr:commune:35327/');
    expect(zoneIri('fr/departement/2A')).toBe('https://www.data.gouv.fr/api/1/spatial/zone/fr:departement:2a/');
    expect(zoneIri('France')).toBeNull();
    expect(zoneIri('fr:commune:<script>')).toBeNull();
  });
});
